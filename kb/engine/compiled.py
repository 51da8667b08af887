"""A question's join plans compiled to closures, one per rule and pattern of bound head arguments.

A question's own predicates (those depending on `asked`, and whatever its hypothetical facts
reach) are derived top-down for the pattern asked (demand.py). Interpreting a join plan for each
of them — a dict of bindings copied per row, a generator per condition, the plan looked up by a
set of variable names — cost more than the lookups themselves. Here a rule's plan (plan.py) for
one pattern is turned, once, into a chain of closures over a list of slots: each condition finds
the rows matching what is bound so far (an index probe on the model, or the question's own
answers) and calls the next condition for each; the last hands the head row to a callback. A step
returns True to stop the search, so "does any rule derive this?" stops at the first proof.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from ..language.ast import Constant, Rule
from .plan import BOUND, CONST, FREE, AtomStep, plan
from .terms import by_slot, compile_comparison


class Reader(Protocol):
    """Where compiled rules read their conditions (the question's evaluation)."""

    def rows_at(self, predicate: str, positions: tuple[int, ...], pattern: tuple) -> Iterable[tuple]:
        """The rows of `predicate` matching `pattern`, whose bound places are `positions`."""

    def holds(self, predicate: str, args: tuple) -> bool:
        """Whether the ground atom holds."""


Emit = Callable[[tuple], bool | None]  # receives a head row; True stops the search
Step = Callable[[Reader, list, Emit], bool]

_SET, _SAME_SLOT, _SAME_CONST = 0, 1, 2


class CompiledRule:
    """One rule, for one set of bound head places: `start` binds the head, `run` finds the rows."""

    __slots__ = ("rule_id", "steps", "_head_ops", "_slots", "run")

    def __init__(self, rule: Rule, positions: tuple[int, ...], size: Callable[[str], int]):
        self.rule_id = rule.id
        slots: dict[str, int] = {}
        ops: list[tuple[int, int, Any]] = []
        for position in positions:
            term = rule.head.args[position]
            if isinstance(term, Constant):
                ops.append((position, _SAME_CONST, term.value))
            elif term.name in slots:
                ops.append((position, _SAME_SLOT, slots[term.name]))
            else:
                slots[term.name] = len(slots)
                ops.append((position, _SET, slots[term.name]))
        self._head_ops = tuple(ops)
        self.steps = plan(rule, set(slots), size)  # the join plan (indexes.py reads what it probes)
        compiled_steps = [_prepare(step, slots) for step in self.steps]  # assigns slots in plan order
        head = _builder([(CONST, t.value) if isinstance(t, Constant) else (BOUND, slots[t.name])
                         for t in rule.head.args])

        def emit_head(reader: Reader, env: list, emit: Emit) -> bool:
            return bool(emit(head(env)))

        run: Step = emit_head
        for make in reversed(compiled_steps):
            run = make(run)
        self._slots = len(slots)
        self.run = run

    def start(self, pattern: tuple) -> list | None:
        """The slots with the head's bound places filled from `pattern`; None if it cannot match."""
        env: list = [None] * self._slots
        for position, op, value in self._head_ops:
            given = pattern[position]
            if op == _SET:
                env[value] = given
            elif (env[value] if op == _SAME_SLOT else value) != given:
                return None
        return env


def _builder(parts: list[tuple[int, Any]]) -> Callable[[list], tuple]:
    """A function from the slots to a tuple; parts are (CONST, value), (BOUND, slot) or (FREE, _)."""
    if all(kind == BOUND for kind, _ in parts) and parts:
        slots = [slot for _, slot in parts]
        if len(slots) == 1:
            slot = slots[0]
            return lambda env: (env[slot],)
        return lambda env: tuple([env[s] for s in slots])
    frozen = tuple(parts)
    return lambda env: tuple([value if kind == CONST else env[value] if kind == BOUND else None
                              for kind, value in frozen])


def _prepare(step, slots: dict[str, int]) -> Callable[[Step], Step]:
    """Give the step's new variables their slots (in plan order); return how to build its closure."""
    if isinstance(step, AtomStep):
        parts: list[tuple[int, Any]] = []
        fill: list[tuple[int, int, bool]] = []
        for position, (kind, value) in enumerate(step.args):
            if kind == FREE:
                if value in slots and any(slot == slots[value] for _, slot, _ in fill):
                    fill.append((position, slots[value], True))  # repeated in this atom: must agree
                else:
                    slots[value] = len(slots)
                    fill.append((position, slots[value], False))
                parts.append((FREE, None))
            else:
                parts.append((CONST, value) if kind == CONST else (BOUND, slots[value]))
        positions = tuple(i for i, (kind, _) in enumerate(parts) if kind != FREE)
        return _atom_step(step.predicate, positions, _builder(parts), tuple(fill))
    if step.negated is not None:
        args = _builder([(CONST, v) if k == CONST else (BOUND, slots[v]) for k, v in step.args])
        return _negation_step(step.negated, args)
    return _test_step(compile_comparison(step.comparison, by_slot(slots)))


def _atom_step(predicate: str, positions: tuple[int, ...], pattern_of: Callable[[list], tuple],
               fill: tuple) -> Callable[[Step], Step]:
    def make(then: Step) -> Step:
        if not fill:  # every place bound: a membership test
            def check(reader: Reader, env: list, emit: Emit) -> bool:
                for _ in reader.rows_at(predicate, positions, pattern_of(env)):
                    return then(reader, env, emit)
                return False
            return check
        if all(not repeated for _, _, repeated in fill):
            def each(reader: Reader, env: list, emit: Emit) -> bool:
                for row in reader.rows_at(predicate, positions, pattern_of(env)):
                    for position, slot, _ in fill:
                        env[slot] = row[position]
                    if then(reader, env, emit):
                        return True
                return False
            return each

        def each_checked(reader: Reader, env: list, emit: Emit) -> bool:
            for row in reader.rows_at(predicate, positions, pattern_of(env)):
                for position, slot, repeated in fill:
                    if not repeated:
                        env[slot] = row[position]
                    elif env[slot] != row[position]:
                        break
                else:
                    if then(reader, env, emit):
                        return True
            return False
        return each_checked
    return make


def _negation_step(predicate: str, args_of: Callable[[list], tuple]) -> Callable[[Step], Step]:
    def make(then: Step) -> Step:
        def negation(reader: Reader, env: list, emit: Emit) -> bool:
            return not reader.holds(predicate, args_of(env)) and then(reader, env, emit)
        return negation
    return make


def _test_step(test: Callable[[list], bool]) -> Callable[[Step], Step]:
    def make(then: Step) -> Step:
        def comparison(reader: Reader, env: list, emit: Emit) -> bool:
            return bool(test(env)) and then(reader, env, emit)
        return comparison
    return make
