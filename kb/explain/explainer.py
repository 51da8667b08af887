"""Explain a decision: the decision, its proof, why it is not something else, blocks, remedies.

Two phases. First, inside one isolated evaluation: decide, prove the outcome, explain why each
stronger outcome does not hold, prove every block that fired, and collect remedy candidates. Then,
outside it, verify each remedy candidate by deciding again with the candidate facts added
hypothetically (each in its own isolated evaluation).
"""
from __future__ import annotations

from ..decide import OUTCOMES, Question, decide_in, validate_question
from ..engine.base import Engine
from ..facts.model import FactSet
from ..language.knowledge_base import KnowledgeBase
from .remedies import candidate_facts, find_remedies, missing_remediable, neighbourhood
from .people import people_by_role, pupils_of
from .readers import withheld_parts
from .terms import LANGS, jsonable, word
from .why import DEFAULT_MAX_DEPTH, Prover
from .why_not import DEFAULT_MAX_DEPTH as WHY_NOT_DEPTH
from .why_not import WhyNot

SCHEMA_VERSION = "1"
# For each outcome, the stronger outcomes a reviewer may ask "why not?" about (closest first).
_WHY_NOT = {"forbidden": ("permitted", "discretionary", "obligated"),
            "permitted": ("obligated", "discretionary"),
            "discretionary": ("obligated",),
            "obligated": ()}


def explain(engine: Engine, kb: KnowledgeBase, facts: FactSet, question: Question, *,
            max_depth: int = DEFAULT_MAX_DEPTH, max_proofs: int = 1,
            why_not_depth: int = WHY_NOT_DEPTH, remedies: bool = True) -> dict:
    """The full explanation of one question, as the JSON-ready structure of explanation.schema.json."""
    validate_question(question, kb, facts)
    args = (question.actor, question.recipient, question.item)

    def job(ev):
        decision = decide_in(ev, kb, question, facts.version)
        why_not = WhyNot(ev, kb, facts, why_not_depth)
        prover = Prover(ev, kb, facts, max_depth, why_not=why_not)
        why_not.prover = prover
        proofs = prover.proofs(decision.outcome, args, max_proofs)
        not_trees = [why_not.explain(outcome, args) for outcome in _WHY_NOT[decision.outcome]]
        blocks = prover.proofs("blocked", args, max_proofs=len(kb.by_head.get("blocked", ())))
        return (decision, proofs, not_trees, blocks, question_words(kb, facts, question, ev.holds),
                withheld_parts(ev, kb, facts, question))

    decision, proofs, not_trees, blocks, words, withheld = engine.run(question.context(), job)
    found_remedies: list[dict] = []
    if remedies and decision.outcome == "forbidden":
        failures = missing_remediable(not_trees, kb)
        candidates = candidate_facts(failures, kb, neighbourhood(facts, kb, question), question.at)

        def decide_with(extra):
            what_if = Question(question.actor, question.recipient, question.item, question.at,
                               question.setting, question.hypothetical + tuple(extra))
            return engine.run(what_if.context(), lambda ev: decide_in(ev, kb, what_if, facts.version))

        found_remedies = find_remedies(candidates, decide_with, decision.outcome, kb)
    return {
        "schema": SCHEMA_VERSION,
        "question": {**question_json(question), "words": words,
                     "about": pupils_of(facts.union(question.hypothetical), question)},
        "outcome": decision.outcome,
        "deciding_rules": list(decision.deciding_rules),
        "kb_version": decision.kb_version,
        "facts_version": decision.facts_version,
        "why": proofs,
        "why_not": not_trees,
        "blocks": blocks,
        "remedies": found_remedies,
        "sources": sources(kb, decision.deciding_rules),
        "conditions": conditions_json(decision.conditions),
        "may_disclose": decision.may_disclose,
        "withheld": withheld,
    }


def question_words(kb: KnowledgeBase, facts: FactSet, question: Question, holds=None) -> dict:
    """How the question's values read in each language: the setting's label, each person by role."""
    words = {question.setting: {lang: word(kb, "setting", question.setting, lang) for lang in LANGS}}
    words.update(people_by_role(kb, facts.union(question.hypothetical), question, holds))
    return words


def question_json(question: Question) -> dict:
    return {
        "actor": question.actor, "recipient": question.recipient, "item": question.item,
        "at": question.at.isoformat(), "setting": question.setting,
        "hypothetical": [{"predicate": f.predicate, "args": [jsonable(a) for a in f.args], **f.period()}
                         for f in question.hypothetical],
    }


def conditions_json(conditions) -> list[dict]:
    """The conditions attached to a decision, with both texts (a reader's language is chosen later)."""
    return [{"id": c.id, "source": c.source, "nl": c.nl, "en": c.en} for c in conditions]


def sources(kb: KnowledgeBase, rule_ids) -> list[dict]:
    """The legal sources of the deciding rules, with the legal text quoted beside each rule."""
    out = []
    for rule_id in rule_ids:
        rule = kb.by_id[rule_id]
        out.append({"rule": rule_id, "source": rule.source, "heading": rule.heading,
                    "legal_text": " ".join(rule.legal_text)})
    return out


__all__ = ["explain", "OUTCOMES"]
