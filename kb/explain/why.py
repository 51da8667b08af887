"""Why: proof trees for atoms that hold, built over the finished model (Mangle-style provenance).

A derived atom's proof is a rule instance whose body holds, with a child per condition: input
facts are leaves carrying their origin and validity period, context facts are leaves of the
question, derived atoms are subtrees, comparisons show their values, and a negated condition is
proved by absence (with a short why-not of the absent atom). Among a rule's instances the shortest
proof is chosen; atoms already on the path are not revisited, so recursive rules terminate.
"""
from __future__ import annotations

from ..engine.base import Evaluation
from ..engine.terms import term_value
from ..facts.model import Fact, FactSet
from ..language.ast import Atom, Comparison, Negation
from ..language.knowledge_base import KnowledgeBase
from ..language.vocabulary import CONCLUDED, Kind
from ..reasoning.instances import ground, instances
from .terms import (
    atom_reading,
    bindings_json,
    comparison_reading,
    jsonable,
    literal_text,
    negation_reading,
    rule_reading,
    rule_ref,
)

DEFAULT_MAX_DEPTH = 12
_INSTANCES_PER_RULE = 4  # alternative instances weighed per rule when looking for the shortest proof


class Prover:
    """Builds proof trees in one evaluation. Memoises finished subproofs."""

    def __init__(self, ev: Evaluation, kb: KnowledgeBase, facts: FactSet,
                 max_depth: int = DEFAULT_MAX_DEPTH, why_not=None, names=None):
        self.ev, self.kb, self.max_depth, self.names = ev, kb, max_depth, names
        self.facts = facts.union(ev.context.hypothetical)
        self.hypothetical = set(ev.context.hypothetical)
        self.why_not = why_not  # a WhyNot builder for the short why-not of absent atoms (optional)
        self._memo: dict[tuple, dict] = {}

    # -- public -------------------------------------------------------------------------------------
    def prove(self, predicate: str, args: tuple) -> dict | None:
        """The shortest proof of predicate(args), or None when it does not hold."""
        node, _ = self._prove(predicate, tuple(args), 0, frozenset())
        return node

    def proofs(self, predicate: str, args: tuple, max_proofs: int = 1) -> list[dict]:
        """Up to `max_proofs` proofs of predicate(args) by different rule instances, shortest first."""
        kind = self.kb.vocabulary.predicates[predicate].kind
        if kind not in CONCLUDED:
            node = self.prove(predicate, args)
            return [node] if node else []
        found = []
        key = (predicate, tuple(args))
        for rule, bindings in instances(self.ev, self.kb, predicate, tuple(args), per_rule=_INSTANCES_PER_RULE):
            node, _ = self._rule_node(rule, bindings, predicate, tuple(args), 0, frozenset({key}))
            if node is not None:
                found.append(node)
        found.sort(key=_size_key)
        return found[:max_proofs]

    # -- internals ---------------------------------------------------------------------------------
    def _prove(self, predicate: str, args: tuple, depth: int, path: frozenset) -> tuple[dict | None, bool]:
        """(proof or None, whether a cycle was cut below) — only uncut proofs are memoised."""
        key = (predicate, args)
        if key in self._memo:
            return self._memo[key], False
        kind = self.kb.vocabulary.predicates[predicate].kind
        if kind == Kind.INPUT:
            node = self._fact_node(predicate, args)
            return node, False
        if kind == Kind.CONTEXT:
            return self._context_node(predicate, args), False
        if key in path:
            return None, True
        if depth >= self.max_depth:
            return self._truncated(predicate, args), False
        best, cut = None, False
        for rule, bindings in instances(self.ev, self.kb, predicate, args, per_rule=_INSTANCES_PER_RULE):
            node, rule_cut = self._rule_node(rule, bindings, predicate, args, depth, path | {key})
            cut = cut or rule_cut
            if node is not None and (best is None or _size_key(node) < _size_key(best)):
                best = node
        if best is not None and not cut:
            self._memo[key] = best
        return best, cut

    def _rule_node(self, rule, bindings, predicate, args, depth, path) -> tuple[dict | None, bool]:
        children, cut = [], False
        for literal in rule.body:
            if isinstance(literal, Atom):
                child, child_cut = self._prove(literal.predicate, ground(literal, bindings), depth + 1, path)
                cut = cut or child_cut
                if child is None:
                    return None, cut
            elif isinstance(literal, Negation):
                child = self._absent_node(literal, bindings)
            else:
                child = self._comparison_node(literal, bindings)
            children.append(child)
        node = {
            "kind": "rule",
            "predicate": predicate,
            "args": [jsonable(a) for a in args],
            "reading": atom_reading(self.kb, predicate, args, names=self.names),
            "rule": rule_ref(rule),
            "bindings": bindings_json(bindings),
            "rule_reading": rule_reading(rule, bindings, self.kb, self.names),
            "children": children,
        }
        node["height"] = 1 + max((c.get("height", 0) for c in children), default=0)
        node["size"] = 1 + sum(c.get("size", 1) for c in children)
        return node, cut

    def _fact_node(self, predicate: str, args: tuple) -> dict | None:
        day = self.ev.context.moment
        found: list[Fact] = self.facts.find(predicate, args, day)
        if not found:
            return None
        return {
            "kind": "fact",
            "predicate": predicate,
            "args": [jsonable(a) for a in args],
            "reading": atom_reading(self.kb, predicate, args, names=self.names),
            "facts": [{"origin": "hypothetical" if f in self.hypothetical else f.origin, **f.period()}
                      for f in found],
            "height": 0, "size": 1,
        }

    def _context_node(self, predicate: str, args: tuple) -> dict | None:
        if not self.ev.holds(predicate, args):
            return None
        return {"kind": "context", "predicate": predicate, "args": [jsonable(a) for a in args],
                "reading": atom_reading(self.kb, predicate, args, names=self.names), "height": 0, "size": 1}

    def _absent_node(self, literal: Negation, bindings: dict) -> dict:
        args = ground(literal.atom, bindings)
        node = {"kind": "absent", "predicate": literal.atom.predicate, "args": [jsonable(a) for a in args],
                "reading": atom_reading(self.kb, literal.atom.predicate, args, names=self.names),
                "negation": negation_reading(self.kb, literal.atom.predicate, args, self.names),
                "condition": literal_text(literal, bindings), "height": 0, "size": 1}
        if self.why_not is not None:
            node["why_not"] = self.why_not.short(literal.atom.predicate, args)
        return node

    def _comparison_node(self, literal: Comparison, bindings: dict) -> dict:
        return {"kind": "comparison", "condition": literal_text(literal, bindings),
                "reading": comparison_reading(self.kb, literal, bindings, names=self.names),
                "left": jsonable(term_value(literal.left, bindings)), "op": literal.op,
                "right": jsonable(term_value(literal.right, bindings)), "height": 0, "size": 1}

    def _truncated(self, predicate: str, args: tuple) -> dict:
        return {"kind": "truncated", "predicate": predicate, "args": [jsonable(a) for a in args],
                "reading": atom_reading(self.kb, predicate, args, names=self.names), "height": 0, "size": 1}


def _size_key(node: dict) -> tuple:
    return (node.get("height", 0), node.get("size", 1), node.get("rule", {}).get("id", ""))
