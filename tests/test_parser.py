"""The rule-file parser: AST with positions, literate parts attached to the right rule, error recovery."""
from __future__ import annotations

import datetime
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.language.ast import (Atom, Comparison, Constant, FunctionCall, Negation, Position, Rule,
                             Variable)
from kb.language.knowledge_base import DEFAULT_DIR, rule_files
from kb.language.parser import parse_file, parse_text


def parse(text: str, path: str = "f.dl"):
    return parse_text(textwrap.dedent(text).lstrip("\n"), path)


def parse_ok(text: str):
    rule_file, diagnostics = parse(text)
    assert diagnostics == []
    return rule_file


def where(diagnostics) -> list[tuple[int, int]]:
    return [(d.pos.line, d.pos.column) for d in diagnostics]


LITERATE = """
    # Part one — B2
    > First legal line.
    >   Second legal line.
    @id: X.one
    @source:   B2; art. 458 Sw.
    @nl: {A} vertelt.
    @en: {A} tells.
    may_tell(A, R, I) :-   % a trailing comment
        clb_worker(A),
        not guides(R, A),
        years_between(B, 2026-01-01) >= 12,
        R != "x y".
    """


# -- positions -------------------------------------------------------------------------------------

def test_rule_position_spans_the_whole_multi_line_clause():
    (rule,) = parse_ok(LITERATE).rules
    assert (rule.pos.file, rule.pos.line, rule.pos.column) == ("f.dl", 8, 1)
    assert (rule.pos.end_line, rule.pos.end_column) == (12, 16)


def test_head_and_each_body_literal_know_their_line_and_column():
    (rule,) = parse_ok(LITERATE).rules
    assert (rule.head.pos.line, rule.head.pos.column) == (8, 1)
    kinds = [(type(lit), lit.pos.line, lit.pos.column) for lit in rule.body]
    assert kinds == [(Atom, 9, 5), (Negation, 10, 5), (Comparison, 11, 5), (Comparison, 12, 5)]
    assert (rule.body[0].pos.end_line, rule.body[0].pos.end_column) == (9, 18)


def test_terms_know_their_positions():
    (rule,) = parse_ok(LITERATE).rules
    recipient = rule.head.args[1]
    assert isinstance(recipient, Variable) and (recipient.pos.line, recipient.pos.column) == (8, 13)
    negated = rule.body[1].atom
    assert (negated.pos.line, negated.pos.column) == (10, 9)
    function = rule.body[2].left
    assert isinstance(function, FunctionCall)
    assert (function.pos.column, function.args[0].pos.column, function.args[1].pos.column) == (5, 19, 22)
    assert (rule.body[2].right.pos.line, rule.body[2].right.pos.column) == (11, 37)
    assert (rule.body[3].right.pos.column, rule.body[3].right.pos.end_column) == (10, 15)


def test_position_prints_as_file_line_column_and_sorts_by_place():
    positions = [Position("b.dl", 1, 1), Position("a.dl", 9, 2), Position("a.dl", 9, 1), Position("a.dl", 10, 1)]
    assert str(positions[1]) == "a.dl:9:2"
    assert sorted(positions) == [positions[2], positions[1], positions[3], positions[0]]


def test_parse_file_records_the_path_it_read(tmp_path):
    path = tmp_path / "rules.dl"
    path.write_text("@id: a\np(X) :- q(X).\n", encoding="utf-8")
    rule_file, diagnostics = parse_file(path)
    assert diagnostics == [] and rule_file.path == str(path)
    assert rule_file.rules[0].pos.file == str(path)


# -- the literate parts: legal text, headings, annotations -------------------------------------------

def test_legal_text_and_heading_attach_to_the_next_rule():
    (rule,) = parse_ok(LITERATE).rules
    assert rule.legal_text == ("First legal line.", "Second legal line.")
    assert rule.heading == "Part one — B2"


def test_legal_text_attaches_to_one_rule_only_and_headings_carry_over_until_the_next():
    rules = parse_ok("""
        # Part one
        > Law for the first rule.
        @id: r.one
        p(X) :- q(X).

        @id: r.two
        p(X) :- q(X).

        # Part two
        > Law for the third rule.
        @id: r.three
        p(X) :- q(X).
        """).rules
    assert [(r.id, r.heading, r.legal_text) for r in rules] == [
        ("r.one", "Part one", ("Law for the first rule.",)),
        ("r.two", "Part one", ()),
        ("r.three", "Part two", ("Law for the third rule.",)),
    ]


