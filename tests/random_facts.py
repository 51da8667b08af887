"""Random fact sets over a small universe, for property and differential tests (hypothesis)."""
from __future__ import annotations

import datetime

from hypothesis import strategies as st

from kb.decide import Question
from kb.facts.model import Fact, FactSet

PERSONS = ["ann", "bert", "tine", "dirk", "lena", "mia", "pol", "vk", "rb"]
ITEMS = ["i1", "i2"]
DAY = datetime.date(2026, 11, 2)
# Everyone a question may name is known; the rest of each fact set is drawn at random.
KNOWN = [Fact("item_about", (item, "lena")) for item in ITEMS] + [
    Fact("pupil", ("lena", "s1")), Fact("clb_worker", ("ann",)), Fact("school_staff", ("tine", "s1", "teacher")),
    Fact("school_staff", ("bert", "s1", "teacher")), Fact("parent", ("mia", "lena")), Fact("adult", ("dirk",)),
    Fact("police", ("pol",)), Fact("reporting_point", ("vk",)), Fact("court", ("rb",))]


def values(type_name: str, kb) -> list:
    if type_name == "person":
        return PERSONS
    if type_name == "item":
        return ITEMS
    if type_name == "school":
        return ["s1"]
    if type_name == "kind":
        return ["health", "home"]
    if type_name == "name":
        return ["Ann", "Bo"]
    if type_name == "date":
        return [datetime.date(2010, 5, 1), datetime.date(2016, 5, 1), datetime.date(2026, 10, 1),
                datetime.date(2026, 11, 1)]
    return list(kb.vocabulary.types[type_name].values)


@st.composite
def random_fact(draw, kb):
    inputs = sorted(p.name for p in kb.vocabulary.predicates.values() if p.kind == "input")
    pred = kb.vocabulary.predicates[draw(st.sampled_from(inputs))]
    args = tuple(draw(st.sampled_from(values(a.type, kb))) for a in pred.args)
    if pred.name == "superior_of" and PERSONS.index(args[0]) <= PERSONS.index(args[1]):
        # Hierarchies are acyclic: pyDatalog, the reference engine, does not terminate on a cycle.
        args = (args[1], args[0]) if args[0] != args[1] else ("rb", "ann")
    until = draw(st.sampled_from([datetime.date.max, datetime.date(2026, 11, 1)]))
    return Fact(pred.name, args, datetime.date.min, until, "random")


@st.composite
def questions(draw):
    return Question(draw(st.sampled_from(["ann", "tine", "bert"])), draw(st.sampled_from(PERSONS)),
                    draw(st.sampled_from(ITEMS)), DAY, draw(st.sampled_from(["conversation", "court_testimony"])))


@st.composite
def fact_sets(draw, kb, min_size: int = 4, max_size: int = 22):
    facts = KNOWN + draw(st.lists(random_fact(kb), min_size=min_size, max_size=max_size))
    return FactSet(facts), draw(questions())
