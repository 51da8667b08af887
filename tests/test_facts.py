"""Fact fixtures: checked against the vocabulary, with validity periods, every error at file:line."""
from __future__ import annotations

import datetime
import textwrap

import pytest

from kb.facts.model import known_entities
from kb.facts.fixtures import load_fact_file
from kb.facts.model import BEGINNING, END, Fact, FactSet
from kb.language.diagnostics import KnowledgeBaseError

D = datetime.date


def write(tmp_path, body: str, name: str = "facts.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return path


def load(tmp_path, kb, body: str) -> FactSet:
    return load_fact_file(write(tmp_path, body), kb.vocabulary)


def errors(tmp_path, kb, body: str):
    path = write(tmp_path, body)
    with pytest.raises(KnowledgeBaseError) as raised:
        load_fact_file(path, kb.vocabulary)
    diagnostics = raised.value.diagnostics
    assert all(d.code == "fact" and d.pos.file == str(path) for d in diagnostics)
    return diagnostics


def one_error(tmp_path, kb, bad_fact: str, line: int = 3):
    """The single error for a file whose line 3 holds `bad_fact` between two good facts."""
    (diagnostic,) = errors(tmp_path, kb, f"""
        facts:
          - clb_worker: [ann]
          - {bad_fact}
          - pupil: [lena, sint_jozef]
        """)
    assert diagnostic.pos.line == line
    return diagnostic


# -- loading and validity periods ---------------------------------------------------------------------

def test_a_fact_without_from_or_until_holds_always(tmp_path, kb):
    (fact,) = load(tmp_path, kb, "facts:\n  - clb_worker: [ann]\n")
    assert (fact.valid_from, fact.valid_until) == (BEGINNING, END)
    assert fact.period() == {"from": None, "until": None}
    assert fact.valid_on(D(1, 1, 1)) and fact.valid_on(D(9999, 12, 31))


def test_from_and_until_are_read_as_dates_and_shown_as_a_period(tmp_path, kb):
    (fact,) = load(tmp_path, kb, """
        facts:
          - circle_member: [tine, lena, care_team]
            from: 2026-09-01
            until: "2027-06-30"
        """)
    assert (fact.valid_from, fact.valid_until) == (D(2026, 9, 1), D(2027, 6, 30))
    assert fact.period() == {"from": "2026-09-01", "until": "2027-06-30"}


@pytest.mark.parametrize("day, holds", [
    (D(2026, 8, 31), False),
    (D(2026, 9, 1), True),
    (D(2027, 1, 15), True),
    (D(2027, 6, 30), True),
    (D(2027, 7, 1), False),
])
def test_a_fact_holds_on_both_bounds_of_its_period_and_not_a_day_outside(day, holds):
    fact = Fact("clb_worker", ("ann",), D(2026, 9, 1), D(2027, 6, 30))
    assert fact.valid_on(day) is holds


def test_only_one_bound_may_be_given(tmp_path, kb):
    until_only, from_only = load(tmp_path, kb, """
        facts:
          - clb_worker: [ann]
            until: 2027-06-30
          - clb_worker: [bert]
            from: 2026-09-01
        """)
    assert (until_only.valid_from, until_only.valid_until) == (BEGINNING, D(2027, 6, 30))
    assert (from_only.valid_from, from_only.valid_until) == (D(2026, 9, 1), END)


def test_a_period_of_one_day_is_allowed(tmp_path, kb):
    (fact,) = load(tmp_path, kb, "facts:\n  - clb_worker: [ann]\n    from: 2026-09-01\n    until: 2026-09-01\n")
    assert fact.valid_on(D(2026, 9, 1)) and not fact.valid_on(D(2026, 9, 2))


def test_arguments_are_typed_values_and_origin_is_file_and_line(tmp_path, kb):
    path = write(tmp_path, """
        facts:
          - clb_worker: ann
          - born: [lena, 2014-11-28]
          - born: [tom, "2015-01-02"]
        """)
    facts = load_fact_file(path, kb.vocabulary)
    assert {f.atom for f in facts} == {("clb_worker", ("ann",)), ("born", ("lena", D(2014, 11, 28))),
                                      ("born", ("tom", D(2015, 1, 2)))}
    origins = {f.args[0]: f.origin for f in facts}
    assert origins == {"ann": f"{path}:2", "lena": f"{path}:3", "tom": f"{path}:4"}


def test_the_fact_set_version_follows_the_file_text(tmp_path, kb):
    first = load(tmp_path, kb, "facts:\n  - clb_worker: [ann]\n")
    same = load(tmp_path, kb, "facts:\n  - clb_worker: [ann]\n")
    other = load(tmp_path, kb, "facts:\n  - clb_worker: [bert]\n")
    assert first.version == same.version != other.version and len(first.version) == 16


@pytest.mark.parametrize("body", ["facts:\n", "facts: []\n"])
def test_an_empty_fact_list_gives_no_facts(tmp_path, kb, body):
    """Written out, no facts is no facts; a file with nothing in it at all is refused as empty
    (tests/test_fact_files.py)."""
    assert len(load(tmp_path, kb, body)) == 0


# -- errors, each at its file and line -----------------------------------------------------------------

def test_from_after_until_is_refused(tmp_path, kb):
    diagnostic = one_error(tmp_path, kb, "clb_worker: [bert]\n            from: 2027-01-01\n            until: 2026-12-31")
    assert diagnostic.message == "the validity period ends (2026-12-31) before it starts (2027-01-01)"


def test_an_unknown_predicate_is_refused_with_a_suggestion(tmp_path, kb):
    diagnostic = one_error(tmp_path, kb, "clb_workr: [bert]")
    assert diagnostic.message == "unknown predicate `clb_workr`"
    assert diagnostic.suggestion == "did you mean `clb_worker`?"


def test_unknown_predicate_suggestions_name_only_facts_that_can_be_stated(tmp_path, kb):
    diagnostic = one_error(tmp_path, kb, "care_providr: [bert]")
    assert diagnostic.suggestion == ""  # `care_provider` is derived: no point suggesting it


@pytest.mark.parametrize("fact, kind", [
    ("care_provider: [bert]", "derived"),
    ("permitted: [ann, bert, i1]", "decision"),
    ("today: [2026-01-01]", "context"),
])
def test_a_derived_decision_or_context_predicate_cannot_be_stated_as_a_fact(tmp_path, kb, fact, kind):
    diagnostic = one_error(tmp_path, kb, fact)
    name = fact.split(":")[0]
    assert diagnostic.message == f"`{name}` is a {kind} predicate; only input facts can be stated"


@pytest.mark.parametrize("fact, given", [("guides: [bert]", 1), ("guides: [bert, lena, tom]", 3), ("guides: []", 0)])
def test_a_fact_with_the_wrong_number_of_arguments_is_refused(tmp_path, kb, fact, given):
    diagnostic = one_error(tmp_path, kb, fact)
    assert diagnostic.message == f"`guides` takes 2 argument(s) (Worker, Pupil), but {given} are given"


@pytest.mark.parametrize("fact, message", [
    ('born: [lena, "2014-31-01"]', "in `born`: Date `2014-31-01` is not a date; write it as YYYY-MM-DD"),
    ("born: [lena, 28/11/2014]", "in `born`: Date `28/11/2014` is not a date; write it as YYYY-MM-DD"),
    ("born: [lena, 12]", "in `born`: Date `12` is not a date; write it as YYYY-MM-DD"),
    ('clb_worker: [ann]\n            from: "next week"', "`from:` `next week` is not a date; write it as YYYY-MM-DD"),
    ('clb_worker: [ann]\n            until: "2026-02-30"', "`until:` `2026-02-30` is not a date; write it as YYYY-MM-DD"),
])
def test_a_malformed_date_is_refused(tmp_path, kb, fact, message):
    assert one_error(tmp_path, kb, fact).message == message


@pytest.mark.parametrize("fact", ["clb_worker: [ann]\n            from: 2026-13-01", "born: [lena, 2014-02-30]"])
def test_an_unquoted_impossible_date_is_a_diagnostic_not_a_crash(tmp_path, kb, fact):
    assert "is not a date" in one_error(tmp_path, kb, fact).message


def test_a_wrong_enum_value_is_refused_with_the_allowed_values(tmp_path, kb):
    diagnostic = one_error(tmp_path, kb, "circle_member: [tine, lena, care_tem]")
    assert diagnostic.message.startswith("in `circle_member`, argument Circle: `care_tem` is not a circle")
    assert "did you mean `care_team`?" in diagnostic.message


def test_a_name_where_a_number_is_expected_is_refused(tmp_path, kb):
    diagnostic = one_error(tmp_path, kb, "learned: [ann, i1, lena, 3]")
    assert "argument Capacity" in diagnostic.message and "got `3`" in diagnostic.message


@pytest.mark.parametrize("fact, message", [
    ("{clb_worker: [ann], police: [p]}", "a fact names exactly one predicate; found clb_worker, police"),
    ("{from: 2026-01-01}", "a fact names exactly one predicate; found none"),
    ("just_a_name", "a fact is written as `predicate: [argument, …]`"),
])
def test_a_fact_must_name_exactly_one_predicate(tmp_path, kb, fact, message):
    assert one_error(tmp_path, kb, fact).message.startswith(message)


def test_facts_must_be_a_list(tmp_path, kb):
    (diagnostic,) = errors(tmp_path, kb, "facts:\n  clb_worker: [ann]\n")
    assert diagnostic.message == "`facts:` must be a list of facts"


def test_invalid_yaml_is_reported_at_its_line(tmp_path, kb):
    (diagnostic,) = errors(tmp_path, kb, "facts:\n  - clb_worker: [ann]\n  - pupil: [lena, sint_jozef\n  - x: [y]\n")
    assert diagnostic.message.startswith("not valid YAML") and diagnostic.pos.line == 4


def test_every_bad_fact_of_a_file_is_reported_at_once_sorted_by_line(tmp_path, kb):
    diagnostics = errors(tmp_path, kb, """
        facts:
          - clb_worker: [ann]
          - clb_workr: [bert]
          - pupil: [lena, sint_jozef]
          - care_provider: [ann]
          - guides: [bert]
          - born: [lena, "2014-31-01"]
          - circle_member: [tine, lena, care_tem]
          - clb_worker: [tine]
            from: 2027-01-01
            until: 2026-01-01
        """)
    assert [d.pos.line for d in diagnostics] == [3, 5, 6, 7, 8, 9]
    assert [d.message.split()[0] for d in diagnostics] == [
        "unknown", "`care_provider`", "`guides`", "in", "in", "the"]


def test_a_rendered_fact_error_shows_file_line_and_the_fact(tmp_path, kb):
    path = write(tmp_path, "facts:\n  - clb_workr: [bert]\n")
    with pytest.raises(KnowledgeBaseError) as raised:
        load_fact_file(path, kb.vocabulary)
    rendered = raised.value.render()
    assert rendered.startswith(f"{path}:2:5: error[fact]: unknown predicate `clb_workr`")
    assert "clb_workr: [bert]" in rendered and "help: did you mean `clb_worker`?" in rendered


# -- the fact set ----------------------------------------------------------------------------------------

def test_a_fact_set_drops_duplicates_but_keeps_the_same_fact_over_two_periods():
    facts = FactSet([
        Fact("clb_worker", ("ann",), origin="a.yaml:1"),
        Fact("clb_worker", ("ann",), origin="b.yaml:7"),
        Fact("guides", ("ann", "lena"), D(2026, 1, 1), D(2026, 6, 30)),
        Fact("guides", ("ann", "lena"), D(2026, 9, 1), D(2027, 6, 30)),
    ])
    assert len(facts) == 3
    assert Fact("clb_worker", ("ann",)) in facts
    assert Fact("guides", ("ann", "lena")) not in facts  # same atom, other period


@pytest.mark.parametrize("day, found", [(None, 2), (D(2026, 3, 1), 1), (D(2026, 7, 15), 0), (D(2026, 9, 1), 1)])
def test_find_returns_the_facts_of_an_atom_valid_on_a_day(day, found):
    facts = FactSet([Fact("guides", ("ann", "lena"), D(2026, 1, 1), D(2026, 6, 30)),
                     Fact("guides", ("ann", "lena"), D(2026, 9, 1), D(2027, 6, 30)),
                     Fact("guides", ("ann", "tom"))])
    assert len(facts.find("guides", ("ann", "lena"), day)) == found


def test_union_adds_facts_and_keeps_the_version_without_changing_the_original():
    base = FactSet([Fact("clb_worker", ("ann",))], version="v1")
    more = base.union([Fact("clb_worker", ("bert",))])
    assert (len(base), len(more), more.version) == (1, 2, "v1")
    assert [f.args for f in more.of("clb_worker")] == [("ann",), ("bert",)]


def test_known_entities_are_grouped_by_argument_type(kb):
    known = known_entities([Fact("learned", ("ann", "i1", "lena", "clb_worker")),
                            Fact("born", ("lena", D(2014, 1, 1)))], kb.vocabulary)
    assert known["person"] == {"ann", "lena"}
    assert known["item"] == {"i1"}
    assert known["capacity"] == {"clb_worker"}
    assert known["date"] == {D(2014, 1, 1)}
