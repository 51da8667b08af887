"""Explanations tell the truth (property tests over scenarios and random fact sets), are
deterministic, match their JSON Schema and their golden texts."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.engine.pydatalog_engine import PyDatalogEngine
from kb.explain.explainer import explain
from kb.explain.render import full_text, summary
from kb.golden import compare_or_update
from kb.scenarios import load_scenario, scenario_paths

from explain_properties import check_explanation
from random_facts import fact_sets

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "kb" / "explain" /
                     "explanation.schema.json").read_text())
SCENARIOS = [p for p in scenario_paths()]
# Error scenarios (unknown person, item, setting) have no decision to explain.
DECIDING = [p for p in SCENARIOS if "error:" not in p.read_text(encoding="utf-8")]
PERMITTED = next(p for p in SCENARIOS if p.stem == "b02_shared_secrecy_involved_colleague")
FORBIDDEN_WITH_REMEDY = next(p for p in SCENARIOS if p.stem == "b03_consent_to_other_recipient")


@pytest.fixture(scope="module")
def shared_engine():
    engine = PyDatalogEngine()
    yield engine
    engine.close()


@pytest.mark.parametrize("path", DECIDING, ids=lambda p: p.stem)
def test_scenario_explanation_is_sound(path, kb, shared_engine):
    scenario = load_scenario(path, kb)
    shared_engine.load(kb, scenario.facts)
    explanation = explain(shared_engine, kb, scenario.facts, scenario.question)
    jsonschema.validate(explanation, SCHEMA)
    assert explanation["outcome"] == scenario.expect["outcome"]
    check_explanation(explanation, shared_engine, kb, scenario.facts, scenario.question)
    if explanation["outcome"] == "forbidden":
        assert explanation["why_not"][0]["predicate"] == "permitted"
    for lang in ("nl", "en"):
        assert scenario.question.actor in summary(explanation, lang)
        assert explanation["deciding_rules"][0] in full_text(explanation, lang)


@pytest.mark.parametrize("path", [PERMITTED, FORBIDDEN_WITH_REMEDY], ids=lambda p: p.stem)
def test_explanations_are_byte_identical_across_engines(kb, path):
    scenario = load_scenario(path, kb)
    texts = []
    for _ in range(2):
        engine = PyDatalogEngine()
        try:
            engine.load(kb, scenario.facts)
            texts.append(json.dumps(explain(engine, kb, scenario.facts, scenario.question),
                                    sort_keys=True, ensure_ascii=False))
        finally:
            engine.close()
    assert texts[0] == texts[1]


def test_golden_texts_match(kb, shared_engine):
    problems = compare_or_update(kb, shared_engine)
    assert not problems, "golden explanations differ; run `kb golden --update` and review the diff:\n" + \
        "\n".join(problems)[:4000]


def test_max_depth_truncates_proofs(kb, shared_engine):
    scenario = load_scenario(PERMITTED, kb)
    shared_engine.load(kb, scenario.facts)
    shallow = explain(shared_engine, kb, scenario.facts, scenario.question, max_depth=1, remedies=False)

    def kinds(node):
        yield node["kind"]
        for child in node.get("children", []):
            yield from kinds(child)
    assert "truncated" in set(k for p in shallow["why"] for k in kinds(p))
    full = explain(shared_engine, kb, scenario.facts, scenario.question, remedies=False)
    assert "truncated" not in set(k for p in full["why"] for k in kinds(p))


def test_forbidden_decision_offers_a_verified_consent_remedy(kb, shared_engine):
    scenario = load_scenario(FORBIDDEN_WITH_REMEDY, kb)
    shared_engine.load(kb, scenario.facts)
    explanation = explain(shared_engine, kb, scenario.facts, scenario.question)
    assert explanation["outcome"] == "forbidden"
    acts = {(f["act"], f["predicate"]) for r in explanation["remedies"] for f in r["facts"]}
    assert ("consent", "consent") in acts
    assert all(r["outcome"] != "forbidden" and r["verified"] for r in explanation["remedies"])


# -- random fact sets ---------------------------------------------------------------------------
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_fact_sets_explain_truthfully(kb, shared_engine, data):
    facts, question = data.draw(fact_sets(kb))
    shared_engine.load(kb, facts)
    explanation = explain(shared_engine, kb, facts, question)
    jsonschema.validate(explanation, SCHEMA)
    check_explanation(explanation, shared_engine, kb, facts, question)
