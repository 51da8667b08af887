"""`kb mutate --suggest`: the search for a scenario that tells a surviving mutant from the rules."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kb.edits.killers import KillerSearch
from kb.edits.mutants import mutants
from kb.edits.mutation import mutated_knowledge_base, scenario_fails
from kb.engine.materialized import MaterializedEngine
from kb.scenarios import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"
# Bullying seen at school, told to the parents of a minor pupil by a teacher of her school (L12).
BASE = SCENARIOS / "l12_bullying_seen_at_school_goes_to_the_parents.yaml"


@pytest.fixture(scope="module")
def by_key(kb):
    return {m.key: m for m in mutants(kb.rules, kb.vocabulary)}


def test_a_suggestion_passes_on_the_rules_and_fails_on_the_mutant(kb, by_key, tmp_path):
    # Without `pupil(Pupil, School)` a teacher of any school could inform the parents: a scenario
    # whose pupil is not of the teacher's school tells the two apart.
    mutant = by_key["L12.how_the_child_is_at_school:drop-condition:pupil(Pupil, School)"]
    base = load_scenario(BASE, kb)
    assert not scenario_fails(base, mutated_knowledge_base(kb, mutant), MaterializedEngine())

    suggestion = KillerSearch(kb).suggest(mutant, [base])

    assert suggestion is not None
    written = tmp_path / "suggested.yaml"
    written.write_text(suggestion.as_yaml(), encoding="utf-8")
    scenario = load_scenario(written, kb)  # the file reads back as a valid scenario
    assert scenario_fails(scenario, kb, MaterializedEngine()) == ""
    assert scenario_fails(scenario, mutated_knowledge_base(kb, mutant), MaterializedEngine())
    data = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert data["expect"]["outcome"] == scenario.expect["outcome"]
    assert mutant.key in data["description"] and "l12_bullying" in data["description"]


def test_an_equivalent_mutant_gets_no_suggestion(kb, by_key):
    # consent_act's first argument is read by nobody (kb/equivalent_mutants.yaml): no fact set
    # can tell the mutant apart, so the search must come back empty rather than invent one.
    mutant = by_key["L9.consent_given:replace-variable:head[0]:Giver->Pupil"]
    bases = [load_scenario(p, kb) for p in sorted(SCENARIOS.glob("l09_*.yaml"))[:2]]

    assert KillerSearch(kb, tries=300).suggest(mutant, bases) is None


def test_no_suggestion_asks_whether_someone_may_tell_themselves(kb, by_key):
    # Telling oneself is no disclosure; the allow-list explains the mutants only it could kill.
    mutant = by_key["B2.shared_secrecy:drop-condition:Recipient != Actor"]
    bases = [load_scenario(p, kb) for p in sorted(SCENARIOS.glob("b02_*.yaml"))]

    assert KillerSearch(kb, tries=300).suggest(mutant, bases) is None


def test_kb_mutate_suggest_writes_scenarios_that_kill_the_survivors(kb, tmp_path, capsys):
    # With the one bullying scenario only, mutants of the L12 wellbeing ground survive; every
    # suggestion written passes on the rules and kills the mutant it names.
    from kb.cli import main
    folder = tmp_path / "suggested"

    code = main(["mutate", str(BASE), "--rule", "L12.how_the_child_is_at_school", "--jobs", "2",
                 "--suggest", str(folder), "--suggest-seconds", "2"])

    assert code == 1  # survivors remain until the suggestions are confirmed and moved in
    written = sorted(folder.glob("*.yaml"))
    assert written, capsys.readouterr().err
    by_key = {m.key: m for m in mutants(kb.rules, kb.vocabulary)}
    for path in written:
        scenario = load_scenario(path, kb)
        key = next(k for k in by_key if f"`{k}`" in scenario_description(path))
        assert scenario_fails(scenario, kb, MaterializedEngine()) == "", path.name
        assert scenario_fails(scenario, mutated_knowledge_base(kb, by_key[key]), MaterializedEngine()), path.name


def scenario_description(path: Path) -> str:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["description"]
