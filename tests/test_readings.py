"""The brochure's readings (issues 8 and 14): conditions attached to decisions, may_disclose, the
law reference every @source cites, and remedies that are lawful acts."""
from __future__ import annotations

import datetime
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kb.decide import Question, decide_in
from kb.engine.materialized import MaterializedEngine
from kb.explain.explainer import explain
from kb.facts.model import END, Fact
from kb.language.knowledge_base import check_directory
from kb.scenarios import load_scenario, scenario_paths

SCENARIOS = [p for p in scenario_paths() if "error:" not in p.read_text(encoding="utf-8")]


@pytest.fixture(scope="module")
def fast_engine():
    engine = MaterializedEngine()
    yield engine
    engine.close()


def _decide(path, kb, engine):
    scenario = load_scenario(path, kb)
    engine.load(kb, scenario.facts)
    return scenario, engine.run(scenario.question.context(),
                                lambda ev: decide_in(ev, kb, scenario.question, scenario.facts.version))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_may_disclose_is_every_outcome_but_forbidden(path, kb, fast_engine):
    _, decision = _decide(path, kb, fast_engine)
    assert decision.may_disclose == (decision.outcome != "forbidden")


def test_conditions_ride_only_on_decisions_whose_rules_attach_them(kb, fast_engine):
    """A refusal carries no condition; every declared condition is expected by some scenario."""
    expected_somewhere = set()
    for path in SCENARIOS:
        scenario, decision = _decide(path, kb, fast_engine)
        if decision.outcome == "forbidden":
            assert decision.conditions == (), path.stem
        expected_somewhere.update(scenario.expect.get("conditions", []))
    assert expected_somewhere == set(kb.conditions), set(kb.conditions) - expected_somewhere


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_source_citing_a_statement_the_law_reference_lacks_is_an_error(kb_copy):
    rules = kb_copy / "rules" / "20_beroepsgeheim.dl"
    _edit(rules, "@source: B2; L7; brochure", "@source: B2; L77; brochure")
    kb, diagnostics = check_directory(kb_copy)
    assert kb is None
    (diag,) = [d for d in diagnostics if d.code == "unknown-statement"]
    line = next(n for n, text in enumerate(rules.read_text().splitlines(), 1) if "L77" in text)
    assert (diag.pos.file, diag.pos.line) == (str(rules), line)
    assert diag.pos.column == rules.read_text().splitlines()[line - 1].index("L77") + 1
    assert "L77" in diag.message and "law reference" in diag.message


def test_a_copy_may_carry_its_own_law_reference(kb_copy):
    (kb_copy / "law.md").write_text("# Law\n\n### B2 — shared secrecy\n", encoding="utf-8")
    _, diagnostics = check_directory(kb_copy)
    cited = {re.search(r"cites (\w+)", d.message).group(1) for d in diagnostics if d.code == "unknown-statement"}
    assert "B1" in cited and "B2" not in cited


def test_an_unknown_condition_is_an_error_with_a_suggestion(kb_copy):
    _edit(kb_copy / "rules" / "50_ambtskringen.dl", "@condition: B13a.follow_agreements",
          "@condition: B13a.follow_agreement")
    kb, diagnostics = check_directory(kb_copy)
    (diag,) = [d for d in diagnostics if d.code == "unknown-condition"]
    assert kb is None and "B13a.follow_agreements" in diag.suggestion


def test_a_condition_without_a_text_is_an_error(kb_copy):
    _edit(kb_copy / "conditions.yaml", 'en: "Share only what is necessary', 'xx: "Share only what is necessary')
    kb, diagnostics = check_directory(kb_copy)
    assert kb is None and [d.code for d in diagnostics] == ["conditions"]
    assert "L7.need_to_know" in diagnostics[0].message


FORBIDDEN_WITH_REMEDIES = [p for p in SCENARIOS if "outcome: forbidden" in p.read_text(encoding="utf-8")]


def _value(arg):
    return datetime.date.fromisoformat(arg) if re.fullmatch(r"\d{4}-\d\d-\d\d", str(arg)) else arg


def _fact_leaves(node, out):
    if isinstance(node, dict):
        if node.get("kind") == "fact":
            out.add((node["predicate"], tuple(map(str, node["args"]))))
        for value in node.values():
            _fact_leaves(value, out)
    elif isinstance(node, list):
        for value in node:
            _fact_leaves(value, out)
    return out


@pytest.mark.parametrize("path", FORBIDDEN_WITH_REMEDIES, ids=lambda p: p.stem)
def test_every_remedy_is_a_lawful_act_that_the_new_decision_rests_on(path, kb, fast_engine):
    """Added as facts, a remedy flips the decision, and each of its facts is used by the new proof or,
    where it works through a negation the proof does not spell out (Sam's consent making "a pupil
    without consent" false), is needed: without it the decision stays. A consent or designation the
    rules void (an incapable pupil's, a recipient's own) is never offered."""
    scenario = load_scenario(path, kb)
    fast_engine.load(kb, scenario.facts)
    explanation = explain(fast_engine, kb, scenario.facts, scenario.question)
    q = scenario.question
    for remedy in explanation["remedies"]:
        added = tuple(Fact(f["predicate"], tuple(_value(a) for a in f["args"]),
                           datetime.date.fromisoformat(f["from"]), END, "hypothetical") for f in remedy["facts"])
        what_if = Question(q.actor, q.recipient, q.item, q.at, q.setting, q.hypothetical + added)
        after = explain(fast_engine, kb, scenario.facts, what_if, remedies=False)
        assert after["outcome"] == remedy["outcome"] != explanation["outcome"]
        used = _fact_leaves(after["why"], set())
        for n, fact in enumerate(remedy["facts"]):
            if (fact["predicate"], tuple(map(str, fact["args"]))) in used:
                continue
            without = Question(q.actor, q.recipient, q.item, q.at, q.setting,
                               q.hypothetical + added[:n] + added[n + 1:])
            again = explain(fast_engine, kb, scenario.facts, without, remedies=False)
            assert again["outcome"] == explanation["outcome"], (path.stem, fact)


def test_a_pupil_who_is_not_capable_is_never_offered_as_designating_or_consenting(kb, fast_engine):
    path = next(p for p in SCENARIOS if p.stem == "l04_designation_by_incapable_pupil_void")
    scenario = load_scenario(path, kb)
    fast_engine.load(kb, scenario.facts)
    explanation = explain(fast_engine, kb, scenario.facts, scenario.question)
    by = {(f["act"], f["by"]) for r in explanation["remedies"] for f in r["facts"]}
    assert ("designation", "mila") not in by and ("consent", "mila") not in by


def test_the_interpretation_list_is_generated_from_the_current_rules():
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "scripts/rule_index.py", "--check"], cwd=root,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_choice_names_its_alternative(kb):
    assert [r.id for r in kb.rules if r.choice and not r.alternative] == []
