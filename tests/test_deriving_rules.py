"""The materialised engine names the rules that derive an atom itself (from the rows it derived on
demand, or one proof per rule over the model); decisions take their deciding rules from it. It must
name exactly the rules that a proof of each rule's body finds (kb/reasoning/instances.py), for the
question's own predicates and for materialised ones, with and without hypothetical facts."""
from __future__ import annotations

import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from random_facts import fact_sets, questions, random_fact

from kb.decide import Question
from kb.engine.materialized import MaterializedEngine
from kb.facts.fixtures import load_fact_file
from kb.language.vocabulary import OUTCOMES
from kb.reasoning.instances import instances

ROOT = Path(__file__).resolve().parent.parent


def _checked_predicates(kb) -> list[str]:
    names = [kb.roles.outcome(o) for o in OUTCOMES] + [r for o in OUTCOMES for r in kb.roles.reasons[o]]
    return list(dict.fromkeys(names + [kb.roles.may_disclose]))


def _compare(ev, kb, predicates, args, question) -> None:
    for predicate in predicates:
        proved = tuple(rule.id for rule, _ in instances(ev, kb, predicate, args))
        assert ev.deriving_rules(predicate, args) == proved, (predicate, question)


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_engine_names_the_rules_a_proof_finds(kb, data):
    facts, first = data.draw(fact_sets(kb, min_size=0, max_size=40))
    what_if = data.draw(st.lists(random_fact(kb), max_size=3))
    more = data.draw(st.lists(questions(), max_size=2))
    engine = MaterializedEngine()
    engine.load(kb, facts)
    predicates = _checked_predicates(kb)
    for question in [first] + more:
        for hypothetical in ((), tuple(what_if)):
            q = Question(question.actor, question.recipient, question.item, question.at, question.setting,
                         hypothetical)
            args = (q.actor, q.recipient, q.item)

            engine.run(q.context(), lambda ev, args=args, q=q: _compare(ev, kb, predicates, args, q))


def test_every_ground_of_the_demo_world(kb):
    """Each may_tell row of the demo world on its day, asked as a question: the rules named for it
    and for the question's own predicates are those a proof finds — including rows derived by
    several rules (materialised and on demand), whose order is then exercised too."""
    facts = load_fact_file(ROOT / "fixtures" / "demo" / "facts.yaml", kb.vocabulary)
    engine = MaterializedEngine()
    engine.load(kb, facts)
    day = datetime.date(2026, 11, 28)
    predicates = _checked_predicates(kb)
    several: set[str] = set()

    def compare(ev, args, question):
        _compare(ev, kb, predicates, args, question)
        several.update(p for p in predicates if len(ev.deriving_rules(p, args)) > 1)

    for args in sorted(engine.model(day).relations["may_tell"].rows)[:3000]:
        question = Question(*args, day)
        engine.run(question.context(), lambda ev, args=args, q=question: compare(ev, args, q))
    assert {"may_tell", "permitted"} <= several