def test_headings_are_listed_with_their_positions():
    rule_file = parse_ok("# One\n@id: a\np(X) :- q(X).\n\n## Two\n@id: b\np(X) :- q(X).\n")
    assert [(text, pos.line) for text, pos in rule_file.headings] == [("One", 1), ("Two", 5)]


def test_a_heading_drops_legal_text_written_before_it():
    (rule,) = parse_ok("> orphaned law\n# Section\n@id: r\np(X) :- q(X).\n").rules
    assert (rule.heading, rule.legal_text) == ("Section", ())


def test_legal_text_after_annotations_starts_the_next_rules_block():
    (rule,) = parse_ok("@id: stray\n> law\n@id: r\np(X) :- q(X).\n").rules
    assert (rule.id, rule.legal_text) == ("r", ("law",))


def test_annotations_attach_to_the_next_clause_only():
    first, second = parse_ok("@id: a\n@source: s\np(X) :- q(X).\nq(X) :- r(X).\n").rules
    assert (first.id, first.source) == ("a", "s")
    assert (second.id, second.source, second.annotations) == ("", "", ())


def test_annotations_are_parsed_with_key_value_and_value_column():
    (rule,) = parse_ok(LITERATE).rules
    assert [(a.key, a.value) for a in rule.annotations] == [
        ("id", "X.one"), ("source", "B2; art. 458 Sw."), ("nl", "{A} vertelt."), ("en", "{A} tells.")]
    source = rule.annotation("source")
    assert (source.pos.line, source.pos.column, source.value_column) == (5, 1, 12)
    assert (rule.id, rule.source, rule.reading("en"), rule.choice) == ("X.one", "B2; art. 458 Sw.", "{A} tells.", "")


def test_choice_annotation_is_read():
    (rule,) = parse_ok("@id: a\n@choice: Read it narrowly.\np(X) :- q(X).\n").rules
    assert rule.choice == "Read it narrowly."


@pytest.mark.parametrize("key, hint", [
    ("sourse", "did you mean `source`?"),
    ("choise", "did you mean `choice`?"),
    ("note", "the annotations are @id, @source, @nl, @en, @choice, @alternative, @condition"),
])
def test_unknown_annotation_is_reported_with_a_hint(key, hint):
    _, diagnostics = parse(f"@id: a\n@{key}: x\np(X) :- q(X).\n")
    (diagnostic,) = diagnostics
    assert (diagnostic.code, where(diagnostics)) == ("unknown-annotation", [(2, 1)])
    assert diagnostic.suggestion == hint


# -- clauses, comments and constants ------------------------------------------------------------------

def test_comments_are_ignored_wherever_they_stand():
    rule_file = parse_ok("""
        % a full-line comment
        @id: a % not a comment: annotations run to the end of the line
        p(X) :- % after the arrow
            q(X), % between conditions
            r(X). % after the rule
        % at the end
        """)
    (rule,) = rule_file.rules
    assert rule.id == "a % not a comment: annotations run to the end of the line"
    assert str(rule) == "p(X) :- q(X), r(X)."


def test_a_percent_sign_inside_a_string_is_not_a_comment():
    (rule,) = parse_ok('p(X) :- q(X, "50% done").\n').rules
    assert rule.body[0].args[1] == Constant("50% done", "string", None)


def test_a_fact_clause_has_no_body():
    (rule,) = parse_ok("p(a).\n").rules
    assert rule.body == () and rule.head.args == (Constant("a", "symbol", None),)


def test_a_predicate_without_arguments_is_an_atom_of_arity_zero():
    (rule,) = parse_ok("p() :- q().\n").rules
    assert (rule.head.key, rule.body[0].key) == ("p/0", "q/0")


