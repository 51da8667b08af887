"""The production engine: a materialised model per moment, plus demand evaluation per question.

For a moment, every derived predicate that does not depend on the question (`asked`, `asked_in`)
is computed bottom-up, stratum by stratum (semi-naive within recursive strata), into indexed
relations; the model is cached per moment and shared, read-only, by concurrent questions.

A question is then answered on demand: predicates that depend on the question — and, when the
question brings hypothetical facts, every predicate those facts can reach — are evaluated top-down
for the bound pattern asked, over the materialised relations, and memoised in that question's own
evaluation. Nothing a question adds is ever written into the shared model, so hypothetical facts
cannot leak. Stratification (checked by `kb check`) makes this equal to the stratified model;
the differential tests hold it to pyDatalog's answers.
"""
from __future__ import annotations

import dataclasses
import datetime
import threading
from collections import OrderedDict
from typing import Callable, Iterable, Iterator

from ..facts.model import BEGINNING, END, Fact, FactSet
from ..language.ast import Atom, Negation, Variable
from ..language.knowledge_base import KnowledgeBase
from . import budget
from .base import Context, Engine, Evaluation, Pattern, T
from .batch import BatchPlan
from .plan import BOUND, CONST, FREE, AtomStep, plan
from .relations import Overlay, Relation

QUESTION_PREDICATES = ("asked", "asked_in")
MODEL_CACHE = 4  # moments kept materialised


