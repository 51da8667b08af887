"""The abstract syntax of Deelwijzer's rule language.

Every node knows where it was written (`Position`), so the checker, the engine adapter and the
explanations can point a legal expert at the exact file, line and column.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Position:
    """A place in a source file: 1-based line and column, with the end of the span."""

    file: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


Value = str | int | datetime.date


@dataclass(frozen=True)
class Variable:
    name: str
    pos: Position = field(compare=False, hash=False, repr=False)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Constant:
    value: Value
    kind: str  # symbol | string | number | date
    pos: Position = field(compare=False, hash=False, repr=False)

    def __str__(self) -> str:
        if self.kind == "string":
            return f'"{self.value}"'
        if isinstance(self.value, datetime.date):
            return self.value.isoformat()
        return str(self.value)


@dataclass(frozen=True)
class FunctionCall:
    """A built-in function applied to terms, allowed only inside comparisons (e.g. `years_between(B, T)`)."""

    name: str
    args: tuple[Term, ...]
    pos: Position = field(compare=False, hash=False, repr=False)

    def __str__(self) -> str:
        return f"{self.name}({', '.join(map(str, self.args))})"


Term = Variable | Constant | FunctionCall


def term_variables(term: Term) -> list[str]:
    """Names of the variables in a term, in order of appearance."""
    if isinstance(term, Variable):
        return [term.name]
    if isinstance(term, FunctionCall):
        return [name for arg in term.args for name in term_variables(arg)]
    return []


@dataclass(frozen=True)
class Atom:
    predicate: str
    args: tuple[Term, ...]
    pos: Position = field(compare=False, hash=False, repr=False)

    @property
    def key(self) -> str:
        """The predicate's indicator, `name/arity`."""
        return f"{self.predicate}/{len(self.args)}"

    def variables(self) -> list[str]:
        return [name for arg in self.args for name in term_variables(arg)]

    def match(self, pattern: tuple) -> dict | None:
        """Bindings that make this atom match `pattern` (None there = any value), or None if it can't."""
        bindings: dict = {}
        for term, value in zip(self.args, pattern):
            if value is None:
                continue
            if isinstance(term, Variable):
                if bindings.setdefault(term.name, value) != value:
                    return None
            elif not isinstance(term, Constant) or term.value != value:
                return None
        return bindings

    def bind(self, row: tuple, bindings: dict) -> bool:
        """Extend `bindings` in place with this atom's variables read from `row`; False on a clash."""
        for term, value in zip(self.args, row):
            if isinstance(term, Variable) and bindings.setdefault(term.name, value) != value:
                return False
        return True

    def __str__(self) -> str:
        return f"{self.predicate}({', '.join(map(str, self.args))})"


@dataclass(frozen=True)
class Negation:
    atom: Atom
    pos: Position = field(compare=False, hash=False, repr=False)

    def variables(self) -> list[str]:
        return self.atom.variables()

    def __str__(self) -> str:
        return f"not {self.atom}"


@dataclass(frozen=True)
class Comparison:
    left: Term
    op: str  # = != < <= > >=
    right: Term
    pos: Position = field(compare=False, hash=False, repr=False)

    def variables(self) -> list[str]:
        return term_variables(self.left) + term_variables(self.right)

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"


Literal = Atom | Negation | Comparison


@dataclass(frozen=True)
class Annotation:
    key: str
    value: str
    pos: Position  # of the annotation's first character
    value_column: int  # column where the value starts, for pointing into templates


@dataclass(frozen=True)
class Rule:
    """One clause of the law with everything a legal expert needs beside it."""

    head: Atom
    body: tuple[Literal, ...]
    pos: Position
    annotations: tuple[Annotation, ...] = ()
    legal_text: tuple[str, ...] = ()
    heading: str = ""  # the law heading (section) the rule sits under

    def annotation(self, key: str) -> Annotation | None:
        return next((a for a in self.annotations if a.key == key), None)

    def _value(self, key: str) -> str:
        found = self.annotation(key)
        return found.value if found else ""

    @property
    def id(self) -> str:
        return self._value("id")

    @property
    def source(self) -> str:
        return self._value("source")

    @property
    def choice(self) -> str:
        """The interpretation choice this rule makes, if the legal expert named one."""
        return self._value("choice")

    @property
    def alternative(self) -> str:
        """The reading the rule did not take, and how to switch to it (beside its `@choice`)."""
        return self._value("alternative")

    @property
    def conditions(self) -> tuple[str, ...]:
        """Ids of the conditions the professional judges when acting on this rule (`@condition:`)."""
        return tuple(part.strip() for a in self.annotations if a.key == "condition"
                     for part in a.value.split(",") if part.strip())

    def reading(self, lang: str) -> str:
        return self._value(lang)

    def variables(self) -> list[str]:
        seen: dict[str, None] = {}
        for name in self.head.variables():
            seen.setdefault(name)
        for literal in self.body:
            for name in literal.variables():
                seen.setdefault(name)
        return list(seen)

    def positive_atoms(self) -> list[Atom]:
        return [lit for lit in self.body if isinstance(lit, Atom)]

    def __str__(self) -> str:
        if not self.body:
            return f"{self.head}."
        return f"{self.head} :- {', '.join(map(str, self.body))}."


@dataclass(frozen=True)
class RuleFile:
    path: str
    rules: tuple[Rule, ...]
    headings: tuple[tuple[str, Position], ...] = ()
