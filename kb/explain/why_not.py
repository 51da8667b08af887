"""Why not: for an atom that does not hold, every rule that could have concluded it, and why it failed.

For each candidate rule the search looks for the instance closest to succeeding: it follows the
conditions in evaluation order, branching over the facts that match, and when a condition fails it
records the failure and carries on, so that the remaining conditions are still judged under the
bindings reached so far. Failures are explained in turn — a missing input fact is a leaf, a
derived atom that does not hold gets its own why-not (to `max_depth`), a negated condition that
fails is a block shown with its proof. Candidates are ranked by distance: how many input facts
would have to change, at the least, for the rule to succeed.
"""
from __future__ import annotations

from ..engine.base import Evaluation
from ..engine.terms import term_value
from ..facts.model import FactSet
from ..language.ast import Atom, Comparison, Negation
from ..language.knowledge_base import KnowledgeBase
from ..language.vocabulary import Kind
from ..reasoning.instances import evaluation_order, ground, literal_holds
from .terms import atom_reading, bindings_json, comparison_reading, jsonable, literal_text, negation_reading, rule_ref

DEFAULT_MAX_DEPTH = 4
_BRANCHES = 24      # bindings tried per candidate rule in the closest-instance search
_NO_RULE = 99       # distance of an atom that no rule can conclude
_BLOCK_COST = 2     # removing a block weighs more than adding a missing fact


