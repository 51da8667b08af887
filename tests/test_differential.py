"""Differential check: the production engine agrees with pyDatalog, the reference, on every decision.

Over seeded random fact sets of varied size (hypothesis, derandomised so CI is repeatable), each
with several questions and, for some, hypothetical facts. On a disagreement hypothesis shrinks the
fact set, so the failure report is the smallest fact set that still disagrees.
`bench/differential.py --examples 10000` runs the long version.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.decide import Question, decide_in
from kb.engine.materialized import MaterializedEngine
from kb.engine.pydatalog_engine import PyDatalogEngine

from random_facts import fact_sets, questions, random_fact

EXAMPLES = int(os.environ.get("DEELWIJZER_DIFFERENTIAL_EXAMPLES", "1000"))


@pytest.fixture(scope="module")
def engines():
    reference, production = PyDatalogEngine(), MaterializedEngine()
    yield reference, production
    reference.close()


def _decide(engine, kb, question):
    decision = engine.run(question.context(), lambda ev: decide_in(ev, kb, question))
    return decision.outcome, decision.deciding_rules


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_engines_agree_on_random_fact_sets(kb, engines, data):
    facts, first = data.draw(fact_sets(kb, min_size=0, max_size=40))
    more = data.draw(st.lists(questions(), max_size=3))
    what_if = data.draw(st.lists(random_fact(kb), max_size=3))
    reference, production = engines
    reference.load(kb, facts)
    production.load(kb, facts)
    for question in [first] + more:
        for hypothetical in ((), tuple(what_if)):
            q = Question(question.actor, question.recipient, question.item, question.at, question.setting,
                         hypothetical)
            assert _decide(production, kb, q) == _decide(reference, kb, q), (
                f"engines disagree on {q}; facts: {sorted(map(str, facts))}")


@settings(max_examples=200, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_an_updated_engine_answers_like_a_freshly_loaded_one(kb, data):
    """Fact changes are applied to cached moment models incrementally (only the strata they reach
    are recomputed); the answers must equal those of an engine loaded with the final facts."""
    facts, question = data.draw(fact_sets(kb, min_size=0, max_size=30))
    added = data.draw(st.lists(random_fact(kb), max_size=4))
    removed = data.draw(st.lists(st.sampled_from(list(facts)), max_size=4, unique=True))
    updated = MaterializedEngine()
    updated.load(kb, facts)
    updated.model(question.at)  # a cached model that the change must bring up to date
    updated.update(added, removed)
    final = facts.changed(added, removed, "final")
    fresh = MaterializedEngine()
    fresh.load(kb, final)
    for q in [question] + data.draw(st.lists(questions(), max_size=3)):
        assert _decide(updated, kb, q) == _decide(fresh, kb, q)
        for predicate in ("may_tell", "superior", "in_circle", "blocked"):
            pattern = (None,) * kb.vocabulary.predicates[predicate].arity
            assert updated.run(q.context(), lambda ev: ev.ask(predicate, pattern)) == \
                fresh.run(q.context(), lambda ev: ev.ask(predicate, pattern))
    assert set(final) == (set(facts) - set(removed)) | set(added)


@pytest.mark.parametrize("engine_class", [MaterializedEngine, PyDatalogEngine])
def test_a_hypothetical_fact_reaching_a_recursive_stratum(kb, engine_class):
    """A what-if superior_of fact extends the recursive superior chain for that question only."""
    import datetime

    from kb.engine.base import Context
    from kb.facts.model import Fact, FactSet
    engine = engine_class()
    try:
        engine.load(kb, FactSet([Fact("superior_of", (f"p{i + 1}", f"p{i}")) for i in range(5)]))
        day = datetime.date(2026, 1, 1)
        what_if = Context(day, hypothetical=(Fact("superior_of", ("boss", "p5")),))
        chain = engine.run(what_if, lambda ev: ev.ask("superior", ("boss", None)))
        assert [row[1] for row in chain] == ["p0", "p1", "p2", "p3", "p4", "p5"]
        assert engine.run(Context(day), lambda ev: ev.ask("superior", ("boss", None))) == []
    finally:
        engine.close()
