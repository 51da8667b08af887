"""decide(): one of four outcomes with the rules that decided it; questions about unknowns are refused."""
from __future__ import annotations

import datetime

import pytest

from kb.cli import main
from kb.decide import (OUTCOMES, DecisionError, InconsistentKnowledgeBase, decide, outcome_in)
from kb.engine.base import Context, Evaluation
from kb.facts.model import Fact, FactSet

D = datetime.date
DAY = D(2026, 11, 2)


def F(predicate: str, *args) -> Fact:
    return Fact(predicate, tuple(args))


# ann, a CLB worker, learned i1 about lena (14) while guiding her.
CLB = [F("clb_worker", "ann"), F("pupil", "lena", "sint_jozef"), F("born", "lena", D(2012, 3, 1)),
       F("item_about", "i1", "lena"), F("learned", "ann", "i1", "lena", "clb_worker")]
# tine, a teacher at lena's school, learned i2 about lena as staff; dirk directs the school.
STAFF = [F("pupil", "lena", "sint_jozef"), F("item_about", "i2", "lena"),
         F("school_staff", "tine", "sint_jozef", "teacher"), F("school_staff", "dirk", "sint_jozef", "director"),
         F("learned", "tine", "i2", "lena", "school_staff")]

# name: (facts, actor, recipient, item, setting, outcome, deciding rules)
CASES = {
    "B9 child abuse must be reported to a reporting point": (
        CLB + [F("reveals", "i1", "child_abuse"), F("reporting_point", "vk")],
        "ann", "vk", "i1", "conversation", "obligated", ("D1.obligated", "B9.report")),
    "B9 the duty outweighs the client's request for confidentiality": (
        CLB + [F("reveals", "i1", "concern_about_minor"), F("reporting_point", "vk"),
               F("confidentiality_request", "lena", "i1", "vk", D(2026, 10, 1))],
        "ann", "vk", "i1", "conversation", "obligated", ("D1.obligated", "B9.report")),
    "B9 the duty is toward a reporting point, not the police": (
        CLB + [F("reveals", "i1", "child_abuse"), F("police", "pol")],
        "ann", "pol", "i1", "conversation", "forbidden", ("D5.forbidden",)),
    "B7 a CLB worker testifying in court may weigh": (
        CLB + [F("court", "rb")], "ann", "rb", "i1", "court_testimony", "discretionary",
        ("D2.discretionary", "B7.court_testimony")),
    "B7 the same court outside testimony is forbidden": (
        CLB + [F("court", "rb")], "ann", "rb", "i1", "conversation", "forbidden", ("D5.forbidden",)),
    "L1 a police statement is not court testimony": (
        CLB + [F("police", "pol")], "ann", "pol", "i1", "police_statement", "forbidden", ("D5.forbidden",)),
    "B2 shared secrecy with a CLB colleague who guides the pupil": (
        CLB + [F("clb_worker", "bert"), F("guides", "bert", "lena"), F("necessary_for_guidance", "i1")],
        "ann", "bert", "i1", "conversation", "permitted", ("D4.permitted_by_ground", "B2.shared_secrecy")),
    "B6 a danger to life may be told to the police": (
        CLB + [F("reveals", "i1", "danger_to_life"), F("police", "pol")],
        "ann", "pol", "i1", "conversation", "permitted", ("D3.permitted_by_exception", "B6.exception")),
    "B6 the exception outweighs a request for confidentiality": (
        CLB + [F("reveals", "i1", "danger_to_life"), F("police", "pol"),
               F("confidentiality_request", "lena", "i1", "pol", D(2026, 10, 1))],
        "ann", "pol", "i1", "conversation", "permitted", ("D3.permitted_by_exception", "B6.exception")),
    "B8 a past crime without danger is not reported to the police": (
        CLB + [F("reveals", "i1", "past_crime"), F("police", "pol")],
        "ann", "pol", "i1", "conversation", "forbidden", ("D5.forbidden", "B8.no_report_of_past_crime")),
    "B4 the client's request blocks a consent given before it": (
        CLB + [F("school_staff", "pia", "sint_jozef", "teacher"), F("consent", "lena", "i1", "pia", D(2026, 9, 1)),
               F("confidentiality_request", "lena", "i1", "pia", D(2026, 10, 1))],
        "ann", "pia", "i1", "conversation", "forbidden", ("D5.forbidden", "B4.confidentiality")),
    "B11 staff must tell the director who asks": (
        STAFF + [F("director_request", "dirk", "tine", "lena")],
        "tine", "dirk", "i2", "conversation", "obligated", ("D1.obligated", "B11.director_request")),
    "B10 staff may tell their hierarchical superior": (
        STAFF + [F("superior_of", "dirk", "tine")],
        "tine", "dirk", "i2", "conversation", "permitted", ("D4.permitted_by_ground", "B10.official_channel")),
    "B10 staff may not tell a colleague": (
        STAFF + [F("school_staff", "wim", "sint_jozef", "teacher")],
        "tine", "wim", "i2", "conversation", "forbidden", ("D5.forbidden",)),
}


