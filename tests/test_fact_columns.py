"""FactSet kept as columns per predicate (FactSet.of_columns, as the store and snapshots read it):
the same answers as a fact set of Fact objects, with a predicate's Fact objects made only when
that predicate is asked for."""
from __future__ import annotations

import datetime

from kb.facts.model import BEGINNING, END, Fact, FactSet, known_entities
from kb.language.knowledge_base import load_knowledge_base

D = datetime.date
FACTS = [
    Fact("pupil", ("ann", "sch"), origin="store:1"),
    Fact("born", ("ann", D(2012, 3, 4)), origin="store:2"),
    Fact("parent", ("bea", "ann"), D(2020, 1, 1), D(2027, 1, 1), origin="store:3"),
    Fact("parent", ("carl", "ann"), origin="store:4"),
    Fact("clb_worker", ("dirk",), D(2026, 9, 1), END, origin="store:5"),
]


def columnar(facts: list[Fact]) -> FactSet:
    columns: dict = {}
    for f in facts:
        cols = columns.setdefault(f.predicate, ([], [], [], []))
        cols[0].append(f.args)
        cols[1].append(f.valid_from)
        cols[2].append(f.valid_until)
        cols[3].append(int(f.origin.split(":")[1]))
    return FactSet.of_columns(columns, "7")


def test_columns_answer_as_facts_do():
    ours, theirs = columnar(FACTS), FactSet(FACTS, "7")
    assert len(ours) == len(theirs) == 5
    assert sorted(ours) == sorted(theirs)
    assert [f.origin for f in ours.of("parent")] == ["store:3", "store:4"]
    assert ours.find("parent", ("bea", "ann"), D(2026, 1, 1)) == theirs.find("parent", ("bea", "ann"), D(2026, 1, 1))
    assert not ours.find("parent", ("bea", "ann"), D(2028, 1, 1))
    assert ours.matching("parent", (None, "ann")) == theirs.matching("parent", (None, "ann"))
    assert sorted(ours.mentioning("ann")) == sorted(theirs.mentioning("ann"))
    assert Fact("pupil", ("ann", "sch")) in ours and Fact("pupil", ("bob", "sch")) not in ours
    assert sorted(ours.valid_args("parent", D(2028, 1, 1))) == [("carl", "ann")]
    assert sorted(ours.bounded()) == sorted(f for f in FACTS if (f.valid_from, f.valid_until) != (BEGINNING, END))
    vocab = load_knowledge_base().vocabulary
    assert ours.entities(vocab) == known_entities(FACTS, vocab)
    unfit = [Fact("parent", ("x",), origin="store:9"), Fact("parent", ("y", "z"), origin="store:10")]
    assert columnar(unfit).entities(vocab) == known_entities(unfit, vocab) == {"person": {"x", "y", "z"}}


def test_facts_of_a_predicate_are_made_on_first_use_only():
    ours = columnar(FACTS)
    assert ours.valid_args("born", D(2026, 1, 1)) == [("ann", D(2012, 3, 4))]
    assert "born" not in ours._facts  # answered from the columns
    first = ours.of("born")
    assert ours.of("born") is first and "pupil" not in ours._facts


def test_a_change_of_columns_touches_only_its_predicates():
    ours = columnar(FACTS)
    changed = ours.changed([Fact("pupil", ("bob", "sch"))], [FACTS[3]], "8")
    assert changed.version == "8" and len(changed) == 5
    assert "clb_worker" not in changed._facts and changed.columns("clb_worker") is ours.columns("clb_worker")
    assert sorted(changed) == sorted(FactSet(FACTS[:3] + FACTS[4:] + [Fact("pupil", ("bob", "sch"))]))
    assert len(ours) == 5 and Fact("pupil", ("bob", "sch")) not in ours  # the original is untouched
    what_if = ours.union([Fact("clb_worker", ("eva",))])
    assert Fact("clb_worker", ("eva",)) in what_if and Fact("clb_worker", ("eva",)) not in ours
    assert ours.union([FACTS[0]]) is ours
