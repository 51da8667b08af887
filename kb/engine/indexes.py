"""The hash indexes that questions read a moment model through, found from the rules and built
with the model.

A relation builds an index per pattern of bound positions on first use (relations.py). At region
size (~1M facts) a first use costs up to half a second, and an explanation reads many patterns
that a decision never does, so the first explanations after a model is built would pay for them.
The patterns are knowable from the rules, so `build_read_indexes` builds them with the model.

Who reads a model tuple at a time, and under which bound positions:
- the demand evaluator (demand.py), joining the question-dependent rules by the plans of
  program.py, for the bound patterns the question asks;
- proofs and rule instances (kb/reasoning/instances.py, kb/explain/why.py): a rule whose head is
  ground, its positive conditions read in `evaluation_order`, each binding its variables;
- why-nots (kb/explain/why_not.py): the same order, but a condition with no matching row stays
  failed and leaves its variables open, and a failed derived condition is explained in turn with
  the variables bound once the rule's walk ends.
The questions start from a decision's and an explanation's own asks: each outcome, its reasons, the
block and whether the actor may disclose, for (actor, recipient, item) bound; what is withheld
from a reader, for (reader, item) bound. The search over-approximates (it ignores depth limits and
whether a row can exist), so it may build an index no question reads, never miss one a question
reads (tests/test_read_indexes.py holds that over explanations).
"""
from __future__ import annotations

import gc
from collections.abc import Callable

from ..language.ast import Atom, Comparison, Constant, Negation, Rule, Variable
from ..language.vocabulary import OUTCOMES
from .plan import BOUND, CONST, AtomStep
from .program import Program

Positions = frozenset[int]

_PATTERNS: dict[str, set[tuple[str, tuple[int, ...]]]] = {}  # rules version -> patterns
_RULE_SETS_KEPT = 8


def evaluation_order(rule: Rule) -> list:
    """Positive conditions first (they bind), then comparisons and negations (they test)."""
    return ([lit for lit in rule.body if isinstance(lit, Atom)]
            + [lit for lit in rule.body if isinstance(lit, Comparison)]
            + [lit for lit in rule.body if isinstance(lit, Negation)])


def build_read_indexes(model) -> None:
    """Build on `model`'s relations every index the questions read them through (those present,
    e.g. shared with the model this one was derived from, are kept)."""
    # Per rule set, not per program: every engine loaded with the same rules (a dry-run reload
    # loads two for each of 200 scenarios) reads through the same patterns. They were derived with
    # the first model's sizes ordering the joins; another fact base's plans may read through an
    # index not among them, which is then built on first use, as before.
    version = model.program.kb.version
    patterns = _PATTERNS.get(version)
    if patterns is None:
        patterns = _PATTERNS[version] = read_patterns(model.program, model.size)
        while len(_PATTERNS) > _RULE_SETS_KEPT:
            del _PATTERNS[next(iter(_PATTERNS))]
    # The indexes add millions of lists at region size, none of which can be part of a cycle; with
    # the cyclic collector on, their allocation triggers full collections that walk the whole
    # model again and again (~40 % of the build's time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for name, positions in patterns:
            relation = model.relations.get(name)
            if relation is not None:
                relation.index(positions)
    finally:
        if collecting:
            gc.enable()


def read_patterns(program: Program, size: Callable[[str], int]) -> set[tuple[str, tuple[int, ...]]]:
    """(relation, bound positions) for every index of a materialised relation that a decision or
    an explanation can read (positions neither empty nor all: those need no index)."""
    return _Search(program, size).run()


