"""The views of an explanation, over every scenario, both languages: worded as the law is (no
variable, predicate name, code or internal reference in any text), the typed model round-trips
to schema-valid JSON, the summary is short, and the full view shows each subtree once."""
from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from kb.engine.pydatalog_engine import PyDatalogEngine
from kb.explain.explainer import explain
from kb.explain.model import Explanation
from kb.explain.render import full_lines, full_text, summary, summary_lines
from kb.language.knowledge_base import load_knowledge_base
from kb.scenarios import load_scenario, scenario_paths

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "kb" / "explain" /
                     "explanation.schema.json").read_text())
DECIDING = [p for p in scenario_paths() if "error:" not in p.read_text(encoding="utf-8")]
RULE_ID = re.compile(r"\b[A-Z]\d*[a-z]?\d*\.[a-z_0-9]+\b")  # rule ids (D4.permitted_by_ground) may be cited


@pytest.fixture(scope="module")
def explanations():
    """Every deciding scenario's explanation, computed once for this module."""
    kb = load_knowledge_base()
    engine = PyDatalogEngine()
    out = {}
    try:
        for path in DECIDING:
            scenario = load_scenario(path, kb)
            engine.load(kb, scenario.facts)
            out[path.stem] = explain(engine, kb, scenario.facts, scenario.question)
            known = scenario.facts.entities(kb.vocabulary)
            NAMES[path.stem] = {str(v) for t in ("person", "item", "school") for v in known.get(t, ())}
    finally:
        engine.close()
    return kb, out


NAMES: dict[str, set] = {}  # per scenario: the ids of its people, items and schools (names, not codes)


def codes(kb) -> set[str]:
    """Words that must never reach a reader: predicate names and enumerated codes with an underscore
    (single words like `teacher` are also plain English), plus every code in the Dutch text."""
    names = {p for p in kb.vocabulary.predicates if "_" in p}
    values = {v for t in kb.vocabulary.types.values() for v in (t.values or ()) if "_" in v}
    return names | values


DUTCH_FORBIDDEN = {"conversation", "teacher", "director", "everyone", "parents", "report", "mdo"}


ORIGIN = re.compile(r"\S+\.(?:yaml|dl):\d+")  # where a fact or rule is written: a file name, not prose


def leaks(text: str, kb, lang: str, names=frozenset()) -> list[str]:
    text = ORIGIN.sub("", RULE_ID.sub("", text))
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"(?<![\w]){re.escape(name)}(?![\w])", "", text)
    found = re.findall(r"\?[A-Za-z]\w*", text) + re.findall(r"\b[a-z_]+\(", text)
    found += [w for w in re.findall(r"[a-z][a-z0-9_]*", text) if w in codes(kb)]
    if lang == "nl":
        found += [w for w in re.findall(r"[a-z]+", text) if w in DUTCH_FORBIDDEN]
    if "domain.md" in text:
        found.append("domain.md")
    return found


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_text_shows_a_variable_a_predicate_name_or_a_code(explanations, lang):
    kb, all_ = explanations
    problems = {}
    for stem, explanation in all_.items():
        for view in (summary, full_text):
            found = leaks(view(explanation, lang), kb, lang, NAMES[stem])
            if found:
                problems[f"{stem} {view.__name__}"] = sorted(set(found))
    assert not problems, problems


def test_the_typed_model_round_trips_to_schema_valid_json(explanations):
    _, all_ = explanations
    for stem, explanation in all_.items():
        jsonschema.validate(explanation, SCHEMA)
        assert Explanation.from_json(explanation).to_json() == explanation, stem


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_summary_is_a_handful_of_statements_and_files_its_rules_and_sources(explanations, lang):
    _, all_ = explanations
    for stem, explanation in all_.items():
        lines = summary_lines(explanation, lang)
        statements = [line for line in lines if line.kind not in ("people", "subheading", "dossier-heading", "dossier")]
        assert len(statements) <= 12, stem
        assert any(line.kind == "outcome" for line in lines), stem
        # No rule id follows a line of the summary; the file section names the deciding rules and their sources.
        assert not any(line.rule or line.note for line in lines), stem
        dossier = [line.text for line in lines if line.kind == "dossier"]
        assert explanation["deciding_rules"][0] in dossier[0] and any(";" in d or "art." in d for d in dossier), stem


def test_the_full_view_shows_each_subtree_once_and_refers_back(explanations):
    _, all_ = explanations
    referred = 0
    for stem, explanation in all_.items():
        lines = full_lines(explanation, "en")
        anchors = [line.anchor for line in lines if line.anchor]
        assert len(anchors) == len(set(anchors)), stem
        for line in lines:
            if line.see:
                referred += 1
                assert line.see in anchors[:anchors.index(line.see) + 1], stem
                assert "see above: " in line.text, stem
    assert referred > 0  # some scenario proves a subtree twice, and it is shown once


def test_a_missing_consent_reads_as_missing_and_a_way_to_change_it_as_a_condition(explanations):
    _, all_ = explanations
    explanation = all_["b01_clb_worker_needs_ground_to_tell_teacher"]
    for lang, missing, way in (
            ("en", "there is no consent from lena to share information about lena with tine",
             "If lena consents to sharing information about lena with tine, ann may share it with tine."),
            ("nl", "er is geen toestemming van lena om informatie over lena te delen met tine",
             "Als lena toestemming geeft om informatie over lena te delen met tine, mag ann het met tine delen.")):
        assert way in [line.text for line in summary_lines(explanation, lang) if line.kind == "way"]
        needed = [line.text.lower() for line in full_lines(explanation, lang) if line.mark == "○"]
        assert any(missing in text for text in needed), needed
        assert not any("consents to" in t or "geeft toestemming" in t for t in needed), needed


def test_marks_follow_the_outcome(explanations):
    _, all_ = explanations
    for stem, explanation in all_.items():
        mark = {"obligated": "!", "discretionary": "±", "permitted": "✔", "forbidden": "✘"}[explanation["outcome"]]
        lines = full_lines(explanation, "en")
        proof_marks = {line.mark for line in lines if line.mark not in ("", "•", "○", "↑", "▒")
                       and line.kind != "way"}
        assert proof_marks <= {mark}, (stem, proof_marks)
