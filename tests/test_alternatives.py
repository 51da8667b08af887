"""`kb alternatives`: each `@alternative` read as edits, applied literally to a copy of the rules,
checked, and judged by the scenarios (pinned, unpinned, not mechanical, breaks the checker, does
not apply). Everything runs on the tiny knowledge base, never on the shipped rules (they change)."""
from __future__ import annotations

import json

import pytest
from tiny_kb import edit_rule, write_scenario, write_tiny_kb

from kb.cli import main
from kb.edits.alternatives import (
    BREAKS_CHECK,
    DOES_NOT_APPLY,
    NO_ALTERNATIVE,
    NOT_MECHANICAL,
    PINNED,
    UNPINNED,
    DoesNotApply,
    alternatives_of,
    apply_edits,
    report_passes,
    run_alternatives,
)
from kb.edits.instructions import (
    ADD_CONDITIONS,
    ADD_RULE,
    CHANGE_HEAD,
    DELETE_RULES,
    DROP_CONDITION,
    REPLACE_CONDITION,
    THIS_RULE,
    Edit,
    NotMechanical,
    Rules,
    parse_alternative,
)
from kb.language.knowledge_base import load_knowledge_base
from kb.scenarios import load_scenario, scenario_paths

HERE = (Rules(THIS_RULE),)


# --- reading the instructions ---------------------------------------------------------------------

@pytest.mark.parametrize("text, edits", [
    ("To let blocks outweigh exceptions, add `not blocked(Actor, Recipient, Item)` to this rule's body.",
     [Edit(ADD_CONDITIONS, HERE, ("not blocked(Actor, Recipient, Item)",))]),
    ("To be strict, add `a(X), not b(X)` to this rule's body.",
     [Edit(ADD_CONDITIONS, HERE, ("a(X)", "not b(X)"))]),
    ("To be strict, add `a(X)` and `b(X)` to this rule's body.",
     [Edit(ADD_CONDITIONS, HERE, ("a(X)", "b(X)"))]),
    ("To be strict, add `a(X)`, `b(X)` and `c(X)` to this rule's body.",
     [Edit(ADD_CONDITIONS, HERE, ("a(X)", "b(X)", "c(X)"))]),
    ("To require it, add `reveals(Item, danger_to_life)` (or an input predicate of your own) to this rule's body.",
     [Edit(ADD_CONDITIONS, HERE, ("reveals(Item, danger_to_life)",))]),
    ("To ignore consent here, drop `not valid_consent(Item, Recipient)` from this rule's body.",
     [Edit(DROP_CONDITION, HERE, ("not valid_consent(Item, Recipient)",))]),
    ("To widen it, delete `parents_do_not_exercise_access(Pupil)` from this rule's body.",
     [Edit(DROP_CONDITION, HERE, ("parents_do_not_exercise_access(Pupil)",))]),
    ("To let channels carry more, drop `not learned_in_some_circle(Actor, Item)` from this rule's body "
     "(B13a.outside_circle still blocks recipients outside the circle, and the circles within it).",
     [Edit(DROP_CONDITION, HERE, ("not learned_in_some_circle(Actor, Item)",))]),
    ("To let a consent count whatever its date, drop `GivenOn <= Today` from the three consent_act rules.",
     [Edit(DROP_CONDITION, (Rules("consent_act", 3),), ("GivenOn <= Today",))]),
    ("To let the exception reach anyone, drop `can_help_avert(Recipient, Item)` and bind the recipient with "
     "`asked(Actor, Recipient, Item)`.",
     [Edit(DROP_CONDITION, HERE, ("can_help_avert(Recipient, Item)",)),
      Edit(ADD_CONDITIONS, HERE, ("asked(Actor, Recipient, Item)",))]),
    ("To keep it narrow, replace `bound_by_secrecy(Actor, Item)` by `holds_professional_secrecy(Actor, Item)`.",
     [Edit(REPLACE_CONDITION, HERE, ("bound_by_secrecy(Actor, Item)",), "holds_professional_secrecy(Actor, Item)")]),
    ("To end the secrecy with the designation, add `trusted_person_of(Holder, Pupil)` to this rule's body and "
     "replace `void_trusted_person(Holder, Pupil)` by `not trusted_person_of(Holder, Pupil)` in "
     "L4.invalid_trusted_person.",
     [Edit(ADD_CONDITIONS, HERE, ("trusted_person_of(Holder, Pupil)",)),
      Edit(REPLACE_CONDITION, (Rules("L4.invalid_trusted_person"),), ("void_trusted_person(Holder, Pupil)",),
           "not trusted_person_of(Holder, Pupil)")]),
    ("To keep it inside the CLB, delete this rule.", [Edit(DELETE_RULES, HERE)]),
    ("To require consent, delete this rule and L12.how_the_child_is_at_school.",
     [Edit(DELETE_RULES, (Rules(THIS_RULE), Rules("L12.how_the_child_is_at_school")))]),
    ("To show a parent what the item reveals, delete this rule (and I3.concern_not_shown_to_parent).",
     [Edit(DELETE_RULES, (Rules(THIS_RULE), Rules("I3.concern_not_shown_to_parent")))]),
    ("To read the circles literally (nothing leaves the circle, not even inward), delete B13a.inner_circle and "
     "B13a.guiding_clb.",
     [Edit(DELETE_RULES, (Rules("B13a.inner_circle"), Rules("B13a.guiding_clb")))]),
    ("To treat the circles as unordered, delete the four B12.*_within_* rules and B12.within_transitive.",
     [Edit(DELETE_RULES, (Rules("B12.*_within_*", 4), Rules("B12.within_transitive")))]),
    ("To leave it, delete this rule and drop `not void_trusted_person(Holder, Pupil)` from B14.functional_secrecy.",
     [Edit(DELETE_RULES, HERE),
      Edit(DROP_CONDITION, (Rules("B14.functional_secrecy"),), ("not void_trusted_person(Holder, Pupil)",))]),
    ("To require a stored agreement, add `circle_agreement(Pupil, Circle, Item)` to this rule's body "
     "(and delete B13a.agreement_shares).",
     [Edit(ADD_CONDITIONS, HERE, ("circle_agreement(Pupil, Circle, Item)",)),
      Edit(DELETE_RULES, (Rules("B13a.agreement_shares"),))]),
    ("To make the guiding CLB worker no official channel, delete this rule (staff then need consent, B3).",
     [Edit(DELETE_RULES, HERE)]),
    ("To read B9 as a right only, change this rule's head to `exception_applies(Actor, Recipient, Item)`.",
     [Edit(CHANGE_HEAD, HERE, ("exception_applies(Actor, Recipient, Item)",))]),
    ("To require a stored fact of adulthood, add a rule `void_trusted_person(Person, Pupil) :- "
     "designated_trusted_person(Pupil, Person), not adult(Person).`",
     [Edit(ADD_RULE, HERE, ("void_trusted_person(Person, Pupil) :- designated_trusted_person(Pupil, Person), "
                            "not adult(Person).",))]),
    ("add `a(X)` to this rule's body; drop `b(X)`",
     [Edit(ADD_CONDITIONS, HERE, ("a(X)",)), Edit(DROP_CONDITION, HERE, ("b(X)",))]),
])
def test_each_form_of_instruction_is_read_as_its_edits(text, edits):
    assert parse_alternative(text) == edits


