"""Which scenarios exercise which rule: a rule is exercised by a scenario when it fires in the
model of that scenario's question (the same test as `kb test --coverage`)."""
from __future__ import annotations

from ..engine.materialized import MaterializedEngine
from ..language.knowledge_base import KnowledgeBase
from ..scenarios import Scenario, fired_rules


def scenarios_exercising(kb: KnowledgeBase, scenarios: list[Scenario]) -> dict[str, list[Scenario]]:
    """rule id -> the scenarios in whose model the rule fires, in the order given."""
    engine = MaterializedEngine(cache_size=1)
    found: dict[str, list[Scenario]] = {}
    for scenario in scenarios:
        engine.load(kb, scenario.facts)
        try:
            fired = engine.run(scenario.question.context(), lambda ev: fired_rules(ev, kb))
        except Exception:  # a scenario these rules cannot decide exercises nothing
            continue
        for rule_id in fired:
            found.setdefault(rule_id, []).append(scenario)
    return found
