"""The indexes questions read a model through are built with the model (issue 13): decisions and
explanations over a just-built model never build an index, whether the model was built fresh,
derived for another day or for changed facts. Counted, not timed (timings on a shared machine are
noise; bench/explain.py and bench/measure.py time them)."""
from __future__ import annotations

import datetime
import random

import pytest

from kb.decide import Question, decide_in
from kb.engine import bottom_up, relations
from kb.engine.indexes import read_patterns
from kb.engine.materialized import MaterializedEngine
from kb.explain.explainer import explain
from kb.facts.model import Fact

DAY = datetime.date(2026, 11, 28)


@pytest.fixture()
def facts(demo_facts):
    return demo_facts


def demo_questions(facts, n: int, seed: int = 3) -> list[Question]:
    """Holders of items asking about telling people linked to the item's pupil, or anyone."""
    rng = random.Random(seed)
    learned = sorted(facts.of("learned"), key=lambda f: f.args)
    people = sorted({f.args[0] for p in ("school_staff", "clb_worker", "parent") for f in facts.of(p)})
    out = []
    for _ in range(n):
        actor, item = rng.choice(learned).args[:2]
        pupils = [f.args[1] for f in facts.matching("item_about", (item, None))]
        linked = sorted({a for p in pupils for f in facts.mentioning(p) for a in f.args
                         if isinstance(a, str) and a in people and a != actor})
        recipient = rng.choice(linked if linked and rng.random() < 0.6 else [p for p in people if p != actor])
        out.append(Question(actor, recipient, item, DAY, rng.choice(["conversation", "court_testimony"])))
    return out


def lazily_built(monkeypatch, engine, kb, facts, questions) -> list:
    """The indexes built on the model's relations while `questions` are decided and explained."""
    model = engine.model(DAY)
    mine = {id(r): name for name, r in model.relations.items()}
    built: list = []
    original = relations.Relation._index

    def recording(self, positions):
        if id(self) in mine:
            built.append((mine[id(self)], positions))
        return original(self, positions)

    monkeypatch.setattr(relations.Relation, "_index", recording)
    for q in questions:
        engine.run(q.context(), lambda ev: decide_in(ev, kb, q, facts.version))  # noqa: B023 - run now
        explain(engine, kb, facts, q, remedies=False)
    monkeypatch.setattr(relations.Relation, "_index", original)
    return built


def test_decisions_and_explanations_read_only_indexes_built_with_the_model(kb, facts, monkeypatch):
    questions = demo_questions(facts, 80)
    engine = MaterializedEngine()
    engine.load(kb, facts)
    assert lazily_built(monkeypatch, engine, kb, facts, questions) == []
    # The control: without the indexes built with the model, the same questions build some.
    monkeypatch.setattr(bottom_up, "build_read_indexes", lambda model: None)
    engine.load(kb, facts)
    assert lazily_built(monkeypatch, engine, kb, facts, questions)


def test_models_derived_for_another_day_or_changed_facts_have_the_indexes(kb, facts):
    engine = MaterializedEngine(cache_size=3)
    engine.load(kb, facts)
    engine.model(DAY)
    moved = engine.model(DAY + datetime.timedelta(days=200))  # derived from the cached one
    learned = sorted(facts.of("learned"), key=lambda f: f.args)[0]
    engine.update([Fact("learned", ("a_new_holder",) + learned.args[1:], origin="test")], [])
    changed = engine.model(DAY)
    patterns = read_patterns(changed.program, changed.size)
    assert ("learned", (0, 1, 3)) in patterns  # a why-not's read of who learned an item how
    for model in (moved, changed):
        missing = [(name, positions) for name, positions in patterns
                   if name in model.relations and positions not in model.relations[name]._indexes]
        assert missing == []
