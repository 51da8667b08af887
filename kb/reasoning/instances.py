"""Rule instances over a finished model: which bindings make a rule's body hold.

Given an evaluation (any engine) and a ground atom, find the rules that conclude it and the
variable bindings under which every condition holds. Truth of each condition is asked of the
engine, so this never re-derives anything; it only finds *which* rule and *which* facts.
Decisions use it to name their deciding rules; explanations build proof trees from it.
"""
from __future__ import annotations

from collections.abc import Iterator

from ..engine.base import Evaluation
from ..engine.indexes import evaluation_order  # shared: the engine builds the indexes this order reads
from ..engine.terms import term_value
from ..language import builtins
from ..language.ast import Atom, Comparison, Negation, Rule
from ..language.knowledge_base import KnowledgeBase

Bindings = dict[str, object]




def ground(atom: Atom, bindings: Bindings) -> tuple:
    return tuple(term_value(t, bindings) for t in atom.args)


def literal_holds(ev: Evaluation, literal, bindings: Bindings) -> bool:
    """Truth of a fully bound comparison or negation."""
    if isinstance(literal, Comparison):
        return builtins.compare(term_value(literal.left, bindings), literal.op, term_value(literal.right, bindings))
    if isinstance(literal, Negation):
        return not ev.holds(literal.atom.predicate, ground(literal.atom, bindings))
    return ev.holds(literal.predicate, ground(literal, bindings))


def solve(ev: Evaluation, literals: list, bindings: Bindings) -> Iterator[Bindings]:
    """Every extension of `bindings` under which all `literals` hold, in a stable order."""
    if not literals:
        yield dict(bindings)
        return
    first, rest = literals[0], literals[1:]
    if isinstance(first, Atom):
        pattern = ground(first, bindings)
        for row in ev.ask(first.predicate, pattern):
            extended = dict(bindings)
            if first.bind(row, extended):
                yield from solve(ev, rest, extended)
    elif literal_holds(ev, first, bindings):
        yield from solve(ev, rest, bindings)


def instances(ev: Evaluation, kb: KnowledgeBase, predicate: str, args: tuple,
              limit: int | None = None, per_rule: int = 1) -> Iterator[tuple[Rule, Bindings]]:
    """Rules concluding predicate(args) with the bindings that prove each, rule by rule in file order.

    `per_rule` bounds the instances taken from one rule (one is enough to show that a rule fires);
    `limit` bounds the total.
    """
    count = 0
    for rule in kb.by_head.get(predicate, ()):
        start = rule.head.match(args)
        if start is None:
            continue
        for taken, bindings in enumerate(solve(ev, evaluation_order(rule), start), start=1):
            yield rule, bindings
            count += 1
            if limit is not None and count >= limit:
                return
            if taken >= per_rule:
                break