@pytest.fixture()
def loaded(engine, kb):
    """Load a fact set into the engine and return it."""
    def load(facts) -> FactSet:
        fact_set = FactSet(facts, version="test-facts")
        engine.load(kb, fact_set)
        return fact_set
    return load


# -- direct decisions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(CASES))
def test_decision_outcome_and_deciding_rules(engine, kb, loaded, name):
    facts, actor, recipient, item, setting, outcome, rules = CASES[name]
    decision = decide(engine, kb, loaded(facts), actor, recipient, item, at=DAY, setting=setting)
    assert (decision.outcome, decision.deciding_rules) == (outcome, rules)


@pytest.mark.parametrize("name", list(CASES))
def test_exactly_one_of_the_four_outcomes_holds_and_the_first_deciding_rule_concludes_it(engine, kb, loaded, name):
    facts, actor, recipient, item, setting, _, _ = CASES[name]
    facts = loaded(facts)
    args = (actor, recipient, item)
    holding = engine.run(Context(DAY, setting, args), lambda ev: [o for o in OUTCOMES if ev.holds(o, args)])
    decision = decide(engine, kb, facts, actor, recipient, item, at=DAY, setting=setting)
    assert holding == [decision.outcome]
    assert kb.by_id[decision.deciding_rules[0]].head.predicate == decision.outcome
    assert all(rule in kb.by_id for rule in decision.deciding_rules)
    assert len(set(decision.deciding_rules)) == len(decision.deciding_rules)


def test_a_decision_records_its_question_and_the_versions_it_used(engine, kb, loaded):
    facts, actor, recipient, item, setting, _, _ = CASES["B7 a CLB worker testifying in court may weigh"]
    decision = decide(engine, kb, loaded(facts), actor, recipient, item, at=DAY, setting=setting)
    question = decision.question
    assert (question.actor, question.recipient, question.item, question.at, question.setting) == (
        "ann", "rb", "i1", DAY, "court_testimony")
    assert (decision.kb_version, decision.facts_version) == (kb.version, "test-facts")


def test_the_moment_decides_which_facts_hold(engine, kb, loaded):
    facts = loaded(CLB + [F("reporting_point", "vk"),
                          Fact("reveals", ("i1", "child_abuse"), D(2026, 9, 1), D(2026, 12, 31))])
    assert decide(engine, kb, facts, "ann", "vk", "i1", at=D(2026, 9, 1)).outcome == "obligated"
    assert decide(engine, kb, facts, "ann", "vk", "i1", at=D(2026, 8, 31)).outcome == "forbidden"


def test_a_hypothetical_fact_changes_only_that_decision(engine, kb, loaded):
    facts = loaded(CLB + [F("school_staff", "pia", "sint_jozef", "teacher")])
    what_if = (F("consent", "lena", "i1", "pia", D(2026, 10, 1)),)
    assert decide(engine, kb, facts, "ann", "pia", "i1", at=DAY, hypothetical=what_if).deciding_rules == (
        "D4.permitted_by_ground", "B3.consent")
    assert decide(engine, kb, facts, "ann", "pia", "i1", at=DAY).deciding_rules == ("D5.forbidden",)


# -- questions that cannot be decided ------------------------------------------------------------------

@pytest.mark.parametrize("actor, recipient, item, code, message, hint", [
    ("anne", "bert", "i1", "unknown-person", "the actor `anne` is not a known person", "did you mean `ann`?"),
    ("ann", "berd", "i1", "unknown-person", "the recipient `berd` is not a known person", "did you mean `bert`?"),
    ("ann", "bert", "i_1", "unknown-item", "the item `i_1` is not a known information item", "did you mean `i1`?"),
    ("zoe", "bert", "i1", "unknown-person", "the actor `zoe` is not a known person", ""),
    ("ann", "bert", "school_report", "unknown-item", "the item `school_report` is not a known information item", ""),
])
def test_an_unknown_person_or_item_is_refused_with_a_suggestion(engine, kb, actor, recipient, item, code,
                                                                  message, hint):
    facts = FactSet(CLB + [F("clb_worker", "bert")])
    with pytest.raises(DecisionError) as raised:
        decide(engine, kb, facts, actor, recipient, item, at=DAY)
    assert (raised.value.code, raised.value.message, raised.value.suggestion) == (code, message, hint)


