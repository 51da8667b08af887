"""The explanation of a logged decision: stored with it, or rebuilt exactly from its versions.

A decision asked with `explain: none` is logged as the decision itself (question, versions,
outcome, deciding rules) so that answering it costs microseconds, not the tens of milliseconds of
a full explanation with verified remedies. Its explanation can still be shown exactly as it would
have been at decision time: the log keeps the rule texts of every rule version a decision names,
the fact store can give the fact base as of any version, and explanations are deterministic
(tests/test_explain.py proves byte-identical traces). Rebuilt knowledge bases are kept in a small
cache, since a contested decision's page is often opened more than once.
"""
from __future__ import annotations

import datetime
import threading
from collections import OrderedDict

from kb.decide import Question
from kb.engine.materialized import MaterializedEngine
from kb.explain.explainer import conditions_json, explain, question_json
from kb.facts.validate import build_fact
from kb.language.ast import Position
from kb.language.diagnostics import KnowledgeBaseError
from kb.language.knowledge_base import KnowledgeBase, check_texts
from kb.store.audit import check_decision
from kb.store.decisions import DecisionRecord

RECORDED_DECISION = "decision"  # the `level` of a trace that holds the decision but no explanation
_CACHE = 4
_rebuilt: OrderedDict = OrderedDict()
_EXPLANATIONS = 64  # rebuilt explanations kept, by record hash (it covers the request and both versions)
_explained: OrderedDict = OrderedDict()
_lock = threading.Lock()


class RecordDamaged(Exception):
    """A logged decision failed verification: it, its rule texts or its fact base were changed, or
    its rebuilt explanation decides otherwise. Nothing of it may be shown as if it were sound."""

    def __init__(self, decision_id: int, problems: list[str]):
        super().__init__(decision_id)
        self.decision_id, self.problems = decision_id, problems


def verified_record(state, record: DecisionRecord) -> None:
    """Raise RecordDamaged unless the record, its kept rule texts and its fact base verify."""
    problems = check_decision(state.db, record)
    if problems:
        raise RecordDamaged(record.id, problems)


def verified_explanation(state, record: DecisionRecord) -> dict:
    """The explanation of a logged decision, after verifying the record; RecordDamaged when it does
    not verify or when the explanation (rebuilt or stored) disagrees with the recorded outcome."""
    verified_record(state, record)
    explanation = explanation_of(state, record)
    if (explanation["outcome"], list(explanation["deciding_rules"])) != (record.outcome, list(record.deciding_rules)):
        raise RecordDamaged(record.id, [f"decision {record.id}: its explanation decides {explanation['outcome']}, "
                                        f"the record says {record.outcome}"])
    return explanation


def recorded_decision(question: Question, decision) -> dict:
    """The trace logged for a decision asked without explanation."""
    return {"level": RECORDED_DECISION, "question": question_json(question), "outcome": decision.outcome,
            "deciding_rules": list(decision.deciding_rules), "kb_version": decision.kb_version,
            "facts_version": decision.facts_version, "conditions": conditions_json(decision.conditions),
            "may_disclose": decision.may_disclose}


def is_explained(record: DecisionRecord) -> bool:
    return record.trace.get("level") != RECORDED_DECISION


def explanation_of(state, record: DecisionRecord) -> dict:
    """The full explanation of a logged decision (the stored one, or rebuilt from its versions)."""
    if is_explained(record):
        return record.trace
    with _lock:
        cached = _explained.get(record.hash)
        if cached is not None:
            _explained.move_to_end(record.hash)
            return cached
    explanation = _rebuild(state, record)
    with _lock:
        _explained[record.hash] = explanation
        while len(_explained) > _EXPLANATIONS:
            _explained.popitem(last=False)
    return explanation


def _rebuild(state, record: DecisionRecord) -> dict:
    request = record.request
    options = {"max_proofs": request.get("max_proofs", 1), "remedies": True}
    if request.get("max_depth") is not None:
        options["max_depth"] = request["max_depth"]
    workspace = state.workspace
    if record.kb_version == workspace.kb.version and record.facts_version == workspace.facts.version:
        return workspace.explain(_question(record, workspace.kb), **options)
    kb = _knowledge_base(state, record.kb_version)
    facts = state.store.fact_set(int(record.facts_version))
    engine = MaterializedEngine()
    engine.load(kb, facts)
    return explain(engine, kb, facts, _question(record, kb), **options)


def _knowledge_base(state, version: str) -> KnowledgeBase:
    with _lock:
        kb = _rebuilt.get(version)
        if kb is not None:
            _rebuilt.move_to_end(version)
            return kb
    sources = state.log.rule_version(version)
    if sources is None:
        raise LookupError(f"the rules of version {version} were not kept")
    kb, diagnostics = check_texts(sources)
    if kb is None:  # they passed the checks when they decided; the checker must have changed since
        raise KnowledgeBaseError(diagnostics)
    with _lock:
        _rebuilt[version] = kb
        while len(_rebuilt) > _CACHE:
            _rebuilt.popitem(last=False)
    return kb


def _question(record: DecisionRecord, kb: KnowledgeBase) -> Question:
    request = record.request
    hypothetical = []
    for raw in request.get("hypothetical", []):
        fact, _ = build_fact(raw, kb.vocabulary, Position("decision-log", 1, 1), "hypothetical")
        hypothetical.append(fact)
    return Question(request["actor"], request["recipient"], request["item"],
                    datetime.date.fromisoformat(request["at"]), request["setting"], tuple(hypothetical))