@pytest.mark.parametrize("written, value, kind", [
    ("care_team", "care_team", "symbol"),
    ('"two words"', "two words", "string"),
    ('""', "", "string"),
    ("12", 12, "number"),
    ("-3", -3, "number"),
    ("0", 0, "number"),
    ("2026-09-01", datetime.date(2026, 9, 1), "date"),
    ("2024-02-29", datetime.date(2024, 2, 29), "date"),
])
def test_constants_are_parsed_with_their_kind_and_value(written, value, kind):
    (rule,) = parse_ok(f"p(X) :- q(X, {written}).\n").rules
    constant = rule.body[0].args[1]
    assert isinstance(constant, Constant)
    assert (constant.value, constant.kind) == (value, kind)
    assert type(constant.value) is type(value)


def test_variables_may_start_with_an_underscore_and_names_with_not():
    (rule,) = parse_ok("p(X) :- nothing(X, _Y), not notary(X).\n").rules
    assert rule.body[0].args[1] == Variable("_Y", None)
    assert isinstance(rule.body[1], Negation) and rule.body[1].atom.predicate == "notary"


@pytest.mark.parametrize("op", ["=", "!=", "<", "<=", ">", ">="])
def test_every_comparator_is_parsed(op):
    (rule,) = parse_ok(f"p(X) :- q(X, Y), X {op} Y.\n").rules
    assert rule.body[1] == Comparison(Variable("X", None), op, Variable("Y", None), None)


def test_function_terms_in_comparisons_nest_and_keep_their_arguments():
    (rule,) = parse_ok("p(X) :- born(X, B), today(T), years_between(B, T) >= years_between(2000-01-01, 2012-01-01).\n").rules
    comparison = rule.body[2]
    assert isinstance(comparison.left, FunctionCall) and isinstance(comparison.right, FunctionCall)
    assert comparison.left == FunctionCall("years_between", (Variable("B", None), Variable("T", None)), None)
    assert comparison.right.args[1] == Constant(datetime.date(2012, 1, 1), "date", None)
    assert comparison.variables() == ["B", "T"]
    assert str(comparison) == "years_between(B, T) >= years_between(2000-01-01, 2012-01-01)"


def test_rule_variables_are_listed_once_in_order_of_appearance():
    (rule,) = parse_ok("p(A, B) :- q(B, C), not r(A, D), years_between(C, E) > 1, s(E).\n").rules
    assert rule.variables() == ["A", "B", "C", "D", "E"]
    assert [a.predicate for a in rule.positive_atoms()] == ["q", "s"]


# -- syntax errors and recovery --------------------------------------------------------------------------

RECOVERY = """
    @id: a.one
    p(X) :- q(X) r(X).

    @id: a.two
    p(X) :- q(X).

    @id: a.three
    p(X) :- q(X), $r(X).

    @id: a.four
    p(X :- q(X).

    @id: a.five
    p(X) :- q(X), r(2026-02-30).

    @id: a.six
    p(X) :- q(X), r(X).
    """


def test_recovery_reports_every_broken_clause_in_one_file():
    _, diagnostics = parse(RECOVERY)
    assert [d.code for d in diagnostics] == ["missing-comma"] + ["syntax"] * 3
    assert sorted(where(diagnostics)) == [(2, 13), (8, 15), (11, 5), (14, 17)]


def test_recovery_keeps_the_good_rules_between_the_broken_ones_with_their_annotations():
    rule_file, _ = parse(RECOVERY)
    assert [(r.id, r.pos.line) for r in rule_file.rules] == [("a.two", 5), ("a.six", 17)]


@pytest.mark.parametrize("text, code, message, suggestion", [
    ("p(X) :- q(X) r(X).\n", "missing-comma", "a `,` is missing after `q(X)`: the conditions of a rule are "
                                               "separated by commas", "write `q(X),`"),
    ("p(X) :- q(X), $r(X).\n", "syntax", "unexpected the character `$`", ""),
    ("p(X) :- q(X)\n", "syntax", "the file ends before the rule is finished",
     "the last rule is not finished: every rule ends with `.`"),
])
def test_syntax_errors_say_what_was_found_and_what_was_expected(text, code, message, suggestion):
    _, diagnostics = parse(text)
    (diagnostic,) = diagnostics
    assert diagnostic.code == code and diagnostic.message == message
    assert diagnostic.suggestion.startswith(suggestion)


