"""The rules analysed once for the materialised engine: what depends on what (the checker's
dependency graph), the strata, which predicates are recursive or depend on the question, and the
join plans, cached per rule and binding pattern.
"""
from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable

from ..language.ast import Atom
from ..language.checks import dependency_graph, depending_on
from ..language.knowledge_base import KnowledgeBase
from .base import QUESTION, SETTING
from .batch import BatchPlan
from .compiled import CompiledRule
from .locality import why_not_question_local
from .plan import plan

QUESTION_PREDICATES = (QUESTION, SETTING)
DELTA = "\u0394"  # prefix of the delta relation of a recursive predicate in semi-naive plans


class Program:
    """The rules analysed once: which predicates depend on what, strata, and join plans."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        vocab = kb.vocabulary
        self.arity = {p.name: p.arity for p in vocab.predicates.values()}
        self.kind = {p.name: p.kind for p in vocab.predicates.values()}
        self.rules = {name: list(rules) for name, rules in kb.by_head.items()}
        # the checker's predicate graph (kb check stratifies the same graph)
        self.graph = dependency_graph(kb.rules)
        self.strata = [c for c in kb.strata if any(self.kind.get(p) in ("derived", "decision") for p in c)]
        self.stratum_of = {p: i for i, c in enumerate(self.strata) for p in c}
        self.recursive = {p for c in self.strata for p in c
                          if len(c) > 1 or (p, False) in self.graph.get(p, ()) or (p, True) in self.graph.get(p, ())}
        self.question_dependent = self.depending_on(QUESTION_PREDICATES)
        # Whether many questions can be answered at once (locality.py): '' when they can.
        self.not_question_local = why_not_question_local(self.rules, self.strata, self.question_dependent,
                                                         self.recursive)
        self._plans: dict[tuple, list] = {}
        self._plan_lock = threading.Lock()

    def depending_on(self, predicates: Iterable[str]) -> set[str]:
        """Every derived predicate that (transitively) depends on one of `predicates`."""
        return {p for p in depending_on(self.graph, predicates) if self.kind.get(p) in ("derived", "decision")}

    def compiled(self, predicate: str, positions: tuple[int, ...],
                 size: Callable[[str], int]) -> tuple[CompiledRule, ...]:
        """The rules of `predicate` compiled for a question binding the head places `positions` (cached)."""
        key = (predicate, positions)
        compiled = self._plans.get(key)
        if compiled is None:
            with self._plan_lock:
                compiled = self._plans.get(key) or tuple(CompiledRule(rule, positions, size)
                                                         for rule in self.rules.get(predicate, ()))
                self._plans[key] = compiled
        return compiled

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
