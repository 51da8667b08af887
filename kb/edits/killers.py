"""Scenarios that kill surviving mutants, found by search (`kb mutate --suggest DIR`).

A survivor means that no scenario tells the mutated rule from the rule as written. Starting from
the scenarios in whose model the rule fires, the search tries small edits of a scenario — one fact
left out, one fact with an argument replaced by another value of its type (or a new one), a copy
of a fact with one argument replaced, the question asked about another person or item — and, from
the edits under which the mutated rule concludes something else than the rule as written, a second
edit, until the rules as written and the mutant decide differently.

A suggestion is a scenario file whose expectation is what the rules *as written* decide. It is a
proposal to a legal expert, not a test yet: they confirm the decision is right in law (or have found
a wrong rule), rename it and move it into fixtures/scenarios.
"""
from __future__ import annotations

import dataclasses
import datetime
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

import yaml

from ..decide import Decision, DecisionError, Question, decide_in, validate_question
from ..engine.indexes import evaluation_order
from ..engine.materialized import MaterializedEngine
from ..facts.model import BEGINNING, END, Fact, FactSet
from ..language.ast import Atom, Negation, Rule
from ..language.knowledge_base import KnowledgeBase
from ..paths import display_path
from ..reasoning.instances import ground, solve
from ..scenarios import WITHHELD, Scenario
from .mutants import Mutant
from .mutation import mutated_knowledge_base, scenario_fails

TRIES = 1500  # candidate scenarios judged per mutant and phase before giving up
SECONDS = 30.0  # and the time one mutant's search may take
SECOND_EDITS_FROM = 12  # first edits that infect the rule, each tried with a second edit


@dataclass(frozen=True)
class Edit:
    """A candidate: the base scenario's facts and question after one or two small edits."""

    facts: tuple[Fact, ...]
    question: Question
    steps: tuple[str, ...]  # what was changed, in words, for the suggestion's description


@dataclass(frozen=True)
class Suggestion:
    mutant: Mutant
    base: Scenario
    edit: Edit
    expect: dict

    def as_yaml(self) -> str:
        """The scenario file, with the rules' current decision as its expectation."""
        q = self.edit.question
        question = {"actor": q.actor, "recipient": q.recipient, "item": q.item, "at": q.at}
        if q.setting != "conversation":
            question["setting"] = q.setting
        data = {
            "name": f"{self.mutant.rule_id} — {'; '.join(self.edit.steps)}",
            "statement": self.mutant.rule_id.split(".")[0],
            "description": (f"Found by `kb mutate --suggest` from {display_path(self.base.path)}, after: "
                            f"{'; '.join(self.edit.steps)}. The rules as written decide "
                            f"{self.expect['outcome']} by {self.expect['rule']}; the mutant "
                            f"`{self.mutant.key}` does not."),
            "facts": [_fact_data(f) for f in self.edit.facts],
            "question": question,
            "expect": self.expect,
        }
        if q.hypothetical:
            data["hypothetical"] = [_fact_data(f) for f in q.hypothetical]
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None, width=110)


def _fact_data(fact: Fact) -> dict:
    data: dict = {fact.predicate: list(fact.args)}
    if fact.valid_from != BEGINNING:
        data["from"] = fact.valid_from
    if fact.valid_until != END:
        data["until"] = fact.valid_until
    return data