@pytest.mark.parametrize("text, why", [
    ("To be strict, add a condition of your own to this rule.", "to be written"),
    ("To require a stored fact, declare an input predicate for it and add it to this rule's body.", "new predicate"),
    ("To lift it too, add a rule for `lifted_by_later_consent` with `general_consent(C, P, K, R, G)`.",
     "not the whole clause"),
    ("To keep it from them too, name them with B4.toward_person, or add a rule for `asked_to_keep_from` that "
     "reaches `shared_secrecy_colleague(Recipient, Item)`.", "choice"),
    ("To be kind, think again.", "not one of the instructions"),
])
def test_instructions_that_leave_something_to_write_are_not_mechanical(text, why):
    found = parse_alternative(text)
    assert isinstance(found, NotMechanical) and why in found.reason


# --- applying them to a tiny rule set -------------------------------------------------------------

def _annotate(directory, rule_id: str, alternative: str) -> None:
    edit_rule(directory, rule_id, f"@id: {rule_id}\n",
              f"@id: {rule_id}\n@choice: The reading taken.\n@alternative: {alternative}\n")


@pytest.fixture
def tiny(tmp_path):
    directory = write_tiny_kb(tmp_path / "kb")
    # ann (a CLB worker) may tell bert, who guides lena, about i_home: B2.shared_secrecy decides.
    write_scenario(tmp_path / "scenarios" / "b02_colleague.yaml",
                   "{actor: ann, recipient: bert, item: i_home, at: 2026-11-02}",
                   "{outcome: permitted, rule: B2.shared_secrecy}")
    return directory, tmp_path / "scenarios"


def _judge(directory, scenarios_dir, jobs: int = 1):
    kb = load_knowledge_base(directory)
    scenarios = [load_scenario(path, kb) for path in scenario_paths([str(scenarios_dir)])]
    report = run_alternatives(kb, scenarios, jobs=jobs)
    return report, {r.rule_id: r for r in report.results}


