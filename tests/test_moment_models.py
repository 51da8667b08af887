"""A moment's model derived from another moment's (MaterializedEngine.model beyond its cache) is
the model built from scratch for that moment: same rows in every relation, on random fact sets
whose facts start and end on different days, and on the demo data at its scale, where it
evaluates fewer strata."""
from __future__ import annotations

import datetime

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


def test_a_derived_moment_recomputes_only_what_depends_on_the_day(kb, monkeypatch):
    """On the demo data a moment derived from a cached one evaluates only the strata that depend on
    the day or on facts whose validity differs (counted, not timed: a shared machine's timings are
    noise); a fresh build evaluates every stratum. Both give the same model."""
    from kb.engine import bottom_up
    facts = load_fact_file(ROOT / "fixtures" / "demo" / "facts.yaml", kb.vocabulary)
    engine = MaterializedEngine(cache_size=2)
    engine.load(kb, facts)
    start = datetime.date(2026, 11, 28)
    base = engine.model(start)
    evaluated: list[frozenset] = []
    original = bottom_up.evaluate_stratum
    monkeypatch.setattr(bottom_up, "evaluate_stratum",
                        lambda program, stratum, relations: (evaluated.append(frozenset(stratum)),
                                                             original(program, stratum, relations)))
    day = start + datetime.timedelta(days=3)
    MomentModel(base.program, facts, day)
    fresh = len(evaluated)
    evaluated.clear()
    derived = base.moved(facts, engine._bounded_facts(facts), day)
    program = base.program
    touched = {f.predicate for f in engine._bounded_facts(facts) if f.valid_on(start) != f.valid_on(day)}
    dirty = program.depending_on(touched | {"today"})
    assert all(stratum & dirty for stratum in evaluated)
    assert len(evaluated) < fresh
    fresh_model = MomentModel(program, facts, day)
    assert all(derived.relations[n].rows == r.rows for n, r in fresh_model.relations.items())
