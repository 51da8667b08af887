"""Checks that an explanation tells the truth, asked again of the engine (used by the property tests).

- every fact leaf of a proof is an input fact that is present and valid on the moment asked about;
- every rule application in a proof holds: its bindings satisfy every condition of the body;
- every failed condition named in a why-not really is false;
- every remedy really changes the decision.
"""
from __future__ import annotations

import datetime

from kb.decide import Question, decide_in
from kb.facts.model import Fact, END
from kb.language import builtins
from kb.language.ast import Atom, Negation
from kb.reasoning.instances import ground


def _value(v, type_name):
    if v is not None and type_name == "date":
        return datetime.date.fromisoformat(v)
    return v


def _args(kb, predicate, args):
    pred = kb.vocabulary.predicates[predicate]
    return tuple(_value(v, a.type) for v, a in zip(args, pred.args))


def _bindings(kb, rule, bindings):
    """JSON bindings back to Python values, typed by where each variable occurs in the rule."""
    types = {}
    for lit in [rule.head] + [l.atom if isinstance(l, Negation) else l for l in rule.body]:
        if isinstance(lit, Atom):
            pred = kb.vocabulary.predicates[lit.predicate]
            for term, arg in zip(lit.args, pred.args):
                if hasattr(term, "name") and not hasattr(term, "args"):
                    types.setdefault(term.name, arg.type)
    return {name: _value(v, types.get(name)) for name, v in bindings.items()}


def check_proof(node, ev, kb, facts, hypothetical):
    kind = node["kind"]
    if kind == "fact":
        args = _args(kb, node["predicate"], node["args"])
        present = facts.find(node["predicate"], args, ev.context.moment) + [
            f for f in hypothetical if f.atom == (node["predicate"], args) and f.valid_on(ev.context.moment)]
        assert present, f"proof leaf {node['predicate']}{args} is not a present fact"
        assert ev.holds(node["predicate"], args)
    elif kind == "rule":
        rule = kb.by_id[node["rule"]["id"]]
        bindings = _bindings(kb, rule, node["bindings"])
        assert ground(rule.head, bindings) == _args(kb, node["predicate"], node["args"])
        for lit in rule.body:
            if isinstance(lit, Atom):
                assert ev.holds(lit.predicate, ground(lit, bindings)), f"{rule.id}: {lit} does not hold"
            elif isinstance(lit, Negation):
                assert not ev.holds(lit.atom.predicate, ground(lit.atom, bindings)), f"{rule.id}: {lit} holds"
            else:
                from kb.engine.terms import term_value
                assert builtins.compare(term_value(lit.left, bindings), lit.op, term_value(lit.right, bindings))
        assert len(node["children"]) == len(rule.body)
        for child in node["children"]:
            check_proof(child, ev, kb, facts, hypothetical)
    elif kind == "absent":
        assert not ev.holds(node["predicate"], _args(kb, node["predicate"], node["args"]))
        if node.get("why_not"):
            check_why_not(node["why_not"], ev, kb)
    elif kind == "context":
        assert ev.holds(node["predicate"], _args(kb, node["predicate"], node["args"]))
    elif kind == "comparison":
        assert builtins.compare(node["left"], node["op"], node["right"])


def check_why_not(tree, ev, kb):
    pattern = _args(kb, tree["predicate"], tree["args"])
    assert not ev.ask(tree["predicate"], pattern), f"why-not of {tree['predicate']}{pattern}, which holds"
    for candidate in tree["candidates"]:
        assert candidate["failed"], f"candidate {candidate['rule']['id']} has no failed condition"
        for failure in candidate["failed"]:
            kind = failure["kind"]
            if kind in ("missing-fact", "not-derived", "context-differs"):
                args = _args(kb, failure["predicate"], failure["args"])
                assert not ev.ask(failure["predicate"], args), f"{failure['condition']} named as failed but holds"
                if failure.get("why_not"):
                    check_why_not(failure["why_not"], ev, kb)
            elif kind == "blocked-by":
                args = _args(kb, failure["predicate"], failure["args"])
                assert ev.holds(failure["predicate"], args), f"block {failure['condition']} does not hold"
            elif kind == "comparison-false":
                left, right = failure["left"], failure["right"]
                if isinstance(left, str) and isinstance(right, str) and len(left) == 10 and left[4] == "-":
                    left, right = datetime.date.fromisoformat(left), datetime.date.fromisoformat(right)
                assert not builtins.compare(left, failure["op"], right)


def check_explanation(explanation, engine, kb, facts, question: Question):
    """Assert every property above for one explanation."""
    def job(ev):
        assert decide_in(ev, kb, question).outcome == explanation["outcome"]
        for proof in explanation["why"]:
            check_proof(proof, ev, kb, facts, question.hypothetical)
        for proof in explanation["blocks"]:
            assert proof["predicate"] == "blocked"
            check_proof(proof, ev, kb, facts, question.hypothetical)
        for tree in explanation["why_not"]:
            check_why_not(tree, ev, kb)
        return True

    engine.run(question.context(), job)
    assert explanation["why"], "every decision has a proof"
    for remedy in explanation["remedies"]:
        added = tuple(Fact(f["predicate"], _args(kb, f["predicate"], f["args"]),
                           datetime.date.fromisoformat(f["from"]), END, "hypothetical") for f in remedy["facts"])
        what_if = Question(question.actor, question.recipient, question.item, question.at, question.setting,
                           question.hypothetical + added)
        outcome = engine.run(what_if.context(), lambda ev: decide_in(ev, kb, what_if).outcome)
        assert outcome == remedy["outcome"] != explanation["outcome"], "a remedy must flip the decision"
        for f in remedy["facts"]:
            assert kb.vocabulary.predicates[f["predicate"]].brought_about_by, "remedies are acts of a person"