def test_an_alternative_a_scenario_notices_is_pinned_and_the_scenario_named(tiny):
    directory, scenarios = tiny
    _annotate(directory, "B2.shared_secrecy",
              "To require abuse, add `reveals(Item, child_abuse)` to this rule's body.")
    report, by_id = _judge(directory, scenarios)
    result = by_id["B2.shared_secrecy"]
    assert result.status == PINNED
    assert [f.name for f in result.failures] == ["b02_colleague"]
    assert "forbidden" in result.failures[0].why
    assert "+     reveals(Item, child_abuse)." in result.diff
    assert report_passes(report)


def test_an_alternative_no_scenario_notices_is_unpinned(tiny):
    directory, scenarios = tiny
    _annotate(directory, "B13a.inside_circle",
              "To keep staff out, add `clb_worker(Recipient)` to this rule's body.")
    report, by_id = _judge(directory, scenarios)
    assert by_id["B13a.inside_circle"].status == UNPINNED
    assert not by_id["B13a.inside_circle"].failures
    assert not report_passes(report)


def test_deleting_a_rule_a_scenario_names_pins_the_choice(tiny):
    directory, scenarios = tiny
    _annotate(directory, "B2.shared_secrecy", "To keep secrecy unshared, delete this rule.")
    _, by_id = _judge(directory, scenarios)
    assert by_id["B2.shared_secrecy"].status == PINNED


@pytest.mark.parametrize("alternative, code", [
    ("To name anyone, change this rule's head to `may_tell(Actor, Someone, Item)`.", "unsafe-head-variable"),
    ("To require a mark, add `marked_necessary(Item)` to this rule's body.", "unknown-predicate"),
    ("To be strict, add `not (Item)` to this rule's body.", "syntax"),
])
def test_an_alternative_the_checker_rejects_breaks_check(tiny, alternative, code):
    directory, scenarios = tiny
    _annotate(directory, "B2.shared_secrecy", alternative)
    _, by_id = _judge(directory, scenarios)
    result = by_id["B2.shared_secrecy"]
    assert result.status == BREAKS_CHECK
    assert code in {d.code for d in result.diagnostics}


def test_deleting_the_only_rule_of_a_predicate_still_used_breaks_check(tiny):
    directory, scenarios = tiny
    _annotate(directory, "B4.capable_pupil", "To trust nobody's capacity, delete this rule.")
    _, by_id = _judge(directory, scenarios)
    result = by_id["B4.capable_pupil"]
    assert result.status == BREAKS_CHECK
    assert [d.code for d in result.diagnostics] == ["derived-never-defined"]


def test_an_alternative_with_warnings_only_breaks_check_and_still_says_whether_it_is_pinned(tiny):
    directory, scenarios = tiny
    _annotate(directory, "B2.shared_secrecy",
              "To require a school, add `pupil(Pupil, School)` to this rule's body.")
    _, by_id = _judge(directory, scenarios)
    result = by_id["B2.shared_secrecy"]
    assert result.status == BREAKS_CHECK
    assert [d.code for d in result.diagnostics] == ["singleton-variable"]
    assert not result.failures  # lena has a school: the scenario still passes


def test_a_backquoted_error_points_into_the_alternative_line(tiny):
    directory, scenarios = tiny
    _annotate(directory, "B2.shared_secrecy", "To require a mark, add `marked_necessary(Item)` to this rule's body.")
    _, by_id = _judge(directory, scenarios)
    (diagnostic,) = by_id["B2.shared_secrecy"].diagnostics
    line = (directory / "rules" / "10_reasons.dl").read_text(encoding="utf-8").splitlines()[diagnostic.pos.line - 1]
    assert line.startswith("@alternative:")
    assert line[diagnostic.pos.column - 1:].startswith("marked_necessary(Item)")


def test_not_mechanical_and_stale_alternatives_are_reported_with_their_words(tiny):
    directory, scenarios = tiny
    _annotate(directory, "B2.shared_secrecy", "To be strict, add a condition of your own to this rule.")
    _annotate(directory, "B13a.inside_circle",
              "To loosen it, drop `guides(Recipient, Pupil)` from this rule's body.")
    _annotate(directory, "B7.court", "To read it otherwise, delete this rule and B7.no_such_rule.")
    report, by_id = _judge(directory, scenarios)
    assert by_id["B2.shared_secrecy"].status == NOT_MECHANICAL
    assert "of your own" in by_id["B2.shared_secrecy"].detail
    assert by_id["B13a.inside_circle"].status == DOES_NOT_APPLY
    assert "`guides(Recipient, Pupil)` is not a condition of B13a.inside_circle" in by_id["B13a.inside_circle"].detail
    assert by_id["B7.court"].status == DOES_NOT_APPLY and "B7.no_such_rule" in by_id["B7.court"].detail
    assert not report_passes(report)


