"""Interviews: the open questions whose answers would decide an outcome the facts leave open.

A question is a fact the store does not have and the vocabulary marks as askable (`asked_of:`):
is the pupil judged capable, does a parent consent, does the item reveal a danger, can the
recipient avert it. Candidates are the askable predicates grounded with the question's own values
(an argument named like a part of the question — Actor, Recipient, Item — takes its value, a Pupil
argument the pupils the item is about) and the people around it (the actor, the recipient, the
pupils and their parents). Each candidate is
checked by deciding again with it added as a hypothetical fact: a question whose "yes" alone
changes the outcome comes first; then questions whose "yes" changes it together with one other
answer; questions that change nothing are not asked. Answers are hypothetical facts only.
"""
from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable

from ..facts.model import END, Fact, FactSet
from ..language.knowledge_base import KnowledgeBase
from .names import Names
from .people import parents_of, pupils_of
from .terms import LANGS, atom_reading, jsonable

MAX_CANDIDATES = 60
PAIR_POOL = 16  # pairs are sought among the first undecisive candidates only: 120 re-decisions at most
_QUESTION_ROLES = {"Actor": "actor", "Recipient": "recipient", "Item": "item"}


def question_id(fact: Fact) -> str:
    """A stable id for the question asking for `fact` (the same fact is the same question)."""
    text = f"{fact.predicate}({', '.join(str(jsonable(a)) for a in fact.args)})"
    return "q" + hashlib.sha256(text.encode()).hexdigest()[:10]


def candidates(kb: KnowledgeBase, facts: FactSet, question) -> list[Fact]:
    """Askable facts about the question's people and item that are not known to hold."""
    day, pupils = question.at, pupils_of(kb, facts, question)
    parents = set(parents_of(kb, facts, pupils, day))
    people = sorted({question.actor, question.recipient, *pupils, *parents}, key=str)
    values = {"person": people, "item": [question.item], "date": [day]}
    out: list[Fact] = []
    for pred in kb.vocabulary.predicates.values():
        if pred.asked_of is None:
            continue
        choices = []
        for arg in pred.args:
            role = _QUESTION_ROLES.get(arg.name)
            if role is not None:
                choices.append([getattr(question, role)])
            elif arg.name == "Pupil":
                choices.append(pupils)
            elif arg.type in values:
                choices.append(values[arg.type])
            else:
                choices.append(list(kb.vocabulary.types[arg.type].values or ()))
        enumerated = sum(kb.vocabulary.types[a.type].values is not None for a in pred.args)
        for combo in itertools.product(*choices):
            if not facts.find(pred.name, combo, day):
                out.append((enumerated, Fact(pred.name, tuple(combo), day, END, "hypothetical")))
    # Facts named by the question's own values first; those that pick one code among many last.
    out.sort(key=lambda pair: pair[0])
    return [fact for _, fact in out[:MAX_CANDIDATES]]


def open_questions(kb: KnowledgeBase, facts: FactSet, question, decide_with: Callable,
                   answered: set[str] = frozenset(), limit: int = 6) -> list[dict]:
    """The questions worth asking now, most decisive first; `decide_with(extra_facts)` decides the
    question with extra hypothetical facts added."""
    now = decide_with(()).outcome
    pool = [f for f in candidates(kb, facts.union(question.hypothetical), question)
            if question_id(f) not in answered]
    single, undecided = [], []
    for fact in pool:
        decision = decide_with((fact,))
        (single if decision.outcome != now else undecided).append((fact, decision))
    paired = []
    for (a, _), (b, _) in itertools.combinations(undecided[:PAIR_POOL], 2):
        decision = decide_with((a, b))
        if decision.outcome != now:
            paired += [(a, None, decision), (b, None, decision)]
    shown, seen = [], set()
    names = Names(kb, facts.union(question.hypothetical), question.at)
    for fact, decision, alone in [(f, d, True) for f, d in single] + [(f, d, False) for f, _, d in paired]:
        if question_id(fact) in seen:
            continue
        seen.add(question_id(fact))
        shown.append(_question_json(kb, fact, question, decision, alone, names))
    return shown[:limit]


def _question_json(kb: KnowledgeBase, fact: Fact, question, decision, alone: bool, names: Names) -> dict:
    pred = kb.vocabulary.predicates[fact.predicate]
    asked_of = question.actor if pred.asked_of == "actor" else fact.args[pred.arg_index(pred.asked_of)]
    return {
        "id": question_id(fact), "predicate": fact.predicate, "args": [jsonable(a) for a in fact.args],
        # Asked as a question ("Geeft Elena toestemming om …?"), without the date an answer would carry.
        "text": atom_reading(kb, fact.predicate, _undated(kb, fact), names=names, form="question"),
        "asked_of": jsonable(asked_of),
        "asked_of_name": {lang: names.name("person", asked_of, lang) for lang in LANGS},
        # what a "yes" leads to: alone, or together with one other answer
        "if_yes": {"outcome": decision.outcome, "deciding_rules": list(decision.deciding_rules), "alone": alone},
    }


def _undated(kb: KnowledgeBase, fact: Fact) -> tuple:
    pred = kb.vocabulary.predicates[fact.predicate]
    return tuple(None if arg.type == "date" else value for arg, value in zip(pred.args, fact.args))


def answer_fact(kb: KnowledgeBase, asked: dict, question) -> Fact:
    """The hypothetical fact a "yes" to an asked question stands for."""
    pred = kb.vocabulary.predicates[asked["predicate"]]
    args = tuple(question.at if a.type == "date" else value for a, value in zip(pred.args, asked["args"]))
    return Fact(pred.name, args, question.at, END, "hypothetical")
