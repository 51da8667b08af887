"""Whether the rules read the question only about the question itself ("question locality").

A question's own predicates are derived with `asked` holding one row: the question. Deriving them
for many questions at once (`asked` holding all of them, set-at-a-time, many.py) gives each
question the same answers only if no rule lets one question's rows speak about another question.
This module proves that from the rules, per predicate: which places of the question (actor,
recipient, item) a row carries, and at which argument. It holds when, in every rule,

* `asked(...)` names each place it reads (a variable used again in the rule) in the head, at the
  argument where the head predicate carries that place — an unnamed place (a variable used once,
  like `_Actor`) is simply not carried;
* every condition (positive or negated) on a question-dependent predicate has, at each argument
  where that predicate carries a place, the variable the head carries for the same place.

Then, stratum by stratum, a row that agrees with a question on the places it carries is derived
for many questions exactly when it is derived for that question alone (the rule instance that
derives it reads only rows that agree with the question too). A rule set that fails this is
evaluated one question at a time, as before; `refusal` says why.
"""
from __future__ import annotations

from collections import Counter

from ..language.ast import Atom, Negation, Rule, Variable
from .base import QUESTION

Carried = dict[int, int]  # place of the question (0 actor, 1 recipient, 2 item) -> argument index


def why_not_question_local(rules: dict[str, list[Rule]], strata: list[set[str]], question_dependent: set[str],
                           recursive: set[str]) -> str:
    """'' when the rules are question-local; else which rule breaks it, and how."""
    carried: dict[str, Carried] = {QUESTION: {0: 0, 1: 1, 2: 2}}
    for stratum in strata:
        if stratum & question_dependent & recursive:
            return f"{', '.join(sorted(stratum))} depend on the question and on themselves"
        for predicate in sorted(stratum & question_dependent):
            places: Carried = {}
            for rule in rules.get(predicate, ()):
                why = _carry(rule, carried, places)
                if why:
                    return f"rule {rule.id}: {why}"
            carried[predicate] = places
    return ""


def _carry(rule: Rule, carried: dict[str, Carried], places: Carried) -> str:
    """Add to `places` what `rule`'s head carries; a reason when the rule breaks locality."""
    uses = Counter(name for lit in (rule.head, *rule.body) for name in lit.variables())
    head_vars = [t.name if isinstance(t, Variable) else None for t in rule.head.args]
    for lit in rule.body:
        atom = lit.atom if isinstance(lit, Negation) else lit
        if not isinstance(atom, Atom) or atom.predicate not in carried:
            continue
        for place, index in carried[atom.predicate].items():
            term = atom.args[index]
            if not isinstance(term, Variable):
                return f"`{atom}` fixes a place of the question to a constant"
            if atom.predicate == QUESTION and uses[term.name] == 1:
                continue  # an unnamed place: not carried
            if term.name not in head_vars:
                return f"`{atom}` reads a place of the question that the head does not carry"
            at = places.setdefault(place, head_vars.index(term.name))
            if head_vars[at] != term.name:
                return f"the head carries the {('actor', 'recipient', 'item')[place]} at another argument"
    return ""