def test_a_choice_without_an_alternative_is_reported(tiny):
    directory, scenarios = tiny
    edit_rule(directory, "B7.court", "@id: B7.court\n", "@id: B7.court\n@choice: Only in court.\n")
    _, by_id = _judge(directory, scenarios)
    assert by_id["B7.court"].status == NO_ALTERNATIVE


def _alternative(directory, rule_id: str, text: str):
    _annotate(directory, rule_id, text)
    kb = load_knowledge_base(directory)
    (alternative,) = [a for a in alternatives_of(kb) if a.rule.id == rule_id]
    edits = parse_alternative(text)
    assert isinstance(edits, list)
    return kb, apply_edits(kb, alternative, edits)


def test_an_added_rule_gets_an_id_source_and_readings_and_sits_after_its_rule(tiny):
    directory, _ = tiny
    kb, applied = _alternative(directory, "B4.capable_pupil",
                               "To presume capacity, add a rule `capable(Pupil) :- pupil(Pupil, _School).`")
    ids = [r.id for r in applied.rules]
    assert ids[ids.index("B4.capable_pupil") + 1] == "B4.capable_pupil.alternative"
    added = applied.rules[ids.index("B4.capable_pupil.alternative")]
    assert str(added) == "capable(Pupil) :- pupil(Pupil, _School)."
    assert added.source == "B4" and added.reading("nl") and added.reading("en")
    assert [(before, str(after)) for before, after in applied.changes] == [(None, str(added))]


def test_replace_in_another_rule_and_replace_inside_a_not(tiny):
    directory, _ = tiny
    kb, applied = _alternative(directory, "B2.shared_secrecy",
                               "To let courts decide, replace `confidentiality_request(Client, Item, Recipient)` by "
                               "`court(Recipient)` in B4.confidentiality and replace `must_tell(Actor, Recipient, "
                               "Item)` by `may_choose(Actor, Recipient, Item)` in D4.permitted_by_ground.")
    by_id = {r.id: r for r in applied.rules}
    assert "court(Recipient)" in map(str, by_id["B4.confidentiality"].body)
    assert "not may_choose(Actor, Recipient, Item)" in [str(lit) for lit in by_id["D4.permitted_by_ground"].body]
    assert str(by_id["B2.shared_secrecy"]) == str(kb.by_id["B2.shared_secrecy"])


def test_rules_named_by_a_pattern_or_a_count_must_match_it(tiny):
    directory, _ = tiny
    _, applied = _alternative(directory, "B7.court", "To drop them, delete the three D6.* rules.")
    assert not any(r.id.startswith("D6.") for r in applied.rules)
    _, applied = _alternative(directory, "B9.report", "To drop them, delete the three may_disclose rules.")
    assert not any(r.head.predicate == "may_disclose" for r in applied.rules)
    with pytest.raises(DoesNotApply, match="are 3, not 2"):
        _alternative(directory, "B6.exception", "To drop them, delete the two may_disclose rules.")


def test_the_cli_prints_one_line_each_and_a_summary_and_fails_unless_all_are_pinned(tiny, capsys):
    directory, scenarios = tiny
    _annotate(directory, "B2.shared_secrecy", "To keep secrecy unshared, delete this rule.")
    assert main(["--dir", str(directory), "alternatives", str(scenarios), "--jobs", "2"]) == 0
    out = capsys.readouterr().out
    assert "B2.shared_secrecy: pinned by 1 scenario(s): b02_colleague" in out
    assert "alternatives: 1 — pinned 1, unpinned 0, not mechanical 0, breaks check 0" in out
    _annotate(directory, "B13a.inside_circle", "To keep staff out, add `clb_worker(Recipient)` to this rule's body.")
    assert main(["--dir", str(directory), "alternatives", str(scenarios), "--jobs", "2", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["pinned"], report["unpinned"], report["total"]) == (1, 1, 2)
    assert {a["rule"]: a["status"] for a in report["alternatives"]} == {
        "B2.shared_secrecy": PINNED, "B13a.inside_circle": UNPINNED}
    assert main(["--dir", str(directory), "alternatives", str(scenarios), "--rule", "B13a"]) == 1
    out = capsys.readouterr().out
    assert "B13a.inside_circle: UNPINNED" in out and "B2.shared_secrecy" not in out
    assert "+     clb_worker(Recipient)." in out
