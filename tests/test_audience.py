"""The audience query ("whom may or must the actor tell about the item") asks only the candidates
the decision rules allow; it must list exactly who deciding every known person would list."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.decide import Question
from kb.engine.materialized import MaterializedEngine
from kb.workspace import Workspace

from random_facts import ITEMS, fact_sets


def _brute_force(workspace: Workspace, actor: str, item: str, question: Question) -> list[tuple]:
    persons = sorted(p for p in workspace.facts.entities(workspace.kb.vocabulary)["person"] if p != actor)
    decided = [workspace.decide(Question(actor, p, item, question.at, question.setting)) for p in persons]
    return [(d.question.recipient, d.outcome, d.deciding_rules) for d in decided if d.outcome != "forbidden"]


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_audience_equals_deciding_everyone(kb, data):
    facts, question = data.draw(fact_sets(kb, min_size=0, max_size=40))
    workspace = Workspace(facts=facts, engine="materialized")
    for item in ITEMS:
        listed = [(d.question.recipient, d.outcome, d.deciding_rules)
                  for d in workspace.audience(question.actor, item, question.at, question.setting)]
        assert listed == _brute_force(workspace, question.actor, item, question)


def test_repeated_question_is_answered_from_the_cache_until_the_facts_change(kb):
    import datetime

    from kb.facts.model import Fact, FactSet
    from random_facts import KNOWN
    workspace = Workspace(facts=FactSet(KNOWN + [Fact("learned", ("ann", "i1", "lena", "clb_worker")),
                                                 Fact("born", ("lena", datetime.date(2017, 5, 1)))]),
                          engine="materialized")
    question = Question("ann", "tine", "i1", datetime.date(2026, 11, 2))
    first = workspace.decide(question)
    assert first.outcome == "forbidden" and workspace.decide(question) is first
    # lena is nine and not judged capable, so her parent mia consents (L3).
    workspace.change_facts([Fact("consent", ("mia", "i1", "tine", datetime.date(2026, 10, 1)))], [], "v2")
    after = workspace.decide(question)
    assert after.outcome == "permitted" and "B3.consent" in after.deciding_rules