class KillerSearch:
    """The search for one knowledge base; `suggest(mutant, bases)` for each survivor."""

    def __init__(self, kb: KnowledgeBase, tries: int = TRIES, seconds: float = SECONDS):
        self.kb = kb
        self.tries = tries  # candidates judged per phase (one edit, then two) before giving up
        self.seconds = seconds
        self.engine = MaterializedEngine(cache_size=1)  # keeps the analysis of the rules as written

    def suggest(self, mutant: Mutant, bases: list[Scenario]) -> Suggestion | None:
        """A scenario that the rules as written pass and the mutant fails, or None within the tries."""
        mutated_kb = mutated_knowledge_base(self.kb, mutant)
        mutant_engine = MaterializedEngine(cache_size=1)
        deadline = time.monotonic() + self.seconds
        infecting: list[tuple[Scenario, Edit]] = []
        first_edits = _interleave([((base, edit) for edit in self._edits(Edit(tuple(base.facts), base.question, ()),
                                                                          mutant)) for base in bases])
        for base, edit in islice(first_edits, self.tries):
            found, infected = self._judge(mutant, mutated_kb, mutant_engine, base, edit)
            if found is not None or time.monotonic() > deadline:
                return found
            if infected and len(infecting) < SECOND_EDITS_FROM:
                infecting.append((base, edit))
        second_edits = _interleave([((base, edit) for edit in self._edits(first, mutant))
                                    for base, first in infecting])
        for base, edit in islice(second_edits, self.tries):
            found, _ = self._judge(mutant, mutated_kb, mutant_engine, base, edit)
            if found is not None or time.monotonic() > deadline:
                return found
        return None

    def _judge(self, mutant: Mutant, mutated_kb: KnowledgeBase, mutant_engine: MaterializedEngine,
               base: Scenario, edit: Edit) -> tuple[Suggestion | None, bool]:
        facts = FactSet(edit.facts)
        written = _decide(self.kb, self.engine, facts, edit.question, mutant)
        if written is None:
            return None, False
        decision, withheld, infected = written
        if not infected:  # the mutated rule concludes what the rule does here: nothing to tell apart
            return None, False
        mutated = _decide(mutated_kb, mutant_engine, facts, edit.question, None)
        if mutated is not None and _verdict(mutated[0], mutated[1]) == _verdict(decision, withheld):
            return None, infected
        for expect in _expectations(decision, withheld, mutated):
            scenario = Scenario("suggested", "suggested", "", facts, edit.question, expect)
            if not scenario_fails(scenario, self.kb, self.engine) and \
                    scenario_fails(scenario, mutated_kb, mutant_engine):
                return Suggestion(mutant, base, edit, expect), infected
        return None, infected

    def _edits(self, start: Edit, mutant: Mutant) -> Iterator[Edit]:
        """One small edit of `start`: facts of the mutated rule's predicates first."""
        vocab = self.kb.vocabulary
        facts = list(start.facts)
        q = start.question
        values = _values_by_type(FactSet(facts), q, vocab)
        touched = _predicates_near(mutant.original, self.kb)
        order = sorted(range(len(facts)), key=lambda i: facts[i].predicate not in touched)
        for i in order:
            # an item about no one is no question the rules answer (nor one a reader's page can name)
            if facts[i].predicate != self.kb.roles.item_subject or facts[i].args[0] != q.item:
                yield Edit(tuple(facts[:i] + facts[i + 1:]), q, start.steps + (f"without {facts[i]}",))
        for i in order:
            fact = facts[i]
            arguments = vocab.predicates[fact.predicate].args
            for position, argument in enumerate(arguments):
                for value in values.get(argument.type, ()):
                    if value == fact.args[position]:
                        continue
                    args = fact.args[:position] + (value,) + fact.args[position + 1:]
                    changed = dataclasses.replace(fact, args=args)
                    if fact.predicate != self.kb.roles.item_subject or fact.args[0] != q.item:
                        yield Edit(tuple(facts[:i] + [changed] + facts[i + 1:]), q,
                                   start.steps + (f"{changed} instead of {fact}",))
                    yield Edit(tuple(facts + [changed]), q, start.steps + (f"also {changed}",))
        for name in sorted(touched):
            predicate = vocab.predicates.get(name)
            if predicate is None or predicate.kind != "input" or any(f.predicate == name for f in facts):
                continue
            for args in _instances(predicate, values):
                fact = Fact(name, args)
                yield Edit(tuple(facts + [fact]), q, start.steps + (f"also {fact}",))
        for role in ("actor", "recipient", "item"):
            kind = "item" if role == "item" else "person"
            for value in values.get(kind, ()):
                asked = dataclasses.replace(q, **{role: value})
                # telling oneself is no disclosure: a scenario asking it would pin nothing of the law
                if value != getattr(q, role) and asked.actor != asked.recipient:
                    yield Edit(tuple(facts), asked, start.steps + (f"the {role} {value}",))


def _verdict(decision: Decision, withheld: list) -> tuple:
    """What a scenario can check of a decision (its rule set's version aside)."""
    return (decision.outcome, decision.deciding_rules, decision.conditions, decision.may_disclose, withheld)


def _interleave(iterators: list[Iterator]) -> Iterator:
    """Round robin over the iterators: each base scenario gets its turn."""
    active = list(iterators)
    while active:
        for it in list(active):
            item = next(it, None)
            if item is None:
                active.remove(it)
            else:
                yield item


def _decide(kb: KnowledgeBase, engine: MaterializedEngine, facts: FactSet, question: Question,
            mutant: Mutant | None) -> tuple[Decision, list, bool] | None:
    """The decision, what is withheld from whom, and (given the mutant) whether the mutated rule
    concludes otherwise than the rule as written in this model; None when it cannot be decided."""
    engine.load(kb, facts)
    try:
        validate_question(question, kb, facts)
    except DecisionError:
        return None

    def job(ev):
        decision = decide_in(ev, kb, question, facts.version)
        withheld = sorted([reader, part] for reader, _, part in
                          ev.ask(kb.roles.withheld_from, (None, question.item, None)))
        infected = mutant is not None and _conclusions(ev, mutant.original) != _conclusions(ev, mutant.mutated)
        return decision, withheld, infected
    try:
        return engine.run(question.context(), job)
    except Exception:  # a mutant may make the decision rules give two outcomes
        return None


