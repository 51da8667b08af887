"""The vocabulary: the shipped one loads; a broken one reports every problem with its line."""
from __future__ import annotations

import datetime

import pytest

from kb.language.diagnostics import KnowledgeBaseError
from kb.language.knowledge_base import DEFAULT_DIR, check_directory
from kb.language.vocabulary import KINDS, fill_template, load_vocabulary

OUTCOMES = ["obligated", "discretionary", "permitted", "forbidden"]

# A small, valid vocabulary; each broken variant below changes one line of it.
GOOD = """\
types:
  person: {nl: persoon, en: person}
  item: {nl: item, en: item}
  date: {nl: datum, en: date}
  circle:
    nl: kring
    en: circle
    values: [care_team, class_council]
    labels:
      care_team: {nl: het zorgteam, en: the care team}
      class_council: {nl: de klassenraad, en: the class council}
functions:
  years_between: {args: [date, date], returns: date, nl: "jaren", en: "years"}
predicates:
  guides:
    kind: input
    args: [{Worker: person}, {Pupil: person}]
    nl: "{Worker} begeleidt {Pupil}"
    en: "{Worker} guides {Pupil}"
    nl_not: "{Worker} begeleidt {Pupil} niet"
    en_not: "{Worker} does not guide {Pupil}"
  consent:
    kind: input
    args: [{Giver: person}, {Item: item}]
    nl: "{Giver} stemt in met {Item}"
    en: "{Giver} consents to {Item}"
    nl_not: "{Giver} stemt niet in met {Item}"
    en_not: "there is no consent from {Giver} to {Item}"
    brought_about_by: Giver
    remedy: consent
  permitted:
    kind: decision
    args: [{Actor: person}]
    nl: "{Actor} mag"
    en: "{Actor} may"
    nl_not: "{Actor} mag niet"
    en_not: "{Actor} may not"
"""


def write(tmp_path, text: str):
    path = tmp_path / "vocabulary.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load_errors(tmp_path, text: str):
    path = write(tmp_path, text)
    with pytest.raises(KnowledgeBaseError) as raised:
        load_vocabulary(path)
    diagnostics = raised.value.diagnostics
    assert all(d.code.startswith("vocabulary") and d.pos.file == str(path) for d in diagnostics)
    return diagnostics


def line_of(text: str, fragment: str) -> int:
    (number,) = [i for i, line in enumerate(text.splitlines(), 1) if fragment in line]
    return number


def replaced(old: str, new: str) -> str:
    assert GOOD.count(old) == 1
    return GOOD.replace(old, new)


# -- the shipped vocabulary -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary(DEFAULT_DIR / "vocabulary.yaml")


def test_the_shipped_vocabulary_loads_with_every_kind(vocab):
    assert {p.kind for p in vocab.predicates.values()} == set(KINDS)
    assert sorted(p.name for p in vocab.by_kind("decision")) == sorted(OUTCOMES + ["may_disclose"])
    assert sorted(p.name for p in vocab.by_kind("context")) == ["asked", "asked_in", "today"]


def test_every_decision_predicate_takes_actor_recipient_item(vocab):
    for name in OUTCOMES:
        assert [(a.name, a.type) for a in vocab.predicates[name].args] == [
            ("Actor", "person"), ("Recipient", "person"), ("Item", "item")]


def test_predicates_know_their_arity_and_key(vocab):
    learned = vocab.predicates["learned"]
    assert (learned.arity, learned.key, learned.arg_index("Capacity")) == (4, "learned/4", 3)


def test_remedies_are_declared_only_on_input_facts_a_person_brings_about(vocab):
    remedies = {p.name: (p.brought_about_by, p.remedy) for p in vocab.predicates.values() if p.remedy}
    assert remedies["consent"] == ("Giver", "consent")
    assert remedies["designated_trusted_person"] == ("Pupil", "designation")
    assert all(vocab.predicates[name].kind == "input" for name in remedies)
    # A client's request naming the recipient is what would stop a permission (said to the pupil and parents).
    assert remedies["confidentiality_request"] == ("Client", "request")
    assert "staff_confidentiality_request" not in remedies  # a staff member's request is no remedy of the client