class WhyNot:
    """Builds why-not trees in one evaluation."""

    def __init__(self, ev: Evaluation, kb: KnowledgeBase, facts: FactSet,
                 max_depth: int = DEFAULT_MAX_DEPTH, prover=None, names=None):
        self.ev, self.kb, self.max_depth, self.prover, self.names = ev, kb, max_depth, prover, names
        self.facts = facts.union(ev.context.hypothetical)
        self._memo: dict[tuple, dict] = {}

    def explain(self, predicate: str, pattern: tuple, depth: int = 0) -> dict:
        """Why predicate(pattern) does not hold (None in pattern = any value)."""
        pattern = tuple(pattern)
        key = (predicate, pattern, depth)
        if key not in self._memo:  # the same sub-question recurs across candidates
            self._memo[key] = self._explain(predicate, pattern, depth)
        return self._memo[key]

    def _explain(self, predicate: str, pattern: tuple, depth: int) -> dict:
        candidates = []
        for position, rule in enumerate(self.kb.by_head.get(predicate, ())):
            start = rule.head.match(pattern)
            if start is None:
                continue
            bindings, statuses = self._closest(rule, start)
            failures = [self._failure(lit, bindings, status, depth) for lit, status in statuses if status != "ok"]
            satisfied = [literal_text(lit, bindings) for lit, status in statuses if status == "ok"]
            candidates.append({
                "rule": rule_ref(rule),
                "bindings": bindings_json(bindings),
                "satisfied": satisfied,
                "failed": failures,
                "distance": sum(f["cost"] for f in failures),
                "_order": position,
            })
        candidates.sort(key=lambda c: (c["distance"], c["_order"]))
        for c in candidates:
            del c["_order"]
        return {
            "predicate": predicate,
            "args": [jsonable(a) for a in pattern],
            "reading": atom_reading(self.kb, predicate, pattern, names=self.names),
            "negation": negation_reading(self.kb, predicate, pattern, self.names),
            "candidates": candidates,
            "distance": min((c["distance"] for c in candidates), default=_NO_RULE),
        }

    def short(self, predicate: str, args: tuple) -> dict:
        """A one-level why-not: each candidate rule with the conditions that failed, not explained further."""
        return self.explain(predicate, args, depth=self.max_depth)

    # -- internals ---------------------------------------------------------------------------------
    def _closest(self, rule, start: dict) -> tuple[dict, list]:
        """The bindings and per-condition statuses of the rule instance closest to succeeding."""
        order = evaluation_order(rule)
        best: list = [None]
        budget = [_BRANCHES]

        def score(statuses) -> tuple:
            return (sum(s == "failed" for _, s in statuses), sum(s == "unknown" for _, s in statuses))

        def walk(i: int, bindings: dict, statuses: list) -> None:
            if budget[0] <= 0:
                return
            if best[0] is not None and score(statuses) >= best[0][0]:
                return
            if i == len(order):
                budget[0] -= 1
                best[0] = (score(statuses), bindings, statuses)
                return
            lit = order[i]
            if isinstance(lit, Atom):
                rows = self.ev.ask(lit.predicate, ground(lit, bindings))
                bound = False
                for row in rows:
                    extended = dict(bindings)
                    if lit.bind(row, extended):
                        bound = True
                        walk(i + 1, extended, statuses + [(lit, "ok")])
                    if budget[0] <= 0:
                        break
                if not bound:
                    # No row at all: the condition fails. Rows that only miss a variable repeated in the
                    # atom (learned(Holder, I, Holder, …)) are read with it left open, as not evaluated.
                    walk(i + 1, bindings, statuses + [(lit, "unknown" if rows else "failed")])
            elif not _all_bound(lit, bindings):
                walk(i + 1, bindings, statuses + [(lit, "unknown")])
            else:
                walk(i + 1, bindings, statuses + [(lit, "ok" if literal_holds(self.ev, lit, bindings) else "failed")])

        walk(0, dict(start), [])
        _, bindings, statuses = best[0]
        # Report the conditions in the order the legal expert wrote them.
        written = {id(lit): n for n, lit in enumerate(rule.body)}
        return bindings, sorted(statuses, key=lambda s: written[id(s[0])])

    def _failure(self, lit, bindings: dict, status: str, depth: int) -> dict:
        condition = literal_text(lit, bindings)
        if status == "unknown":
            # Its variables are bound only by a condition that failed first: read with them left open.
            failure = {"kind": "not-evaluated", "condition": condition, "cost": 1}
            atom = lit.atom if isinstance(lit, Negation) else lit
            if isinstance(atom, Atom):
                args = ground(atom, bindings)
                failure.update(predicate=atom.predicate, args=[jsonable(a) for a in args])
                failure["reading"] = atom_reading(self.kb, atom.predicate, args, names=self.names,
                                                  negative=isinstance(lit, Negation))
            return failure
        if isinstance(lit, Comparison):
            return {"kind": "comparison-false", "condition": condition,
                    "negation": comparison_reading(self.kb, lit, bindings, negative=True, names=self.names),
                    "left": jsonable(term_value(lit.left, bindings)), "op": lit.op,
                    "right": jsonable(term_value(lit.right, bindings)), "cost": 1}
        if isinstance(lit, Negation):
            args = ground(lit.atom, bindings)
            failure = {"kind": "blocked-by", "condition": condition, "predicate": lit.atom.predicate,
                       "args": [jsonable(a) for a in args],
                       "reading": atom_reading(self.kb, lit.atom.predicate, args, names=self.names),
                       # the condition "not X" fails because X holds: it reads as X
                       "negation": atom_reading(self.kb, lit.atom.predicate, args, names=self.names),
                       "cost": _BLOCK_COST}
            if self.prover is not None:
                failure["proof"] = self.prover.prove(lit.atom.predicate, args)
            return failure
        args = ground(lit, bindings)
        pred = self.kb.vocabulary.predicates[lit.predicate]
        failure = {"predicate": lit.predicate, "args": [jsonable(a) for a in args], "condition": condition,
                   "reading": atom_reading(self.kb, lit.predicate, args, names=self.names),
                   "negation": negation_reading(self.kb, lit.predicate, args, self.names)}
        if pred.kind in (Kind.INPUT, Kind.CONTEXT):
            failure.update(kind="missing-fact" if pred.kind == Kind.INPUT else "context-differs", cost=1)
            elsewhere = self._outside_validity(lit.predicate, args)
            if elsewhere:
                failure["outside_validity"] = elsewhere
            if pred.brought_about_by:
                by = args[pred.arg_index(pred.brought_about_by)]
                failure["can_be_brought_about"] = {"by": jsonable(by), "act": pred.remedy}
            return failure
        failure["kind"] = "not-derived"
        if depth + 1 < self.max_depth:
            nested = self.explain(lit.predicate, args, depth + 1)
            failure["why_not"] = nested
            failure["cost"] = nested["distance"]
        else:
            failure["cost"] = 1 if self.kb.by_head.get(lit.predicate) else _NO_RULE
        return failure


    def _outside_validity(self, predicate: str, pattern: tuple) -> list[dict]:
        """Facts matching the pattern that exist but are not valid on the moment asked about."""
        day = self.ev.context.moment
        return [{"args": [jsonable(a) for a in f.args], "origin": f.origin, **f.period()}
                for f in self.facts.matching(predicate, pattern) if not f.valid_on(day)]


def _all_bound(lit, bindings: dict) -> bool:
    return all(name in bindings for name in lit.variables())
