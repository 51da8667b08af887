"""Facts about information items and people, each with a validity period and an origin.

A fact holds on every day from `valid_from` to `valid_until`, both inclusive. Facts never carry an
item's content: only who, about whom, in which capacity, and which requests.
"""
from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ..language.ast import Value
from ..language.vocabulary import Vocabulary

BEGINNING = datetime.date.min
END = datetime.date.max


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


class FactSet:
    """An immutable set of facts, indexed by predicate and by (predicate, arguments)."""

    def __init__(self, facts: Iterable[Fact] = (), version: str = ""):
        # Insertion order, duplicates dropped: deterministic for a given source, and no sort cost.
        self._facts = tuple(dict.fromkeys(facts))
        self.version = version
        self._entities: dict | None = None
        self._pattern_indexes: dict[tuple[str, int], dict] = {}
        self._by_value: dict | None = None
        self._by_atom: dict[tuple, list[Fact]] = {}
        self._by_predicate: dict[str, list[Fact]] = {}
        for fact in self._facts:
            self._by_atom.setdefault((fact.predicate, fact.args), []).append(fact)
            self._by_predicate.setdefault(fact.predicate, []).append(fact)

    @classmethod
    def of_distinct(cls, facts: list[Fact], version: str = "") -> FactSet:
        """A fact set from facts known to be distinct (a store's rows), skipping de-duplication."""
        fact_set = cls((), version)
        fact_set._facts = tuple(facts)
        for fact in fact_set._facts:
            fact_set._by_atom.setdefault((fact.predicate, fact.args), []).append(fact)
            fact_set._by_predicate.setdefault(fact.predicate, []).append(fact)
        return fact_set

    def changed(self, added: list[Fact], removed: list[Fact], version: str) -> FactSet:
        """This fact set with `removed` taken out and `added` put in, named `version`.

        Only the index entries the change touches are rebuilt, so applying one fact to a large fact
        base costs a copy of the fact tuple, not a re-index of every fact."""
        gone = set(removed)
        added = [f for f in dict.fromkeys(added) if f not in self or f in gone]
        result = FactSet((), version)
        kept = tuple(f for f in self._facts if f not in gone) if gone else self._facts
        result._facts = kept + tuple(added)
        result._by_atom = dict(self._by_atom)
        result._by_predicate = dict(self._by_predicate)
        for fact in gone:
            key = (fact.predicate, fact.args)
            result._by_atom[key] = [f for f in result._by_atom.get(key, ()) if f != fact]
            if not result._by_atom[key]:
                del result._by_atom[key]
        for predicate in {f.predicate for f in gone}:
            result._by_predicate[predicate] = [f for f in result._by_predicate[predicate] if f not in gone]
        for fact in added:
            result._by_atom[(fact.predicate, fact.args)] = result._by_atom.get((fact.predicate, fact.args), []) + [fact]
            result._by_predicate[fact.predicate] = result._by_predicate.get(fact.predicate, []) + [fact]
        return result

    def __iter__(self) -> Iterator[Fact]:
        return iter(self._facts)

    def __len__(self) -> int:
        return len(self._facts)

    def __contains__(self, fact: Fact) -> bool:
        return fact in self._by_atom.get(fact.atom, ())

    def of(self, predicate: str) -> list[Fact]:
        return self._by_predicate.get(predicate, [])

    def find(self, predicate: str, args: tuple, day: datetime.date | None = None) -> list[Fact]:
        """The facts stating predicate(args), only those valid on `day` when it is given."""
        found = self._by_atom.get((predicate, tuple(args)), [])
        return [f for f in found if day is None or f.valid_on(day)]

    def matching(self, predicate: str, pattern: tuple) -> list[Fact]:
        """Facts of `predicate` whose arguments match `pattern` (None = any), whatever their validity,
        in fact order."""
        positions = [i for i, v in enumerate(pattern) if v is not None]
        if not positions:
            return self.of(predicate)
        if len(positions) == len(pattern):
            return self._by_atom.get((predicate, tuple(pattern)), [])
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
            for fact in self._facts:
                for arg in set(fact.args):
                    index.setdefault(arg, []).append(fact)
            self._by_value = index
        return self._by_value.get(value, [])

    def find_predicate_valid(self, predicate: str, day: datetime.date) -> list[Fact]:
        """The facts of a predicate valid on `day`."""
        return [f for f in self.of(predicate) if f.valid_on(day)]

    def union(self, other: Iterable[Fact]) -> FactSet:
        other = [f for f in other if f not in self]
        if not other:
            return self
        return FactSet(list(self._facts) + other, self.version)

    def entities(self, vocab: Vocabulary) -> dict[str, set]:
        """Values per argument type across these facts (computed once per fact set)."""
        if self._entities is None:
            self._entities = known_entities(self._facts, vocab)
        return self._entities


def known_entities(facts: Iterable[Fact], vocab: Vocabulary) -> dict[str, set]:
    """Values per entity type ('person', 'item', ...) that appear in the facts."""
    known: dict[str, set] = {}
    for fact in facts:
        pred = vocab.predicates[fact.predicate]
        for arg, value in zip(pred.args, fact.args):
            known.setdefault(arg.type, set()).add(value)
    return known
