"""On-demand evaluation of one question over a shared moment model.

Predicates that depend on the question (`asked`, `asked_in`) — and, when the question brings
hypothetical facts, every predicate those facts can reach — are evaluated top-down for the bound
pattern asked, tuple at a time, over the materialised relations, and memoised in the question's
own evaluation. Nothing is written into the shared model, so hypothetical facts cannot leak.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

from ..language.ast import Variable
from . import bottom_up, budget
from .base import Context, Evaluation, Pattern
from .bottom_up import MomentModel
from .plan import BOUND, CONST, FREE, AtomStep
from .program import Program
from .relations import Overlay, Relation


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
            bottom_up.evaluate_stratum(self.program, stratum, relations)
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