@pytest.mark.parametrize("bad", ["2026-02-30", "2026-13-01", "2025-02-29", "2026-00-10"])
def test_an_impossible_date_is_a_syntax_error_at_the_date(bad):
    _, diagnostics = parse(f"@id: a\np(X) :- q(X), r(X, {bad}).\n\n@id: b\np(X) :- q(X).\n")
    (diagnostic,) = diagnostics
    assert diagnostic.code == "syntax" and where(diagnostics) == [(2, 20)]
    assert diagnostic.message == f"`{bad}` is not a valid date"
    assert "YYYY-MM-DD" in diagnostic.suggestion


def test_every_impossible_date_of_a_file_is_reported_and_the_rest_still_parses():
    rule_file, diagnostics = parse("p(X) :- q(X, 2026-02-30).\np(X) :- q(X).\np(X) :- q(X, 2026-04-31).\n")
    assert where(diagnostics) == [(1, 14), (3, 14)]
    assert [r.pos.line for r in rule_file.rules] == [2]


def test_unexpected_end_of_file_is_reported_once():
    rule_file, diagnostics = parse("@id: a\np(X) :- q(X).\n@id: b\np(X) :- q(X")
    (diagnostic,) = diagnostics
    assert diagnostic.message == "the file ends before the rule is finished"
    assert diagnostic.pos.line == 4
    assert [r.id for r in rule_file.rules] == ["a"]


def test_unexpected_end_of_file_points_past_the_last_character():
    _, diagnostics = parse("p(X) :- q(X")
    assert where(diagnostics) == [(1, 12)]


def test_a_missing_dot_does_not_swallow_the_next_rules_annotations():
    rule_file, diagnostics = parse("""
        @id: a
        p(X) :- q(X)

        @id: b
        @source: art. 458 Sw.
        p(X) :- q(X).
        """)
    assert where(diagnostics) == [(2, 1)]  # the clause that is not closed, not the next annotation
    assert "not finished" in diagnostics[0].message
    assert [(r.id, r.source) for r in rule_file.rules] == [("b", "art. 458 Sw.")]


# -- round trip ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", rule_files(DEFAULT_DIR), ids=lambda p: p.name)
def test_every_shipped_rule_prints_as_text_that_parses_back_to_the_same_rule(path):
    rule_file, diagnostics = parse_file(path)
    assert diagnostics == [] and rule_file.rules
    for rule in rule_file.rules:
        reparsed, problems = parse_text(str(rule), "again.dl")
        assert problems == []
        (again,) = reparsed.rules
        assert (again.head, again.body) == (rule.head, rule.body)


_names = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True).filter(lambda n: n != "not")
_variables = st.from_regex(r"[A-Z_][A-Za-z0-9_]{0,5}", fullmatch=True)
_constants = st.one_of(
    _names.map(lambda n: Constant(n, "symbol", None)),
    st.integers(-10_000, 10_000).map(lambda n: Constant(n, "number", None)),
    st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)).map(lambda d: Constant(d, "date", None)),
    st.text(st.characters(blacklist_characters='"\n\r', blacklist_categories=("Cs",)), max_size=12)
      .map(lambda s: Constant(s, "string", None)),
)
_terms = st.one_of(_variables.map(lambda v: Variable(v, None)), _constants)
_atoms = st.builds(lambda name, args: Atom(name, tuple(args), None), _names, st.lists(_terms, max_size=4))
_functions = st.builds(lambda name, args: FunctionCall(name, tuple(args), None),
                       _names, st.lists(_terms, min_size=1, max_size=3))
_literals = st.one_of(
    _atoms,
    _atoms.map(lambda a: Negation(a, None)),
    st.builds(lambda l, op, r: Comparison(l, op, r, None), st.one_of(_terms, _functions),
              st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), st.one_of(_terms, _functions)),
)


@settings(max_examples=150, deadline=None)
@given(head=_atoms, body=st.lists(_literals, max_size=4))
def test_any_printed_rule_parses_back_to_itself(head, body):
    rule = Rule(head, tuple(body), None)
    rule_file, diagnostics = parse_text(str(rule), "generated.dl")
    assert diagnostics == []
    (again,) = rule_file.rules
    assert (again.head, again.body) == (head, tuple(body))