class Program:
    """The rules analysed once: which predicates depend on what, strata, and join plans."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        vocab = kb.vocabulary
        self.arity = {p.name: p.arity for p in vocab.predicates.values()}
        self.kind = {p.name: p.kind for p in vocab.predicates.values()}
        self.rules = {name: list(rules) for name, rules in kb.by_head.items()}
        self.deps: dict[str, set[str]] = {}
        for rule in kb.rules:
            body = self.deps.setdefault(rule.head.predicate, set())
            for lit in rule.body:
                if isinstance(lit, Atom):
                    body.add(lit.predicate)
                elif isinstance(lit, Negation):
                    body.add(lit.atom.predicate)
        self.strata = [c for c in kb.strata if any(self.kind.get(p) in ("derived", "decision") for p in c)]
        self.stratum_of = {p: i for i, c in enumerate(self.strata) for p in c}
        self.recursive = {p for c in self.strata for p in c
                          if len(c) > 1 or p in self.deps.get(p, ())}
        self.question_dependent = self.depending_on(QUESTION_PREDICATES)
        self._plans: dict[tuple, list] = {}
        self._plan_lock = threading.Lock()

    def depending_on(self, predicates: Iterable[str]) -> set[str]:
        """Every derived predicate that (transitively) depends on one of `predicates`."""
        reached = set(predicates)
        changed = True
        while changed:
            changed = False
            for head, body in self.deps.items():
                if head not in reached and body & reached:
                    reached.add(head)
                    changed = True
        return {p for p in reached if self.kind.get(p) in ("derived", "decision")}

    def plan_for(self, rule, bound: frozenset, size: Callable[[str], int]) -> list:
        key = (id(rule), bound)
        steps = self._plans.get(key)
        if steps is None:
            with self._plan_lock:
                steps = self._plans.get(key) or plan(rule, set(bound), size)
                self._plans[key] = steps
        return steps

    def delta_plan(self, rule, position: int, size: Callable[[str], int]) -> BatchPlan:
        """The batch plan of `rule` with the recursive condition at `position` read from its delta."""
        key = (id(rule), "delta", position)
        compiled = self._plans.get(key)
        if compiled is None:
            lit = rule.body[position]
            body = list(rule.body)
            body[position] = Atom(DELTA + lit.predicate, lit.args, lit.pos)
            renamed = dataclasses.replace(rule, body=tuple(body))
            steps = plan(renamed, set(), lambda name: 0 if name.startswith(DELTA) else size(name))
            compiled = BatchPlan(steps, rule.head.args)
            with self._plan_lock:
                self._plans[key] = compiled
        return compiled

    def batch_plan(self, rule, size: Callable[[str], int]) -> BatchPlan:
        """The set-at-a-time plan of `rule` with nothing bound (for materialising)."""
        key = (id(rule), "batch")
        compiled = self._plans.get(key)
        if compiled is None:
            compiled = BatchPlan(plan(rule, set(), size), rule.head.args)
            with self._plan_lock:
                self._plans[key] = compiled
        return compiled


def _head_row(rule, env: dict) -> tuple:
    return tuple(env[t.name] if isinstance(t, Variable) else t.value for t in rule.head.args)


def join(steps: list, i: int, env: dict, source: Callable[[str], object],
         negated: Callable[[str, tuple], bool]) -> Iterator[dict]:
    """Every extension of `env` satisfying steps[i:], reading relations through `source`."""
    if i == len(steps):
        yield env
        return
    step = steps[i]
    if isinstance(step, AtomStep):
        pattern = tuple(a[1] if a[0] == CONST else env[a[1]] if a[0] == BOUND else None for a in step.args)
        rows = source(step.predicate).match(pattern)
        free = [(n, a[1]) for n, a in enumerate(step.args) if a[0] == FREE]
        for row in rows:
            extended = dict(env)
            ok = True
            for n, name in free:
                value = row[n]
                if extended.setdefault(name, value) != value:  # a variable repeated in the atom
                    ok = False
                    break
            if ok:
                yield from join(steps, i + 1, extended, source, negated)
    elif step.negated is not None:
        args = tuple(a[1] if a[0] == CONST else env[a[1]] for a in step.args)
        if not negated(step.negated, args):
            yield from join(steps, i + 1, env, source, negated)
    elif step.test(env):
        yield from join(steps, i + 1, env, source, negated)


class MomentModel:
    """All question-independent relations on one day, computed bottom-up."""

    def __init__(self, program: Program, facts: FactSet, moment: datetime.date):
        self.program, self.moment = program, moment
        self.relations: dict[str, Relation] = {}
        for name, arity in program.arity.items():
            if program.kind[name] == "input":
                self.relations[name] = Relation(arity, (f.args for f in facts.of(name) if f.valid_on(moment)))
        self.relations["today"] = Relation(1, [(moment,)])
        for stratum in program.strata:
            if stratum & program.question_dependent:
                continue
            evaluate_stratum(program, stratum, self.relations)

    def size(self, name: str) -> int:
        rel = self.relations.get(name)
        return len(rel) if rel is not None else 1

    def changed(self, facts: FactSet, added: list[Fact], removed: list[Fact]) -> "MomentModel":
        """A new model for the changed facts: untouched relations are shared with this one."""
        program, moment = self.program, self.moment
        touched = {f.predicate for f in list(added) + list(removed)}
        model = MomentModel.__new__(MomentModel)
        model.program, model.moment = program, moment
        model.relations = dict(self.relations)
        for name in touched:
            model.relations[name] = Relation(program.arity[name],
                                             (f.args for f in facts.of(name) if f.valid_on(moment)))
        dirty = program.depending_on(touched)
        for stratum in program.strata:
            if stratum & dirty and not stratum & program.question_dependent:
                evaluate_stratum(program, stratum, model.relations)
        return model


    def moved(self, facts: FactSet, bounded: list[Fact], moment: datetime.date) -> "MomentModel":
        """The model of another moment, derived from this one: only the facts whose validity
        differs between the two days (among `bounded`, the facts valid for less than all time) and
        the strata that depend on them or on `today` are computed again."""
        program = self.program
        touched = {f.predicate for f in bounded if f.valid_on(self.moment) != f.valid_on(moment)}
        model = MomentModel.__new__(MomentModel)
        model.program, model.moment = program, moment
        model.relations = dict(self.relations)
        model.relations["today"] = Relation(1, [(moment,)])
        for name in touched:
            model.relations[name] = Relation(program.arity[name],
                                             (f.args for f in facts.of(name) if f.valid_on(moment)))
        dirty = program.depending_on(touched | {"today"})
        for stratum in program.strata:
            if stratum & dirty and not stratum & program.question_dependent:
                evaluate_stratum(program, stratum, model.relations)
        return model


def evaluate_stratum(program: Program, stratum: set[str], relations: dict) -> None:
    """Compute the predicates of one stratum into `relations` (semi-naive if recursive)."""
    size = lambda name: len(relations[name]) if name in relations else 1  # noqa: E731
    for name in stratum:
        relations[name] = Relation(program.arity[name])

    def negated(name: str, args: tuple) -> bool:
        return relations[name].contains(args)

    rules = [rule for name in sorted(stratum) for rule in program.rules.get(name, ())]
    delta: dict[str, Relation] = {name: Relation(program.arity[name]) for name in stratum}
    for rule in rules:  # first round: every rule over the full relations of lower strata
        budget.check()
        new = relations[rule.head.predicate].add_all(program.batch_plan(rule, size).run(relations.__getitem__, negated))
        delta[rule.head.predicate].add_all(new)
    if not (stratum & program.recursive):
        return
    delta_plans = [(rule, delta_name, program.delta_plan(rule, position, size))
                   for rule in rules for position, delta_name in _recursive_occurrences(rule, stratum)]
    while any(len(d) for d in delta.values()):
        new = {name: Relation(program.arity[name]) for name in stratum}

        def source(name: str):
            # Δp is last round's new rows of p; everything else is read whole.
            return delta[name[1:]] if name.startswith(DELTA) else relations[name]

        for rule, delta_name, batch in delta_plans:
            if not len(delta[delta_name]):
                continue
            budget.check()
            new[rule.head.predicate].add_all(batch.run(source, negated) - relations[rule.head.predicate].rows)
        for name in stratum:
            relations[name].add_all(new[name].rows)
        delta = new


DELTA = "\u0394"  # prefix of the delta relation of a recursive predicate in semi-naive plans


def _recursive_occurrences(rule, stratum: set[str]) -> list[tuple[int, str]]:
    return [(position, lit.predicate) for position, lit in enumerate(rule.body)
            if isinstance(lit, Atom) and lit.predicate in stratum]


class DemandEvaluation(Evaluation):
    """One question's evaluation over a shared moment model. Owns every row the question adds."""

    def __init__(self, program: Program, model: MomentModel, context: Context):
        self.context = context
        self.program, self.model = program, model
        self._memo: dict[tuple, Relation] = {}
        self._local: dict[str, object] = {}
        self._context = {name: Relation(program.arity[name]) for name in program.kind
                         if program.kind[name] == "context"}
        for name, args in context.context_facts():
            self._context[name].add(tuple(args))
        self._context["today"] = model.relations["today"]
        extra: dict[str, list] = {}
        for fact in context.hypothetical:
            if fact.valid_on(context.moment):
                extra.setdefault(fact.predicate, []).append(fact.args)
        for name, rows in extra.items():
            self._local[name] = Overlay(model.relations[name], rows)
        self.on_demand = program.question_dependent | program.depending_on(extra)

    # -- the Evaluation interface -----------------------------------------------------------------
    def ask(self, predicate: str, pattern: Pattern) -> list[tuple]:
        if len(pattern) != self.program.arity.get(predicate, -1):
            raise KeyError(f"{predicate}/{len(pattern)} is not in the vocabulary")
        return sorted(set(self.rows(predicate, tuple(pattern))), key=_sort_key)

    def holds(self, predicate: str, args: tuple) -> bool:
        return bool(self.rows(predicate, tuple(args)))

    # -- evaluation ---------------------------------------------------------------------------------
    def rows(self, predicate: str, pattern: tuple):
        return self.source(predicate, pattern).match(pattern)

    def source(self, predicate: str, pattern: tuple | None = None):
        """The relation to read `predicate` from (for on-demand predicates: the answers to `pattern`)."""
        if predicate in self._context:
            return self._context[predicate]
        local = self._local.get(predicate)
        if local is not None:
            return local
        if predicate not in self.on_demand:
            return self.model.relations[predicate]
        if predicate in self.program.recursive:
            return self._whole_stratum(predicate)
        return self._demand(predicate, pattern if pattern is not None else (None,) * self.program.arity[predicate])

    def _demand(self, predicate: str, pattern: tuple) -> Relation:
        key = (predicate, pattern)
        answers = self._memo.get(key)
        if answers is not None:
            return answers
        budget.check()
        answers = Relation(self.program.arity[predicate])
        for rule in self.program.rules.get(predicate, ()):
            env = rule.head.match(pattern)
            if env is None:
                continue
            steps = self.program.plan_for(rule, frozenset(env), self.model.size)
            for solution in join(steps, 0, env, self._source_for_join, self._negated):
                answers.add(_head_row(rule, solution))
        self._memo[key] = answers
        return answers

    def _source_for_join(self, predicate: str):
        return _Demanded(self, predicate)

    def _negated(self, predicate: str, args: tuple) -> bool:
        return bool(self.rows(predicate, args))

    def _whole_stratum(self, predicate: str) -> Relation:
        """A recursive predicate reached by hypothetical facts: recompute its stratum for this question."""
        if predicate not in self._local:
            stratum = self.program.strata[self.program.stratum_of[predicate]]
            relations = _LayeredRelations(self)
            evaluate_stratum(self.program, stratum, relations)
            for name in stratum:
                self._local[name] = relations[name]
        return self._local[predicate]