@pytest.mark.parametrize("actor, recipient, item, setting, field", [
    ("nobody", "ann", "i1", "conversation", "actor"),
    ("ann", "the actor", "i1", "conversation", "recipient"),  # a name that reads like another field
    ("ann", "bert", "the recipient", "conversation", "item"),
    ("ann", "bert", "i1", "the actor", "setting"),
])
def test_a_refused_question_names_the_field_at_fault(engine, kb, actor, recipient, item, setting, field):
    facts = FactSet(CLB + [F("clb_worker", "bert")])
    with pytest.raises(DecisionError) as raised:
        decide(engine, kb, facts, actor, recipient, item, at=DAY, setting=setting)
    assert raised.value.field == field


def test_an_unknown_setting_is_refused_with_the_settings_and_a_suggestion(engine, kb):
    with pytest.raises(DecisionError) as raised:
        decide(engine, kb, FactSet(CLB + [F("court", "rb")]), "ann", "rb", "i1", at=DAY, setting="court_testimoni")
    assert raised.value.code == "unknown-setting"
    assert raised.value.message.startswith("`court_testimoni` is not a setting; the settings are conversation,")
    assert raised.value.suggestion == "did you mean `court_testimony`?"


def test_a_value_known_only_as_something_else_is_not_a_person(engine, kb):
    # `sint_jozef` appears in the facts, but as a school, and `clb_worker` as a capacity
    for actor in ("sint_jozef", "clb_worker"):
        with pytest.raises(DecisionError) as raised:
            decide(engine, kb, FactSet(CLB), actor, "lena", "i1", at=DAY)
        assert raised.value.code == "unknown-person"


def test_a_person_named_only_in_a_hypothetical_fact_is_known(engine, kb, loaded):
    facts = loaded(CLB)
    what_if = (F("reporting_point", "vk"), F("reveals", "i1", "child_abuse"))
    decision = decide(engine, kb, facts, "ann", "vk", "i1", at=DAY, hypothetical=what_if)
    assert decision.outcome == "obligated"


class _Stub(Evaluation):
    def __init__(self, holding):
        self.context, self._holding = Context(DAY), holding

    def ask(self, predicate, pattern):
        return [tuple(pattern)] if predicate in self._holding else []


@pytest.mark.parametrize("holding", [(), ("permitted", "forbidden"), tuple(OUTCOMES)])
def test_a_model_without_exactly_one_outcome_is_a_broken_knowledge_base(kb, holding):
    with pytest.raises(InconsistentKnowledgeBase):
        outcome_in(_Stub(holding), kb, ("ann", "bert", "i1"))


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_a_model_with_exactly_one_outcome_gives_that_outcome(kb, outcome):
    assert outcome_in(_Stub((outcome,)), kb, ("ann", "bert", "i1")) == outcome


# -- kb decide -----------------------------------------------------------------------------------------------

FACT_FILE = """\
facts:
  - clb_worker: [ann]
  - pupil: [lena, sint_jozef]
  - item_about: [i1, lena]
  - learned: [ann, i1, lena, clb_worker]
  - court: [rb]
"""


def test_kb_decide_prints_the_outcome_and_deciding_rules(tmp_path, capsys):
    path = tmp_path / "facts.yaml"
    path.write_text(FACT_FILE, encoding="utf-8")
    code = main(["decide", "ann", "rb", "i1", "--at", "2026-11-02", "--setting", "court_testimony",
                 "--facts", str(path)])
    assert code == 0
    assert capsys.readouterr().out.startswith("discretionary — decided by D2.discretionary, B7.court_testimony")


def test_kb_decide_reports_an_unknown_person_with_its_code_and_exits_2(tmp_path, capsys):
    path = tmp_path / "facts.yaml"
    path.write_text(FACT_FILE, encoding="utf-8")
    assert main(["decide", "anne", "rb", "i1", "--at", "2026-11-02", "--facts", str(path)]) == 2
    err = capsys.readouterr().err
    assert "error[unknown-person]: the actor `anne` is not a known person" in err
    assert "help: did you mean `ann`?" in err