class _Search:
    def __init__(self, program: Program, size: Callable[[str], int]):
        self.program, self.size = program, size
        self.found: set[tuple[str, tuple[int, ...]]] = set()
        self.seen: set[tuple] = set()
        self.todo: list[tuple] = []

    def run(self) -> set[tuple[str, tuple[int, ...]]]:
        roles, arity = self.program.kb.roles, self.program.arity
        question = {roles.outcome(o) for o in OUTCOMES}
        question |= {r for reasons in roles.reasons.values() for r in reasons} | {roles.block, roles.may_disclose}
        for name in sorted(question & set(arity)):
            full = frozenset(range(arity[name]))
            self.todo += [("ask", name, full), ("prove", name, full), ("why_not", name, full)]
        if roles.withheld_from in arity:
            self.todo += [("ask", roles.withheld_from, frozenset({0, 1})),
                          ("prove", roles.withheld_from, frozenset(range(arity[roles.withheld_from])))]
        while self.todo:
            task = self.todo.pop()
            if task in self.seen:
                continue
            self.seen.add(task)
            kind, name, bound = task
            getattr(self, "_" + kind)(name, bound)
        return self.found

    def _push(self, kind: str, name: str, bound: Positions) -> None:
        if (kind, name, bound) not in self.seen:
            self.todo.append((kind, name, bound))

    def _ask(self, name: str, bound: Positions) -> None:
        """A read of `name` with `bound` positions: an index of the model, or a demanded join."""
        program = self.program
        if name in program.question_dependent:
            for compiled in program.compiled(name, tuple(sorted(bound)), self.size):
                for step in compiled.steps:
                    if isinstance(step, AtomStep):
                        at = frozenset(i for i, a in enumerate(step.args) if a[0] in (CONST, BOUND))
                        self._push("ask", step.predicate, at)
                    elif step.negated is not None:
                        self._push("ask", step.negated, frozenset(range(len(step.args))))
        elif name in program.kind and program.kind[name] != "context" and 0 < len(bound) < program.arity[name]:
            self.found.add((name, tuple(sorted(bound))))

    def _prove(self, name: str, bound: Positions) -> None:
        """Instances of rules concluding a ground atom of `name`, and the proofs of their conditions."""
        for rule in self.program.rules.get(name, ()):
            variables = set(_bound_variables(rule.head, bound))
            for lit in evaluation_order(rule):
                if isinstance(lit, Atom):
                    self._push("ask", lit.predicate, _positions(lit, variables))
                    variables |= set(lit.variables())
                    self._push("prove", lit.predicate, frozenset(range(len(lit.args))))
                elif isinstance(lit, Negation):
                    full = frozenset(range(len(lit.atom.args)))
                    self._push("ask", lit.atom.predicate, full)
                    self._push("why_not", lit.atom.predicate, full)  # an absent atom's short why-not

    def _why_not(self, name: str, bound: Positions) -> None:
        """The closest-instance search of each rule concluding `name`, every condition either
        matching (binding its variables) or failing (leaving them open)."""
        for rule in self.program.rules.get(name, ()):
            order = evaluation_order(rule)
            atoms = [lit for lit in order if isinstance(lit, Atom)]
            tests = [lit for lit in order if isinstance(lit, Negation)]
            self._walk(atoms, tests, 0, frozenset(_bound_variables(rule.head, bound)), ())

    def _walk(self, atoms: list, tests: list, i: int, variables: frozenset, failed: tuple) -> None:
        if i == len(atoms):
            for lit in tests:
                if set(lit.variables()) <= variables:
                    full = frozenset(range(len(lit.atom.args)))
                    self._push("ask", lit.atom.predicate, full)
                    self._push("prove", lit.atom.predicate, full)  # a block is shown with its proof
            for lit in failed:
                if self.program.kind.get(lit.predicate) not in ("input", "context"):
                    self._push("why_not", lit.predicate, _positions(lit, variables))
            return
        lit = atoms[i]
        self._push("ask", lit.predicate, _positions(lit, variables))
        self._walk(atoms, tests, i + 1, variables | set(lit.variables()), failed)
        self._walk(atoms, tests, i + 1, variables, failed + (lit,))


def _bound_variables(head: Atom, bound: Positions) -> list[str]:
    return [t.name for i, t in enumerate(head.args) if i in bound and isinstance(t, Variable)]


def _positions(atom: Atom, variables) -> Positions:
    """The positions of `atom` that have a value once `variables` are bound."""
    return frozenset(i for i, t in enumerate(atom.args)
                     if isinstance(t, Constant) or (isinstance(t, Variable) and t.name in variables))
