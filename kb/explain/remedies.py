"""Remedies: the smallest sets of facts a person could bring about that would change a decision.

Candidates come only from why-not trees: missing input facts whose predicate the vocabulary marks
as something a person can bring about (a consent, an agreement, a designation, a request) — for a
refusal, the trees of the stronger outcomes; for a permission, the tree of the blocks (what would
stop it). An act the tree names for a pupil or a parent is tried for each of the pupils and
parents, so that every person whose act would count is found. Open arguments are filled from the
people and values around the question. Every candidate set is then *verified* by deciding the
question again with those facts added hypothetically; only sets that really change the outcome are
returned, and a pair is offered only when no single fact does. `ways` groups the verified acts
that differ only in who performs them ("if Elena or Mila consents …").
"""
from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterable

from ..facts.model import END, Fact, FactSet
from ..language.knowledge_base import KnowledgeBase
from .people import pupils_of
from .terms import LANGS, atom_reading, jsonable

MAX_CANDIDATES = 40
MAX_SIZE = 2
PAIR_POOL = 12  # pairs are sought among the first candidates only: 66 re-decisions at most


def missing_remediable(trees: Iterable[dict], kb: KnowledgeBase, completing: bool = False) -> list[dict]:
    """Every missing-fact failure in the trees whose predicate a person can bring about; and, when
    `completing` (a refusal), every such act already on record inside the proof of a block, with its
    actor left open: a consent that covers one pupil but not the other is completed by the same act
    of another person."""
    found, seen = [], set()

    def add(node) -> None:
        key = (node["predicate"], tuple(map(str, node["args"])))
        if key not in seen:
            seen.add(key)
            found.append(node)

    def walk(node, in_block: bool) -> None:
        if isinstance(node, dict):
            pred = kb.vocabulary.predicates.get(node.get("predicate", ""))
            if pred is not None and pred.brought_about_by:
                if node.get("kind") == "missing-fact":
                    add(node)
                elif completing and in_block and node.get("kind") == "fact":
                    index = pred.arg_index(pred.brought_about_by)
                    add({**node, "args": [*node["args"][:index], None, *node["args"][index + 1:]]})
            for key, value in node.items():
                walk(value, in_block or (key == "proof" and node.get("kind") == "blocked-by"))
        elif isinstance(node, list):
            for value in node:
                walk(value, in_block)

    for tree in trees:
        walk(tree, False)
    return found


def widened(failures: list[dict], kb: KnowledgeBase, acting: list) -> list[dict]:
    """The failures, each act named for one of `acting` (the pupils and their parents) — or for
    nobody in particular — named for each of them instead: whoever of them could perform it."""
    out, seen = [], set()
    for failure in failures:
        pred = kb.vocabulary.predicates[failure["predicate"]]
        index = pred.arg_index(pred.brought_about_by)
        variants = [failure]
        if failure["args"][index] is None or failure["args"][index] in acting:
            variants = [{**failure, "args": [*failure["args"][:index], person, *failure["args"][index + 1:]]}
                        for person in dict.fromkeys([*([failure["args"][index]] if failure["args"][index] else []),
                                                     *acting])]
        for variant in variants:
            key = (variant["predicate"], tuple(map(str, variant["args"])))
            if key not in seen:
                seen.add(key)
                out.append(variant)
    return out


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
                  outcome_now: str, kb: KnowledgeBase, names=None, max_size: int = MAX_SIZE,
                  paired: list[Fact] | None = None) -> list[dict]:
    """Verified remedies: singles that change the outcome, else (up to `max_size`) minimal pairs,
    sought among `paired` (default `candidates`): the same act by another person makes no new pair."""
    remedies = []
    for fact in candidates:
        decision = decide_with((fact,))
        if decision.outcome != outcome_now:
            remedies.append(_remedy((fact,), decision, kb, names))
    if not remedies and max_size >= 2:
        for pair in itertools.combinations((candidates if paired is None else paired)[:PAIR_POOL], 2):
            decision = decide_with(pair)
            if decision.outcome != outcome_now:
                remedies.append(_remedy(pair, decision, kb, names))
    return remedies


