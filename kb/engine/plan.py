"""Compile rules into join plans: the order in which a rule's conditions are evaluated, given which
variables are already bound, with each argument marked as a constant, a bound variable or a new one.

Positive conditions are ordered greedily (most bound arguments first, then the smaller relation);
comparisons and negations are placed as soon as all their variables are bound.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..language.ast import Atom, Comparison, Constant, Negation, Rule
from .terms import by_name, compile_comparison

CONST, BOUND, FREE = 0, 1, 2


@dataclass(frozen=True)
class AtomStep:
    predicate: str
    args: tuple  # ((CONST, value) | (BOUND, name) | (FREE, name)), ...)


@dataclass(frozen=True)
class TestStep:
    """A comparison or a negated atom: a test on bound variables."""

    negated: str | None  # predicate name for a negation, None for a comparison
    args: tuple
    test: Callable | None = None  # for comparisons: env -> bool
    comparison: Comparison | None = None


def _arg_spec(term, bound: set) -> tuple:
    if isinstance(term, Constant):
        return (CONST, term.value)
    return (BOUND, term.name) if term.name in bound else (FREE, term.name)


def plan(rule: Rule, bound: set[str], size: Callable[[str], int]) -> list:
    """The evaluation steps of `rule`'s body when the variables in `bound` already have values."""
    bound = set(bound)
    positives = [lit for lit in rule.body if isinstance(lit, Atom)]
    tests = [lit for lit in rule.body if not isinstance(lit, Atom)]
    steps: list = []

    def place_tests() -> None:
        for lit in list(tests):
            if all(name in bound for name in lit.variables()):
                tests.remove(lit)
                if isinstance(lit, Negation):
                    steps.append(TestStep(lit.atom.predicate, tuple(_arg_spec(a, bound) for a in lit.atom.args)))
                else:
                    steps.append(TestStep(None, (), compile_comparison(lit, by_name), lit))

    place_tests()
    while positives:
        def rank(atom: Atom):
            fixed = sum(isinstance(a, Constant) or a.name in bound for a in atom.args)  # noqa: B023 - ranked now
            return (-fixed, size(atom.predicate))
        atom = min(positives, key=rank)
        positives.remove(atom)
        # A variable new to this atom stays FREE at each of its places (`consent_act(P, P, D)`):
        # the evaluators bind it at the first and check the others against it.
        specs = [_arg_spec(term, bound) for term in atom.args]
        seen = {spec[1] for spec in specs if spec[0] == FREE}
        steps.append(AtomStep(atom.predicate, tuple(specs)))
        bound |= seen
        place_tests()
    if tests:  # the checker guarantees safety; this would be a bug in the checker
        raise ValueError(f"rule {rule.id}: unsafe conditions {', '.join(map(str, tests))}")
    return steps