def test_years_between_is_a_function_from_two_dates_to_a_number(vocab):
    fn = vocab.functions["years_between"]
    assert (fn.arg_types, fn.returns) == (("date", "date"), "number")


def test_a_reading_fills_in_the_arguments_and_shows_dates_as_iso(vocab):
    consent = vocab.predicates["consent"]
    values = ("lena", "i1", "tine", datetime.date(2026, 9, 1))
    assert consent.reading("en", values) == "lena consented on 2026-09-01 to sharing i1 with tine"
    assert consent.reading("nl", values) == "lena gaf op 2026-09-01 toestemming om i1 te delen met tine"


def test_an_optional_part_of_a_reading_is_left_out_or_replaced_when_its_argument_is_open(vocab):
    staff, circle = vocab.predicates["school_staff"], vocab.predicates["learned_in_circle"]
    assert staff.reading("nl", ("jan", "de_linde", "teacher")) == "jan werkt als teacher op de_linde"
    assert fill_template(staff.negative_readings["nl"], {"Person": "Jan", "School": "een school"},
                         {"School", "Role"}) == "Jan werkt niet op een school"
    assert fill_template(circle.readings["nl"], {"Holder": "Jan", "Item": "dit"}, {"Circle"}) == \
        "Jan heeft dit vernomen binnen een ambtskring"
    assert fill_template(circle.readings["nl"], {"Holder": "Jan", "Item": "dit", "Circle": "klassenraad"}, set()) == \
        "Jan heeft dit vernomen binnen de ambtskring klassenraad"


@pytest.mark.parametrize("type_name, value, ok", [
    ("circle", "care_team", True),
    ("circle", "care_tem", False),
    ("person", "anyone", True),
    ("person", 12, False),
    ("date", datetime.date(2026, 1, 1), True),
    ("date", "2026-01-01", False),
    ("number", 12, True),
    ("number", True, False),
    ("number", "12", False),
])
def test_check_value_accepts_only_values_of_the_type(vocab, type_name, value, ok):
    assert (vocab.check_value(type_name, value) is None) is ok


def test_a_wrong_enum_value_is_explained_with_the_allowed_values_and_a_hint(vocab):
    problem = vocab.check_value("circle", "care_tem")
    assert "hierarchical_superior, guidance_cell, care_team, class_council, all_staff" in problem
    assert "did you mean `care_team`?" in problem


# -- a broken vocabulary ------------------------------------------------------------------------------

def test_the_small_vocabulary_used_below_is_valid(tmp_path):
    vocab = load_vocabulary(write(tmp_path, GOOD))
    assert set(vocab.predicates) == {"guides", "consent", "permitted"}


def test_an_argument_of_unknown_type_is_reported_at_its_line_with_a_hint(tmp_path):
    text = replaced("{Worker: person}", "{Worker: persn}")
    (diagnostic,) = load_errors(tmp_path, text)
    assert diagnostic.pos.line == line_of(text, "{Worker: persn}")
    assert diagnostic.message == "argument `Worker` of `guides` has unknown type `persn`"
    assert diagnostic.suggestion == "did you mean `person`?"


def test_a_function_of_unknown_type_is_reported(tmp_path):
    text = replaced("args: [date, date]", "args: [date, day]")
    (diagnostic,) = load_errors(tmp_path, text)
    assert diagnostic.pos.line == line_of(text, "years_between:")
    assert "function `years_between` uses unknown type `day`" == diagnostic.message


def test_a_reading_placeholder_that_is_not_an_argument_is_reported_at_the_reading(tmp_path):
    text = replaced('en: "{Worker} guides {Pupil}"', 'en: "{Worker} guides {Pupill}"')
    (diagnostic,) = load_errors(tmp_path, text)
    assert diagnostic.pos.line == line_of(text, "{Pupill}")
    assert "names `{Pupill}`, which is not one of its arguments" in diagnostic.message
    assert diagnostic.suggestion == "did you mean `Pupil`?"


def test_brought_about_by_that_is_not_an_argument_is_reported_at_its_line(tmp_path):
    text = replaced("brought_about_by: Giver", "brought_about_by: Pupil")
    (diagnostic,) = load_errors(tmp_path, text)
    assert diagnostic.pos.line == line_of(text, "brought_about_by: Pupil")
    assert diagnostic.message == "`brought_about_by: Pupil` of `consent` is not one of its arguments"


