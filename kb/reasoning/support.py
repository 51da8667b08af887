"""Which rules stand behind one answer in a finished model.

Two kinds, both read off the model for one question, never re-derived:

- the rules that **prove** a conclusion: every rule with an instance proving it, and, condition by
  condition, the rules proving the derived conditions of those instances (the proof, all the way
  down to the facts);
- the rules that **kept another rule from firing**: for a rule whose conditions and comparisons
  all hold but one of its `not` conditions fails, the rules proving what that `not` denies (a
  block, whether it is written as its own `blocked` rule or as a `not` inside a ground); and for a
  rule kept from firing by one derived condition alone, what kept that condition from holding.

A scenario's `rule:` may name any of them (kb/scenarios.py); `kb diff` names the changed rules
among them as the cause of a flip (kb/edits/impact.py).
"""
from __future__ import annotations

from collections.abc import Iterable

from ..engine.base import Evaluation
from ..language.ast import Atom, Negation
from ..language.knowledge_base import KnowledgeBase
from .instances import evaluation_order, ground, instances, literal_holds

_PER_RULE = 4  # instances weighed per rule: a rule that fires for a question seldom has more
_MAX_DEPTH = 3  # how many conditions deep a block is looked for inside a rule that did not fire


def proving_rules(ev: Evaluation, kb: KnowledgeBase, atoms: Iterable[tuple[str, tuple]]) -> set[str]:
    """Every rule with an instance proving one of `atoms` ((predicate, args) that hold), and every
    rule proving a derived condition of such an instance, transitively."""
    found: set[str] = set()
    seen: set[tuple[str, tuple]] = set()
    todo = list(atoms)
    while todo:
        atom = todo.pop()
        if atom in seen:
            continue
        seen.add(atom)
        for rule, bindings in instances(ev, kb, atom[0], atom[1], per_rule=_PER_RULE):
            found.add(rule.id)
            todo += [(lit.predicate, ground(lit, bindings)) for lit in rule.body
                     if isinstance(lit, Atom) and lit.predicate in kb.by_head]
    return found


def blocking_rules(ev: Evaluation, kb: KnowledgeBase, rule_ids: Iterable[str], args: tuple,
                   depth: int = 0) -> set[str]:
    """The rules that kept one of `rule_ids` from concluding at `args`.

    For each instance of such a rule whose conditions all hold but its `not` conditions: the rules
    proving what a failing `not` denies. For an instance whose conditions all hold but one derived
    condition, which alone keeps it from firing: the rules that kept that condition from holding,
    in turn (to `_MAX_DEPTH`), so a block inside a condition of a ground is found too."""
    denied: list[tuple[str, tuple]] = []
    found: set[str] = set()
    for rule_id in rule_ids:
        rule = kb.by_id.get(rule_id)
        start = None if rule is None else rule.head.match(args)
        if rule is None or start is None:
            continue
        negations = [lit for lit in rule.body if isinstance(lit, Negation)]
        tested = [lit for lit in evaluation_order(rule) if not isinstance(lit, Negation)]
        for taken, (bindings, missing) in enumerate(_all_but_one(ev, kb, tested, start, depth < _MAX_DEPTH), 1):
            failing = [(n.atom.predicate, ground(n.atom, bindings)) for n in negations
                       if all(name in bindings for name in n.variables())]
            failing = [atom for atom in failing if ev.holds(*atom)]
            if missing is None:
                denied += failing
            elif not failing:
                found |= blocking_rules(ev, kb, [r.id for r in kb.by_head[missing[0]]], missing[1], depth + 1)
            if taken >= _PER_RULE:
                break
    return found | proving_rules(ev, kb, denied)


def _all_but_one(ev: Evaluation, kb: KnowledgeBase, literals: list, bindings: dict, may_miss: bool):
    """(bindings, None) for each way all `literals` hold; with `may_miss`, also (bindings, atom) for
    each way all hold but one derived condition, whole and named by `atom` (predicate, args)."""
    if not literals:
        yield dict(bindings), None
        return
    first, rest = literals[0], literals[1:]
    if isinstance(first, Atom):
        pattern = ground(first, bindings)
        rows = ev.ask(first.predicate, pattern)
        for row in rows:
            extended = dict(bindings)
            if first.bind(row, extended):
                yield from _all_but_one(ev, kb, rest, extended, may_miss)
        if not rows and may_miss and first.predicate in kb.by_head and None not in pattern:
            for found, _ in _all_but_one(ev, kb, rest, bindings, False):
                yield found, (first.predicate, pattern)
    elif literal_holds(ev, first, bindings):
        yield from _all_but_one(ev, kb, rest, bindings, may_miss)