class _Demanded:
    """Adapter so that `join` reads on-demand predicates with the pattern it is about to match."""

    __slots__ = ("evaluation", "predicate")

    def __init__(self, evaluation: DemandEvaluation, predicate: str):
        self.evaluation, self.predicate = evaluation, predicate

    def match(self, pattern: tuple):
        return self.evaluation.rows(self.predicate, pattern)


class _LayeredRelations(dict):
    """Relations for recomputing a stratum inside one evaluation: new ones local, the rest read through."""

    def __init__(self, evaluation: DemandEvaluation):
        super().__init__()
        self.evaluation = evaluation

    def __missing__(self, name: str):
        whole = self[name] = _Whole(self.evaluation, name)
        return whole


class _Whole:
    """A predicate read whole through the evaluation, as a relation: used only while a recursive
    stratum is recomputed for one question (its rows are gathered once, indexes built on demand)."""

    def __init__(self, evaluation: DemandEvaluation, name: str):
        self.evaluation, self.name = evaluation, name
        self._relation: Relation | None = None

    def _whole(self) -> Relation:
        if self._relation is None:
            arity = self.evaluation.program.arity[self.name]
            self._relation = Relation(arity, self.evaluation.rows(self.name, (None,) * arity))
        return self._relation

    @property
    def rows(self) -> set[tuple]:
        return self._whole().rows

    def index(self, positions: tuple) -> dict:
        return self._whole().index(positions)

    def match(self, pattern: tuple):
        return self.evaluation.rows(self.name, pattern)

    def contains(self, row: tuple) -> bool:
        return bool(self.evaluation.rows(self.name, row))

    def __len__(self) -> int:
        return len(self._whole())