@pytest.mark.parametrize("lang, word", [("nl", "Dutch"), ("en", "English")])
def test_a_missing_reading_is_reported_at_the_predicate(tmp_path, lang, word):
    reading = '    nl: "{Actor} mag"\n' if lang == "nl" else '    en: "{Actor} may"\n'
    text = replaced(reading, "")
    (diagnostic,) = load_errors(tmp_path, text)
    assert diagnostic.pos.line == line_of(text, "permitted:")
    assert diagnostic.message == f"predicate `permitted` has no {word} reading"
    assert f"add `{lang}: " in diagnostic.suggestion and "{Actor}" in diagnostic.suggestion


@pytest.mark.parametrize("old, new, fragment, message", [
    ("kind: decision", "kind: verdict", "kind: verdict", "predicate `permitted` has kind `verdict`"),
    ("{Pupil: person}", "{pupil: person}", "{pupil: person}", "argument name `pupil` of `guides` must start with a capital"),
    ("{Pupil: person}", "{Worker: person}", "guides:", "predicate `guides` repeats an argument name"),
    ("    remedy: consent\n", "", "consent:", "needs both brought_about_by and remedy"),
    ("remedy: consent", "remedy: gift", "consent:", "needs both brought_about_by and remedy"),
    ("[{Actor: person}]", "[Actor]", "[Actor]", "argument 1 of `permitted` must be written as {Name: type}"),
])
def test_other_declaration_mistakes_are_reported_at_their_line(tmp_path, old, new, fragment, message):
    text = replaced(old, new)
    diagnostics = load_errors(tmp_path, text)
    assert any(message in d.message and d.pos.line == line_of(text, fragment) for d in diagnostics), \
        [(d.pos.line, d.message) for d in diagnostics]


def test_only_input_predicates_can_be_brought_about(tmp_path):
    text = replaced("    kind: decision\n", "    kind: decision\n    brought_about_by: Actor\n    remedy: request\n")
    (diagnostic,) = load_errors(tmp_path, text)
    assert diagnostic.message == "only input facts can be brought about by a person; `permitted` is decision"


def test_every_vocabulary_error_is_reported_at_once_sorted_by_line(tmp_path):
    text = (GOOD.replace("{Worker: person}", "{Worker: persn}")
            .replace('en: "{Worker} guides {Pupil}"', 'en: "{Worker} guides {Pupill}"')
            .replace("brought_about_by: Giver", "brought_about_by: Pupil")
            .replace('    en: "{Actor} may"\n', ""))
    diagnostics = load_errors(tmp_path, text)
    assert [d.pos.line for d in diagnostics] == [
        line_of(text, "{Worker: persn}"), line_of(text, "{Pupill}"),
        line_of(text, "brought_about_by: Pupil"), line_of(text, "permitted:")]


def test_invalid_yaml_is_reported_at_the_line_it_breaks(tmp_path):
    text = GOOD.replace("    kind: input\n    args: [{Worker", "    kind: input\n   args: [{Worker", 1)
    (diagnostic,) = load_errors(tmp_path, text)
    assert diagnostic.message.startswith("the vocabulary is not valid YAML")
    assert diagnostic.pos.line == line_of(text, "   args: [{Worker")


def test_a_vocabulary_that_is_not_a_mapping_is_refused(tmp_path):
    (diagnostic,) = load_errors(tmp_path, "- just\n- a list\n")
    assert (diagnostic.pos.line, diagnostic.message) == (1, "the vocabulary must be a mapping")


def test_check_directory_stops_at_a_broken_vocabulary_and_kb_check_fails(tmp_path, capsys):
    from kb.cli import main
    (tmp_path / "rules").mkdir()
    write(tmp_path, replaced("{Worker: person}", "{Worker: persn}"))
    kb, diagnostics = check_directory(tmp_path)
    assert kb is None and [d.code for d in diagnostics] == ["vocabulary-unknown-type"]
    assert main(["--dir", str(tmp_path), "check"]) == 1
    assert "has unknown type `persn`" in capsys.readouterr().out


# -- shapes that used to crash `kb check`: each has its own code, a position and no traceback ---------

