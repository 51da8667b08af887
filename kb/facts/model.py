"""Facts about information items and people, each with a validity period and an origin.

A fact holds on every day from `valid_from` to `valid_until`, both inclusive. Facts never carry an
item's content: only who, about whom, in which capacity, and which requests.
"""
from __future__ import annotations

import datetime
import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter

from ..language.ast import Value
from ..language.vocabulary import Vocabulary

BEGINNING = datetime.date.min
END = datetime.date.max
BULK = 100_000  # objects made under gc_paused past which they are frozen (see there)


@dataclass(frozen=True, order=True)
class Fact:
    predicate: str
    args: tuple[Value, ...]
    valid_from: datetime.date = BEGINNING
    valid_until: datetime.date = END
    origin: str = field(default="", compare=False)  # "file:line" or "store:<id>" or "hypothetical"

    def valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day <= self.valid_until

    @property
    def atom(self) -> tuple[str, tuple[Value, ...]]:
        return self.predicate, self.args

    def period(self) -> dict:
        """The validity period for display; open ends are None."""
        return {"from": None if self.valid_from == BEGINNING else self.valid_from.isoformat(),
                "until": None if self.valid_until == END else self.valid_until.isoformat()}

    def __str__(self) -> str:
        shown = ", ".join(v.isoformat() if isinstance(v, datetime.date) else str(v) for v in self.args)
        return f"{self.predicate}({shown})"

# A predicate's facts as columns: argument tuples, valid_from, valid_until, origins (an int n: "store:n").
Columns = tuple[list[tuple[Value, ...]], list[datetime.date], list[datetime.date], list]


