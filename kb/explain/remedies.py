"""Remedies: the smallest sets of facts a person could bring about that would change a decision.

Candidates come only from the why-not trees: missing input facts whose predicate the vocabulary
marks as something a person can bring about (a consent, an agreement, a designation, a request).
Open arguments are filled from the people and values around the question. Every candidate set is
then *verified* by deciding the question again with those facts added hypothetically; only sets
that really change the outcome are returned, and a pair is offered only when no single fact does.
"""
from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterable

from ..facts.model import END, Fact, FactSet
from ..language.knowledge_base import KnowledgeBase
from .people import pupils_of
from .terms import atom_reading, jsonable

MAX_CANDIDATES = 40
MAX_SIZE = 2
PAIR_POOL = 12  # pairs are sought among the first candidates only: 66 re-decisions at most


def missing_remediable(trees: Iterable[dict], kb: KnowledgeBase) -> list[dict]:
    """Every missing-fact failure in the trees whose predicate a person can bring about."""
    found, seen = [], set()

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("kind") == "missing-fact" and kb.vocabulary.predicates[node["predicate"]].brought_about_by:
                key = (node["predicate"], tuple(map(str, node["args"])))
                if key not in seen:
                    seen.add(key)
                    found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for tree in trees:
        walk(tree)
    return found


def neighbourhood(facts: FactSet, kb: KnowledgeBase, question) -> dict[str, list]:
    """Values per type found around the question: its parties, the item's pupil and who is linked to them."""
    day = question.at
    pupils = set(pupils_of(kb, facts, question))
    seeds = {question.actor, question.recipient, question.item} | pupils
    values: dict[str, set] = {"person": {question.actor, question.recipient} | pupils,
                              "item": {question.item}, "date": {day}}
    nearby = {fact for seed in seeds for fact in facts.mentioning(seed)}
    for fact in sorted(nearby):
        if not fact.valid_on(day):
            continue
        pred = kb.vocabulary.predicates[fact.predicate]
        for arg, value in zip(pred.args, fact.args):
            if arg.type in ("person", "kind", "circle"):
                values.setdefault(arg.type, set()).add(value)
    for name, type_ in kb.vocabulary.types.items():
        if type_.values is not None and name not in ("circle",):
            values.setdefault(name, set()).update(type_.values)
    return {k: sorted(v, key=str) for k, v in values.items()}


def candidate_facts(failures: list[dict], kb: KnowledgeBase, values: dict[str, list],
                    moment: datetime.date) -> list[Fact]:
    """Ground each missing fact's open arguments with the neighbourhood's values of the right type."""
    out: list[Fact] = []
    for failure in failures:
        pred = kb.vocabulary.predicates[failure["predicate"]]
        choices = []
        for arg, value in zip(pred.args, failure["args"]):
            if value is not None:
                choices.append([datetime.date.fromisoformat(value) if arg.type == "date" else value])
            else:
                choices.append(values.get(arg.type, []))
        for combo in itertools.product(*choices):
            out.append(Fact(pred.name, tuple(combo), moment, END, "hypothetical"))
            if len(out) >= MAX_CANDIDATES:
                return out
    return list(dict.fromkeys(out))


def find_remedies(candidates: list[Fact], decide_with: Callable[[tuple[Fact, ...]], object],
                  outcome_now: str, kb: KnowledgeBase) -> list[dict]:
    """Verified remedies: singles that change the outcome, else minimal pairs."""
    remedies = []
    for fact in candidates:
        decision = decide_with((fact,))
        if decision.outcome != outcome_now:
            remedies.append(_remedy((fact,), decision, kb))
    if not remedies and MAX_SIZE >= 2:
        for pair in itertools.combinations(candidates[:PAIR_POOL], 2):
            decision = decide_with(pair)
            if decision.outcome != outcome_now:
                remedies.append(_remedy(pair, decision, kb))
    return remedies


def _remedy(facts: tuple[Fact, ...], decision, kb: KnowledgeBase) -> dict:
    shown = []
    for fact in facts:
        pred = kb.vocabulary.predicates[fact.predicate]
        shown.append({
            "predicate": fact.predicate,
            "args": [jsonable(a) for a in fact.args],
            "from": fact.valid_from.isoformat(),
            "reading": atom_reading(kb, fact.predicate, fact.args),
            "by": jsonable(fact.args[pred.arg_index(pred.brought_about_by)]),
            "act": pred.remedy,
        })
    return {"facts": shown, "outcome": decision.outcome, "deciding_rules": list(decision.deciding_rules),
            "verified": True}
