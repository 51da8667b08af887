"""The impact of a rule edit as a legal expert judges it (`kb diff`, kb/edits/impact.py): flips
grouped by old → new outcome and the changed rules that caused them, then by the people's roles and
circles and the item's kind; changes of reason apart; the changed rules that made the difference,
not every changed rule; and law the old rules lack (a new predicate) compared without a traceback.

Every test builds its own small knowledge base (tests/tiny_kb.py), so none depends on the shipped
rules.
"""
from __future__ import annotations

import datetime
import json

import pytest
from tiny_kb import (
    add_predicates,
    add_rules,
    block_inside_the_ground,
    edit_rule,
    write_facts,
    write_scenario,
    write_tiny_kb,
)

from kb.cli import main
from kb.edits.impact import ImpactRun, depends_on
from kb.facts.fixtures import load_fact_file
from kb.language.knowledge_base import load_knowledge_base

DAY = datetime.date(2026, 11, 2)
# B13a.inside_circle widened: anyone in any circle of the pupil, not only the circle of learning.
ANY_CIRCLE = ("B13a.inside_circle", "circle_member(Recipient, Pupil, Circle)", "circle_member(Recipient, Pupil, _Any)")
# An edit that changes no decision of the tiny world (nothing in it reveals a danger).
REPORT_DANGER = ("B9.report", "reveals(Item, child_abuse)", "reveals(Item, danger_to_life)")


@pytest.fixture()
def tiny(tmp_path):
    """(old directory, new directory, facts file): two copies of the tiny knowledge base."""
    return write_tiny_kb(tmp_path / "old"), write_tiny_kb(tmp_path / "new"), write_facts(tmp_path / "facts.yaml")


def impact_of(old_dir, new_dir, facts_file, scenarios=()):
    old, new = load_knowledge_base(old_dir), load_knowledge_base(new_dir)
    run = ImpactRun(old, new)
    run.scenarios(scenarios)
    run.population(load_fact_file(facts_file, new.vocabulary), DAY)
    return run.impact


def test_flips_are_grouped_by_outcome_cause_roles_circles_and_kind(tiny):
    old_dir, new_dir, facts = tiny
    edit_rule(new_dir, *ANY_CIRCLE)
    impact = impact_of(old_dir, new_dir, facts)
    # tine learned both items in Lena's class council; carl is in her care team.
    assert sorted((f.question.actor, f.question.recipient, f.question.item) for f in impact.flips) == [
        ("tine", "carl", "i_home"), ("tine", "carl", "i_marks")]
    (group,) = impact.as_dict()["groups"]["outcome"]
    assert (group["old"], group["new"], group["caused_by"], group["count"]) == (
        "forbidden", "permitted", ["B13a.inside_circle"], 2)
    assert [(g["actor_roles"], g["recipient_roles"], g["circles"], g["kind_of_item"], g["count"])
            for g in group["by_people"]] == [
        (["teacher"], ["care coordinator"], "actor in the class council, recipient in the care team",
         "information about the home situation", 1),
        (["teacher"], ["care coordinator"], "actor in the class council, recipient in the care team",
         "information about learning", 1)]
    assert group["by_people"][0]["examples"][0]["question"]["recipient"] == "carl"


def test_caused_by_names_only_the_changed_rules_that_made_the_difference(tiny):
    old_dir, new_dir, facts = tiny
    edit_rule(new_dir, *ANY_CIRCLE)
    edit_rule(new_dir, *REPORT_DANGER)
    impact = impact_of(old_dir, new_dir, facts)
    assert {c.rule_id for c in impact.changes} == {"B13a.inside_circle", "B9.report"}
    assert impact.flips and {f.caused_by for f in impact.flips} == {("B13a.inside_circle",)}
    assert {f.found_by for f in impact.flips} == {"decision"}
    # Read off the rules' dependencies alone, both changes would be named: D5 rests on `not obligated`.
    old = load_knowledge_base(old_dir)
    assert {"B9.report", "B13a.inside_circle"} <= depends_on(old, ["D5.forbidden", "D4.permitted_by_ground"])


def test_a_change_of_reason_is_listed_apart_from_changes_of_outcome(tiny):
    old_dir, new_dir, facts = tiny
    add_rules(new_dir, """
        @id: B2.colleague_teacher
        @source: B2
        @nl: {Actor} mag {Recipient} informeren over {Item}: beiden zijn leraar op {School}.
        @en: {Actor} may tell {Recipient} about {Item}: both teach at {School}.
        may_tell(Actor, Recipient, Item) :-
            learned(Actor, Item, _From, school_staff),
            school_staff(Actor, School, teacher),
            school_staff(Recipient, School, teacher),
            Recipient != Actor.
        """)
    impact = impact_of(old_dir, new_dir, facts)
    assert impact.flips == []  # tom was told i_marks already (same circle); i_home stays blocked (B4)
    (change,) = impact.reasons
    assert (change.question.recipient, change.question.item) == ("tom", "i_marks")
    assert change.old_outcome == change.new_outcome == "permitted"
    assert "B2.colleague_teacher" not in change.old_rules and "B2.colleague_teacher" in change.new_rules
    assert change.caused_by == ("B2.colleague_teacher",)
    report = impact.as_dict()
    assert report["totals"] == {"decided": sum(impact.asked.values()), "outcome_changes": 0, "reason_changes": 1}
    assert report["groups"]["reason"][0]["caused_by"] == ["B2.colleague_teacher"]