SHAPES = [
    # (replace, by, code, line containing, message fragment)
    ('  years_between: {args: [date, date], returns: date, nl: "jaren", en: "years"}',
     "  years_between: oops", "vocabulary-shape", "years_between: oops", "function `years_between` must be a mapping"),
    ('  years_between: {args: [date, date], returns: date, nl: "jaren", en: "years"}',
     "  years_between:", "vocabulary-shape", "years_between:", "not `null`"),
    ('  years_between: {args: [date, date], returns: date, nl: "jaren", en: "years"}',
     '  years_between: {args: date, returns: date, nl: "jaren", en: "years"}', "vocabulary-shape",
     "years_between:", "must be a list of type names"),
    ('  years_between: {args: [date, date], returns: date, nl: "jaren", en: "years"}',
     '  years_between: {args: [{a: b}, date], returns: date, nl: "jaren", en: "years"}',
     "vocabulary-unknown-type", "years_between:", "unknown type `{'a': 'b'}`"),
    ("{Worker: person}", "{Worker: {person: x}}", "vocabulary-unknown-type", "args: [{Worker",
     "has unknown type `{'person': 'x'}`"),
    ("  person: {nl: persoon, en: person}", "  person: oops", "vocabulary-shape", "person: oops",
     "type `person` must be a mapping"),
    ("    values: [care_team, class_council]", "    values: care_team", "vocabulary-shape", "values: care_team",
     "must be a list of names"),
    ("    kind: input\n    args: [{Worker", "    kind: inptu\n    args: [{Worker", "vocabulary-kind", "kind: inptu",
     "has kind `inptu`"),
    ("    args: [{Worker: person}, {Pupil: person}]", "    args: {Worker: person}", "vocabulary-argument",
     "args: {Worker: person}", "must be a list"),
    ("    brought_about_by: Giver", "    brought_about_by: [Giver]", "vocabulary-remedy", "brought_about_by",
     "is not one of its arguments"),
]


@pytest.mark.parametrize("old, new, code, fragment, message", SHAPES, ids=[s[2] + ":" + s[1].strip()[:30] for s in SHAPES])
def test_a_vocabulary_entry_of_the_wrong_shape_gets_its_own_code_and_line(tmp_path, old, new, code, fragment,
                                                                             message):
    text = replaced(old, new)
    diagnostics = load_errors(tmp_path, text)
    hit = [d for d in diagnostics if d.code == code and message in d.message]
    assert hit, [(d.code, d.message) for d in diagnostics]
    assert hit[0].pos.line == line_of(text, fragment)


@pytest.mark.parametrize("section", ["types", "functions", "predicates"])
def test_a_section_that_is_not_a_mapping_is_reported_at_its_key(tmp_path, section):
    text = GOOD.replace(f"{section}:\n", f"{section}: oops\n{section}_was:\n", 1)
    diagnostics = load_errors(tmp_path, text)
    assert any(d.code == "vocabulary-shape" and d.pos.line == line_of(text, f"{section}: oops")
               and f"`{section}:` must be a mapping" in d.message for d in diagnostics)


def test_kb_check_reports_a_function_spec_of_the_wrong_shape_without_a_traceback(tmp_path, capsys):
    from kb.cli import main
    (tmp_path / "rules").mkdir()
    text = (DEFAULT_DIR / "vocabulary.yaml").read_text(encoding="utf-8")
    start = text.index("  years_between:\n")
    end = text.index("\npredicates:")
    write(tmp_path, text[:start] + "  years_between: oops\n" + text[end:])
    assert main(["--dir", str(tmp_path), "check"]) == 1
    out = capsys.readouterr()
    assert "error[vocabulary-shape]: function `years_between` must be a mapping" in out.out
    assert "Traceback" not in out.out + out.err


@pytest.mark.parametrize("lang, word", [("nl", "Dutch"), ("en", "English")])
def test_a_missing_negative_reading_is_reported_at_the_predicate(tmp_path, lang, word):
    negative = '    nl_not: "{Actor} mag niet"\n' if lang == "nl" else '    en_not: "{Actor} may not"\n'
    text = replaced(negative, "")
    (diagnostic,) = load_errors(tmp_path, text)
    assert diagnostic.pos.line == line_of(text, "permitted:")
    assert diagnostic.message == f"predicate `permitted` has no {word} negative reading"
    assert f"add `{lang}_not: " in diagnostic.suggestion