def _remedy(facts: tuple[Fact, ...], decision, kb: KnowledgeBase, names=None) -> dict:
    shown = []
    for fact in facts:
        pred = kb.vocabulary.predicates[fact.predicate]
        shown.append({
            "predicate": fact.predicate,
            "args": [jsonable(a) for a in fact.args],
            "from": fact.valid_from.isoformat(),
            "reading": atom_reading(kb, fact.predicate, fact.args, names=names),
            "by": jsonable(fact.args[pred.arg_index(pred.brought_about_by)]),
            "act": pred.remedy,
        })
    return {"facts": shown, "outcome": decision.outcome, "deciding_rules": list(decision.deciding_rules),
            "verified": True}


_OR = {"nl": " of ", "en": " or "}
_PARENTS_OF = {"nl": "{names} (de ouders van {pupil})", "en": "{names} (the parents of {pupil})"}
_ALSO = {"nl": " en als ", "en": " and if "}


def ways(remedies: list[dict], kb: KnowledgeBase, names, parents: dict) -> list[dict]:
    """The verified remedies grouped into ways to change the outcome, each worded as a condition:
    the acts that differ only in who performs them become one ("Elena of Mila (de ouders van
    Sofie) toestemming geeft om …"). `parents`: pupil -> their parents, to name a group of parents."""
    groups: dict[tuple, list[dict]] = {}
    for remedy in remedies:
        facts = remedy["facts"]
        key = tuple((f["predicate"], tuple(None if i == _by_index(kb, f) else a for i, a in enumerate(f["args"])))
                    for f in facts) + (remedy["outcome"],)
        groups.setdefault(key if len(facts) == 1 else (id(remedy),), []).append(remedy)
    out = []
    for members in groups.values():
        first = members[0]
        clauses = []
        order = [*parents, *(p for group in parents.values() for p in group)]  # the pupils, then their parents
        for n, fact in enumerate(first["facts"]):
            by = sorted(dict.fromkeys(m["facts"][n]["by"] for m in members),
                        key=lambda p: order.index(p) if p in order else len(order))
            pred = kb.vocabulary.predicates[fact["predicate"]]
            args = tuple(_value(kb, fact["predicate"], i, a) for i, a in enumerate(fact["args"]))
            who = {lang: _group(by, names, parents, lang) for lang in LANGS}
            clauses.append((atom_reading(kb, fact["predicate"], args, names=names, form="conditional",
                                         given={pred.brought_about_by: who}), by, fact))
        out.append({
            "by": list(dict.fromkeys(b for _, by, _ in clauses for b in by)),
            "if": {lang: _ALSO[lang].join(c[lang] for c, _, _ in clauses) for lang in LANGS},
            "acts": [{"predicate": f["predicate"], "args": [None if i == _by_index(kb, f) else a
                                                             for i, a in enumerate(f["args"])], "act": f["act"]}
                     for _, _, f in clauses],
            "outcome": first["outcome"], "deciding_rules": list(first["deciding_rules"]),
        })
    return out


def _by_index(kb: KnowledgeBase, fact: dict) -> int:
    pred = kb.vocabulary.predicates[fact["predicate"]]
    return pred.arg_index(pred.brought_about_by)


def _value(kb: KnowledgeBase, predicate: str, index: int, value):
    return datetime.date.fromisoformat(value) if kb.vocabulary.predicates[predicate].args[index].type == "date" \
        and value is not None else value


def _group(people: list, names, parents: dict, lang: str) -> str:
    """"Elena of Mila (de ouders van Sofie)": the people who could act, and what they are together."""
    called = [names.name("person", p, lang) if names else str(p) for p in people]
    text = called[0] if len(called) == 1 else ", ".join(called[:-1]) + _OR[lang] + called[-1]
    for pupil, of_pupil in parents.items():
        if len(people) > 1 and set(people) == set(of_pupil):
            pupil_name = names.name("person", pupil, lang) if names else str(pupil)
            return _PARENTS_OF[lang].format(names=text, pupil=pupil_name)
    return text
