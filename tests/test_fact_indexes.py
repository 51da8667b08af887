"""The fact set's pattern index and the explainer's reads through it (issue 13): the same facts, in
the same order, as a scan of the predicate would give, from one index per predicate and position."""
from __future__ import annotations

import datetime
import random

import pytest

from kb.decide import Question
from kb.explain import people
from kb.facts.model import FactSet

DAYS = [datetime.date(2026, 11, 28), datetime.date(2025, 9, 1), datetime.date(2030, 1, 1)]


@pytest.fixture()
def facts(demo_facts):
    return demo_facts


def test_matching_gives_the_scan_s_facts_in_fact_order(facts):
    fresh = FactSet(list(facts))
    rng = random.Random(5)
    predicates = sorted({f.predicate for f in fresh})
    for _ in range(600):
        predicate = rng.choice(predicates)
        sample = rng.choice(fresh.of(predicate)).args
        pattern = tuple(v if rng.random() < 0.5 else None for v in sample)
        if rng.random() < 0.1:  # a value no fact has
            pattern = tuple("nobody" if v is not None else None for v in pattern)
        scan = [f for f in fresh.of(predicate)
                if all(v is None or f.args[i] == v for i, v in enumerate(pattern))]
        assert fresh.matching(predicate, pattern) == scan, (predicate, pattern)
    # one index per (predicate, first bound position), whatever the combinations asked
    assert all(isinstance(position, int) for _, position in fresh._pattern_indexes)
    assert len(fresh._pattern_indexes) <= sum(len(fresh.of(p)[0].args) for p in predicates)


def test_the_people_of_a_question_are_those_a_scan_finds(kb, facts):
    roles = kb.roles
    rng = random.Random(9)
    items = sorted({f.args[0] for f in facts.of(roles.item_subject)})
    persons = sorted({f.args[0] for f in facts if f.args and isinstance(f.args[0], str)})
    for _ in range(150):
        day = rng.choice(DAYS)
        item = rng.choice(items)
        question = Question("x", "y", item, day, "conversation")
        pupils = people.pupils_of(kb, facts, question)
        assert pupils == [f.args[1] for f in facts.of(roles.item_subject)
                          if f.valid_on(day) and f.args[0] == item]
        assert sorted(people.parents_of(kb, facts, pupils, day)) == sorted(
            f.args[0] for f in facts.of(roles.parent) if f.valid_on(day) and f.args[1] in pupils)
        person = rng.choice(persons)
        described = people._role_predicates(kb)
        names = {p.name for p in described}
        assert sorted(people._facts_of_person(facts, described, person, day)) == sorted(
            f for f in facts.mentioning(person)
            if f.valid_on(day) and f.args[0] == person and f.predicate in names)
