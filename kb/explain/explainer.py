"""Explain a decision: the decision, its proof, why it is not something else, blocks, remedies.

Two phases. First, inside one isolated evaluation: decide, prove the outcome, explain why each
stronger outcome does not hold, prove every block that fired, and collect remedy candidates. Then,
outside it, verify each remedy candidate by deciding again with the candidate facts added
hypothetically (each in its own isolated evaluation).
"""
from __future__ import annotations

from ..decide import OUTCOMES, STRONGER, Outcome, Question, decide_in, validate_question
from ..engine.base import Engine
from ..facts.model import FactSet
from ..language.knowledge_base import KnowledgeBase
from .names import Names
from .people import parents_of, people_by_role, pupils_of
from .readers import with_deciding, withheld_parts
from .remedies import MAX_SIZE, candidate_facts, find_remedies, missing_remediable, neighbourhood, ways, widened
from .terms import LANGS, jsonable, word
from .why import DEFAULT_MAX_DEPTH, Prover
from .why_not import DEFAULT_MAX_DEPTH as WHY_NOT_DEPTH
from .why_not import WhyNot

SCHEMA_VERSION = "1"


def explain(engine: Engine, kb: KnowledgeBase, facts: FactSet, question: Question, *,
            max_depth: int = DEFAULT_MAX_DEPTH, max_proofs: int = 1,
            why_not_depth: int = WHY_NOT_DEPTH, remedies: bool = True) -> dict:
    """The full explanation of one question, as the JSON-ready structure of explanation.schema.json."""
    validate_question(question, kb, facts)
    args = (question.actor, question.recipient, question.item)
    seen = facts.union(question.hypothetical)
    names = Names(kb, seen, question.at)

    def job(ev):
        decision = decide_in(ev, kb, question, facts.version)
        why_not = WhyNot(ev, kb, facts, why_not_depth, names=names)
        prover = Prover(ev, kb, facts, max_depth, why_not=why_not, names=names)
        why_not.prover = prover
        roles = kb.roles
        proofs = prover.proofs(roles.outcome(decision.outcome), args, max_proofs)
        not_trees = [why_not.explain(roles.outcome(outcome), args) for outcome in STRONGER[decision.outcome]]
        blocks = prover.proofs(roles.block, args, max_proofs=len(kb.by_head.get(roles.block, ())))
        # For a permission, what would stop it: the acts missing from every block.
        stop_trees = [why_not.explain(roles.block, args)] if (
            remedies and decision.outcome == Outcome.PERMITTED and not blocks) else []
        capable = {p for p in pupils_of(kb, seen, question) if ev.holds(roles.capable, (p,))}
        return (decision, proofs, not_trees, blocks, stop_trees, question_words(kb, facts, question, ev.holds, names),
                withheld_parts(ev, kb, facts, question), capable)

    decision, proofs, not_trees, blocks, stop_trees, (words, who), withheld, capable = engine.run(
        question.context(), job)
    pupils = pupils_of(kb, seen, question)
    parents = {pupil: parents_of(kb, seen, [pupil], question.at) for pupil in pupils}
    found_remedies: list[dict] = []
    if remedies and (decision.outcome == Outcome.FORBIDDEN or stop_trees):
        acting = list(dict.fromkeys([*pupils, *(p for group in parents.values() for p in group)]))
        missing = missing_remediable(stop_trees or not_trees, kb, completing=not stop_trees)
        around = neighbourhood(facts, kb, question)
        candidates = candidate_facts(widened(missing, kb, acting), kb, around, question.at)

        def decide_with(extra):
            what_if = Question(question.actor, question.recipient, question.item, question.at,
                               question.setting, question.hypothetical + tuple(extra))
            return engine.run(what_if.context(), lambda ev: decide_in(ev, kb, what_if, facts.version))

        found_remedies = find_remedies(candidates, decide_with, decision.outcome, kb, names,
                                       max_size=1 if stop_trees else MAX_SIZE,
                                       paired=candidate_facts(missing, kb, around, question.at))
        found_remedies = [r for r in found_remedies if lawful_act(r, pupils, capable)]
    return {
        "schema": SCHEMA_VERSION,
        "question": {**question_json(question), "words": words, "who": who, "about": pupils,
                     **({"parents": parents} if any(parents.values()) else {})},
        "outcome": decision.outcome,
        "deciding_rules": list(decision.deciding_rules),
        "kb_version": decision.kb_version,
        "facts_version": decision.facts_version,
        "why": proofs,
        "why_not": not_trees,
        "blocks": blocks,
        "remedies": found_remedies,
        "ways": ways(found_remedies, kb, names, parents),
        "sources": sources(kb, decision.deciding_rules),
        "conditions": conditions_json(decision.conditions),
        "may_disclose": decision.may_disclose,
        "withheld": with_deciding(withheld, kb, [*decision.deciding_rules,
                                                 *(r for remedy in found_remedies for r in remedy["deciding_rules"])]),
    }


def lawful_act(remedy: dict, pupils: list, capable: set) -> bool:
    """Whether each act of a remedy is one its performer can lawfully make (review 2026-12-07, F15):
    not a request naming its own maker (a parent asking that they themselves not be told), and not an
    act of a pupil who is not held capable (the parents act for them; the page says so)."""
    for fact in remedy["facts"]:
        by = fact["by"]
        if [a for a in fact["args"] if a == by][1:]:
            return False
        if by in pupils and by not in capable:
            return False
    return True


def question_words(kb: KnowledgeBase, facts: FactSet, question: Question, holds=None,
                   names: Names | None = None) -> tuple[dict, dict]:
    """How the question's values read in each language — the setting's label, the item's and each
    person's name — and, for each person, who they are (a sentence)."""
    seen = facts.union(question.hypothetical)
    names = names or Names(kb, seen, question.at)
    words = {question.setting: {lang: word(kb, "setting", question.setting, lang) for lang in LANGS},
             question.item: {lang: word(kb, "item", question.item, lang, names=names) for lang in LANGS}}
    called, who = people_by_role(kb, seen, question, holds, names)
    words.update(called)
    return words, who


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