def test_a_rule_that_lifts_a_block_written_inside_a_ground_is_named_as_the_cause(tiny):
    """The block is a `not` inside the ground: no deciding rule changes, the rule behind the `not` does."""
    old_dir, new_dir, facts = tiny
    for directory in (old_dir, new_dir):
        block_inside_the_ground(directory)
    edit_rule(new_dir, "B4.kept_from", "confidentiality_request(Client, Item, Recipient).",
              "confidentiality_request(Client, Item, Recipient),\n    clb_worker(Recipient).")
    impact = impact_of(old_dir, new_dir, facts)
    (flip,) = impact.flips
    assert (flip.question.actor, flip.question.recipient, flip.question.item) == ("tine", "tom", "i_home")
    assert flip.old_rules == ("D5.forbidden",) and "B4.kept_from" not in flip.new_rules
    assert flip.caused_by == ("B4.kept_from",) and flip.found_by == "decision"


def test_kb_diff_text_gives_the_total_first_and_examples_with_roles_under_each_group(tiny, capsys):
    old_dir, new_dir, facts = tiny
    edit_rule(new_dir, *ANY_CIRCLE)
    assert main(["diff", str(old_dir), str(new_dir), "--facts", str(facts), "--at", "2026-11-02",
                 "--no-scenarios", "--examples", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2 decisions change their outcome and 0 only their reason, of 5 decided (5 population)"
    start = lines.index("Outcome changes (2):")
    assert lines[start + 1] == "  2  forbidden → permitted, caused by B13a.inside_circle"
    assert lines[start + 2] == ("      1  teacher → care coordinator · actor in the class council, recipient in "
                                "the care team · information about the home situation")
    assert lines[start + 3].strip() == "population: tine (teacher) → carl (care coordinator) about i_home on 2026-11-02"
    assert lines[start + 4].strip() == ("before: forbidden by D5.forbidden; now: permitted by D4.permitted_by_ground, "
                                        "B13a.inside_circle")


def test_kb_diff_json_holds_the_groups_and_the_flat_lists(tiny, capsys):
    old_dir, new_dir, facts = tiny
    edit_rule(new_dir, *ANY_CIRCLE)
    assert main(["diff", str(old_dir), str(new_dir), "--facts", str(facts), "--at", "2026-11-02",
                 "--no-scenarios", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["totals"] == {"decided": 5, "outcome_changes": 2, "reason_changes": 0}
    assert report["reason_changes"] == [] and report["groups"]["reason"] == []
    assert sum(g["count"] for g in report["groups"]["outcome"]) == len(report["flips"]) == 2
    assert report["flips"][0]["people"]["actor_roles"] == ["teacher"]
    assert report["flips"][0]["cause_found_by"] == "decision"


NEW_PREDICATE = """
    school_trip:
      kind: input
      args: [{Pupil: person}]
      nl: "{Pupil} is op schooluitstap"
      en: "{Pupil} is on a school trip"
      nl_not: "{Pupil} is niet op schooluitstap"
      en_not: "{Pupil} is not on a school trip"
    """
TRIP_GROUND = """
    @id: B13a.school_trip
    @source: B13a
    @nl: {Actor} mag {Recipient} informeren over {Item}: {Pupil} is op schooluitstap met {Recipient}.
    @en: {Actor} may tell {Recipient} about {Item}: {Pupil} is on a school trip with {Recipient}.
    may_tell(Actor, Recipient, Item) :-
        learned(Actor, Item, _From, _Capacity),
        item_about(Item, Pupil),
        school_trip(Pupil),
        school_staff(Recipient, _School, teacher),
        Recipient != Actor.
    """


def add_school_trip(new_dir, scenarios_dir):
    """Law the old rules lack: a new input predicate, a ground using it, and a scenario stating it."""
    add_predicates(new_dir, NEW_PREDICATE)
    add_rules(new_dir, TRIP_GROUND)
    return write_scenario(scenarios_dir / "trip.yaml", "{actor: ann, recipient: tom, item: i_marks, at: 2026-11-02}",
                          "{outcome: permitted, rule: B13a.school_trip}",
                          "  - learned: [ann, i_marks, lena, clb_worker]\n  - school_trip: [lena]\n")


def test_a_new_predicate_in_the_rules_and_a_scenario_is_compared_without_a_traceback(tiny, tmp_path, capsys):
    old_dir, new_dir, facts = tiny
    scenario = add_school_trip(new_dir, tmp_path / "scenarios")
    assert main(["--dir", str(new_dir), "test", str(scenario)]) == 0
    capsys.readouterr()
    assert main(["diff", str(old_dir), str(new_dir), "--facts", str(facts), "--at", "2026-11-02",
                 "--scenarios", str(scenario.parent), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["unread_predicates"] == {"old": ["school_trip"], "new": []}
    (flip,) = [f for f in report["flips"] if f["source"] == "scenario"]
    assert (flip["old"]["outcome"], flip["new"]["outcome"], flip["caused_by"]) == (
        "forbidden", "permitted", ["B13a.school_trip"])
    assert main(["diff", str(old_dir), str(new_dir), "--facts", str(facts), "--at", "2026-11-02",
                 "--scenarios", str(scenario.parent)]) == 0
    out = capsys.readouterr().out
    assert ("note: the old rules do not know school_trip; facts of it were left out when deciding with the old "
            "rules") in out