def test_a_negative_reading_naming_no_argument_is_reported_at_its_line(tmp_path):
    text = replaced('en_not: "{Worker} does not guide {Pupil}"', 'en_not: "{Worker} does not guide {Pupill}"')
    (diagnostic,) = load_errors(tmp_path, text)
    assert diagnostic.pos.line == line_of(text, "{Pupill}")
    assert "en_not reading of `guides` names `{Pupill}`" in diagnostic.message


def test_an_enumerated_value_without_a_label_is_reported(tmp_path):
    text = replaced("      class_council: {nl: de klassenraad, en: the class council}\n", "")
    (diagnostic,) = load_errors(tmp_path, text)
    assert diagnostic.message == "value `class_council` of type `circle` has no nl and en label"


def test_the_shipped_vocabulary_reads_every_predicate_and_labels_every_code_in_both_languages():
    vocabulary = load_vocabulary(DEFAULT_DIR / "vocabulary.yaml")
    for predicate in vocabulary.predicates.values():
        assert set(predicate.negative_readings) == {"nl", "en"}, predicate.name
        assert predicate.negative_readings["nl"] != predicate.readings["nl"], predicate.name
    for type_ in vocabulary.types.values():
        for value in type_.values or ():
            assert type_.label(value, "nl") and type_.label(value, "en"), (type_.name, value)


def test_asked_of_must_name_an_argument_or_the_actor(tmp_path):
    text = replaced("    remedy: consent\n", "    remedy: consent\n    asked_of: Parent\n")
    (diagnostic,) = load_errors(tmp_path, text)
    assert diagnostic.pos.line == line_of(text, "asked_of: Parent")
    assert diagnostic.message == "`asked_of: Parent` of `consent` is neither `actor` nor one of its arguments"


def test_a_part_must_be_a_value_of_the_part_type(tmp_path):
    text = replaced("    remedy: consent\n", "    remedy: consent\n    part: secret\n")
    (diagnostic,) = load_errors(tmp_path, text)
    assert diagnostic.pos.line == line_of(text, "part: secret")
    assert diagnostic.message == "`part: secret` of `consent` is not a value of type `part`"


def test_the_shipped_vocabulary_says_who_answers_each_askable_fact():
    vocabulary = load_vocabulary(DEFAULT_DIR / "vocabulary.yaml")
    askable = {p.name: p.asked_of for p in vocabulary.predicates.values() if p.asked_of}
    assert askable["judged_capable"] == "actor" and askable["consent"] == "Giver"
    assert all(p.kind == "input" for p in vocabulary.predicates.values() if p.asked_of)


def test_only_input_facts_can_be_asked(tmp_path):
    text = replaced("    kind: decision\n", "    kind: decision\n    asked_of: actor\n")
    (diagnostic,) = load_errors(tmp_path, text)
    assert diagnostic.message == "only input facts can be asked in an interview; `permitted` is decision"


def test_a_conditional_or_question_reading_naming_no_argument_is_reported_at_its_line(tmp_path):
    for key in ("nl_if", "en_ask"):
        text = replaced("    remedy: consent\n", f'    remedy: consent\n    {key}: "{{Givr}} geeft {{Item}}"\n')
        (diagnostic,) = load_errors(tmp_path, text)
        assert diagnostic.pos.line == line_of(text, f"{key}:")
        assert diagnostic.message == f"the {key} reading of `consent` names `{{Givr}}`, which is not one of its arguments"
        assert "Giver" in diagnostic.suggestion


def test_the_shipped_vocabulary_words_every_act_as_a_condition_and_every_askable_fact_as_a_question():
    vocabulary = load_vocabulary(DEFAULT_DIR / "vocabulary.yaml")
    for predicate in vocabulary.predicates.values():
        if predicate.brought_about_by:
            assert set(predicate.conditional) == {"nl", "en"}, predicate.name
        if predicate.asked_of:
            assert set(predicate.question) == {"nl", "en"}, predicate.name
            assert all(text.endswith("?") and text[0].isupper()
                       for text in predicate.question.values()), predicate.name
