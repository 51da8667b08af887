"""A moment's model derived from another moment's (MaterializedEngine.model beyond its cache) is
the model built from scratch for that moment: same rows in every relation, on random fact sets
whose facts start and end on different days, and on the demo data at its scale; and it is cheaper."""
from __future__ import annotations

import datetime
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.engine.materialized import MaterializedEngine, MomentModel
from kb.facts.fixtures import load_fact_file
from kb.facts.model import Fact, FactSet
from kb.language.knowledge_base import load_knowledge_base
from kb.paths import ROOT
from random_facts import KNOWN, random_fact

DAYS = [datetime.date(2026, 10, 31), datetime.date(2026, 11, 1), datetime.date(2026, 11, 2),
        datetime.date(2026, 11, 3), datetime.date(2010, 1, 1), datetime.date(2040, 6, 1)]


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def assert_same_models(engine: MaterializedEngine, facts: FactSet, days) -> None:
    for day in days:
        derived = engine.model(day)
        fresh = MomentModel(derived.program, facts, day)
        assert set(derived.relations) == set(fresh.relations)
        for name, relation in fresh.relations.items():
            assert derived.relations[name].rows == relation.rows, (day, name)


@st.composite
def periods(draw, kb):
    fact = draw(random_fact(kb))
    start = draw(st.sampled_from([datetime.date.min, *DAYS[:4]]))
    end = draw(st.sampled_from([datetime.date.max, *(d for d in DAYS[:4] if d >= start)]))
    return Fact(fact.predicate, fact.args, start, end, "random")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_a_derived_moment_equals_a_fresh_one(kb, data):
    facts = FactSet(KNOWN + data.draw(st.lists(periods(kb), max_size=30)))
    engine = MaterializedEngine(cache_size=2)
    engine.load(kb, facts)
    assert_same_models(engine, facts, data.draw(st.permutations(DAYS)))


def test_a_derived_moment_costs_less_than_a_fresh_one(kb):
    """On the demo data a moment derived from a cached one recomputes only the strata that depend
    on the day (28 of 40 with the rules of issues 8 and 14), so it costs less than a fresh build;
    each figure is the best of three, to keep a shared machine's noise out."""
    facts = load_fact_file(ROOT / "fixtures" / "demo" / "facts.yaml", kb.vocabulary)
    engine = MaterializedEngine(cache_size=2)
    engine.load(kb, facts)
    start = datetime.date(2026, 11, 28)
    base = engine.model(start)
    bounded = engine._bounded_facts(facts)
    fresh = derived = 0.0
    for i in range(1, 9):
        day = start + datetime.timedelta(days=i)
        fresh += min(_timed(lambda: MomentModel(base.program, facts, day)) for _ in range(3))
        derived += min(_timed(lambda: base.moved(facts, bounded, day)) for _ in range(3))
    assert_same_models(engine, facts, [start + datetime.timedelta(days=9)])
    assert derived < 0.9 * fresh, (derived, fresh)


def _timed(build) -> float:
    started = time.perf_counter()
    build()
    return time.perf_counter() - started
