"""The audience of an item with each recipient's reading: why the actor may (or must) tell them.

A recipient's reading is the reading of the rule that gave the ground (the last deciding rule, e.g.
B2.shared_secrecy under D4.permitted_by_ground), filled in with the bindings of the instance that
made it fire in that question's evaluation, so every variable of the reading has its value.
"""
from __future__ import annotations

from .decide import Decision
from .engine.base import Engine
from .explain.terms import rule_reading
from .language.knowledge_base import KnowledgeBase
from .reasoning.instances import instances


def readings(engine: Engine, kb: KnowledgeBase, decision: Decision) -> dict[str, str]:
    """The reading ({nl, en}) of the rule that grounds `decision`, or {} when it has no ground rule."""
    rule = kb.by_id.get(decision.deciding_rules[-1]) if decision.deciding_rules else None
    if rule is None:
        return {}
    q = decision.question

    def job(ev):
        for candidate, bindings in instances(ev, kb, rule.head.predicate, (q.actor, q.recipient, q.item)[
                :len(rule.head.args)], per_rule=1):
            if candidate.id == rule.id:
                return rule_reading(rule, bindings, kb)
        return {}
    return engine.run(q.context(), job)