def _conclusions(ev, rule: Rule | None) -> set[tuple]:
    if rule is None:
        return set()
    return {ground(rule.head, bindings) for bindings in solve(ev, evaluation_order(rule), {})}


def _expectations(decision: Decision, withheld: list, mutated) -> Iterator[dict]:
    """Expectations pinning the rules' decision, the most telling first."""
    base: dict = {"outcome": str(decision.outcome)}
    if decision.conditions or (mutated is not None and mutated[0].conditions != decision.conditions):
        base["conditions"] = [c.id for c in decision.conditions]
    if mutated is not None and mutated[1] != withheld:
        base[WITHHELD] = withheld
    others = set(mutated[0].deciding_rules) if mutated is not None else set()
    for rule in sorted(decision.deciding_rules, key=lambda r: r in others):
        yield {**base, "rule": rule}


def _values_by_type(facts: FactSet, question: Question, vocab) -> dict[str, list]:
    """Every value of each type the scenario mentions, enumerated types' values, and a fresh value
    of every other named type: the values an edit may put in a fact's place."""
    found = {name: set(values) for name, values in facts.entities(vocab).items()}
    found.setdefault("person", set()).update({question.actor, question.recipient})
    found.setdefault("item", set()).add(question.item)
    for name, kind in vocab.types.items():
        if kind.values:
            found.setdefault(name, set()).update(kind.values)
        elif name in found and not any(isinstance(v, datetime.date | int) for v in found[name]):
            found[name].add(f"another_{name}")  # a value the scenario does not mention yet
    return {name: sorted(values, key=str) for name, values in found.items()}


def _predicates_near(rule: Rule, kb: KnowledgeBase) -> set[str]:
    """The predicates of the rule's body, and those of the rules concluding them, two levels down."""
    near: set[str] = set()
    frontier = {p for p in map(_predicate_of, rule.body) if p}
    for _ in range(2):
        frontier -= near
        near |= frontier
        frontier = {p for name in frontier for r in kb.by_head.get(name, ()) for p in map(_predicate_of, r.body) if p}
    return near | frontier


def _predicate_of(literal) -> str | None:
    """The predicate a condition reads (a comparison reads none)."""
    if isinstance(literal, Atom):
        return literal.predicate
    if isinstance(literal, Negation):
        return literal.atom.predicate
    return None


def _instances(predicate, values: dict[str, list]) -> Iterator[tuple]:
    """Facts of a predicate the scenario lacks, built from the scenario's values (bounded)."""
    choices = [values.get(a.type, []) for a in predicate.args]
    if not all(choices) or any(isinstance(c[0], datetime.date) for c in choices):
        return
    count = 0

    def build(prefix: tuple, rest: list) -> Iterator[tuple]:
        nonlocal count
        if not rest:
            count += 1
            yield prefix
            return
        for value in rest[0]:
            if count >= 60:
                return
            yield from build(prefix + (value,), rest[1:])
    yield from build((), choices)


BASES = 6  # scenarios an edit starts from, per mutant


def bases_for(mutant: Mutant, scenarios: list[Scenario], exercising: dict[str, list[Scenario]]) -> list[Scenario]:
    """The scenarios to start from: those in whose model the rule fires, then those of its statement."""
    chosen = list(exercising.get(mutant.rule_id, []))[:BASES]
    family = mutant.rule_id.split(".")[0]
    chosen += [s for s in scenarios if s.statement == family and s not in chosen][:BASES - len(chosen)]
    return chosen


_SEARCH: tuple[KillerSearch, list[Mutant], list[list[Scenario]]] | None = None


def _suggest(index: int) -> Suggestion | None:
    assert _SEARCH is not None
    search, survivors, bases = _SEARCH
    return search.suggest(survivors[index], bases[index])


def suggest_killers(kb: KnowledgeBase, scenarios: list[Scenario], survivors: list[Mutant],
                    jobs: int = 1, seconds: float = SECONDS) -> Iterator[tuple[int, Suggestion | None]]:
    """For each survivor (by its index), a suggested scenario that kills it or None, over `jobs`
    processes, yielded as each search ends (a search that finds nothing takes longest)."""
    global _SEARCH
    from .exercise import scenarios_exercising
    exercising = scenarios_exercising(kb, scenarios)
    _SEARCH = (KillerSearch(kb, seconds=seconds), survivors, [bases_for(m, scenarios, exercising) for m in survivors])
    try:
        if jobs == 1 or len(survivors) < 2:
            yield from ((i, _suggest(i)) for i in range(len(survivors)))
            return
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            yield from pool.imap_unordered(_numbered, range(len(survivors)))
    finally:
        _SEARCH = None


def _numbered(index: int) -> tuple[int, Suggestion | None]:
    return index, _suggest(index)