def _sort_key(row: tuple) -> tuple:
    return tuple((type(v).__name__, v) for v in row)


class MaterializedEngine(Engine):
    """Bottom-up materialisation per moment with on-demand evaluation per question."""

    name = "materialized"

    def __init__(self, cache_size: int = MODEL_CACHE):
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._program: Program | None = None
        self._facts = FactSet()
        self._models: OrderedDict[datetime.date, MomentModel] = OrderedDict()
        self._building: dict[datetime.date, threading.Event] = {}
        self._bounded: tuple[FactSet, list[Fact]] | None = None

    def load(self, kb: KnowledgeBase, facts: FactSet) -> None:
        program = Program(kb)
        with self._lock:
            self._program, self._facts = program, facts
            self._models = OrderedDict()

    def update(self, added: list[Fact], removed: list[Fact]) -> None:
        """Apply a fact change. Each cached moment model is replaced by one that shares every
        relation the change cannot reach and recomputes only the strata that depend on it
        (models in use by running questions are never modified)."""
        with self._lock, budget.suspended():  # a committed change is applied whole, never cut off
            self._facts = self._facts.changed(added, removed, self._facts.version)
            self._models = OrderedDict((moment, model.changed(self._facts, added, removed))
                                       for moment, model in self._models.items())

    def model(self, moment: datetime.date) -> MomentModel:
        """The materialised model of a moment (built once, then shared)."""
        with self._lock:
            program, facts = self._program, self._facts
            model = self._models.get(moment)
            if model is not None:
                self._models.move_to_end(moment)
                return model
            # a new moment starts from the most recently used model of the same facts
            nearest = next(reversed(self._models.values()), None)
        built = nearest.moved(facts, self._bounded_facts(facts), moment) if nearest is not None \
            else MomentModel(program, facts, moment)
        with self._lock:
            if self._program is program and self._facts is facts:
                self._models[moment] = built
                while len(self._models) > self._cache_size:
                    self._models.popitem(last=False)
        return built

    def _bounded_facts(self, facts: FactSet) -> list[Fact]:
        """The facts not valid for all time (the only ones that differ between two moments), once
        per fact set."""
        cached = self._bounded
        if cached is None or cached[0] is not facts:
            cached = (facts, [f for f in facts if f.valid_from != BEGINNING or f.valid_until != END])
            self._bounded = cached
        return cached[1]

    def run(self, context: Context, job: Callable[[Evaluation], T]) -> T:
        if self._program is None:
            raise RuntimeError("the engine has no knowledge base loaded")
        model = self.model(context.moment)
        return job(DemandEvaluation(model.program, model, context))
