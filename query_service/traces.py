"""The explanation of a logged decision: stored with it, or rebuilt exactly from its versions.

A decision asked with `explain: none` is logged as the decision itself (question, versions,
outcome, deciding rules) so that answering it costs microseconds, not the tens of milliseconds of
a full explanation with verified remedies. Its explanation can still be shown exactly as it would
have been at decision time: the log keeps the rule texts of every rule version a decision names,
the fact store can give the fact base as of any version, and explanations are deterministic
(tests/test_explain.py proves byte-identical traces). Rebuilt knowledge bases are kept in a small
cache, since a contested decision's page is often opened more than once.

A record that verifies but cannot be shown — its request holds a value this service does not take
(a float count logged by an older release that let one through), its kept rule texts fail today's
checks, its question no longer decides on its own versions — is `RecordUnrenderable`: a 409
problem naming the reason, never a 500. A count logged as an integral float (`1.0`) reads as the
integer it is.
"""
from __future__ import annotations

import datetime
import logging
import threading
from collections import OrderedDict

from kb.decide import DecisionError, Question
from kb.explain.explainer import conditions_json, question_json
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
log = logging.getLogger("query_service.traces")


class RecordDamaged(Exception):
    """A logged decision failed verification: it, its rule texts or its fact base were changed, or
    its rebuilt explanation decides otherwise. Nothing of it may be shown as if it were sound."""

    def __init__(self, decision_id: int, problems: list[str]):
        super().__init__(decision_id)
        self.decision_id, self.problems = decision_id, problems


class RecordUnrenderable(Exception):
    """A logged decision that verifies but that this service cannot show; `reason` says why
    (without the request's names)."""

    def __init__(self, decision_id: int, reason: str):
        super().__init__(decision_id)
        self.decision_id, self.reason = decision_id, reason


def verified_record(state, record: DecisionRecord) -> None:
    """Raise RecordDamaged unless the record, its kept rule texts and its fact base verify."""
    problems = check_decision(state.db, record)
    if problems:
        raise RecordDamaged(record.id, problems)


def verified_explanation(state, record: DecisionRecord) -> dict:
    """The explanation of a logged decision, after verifying the record; RecordDamaged when it does
    not verify or when the explanation (rebuilt or stored) disagrees with the recorded outcome,
    RecordUnrenderable when it verifies but cannot be explained here."""
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
    try:
        return _rebuilt_explanation(state, record)
    except (KnowledgeBaseError, DecisionError, LookupError, ValueError, TypeError) as err:
        # The record verified: what fails is this service's reading of it. Logged by type and place,
        # never the message (it may quote the request's names).
        frame = err.__traceback__
        while frame is not None and frame.tb_next is not None:
            frame = frame.tb_next
        where = f"{frame.tb_frame.f_code.co_filename}:{frame.tb_lineno}" if frame is not None else "?"
        log.error("decision %d cannot be explained again (%s at %s)", record.id, type(err).__name__, where)
        reason = {KnowledgeBaseError: "its kept rule texts do not pass this release's checks",
                  DecisionError: "its question cannot be decided on its own rule and fact versions"}.get(
            type(err), f"rebuilding its explanation failed ({type(err).__name__})")
        raise RecordUnrenderable(record.id, reason) from None


def render_count(record: DecisionRecord, name: str, low: int, high: int) -> int | None:
    """A count the request was explained with (`max_proofs`, `max_depth`) as an int in [low, high];
    None when absent. An integral float reads as its integer; anything else cannot be rendered."""
    value = record.request.get(name)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RecordUnrenderable(record.id, f"its request holds `{name}: {str(value)[:20]}`, which is not a "
                                            f"whole number from {low} to {high}")
    return value


def _rebuilt_explanation(state, record: DecisionRecord) -> dict:
    options = {"max_proofs": render_count(record, "max_proofs", 1, 10) or 1, "remedies": True}
    max_depth = render_count(record, "max_depth", 1, 30)
    if max_depth is not None:
        options["max_depth"] = max_depth
    workspace = state.workspace
    if record.kb_version == workspace.kb.version and record.facts_version == workspace.facts.version:
        return workspace.explain(_question(record, workspace.kb), **options)
    kb = _knowledge_base(state, record.kb_version)
    facts = state.store.fact_set(int(record.facts_version))
    return workspace.explain_on(kb, facts, _question(record, kb), **options)


def _knowledge_base(state, version: str) -> KnowledgeBase:
    with _lock:
        kb = _rebuilt.get(version)
        if kb is not None:
            _rebuilt.move_to_end(version)
            return kb
    sources = state.log.rule_version(version)
    if sources is None:
        raise LookupError(f"the rules of version {version} were not kept")
    # A rule set kept before `roles:` was declared takes the running rules' roles.
    kb, diagnostics = check_texts(sources, roles=state.workspace.kb.vocabulary.roles)
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
        fact, problems = build_fact(raw, kb.vocabulary, Position("decision-log", 1, 1), "hypothetical")
        if fact is None:  # it was checked when the decision was asked, on these very rules
            raise KnowledgeBaseError(problems)
        hypothetical.append(fact)
    return Question(request["actor"], request["recipient"], request["item"],
                    datetime.date.fromisoformat(request["at"]), request["setting"], tuple(hypothetical))
