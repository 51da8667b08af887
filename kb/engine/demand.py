"""On-demand evaluation of one question over a shared moment model.

Predicates that depend on the question (`asked`, `asked_in`) — and, when the question brings
hypothetical facts, every predicate those facts can reach — are evaluated top-down for the bound
pattern asked, tuple at a time, over the materialised relations, and memoised in the question's
own evaluation. Nothing is written into the shared model, so hypothetical facts cannot leak.
"""
from __future__ import annotations

import weakref
from collections.abc import Iterable

from . import bottom_up, budget
from .base import TODAY, Context, Evaluation, Pattern
from .bottom_up import MomentModel
from .program import Program
from .relations import Overlay, Relation

_NONE: tuple = ()


class DemandEvaluation(Evaluation):
    """One question's evaluation over a shared moment model. Owns every row the question adds."""

    def __init__(self, program: Program, model: MomentModel, context: Context):
        self.context = context
        self.program, self.model = program, model
        self._memo: dict[tuple, set[tuple]] = {}
        # (predicate, row) -> the rules that derived it, in file order (keys of a dict), for every
        # on-demand row: the deciding rules of a decision are read here instead of proved again.
        self._derived_by: dict[tuple, dict[str, None]] = {}
        self._local: dict[str, object] = {}
        # Relations read as they are — the model's that no question changes, then the question's
        # context: the compiled rules probe their indexes directly.
        self._stored: dict[str, Relation] = dict(_stored_of(program, model))
        for name, kind in program.kind.items():
            if kind == "context":
                self._stored[name] = Relation(program.arity[name])
        for name, args in context.context_facts():
            self._stored[name].add(tuple(args))
        self._stored[TODAY] = model.relations[TODAY]
        extra: dict[str, list] = {}
        for fact in context.hypothetical:
            if fact.valid_on(context.moment):
                extra.setdefault(fact.predicate, []).append(fact.args)
        for name, rows in extra.items():
            self._local[name] = Overlay(model.relations[name], rows)
        self.on_demand = program.question_dependent
        if extra:
            self.on_demand = self.on_demand | program.depending_on(extra)
            for name in self.on_demand | set(extra):
                self._stored.pop(name, None)

    # -- the Evaluation interface -----------------------------------------------------------------
    def ask(self, predicate: str, pattern: Pattern) -> list[tuple]:
        if len(pattern) != self.program.arity.get(predicate, -1):
            raise KeyError(f"{predicate}/{len(pattern)} is not in the vocabulary")
        return sorted(set(self.rows(predicate, tuple(pattern))), key=_sort_key)

    def holds(self, predicate: str, args: tuple) -> bool:
        stored = self._stored.get(predicate)
        if stored is not None:
            return tuple(args) in stored.rows
        return bool(self.rows(predicate, tuple(args)))

    def deriving_rules(self, predicate: str, args: tuple) -> tuple[str, ...]:
        args = tuple(args)
        if not self.rows(predicate, args):
            return ()
        derived_by = self._derived_by.get((predicate, args))
        if derived_by is not None:
            return tuple(derived_by)
        # A materialised (or recomputed) row: each rule is asked for one proof, its head bound.
        found = []
        for compiled in self.program.compiled(predicate, tuple(range(len(args))), self.model.size):
            env = compiled.start(args)
            if env is not None and compiled.run(self, env, _first):
                found.append(compiled.rule_id)
        return tuple(found)

    # -- evaluation ---------------------------------------------------------------------------------
    def rows(self, predicate: str, pattern: tuple) -> Iterable[tuple]:
        """The rows of `predicate` matching `pattern` (None = open) in this question's model."""
        stored = self._stored.get(predicate)
        if stored is not None:
            return stored.match(pattern)
        local = self._local.get(predicate)
        if local is not None:
            return local.match(pattern)  # type: ignore[attr-defined]
        if predicate in self.on_demand:
            if predicate in self.program.recursive:
                return self._whole_stratum(predicate).match(pattern)  # type: ignore[attr-defined]
            return self._demand(predicate, pattern)
        return self.model.relations[predicate].match(pattern)

    def rows_at(self, predicate: str, positions: tuple[int, ...], pattern: tuple) -> Iterable[tuple]:
        """`rows` for a compiled rule, which knows the bound places: a stored relation is probed
        through its index without working out the places again."""
        stored = self._stored.get(predicate)
        if stored is None:
            return self.rows(predicate, pattern)
        if not positions:
            return stored.rows
        if len(positions) == stored.arity:
            return (pattern,) if pattern in stored.rows else _NONE
        key = (pattern[positions[0]],) if len(positions) == 1 else tuple([pattern[i] for i in positions])
        return stored.index(positions).get(key, _NONE)

    def _demand(self, predicate: str, pattern: tuple) -> set[tuple]:
        key = (predicate, pattern)
        known = self._memo.get(key)
        if known is not None:
            return known
        budget.check()
        answers: set[tuple] = set()
        derived_by = self._derived_by
        rows: list[tuple] = []
        for compiled in self.program.compiled(predicate, tuple(i for i, v in enumerate(pattern) if v is not None),
                                              self.model.size):
            env = compiled.start(pattern)
            if env is None:
                continue
            compiled.run(self, env, rows.append)  # append returns None: go on to every row
            for row in rows:
                answers.add(row)
                derived_by.setdefault((predicate, row), {})[compiled.rule_id] = None
            rows.clear()
        self._memo[key] = answers
        return answers

    def _whole_stratum(self, predicate: str) -> object:
        """A recursive predicate reached by hypothetical facts: recompute its stratum for this question."""
        if predicate not in self._local:
            stratum = self.program.strata[self.program.stratum_of[predicate]]
            relations = _LayeredRelations(self)
            bottom_up.evaluate_stratum(self.program, stratum, relations)
            for name in stratum:
                self._local[name] = relations[name]
        return self._local[predicate]


_STORED: weakref.WeakKeyDictionary[MomentModel, dict[str, Relation]] = weakref.WeakKeyDictionary()


def _stored_of(program: Program, model: MomentModel) -> dict[str, Relation]:
    """The model's relations that a question reads as they are (built once per model)."""
    stored = _STORED.get(model)
    if stored is None:
        stored = _STORED[model] = {name: relation for name, relation in model.relations.items()
                                   if name not in program.question_dependent}
    return stored


def _first(row: tuple) -> bool:
    """A compiled rule's callback when one proof is enough."""
    return True


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
