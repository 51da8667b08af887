"""Indexed relations: sets of tuples with hash indexes built on demand per pattern of bound positions."""
from __future__ import annotations

import threading
from collections.abc import Iterable
from operator import itemgetter

_EMPTY: tuple = ()


def _key_function(positions: tuple):
    """row -> the tuple of its arguments at `positions` (itemgetter when it already gives a tuple)."""
    if len(positions) == 1:
        p = positions[0]
        return lambda row: (row[p],)
    return itemgetter(*positions)


class Relation:
    """A set of equal-length tuples. `match` answers a pattern (None = open) through an index."""

    __slots__ = ("arity", "rows", "_indexes", "_lock")

    def __init__(self, arity: int, rows: Iterable[tuple] = ()):
        self.arity = arity
        self.rows: set[tuple] = set(rows)
        self._indexes: dict[tuple, dict] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, row: tuple) -> bool:
        """Add a row while the relation is being built (before anyone reads it through an index)."""
        if row in self.rows:
            return False
        self.rows.add(row)
        for positions, index in self._indexes.items():
            index.setdefault(_key_function(positions)(row), []).append(row)
        return True

    def match(self, pattern: tuple) -> Iterable[tuple]:
        positions = tuple(i for i, v in enumerate(pattern) if v is not None)
        if not positions:
            return self.rows
        if len(positions) == self.arity:
            return (pattern,) if pattern in self.rows else _EMPTY
        index = self._indexes.get(positions)
        if index is None:
            index = self._index(positions)
        return index.get(tuple(pattern[i] for i in positions), _EMPTY)

    def contains(self, row: tuple) -> bool:
        return row in self.rows

    def index(self, positions: tuple) -> dict:
        """The hash index on `positions` (key: tuple of those arguments), built on first use."""
        index = self._indexes.get(positions)
        return index if index is not None else self._index(positions)

    def add_all(self, rows: set[tuple]) -> set[tuple]:
        """Add many rows; return those that were new."""
        new = rows - self.rows
        if new:
            self.rows |= new
            for positions, index in self._indexes.items():
                key = _key_function(positions)
                for row in new:
                    index.setdefault(key(row), []).append(row)
        return new

    def _index(self, positions: tuple) -> dict:
        with self._lock:  # models are shared by concurrent evaluations: build each index once
            index = self._indexes.get(positions)
            if index is None:
                index = {}
                key = _key_function(positions)
                for row in self.rows:
                    index.setdefault(key(row), []).append(row)
                self._indexes[positions] = index
        return index


class Overlay:
    # Overlays are read tuple-at-a-time only (questions), never by the batch evaluator.
    """A base relation plus extra rows (hypothetical facts), without copying the base."""

    __slots__ = ("arity", "base", "extra")

    def __init__(self, base: Relation, extra: Iterable[tuple]):
        self.arity = base.arity
        self.base = base
        self.extra = Relation(base.arity, (row for row in extra if row not in base.rows))

    def __len__(self) -> int:
        return len(self.base) + len(self.extra)

    def match(self, pattern: tuple) -> Iterable[tuple]:
        extra = self.extra.match(pattern)
        if not extra:
            return self.base.match(pattern)
        return list(self.base.match(pattern)) + list(extra)

    def contains(self, row: tuple) -> bool:
        return row in self.base.rows or row in self.extra.rows