class FactSet:
    """An immutable set of facts, indexed by predicate and by (predicate, arguments).

    Kept per predicate. A fact set read in bulk (a store, a snapshot) holds its facts as columns —
    arguments, validity and origin per predicate (`of_columns`) — and makes the `Fact` objects of
    a predicate only when something asks for that predicate's facts (an explanation, a change): a
    start-up at a million facts does not build a million objects it may never show."""

    def __init__(self, facts: Iterable[Fact] = (), version: str = ""):
        # Insertion order per predicate, duplicates dropped: deterministic for a given source.
        self.version = version
        self._facts: dict[str, list[Fact]] = {}
        for fact in dict.fromkeys(facts):
            self._facts.setdefault(fact.predicate, []).append(fact)
        self._columns: dict[str, Columns] = {}
        self._order: tuple[str, ...] = tuple(self._facts)
        self._size = sum(map(len, self._facts.values()))
        self._entities: dict | None = None
        self._pattern_indexes: dict[tuple[str, int], dict] = {}
        self._by_value: dict | None = None
        self._by_atom: dict[str, dict[tuple, list[Fact]]] = {}

    @classmethod
    def of_distinct(cls, facts: list[Fact], version: str = "") -> FactSet:
        """A fact set from facts known to be distinct (a store's rows), skipping de-duplication."""
        fact_set = cls((), version)
        for fact in facts:
            fact_set._facts.setdefault(fact.predicate, []).append(fact)
        fact_set._order, fact_set._size = tuple(fact_set._facts), len(facts)
        return fact_set

    @classmethod
    def of_columns(cls, columns: dict[str, Columns], version: str = "") -> FactSet:
        """A fact set from distinct facts given as columns per predicate: (argument tuples,
        valid_from dates, valid_until dates, origins); an origin that is an int `n` stands for
        "store:n". The `Fact` objects of a predicate are made on its first use."""
        fact_set = cls((), version)
        fact_set._columns = {p: c for p, c in columns.items() if c[0]}
        fact_set._order = tuple(fact_set._columns)
        fact_set._size = sum(len(c[0]) for c in fact_set._columns.values())
        return fact_set

    def predicates(self) -> tuple[str, ...]:
        """The predicates that have facts here, in a fixed order."""
        return self._order

    def arity(self, predicate: str) -> int | None:
        """How many arguments the facts of `predicate` have (read off the first; None: no facts)."""
        facts = self._facts.get(predicate)
        if facts:
            return len(facts[0].args)
        cols = self._columns.get(predicate)
        return len(cols[0][0]) if cols and cols[0] else None

    def columns(self, predicate: str) -> Columns:
        """The facts of `predicate` as columns (argument tuples, valid_from, valid_until, origins)."""
        cols = self._columns.get(predicate)
        if cols is not None:
            return cols
        facts = self._facts.get(predicate, [])
        return ([f.args for f in facts], [f.valid_from for f in facts], [f.valid_until for f in facts],
                [f.origin for f in facts])

    def valid_args(self, predicate: str, day: datetime.date) -> list[tuple[Value, ...]]:
        """The argument tuples of the facts of `predicate` valid on `day`, without making facts."""
        cols = self._columns.get(predicate)
        if cols is None:
            return [f.args for f in self._facts.get(predicate, ()) if f.valid_from <= day <= f.valid_until]
        return [a for a, start, end in zip(cols[0], cols[1], cols[2]) if start <= day <= end]

    def bounded(self) -> list[Fact]:
        """The facts not valid for all time (the only ones that differ between two moments)."""
        found: list[Fact] = []
        for predicate in self._order:
            cols = self._columns.get(predicate)
            if cols is not None and predicate not in self._facts and \
                    all(s == BEGINNING for s in cols[1]) and all(e == END for e in cols[2]):
                continue
            found += [f for f in self.of(predicate) if f.valid_from != BEGINNING or f.valid_until != END]
        return found

    def changed(self, added: list[Fact], removed: list[Fact], version: str) -> FactSet:
        """This fact set with `removed` taken out and `added` put in, named `version`.

        Only the predicates the change touches are copied and re-indexed, so applying one fact to
        a large fact base costs a copy of that predicate's facts, not a re-index of every fact."""
        gone = set(removed)
        added = [f for f in dict.fromkeys(added) if f not in self or f in gone]
        result = FactSet((), version)
        result._columns, result._facts = dict(self._columns), dict(self._facts)
        result._by_atom = dict(self._by_atom)
        size = self._size
        for predicate in dict.fromkeys([f.predicate for f in gone] + [f.predicate for f in added]):
            old = self.of(predicate)
            facts = [f for f in old if f not in gone] + [f for f in added if f.predicate == predicate]
            size += len(facts) - len(old)
            result._columns.pop(predicate, None)
            result._by_atom.pop(predicate, None)
            result._facts[predicate] = facts
        result._order = tuple(p for p in dict.fromkeys([*self._order, *result._facts])
                              if result._facts.get(p) or p in result._columns)
        result._size = size
        return result

    def __iter__(self) -> Iterator[Fact]:
        for predicate in self._order:
            yield from self.of(predicate)

    def __len__(self) -> int:
        return self._size

    def __contains__(self, fact: Fact) -> bool:
        return fact in self._atoms(fact.predicate).get(fact.args, ())

    def of(self, predicate: str) -> list[Fact]:
        facts = self._facts.get(predicate)
        if facts is None:
            cols = self._columns.get(predicate)
            if cols is None:
                return []
            # Made once and then shared; two threads racing here make equal lists, one is kept.
            facts = [Fact(predicate, a, s, e, f"store:{o}" if type(o) is int else o) for a, s, e, o in zip(*cols)]
            self._facts[predicate] = facts
        return facts

    def _atoms(self, predicate: str) -> dict[tuple, list[Fact]]:
        index = self._by_atom.get(predicate)
        if index is None:
            index = {}
            for fact in self.of(predicate):
                index.setdefault(fact.args, []).append(fact)
            self._by_atom[predicate] = index
        return index

    def find(self, predicate: str, args: tuple, day: datetime.date | None = None) -> list[Fact]:
        """The facts stating predicate(args), only those valid on `day` when it is given."""
        found = self._atoms(predicate).get(tuple(args), [])
        return [f for f in found if day is None or f.valid_on(day)]

    def matching(self, predicate: str, pattern: tuple) -> list[Fact]:
        """Facts of `predicate` whose arguments match `pattern` (None = any), whatever their validity,
        in fact order."""
        positions = [i for i, v in enumerate(pattern) if v is not None]
        if not positions:
            return self.of(predicate)
        if len(positions) == len(pattern):
            return self._atoms(predicate).get(tuple(pattern), [])
        # One index per (predicate, position), on the first bound position, the others filtered:
        # an index per combination of bound positions would copy a big predicate once per combination.
        first, rest = positions[0], positions[1:]
        index = self._pattern_indexes.get((predicate, first))
        if index is None:
            index = {}
            for fact in self.of(predicate):
                index.setdefault(fact.args[first], []).append(fact)
            self._pattern_indexes[(predicate, first)] = index
        found = index.get(pattern[first], [])
        if not rest:
            return found
        return [f for f in found if all(f.args[i] == pattern[i] for i in rest)]

    def mentioning(self, value) -> list[Fact]:
        """Facts with `value` among their arguments."""
        if self._by_value is None:
            index: dict = {}
            for fact in self:
                for arg in set(fact.args):
                    index.setdefault(arg, []).append(fact)
            self._by_value = index
        return self._by_value.get(value, [])

    def find_predicate_valid(self, predicate: str, day: datetime.date) -> list[Fact]:
        """The facts of a predicate valid on `day`."""
        return [f for f in self.of(predicate) if f.valid_on(day)]

    def union(self, other: Iterable[Fact]) -> FactSet:
        """These facts and `other`'s (same version); the predicates `other` does not touch are shared."""
        other = [f for f in other if f not in self]
        if not other:
            return self
        return self.changed(other, [], self.version)

    def entities(self, vocab: Vocabulary) -> dict[str, set]:
        """Values per argument type across these facts (computed once per fact set, from columns).
        Facts of a predicate the vocabulary does not declare name nothing it knows of."""
        if self._entities is None:
            known: dict[str, set] = {}
            for predicate in self._order:
                if predicate not in vocab.predicates:
                    continue
                args = self.columns(predicate)[0]
                types = [arg.type for arg in vocab.predicates[predicate].args]
                if all(len(a) == len(types) for a in args):
                    for position, kind in enumerate(types):
                        known.setdefault(kind, set()).update(map(itemgetter(position), args))
                else:  # arguments that do not fit the predicate: as known_entities pairs them
                    for kind, values in known_entities(self.of(predicate), vocab).items():
                        known.setdefault(kind, set()).update(values)
            self._entities = known
        return self._entities


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector while building many objects at once (a fact base, a
    model): they are all kept, so the collections that their allocation would trigger — each one
    walking every object made so far — are wasted time (about half of a bulk load).

    When a great many objects were made, they are moved out of the collector's sight afterwards
    (`gc.freeze`): re-enabled as they are, the next collection would walk them all once (1-2 s at
    a million facts). Frozen objects are still freed by reference counting when dropped; only a
    reference cycle among them would outlive its use, and the bulk data holds none."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_count()[0] > BULK:
            gc.freeze()
        if enabled:
            gc.enable()


def known_entities(facts: Iterable[Fact], vocab: Vocabulary) -> dict[str, set]:
    """Values per entity type ('person', 'item', ...) that appear in the facts (of declared predicates)."""
    known: dict[str, set] = {}
    for fact in facts:
        pred = vocab.predicates.get(fact.predicate)
        if pred is None:
            continue
        for arg, value in zip(pred.args, fact.args):
            known.setdefault(arg.type, set()).add(value)
    return known
