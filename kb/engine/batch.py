"""Set-at-a-time evaluation of a join plan, for materialising whole relations.

A plan's variables get slots in the order they are bound; a partial result is a list of binding
tuples; each step maps the whole list to the next one with index lookups (dict access in C), so
the inner loops do not pay for a Python generator per binding. Used for the bottom-up model;
questions use the tuple-at-a-time `join`, which stops at the first answers needed.
"""
from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter

from ..language.ast import Constant
from .plan import BOUND, CONST, AtomStep
from .terms import by_slot, compile_comparison


def _getter(parts: list[tuple]) -> Callable[[tuple], tuple]:
    """A function from a binding tuple to a key tuple; parts are (CONST, value) or (BOUND, slot)."""
    if all(kind == BOUND for kind, _ in parts):
        slots = [slot for _, slot in parts]
        if len(slots) == 1:
            slot = slots[0]
            return lambda b: (b[slot],)
        getter = itemgetter(*slots)
        return getter
    frozen = [(kind == CONST, value) for kind, value in parts]
    return lambda b: tuple(value if const else b[value] for const, value in frozen)


class BatchPlan:
    """A join plan compiled to slot positions, producing head rows for a whole relation at once."""

    def __init__(self, steps: list, head_args: tuple):
        self.slots: dict[str, int] = {}
        self.ops: list[tuple] = []
        for step in steps:
            if isinstance(step, AtomStep):
                self._atom(step)
            elif step.negated is not None:
                parts = [(CONST, v) if k == CONST else (BOUND, self.slots[v]) for k, v in step.args]
                self.ops.append(("not", step.negated, _getter(parts)))
            else:
                self.ops.append(("test", compile_comparison(step.comparison, by_slot(self.slots))))
        self.head = _getter([(CONST, t.value) if isinstance(t, Constant) else (BOUND, self.slots[t.name])
                             for t in head_args])

    def _atom(self, step: AtomStep) -> None:
        positions, key_parts, new_positions, checks = [], [], [], []
        first_at: dict[str, int] = {}
        for position, (kind, value) in enumerate(step.args):
            if kind == CONST:
                positions.append(position)
                key_parts.append((CONST, value))
            elif kind == BOUND:
                positions.append(position)
                key_parts.append((BOUND, self.slots[value]))
            elif value in first_at:  # the same new variable twice in one atom
                checks.append((first_at[value], position))
            else:
                first_at[value] = position
                new_positions.append(position)
        for name, _ in sorted(first_at.items(), key=lambda kv: kv[1]):
            self.slots[name] = len(self.slots)
        self.ops.append(("atom", step.predicate, tuple(positions), _getter(key_parts) if positions else None,
                         tuple(new_positions), tuple(checks)))

    def run(self, source: Callable[[str], object], contains: Callable[[str, tuple], bool]) -> set[tuple]:
        rows: list[tuple] = [()]
        for op in self.ops:
            if not rows:
                return set()
            kind = op[0]
            if kind == "atom":
                _, predicate, positions, key, new_positions, checks = op
                relation = source(predicate)
                extend = _extender(new_positions)
                if key is None:
                    matches = [r for r in relation.rows if all(r[a] == r[b] for a, b in checks)] if checks \
                        else list(relation.rows)
                    rows = [b + extend(r) for b in rows for r in matches]
                else:
                    index = relation.index(positions)
                    empty: tuple = ()
                    if checks:
                        rows = [b + extend(r) for b in rows for r in index.get(key(b), empty)
                                if all(r[x] == r[y] for x, y in checks)]
                    else:
                        rows = [b + extend(r) for b in rows for r in index.get(key(b), empty)]
            elif kind == "not":
                _, predicate, key = op
                rows = [b for b in rows if not contains(predicate, key(b))]
            else:
                test = op[1]
                rows = [b for b in rows if test(b)]
        head = self.head
        return {head(b) for b in rows}


def _extender(positions: tuple) -> Callable[[tuple], tuple]:
    if not positions:
        return lambda r: ()
    if len(positions) == 1:
        p = positions[0]
        return lambda r: (r[p],)
    getter = itemgetter(*positions)
    return getter
