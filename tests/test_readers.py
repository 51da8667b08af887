"""Redaction by reader (kb/rules/80_inzage.dl, kb/explain/readers.py): what the actor, the pupil,
a parent and an auditor see of one explanation, scenario by scenario."""
from __future__ import annotations

import copy
import datetime
import json
import re
from pathlib import Path

import jsonschema
import pytest

from kb.engine.pydatalog_engine import PyDatalogEngine
from kb.explain.explainer import explain
from kb.explain.model import WithheldDecision
from kb.explain.readers import READERS, for_reader
from kb.explain.render import full_text, summary
from kb.facts.model import END, Fact, FactSet
from kb.language.knowledge_base import load_knowledge_base
from kb.scenarios import load_scenario

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "kb" / "explain" /
                     "explanation.schema.json").read_text())
SCENARIOS = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"


@pytest.fixture(scope="module")
def explained():
    """Explain a scenario (optionally with extra facts): the full explanation."""
    kb = load_knowledge_base()
    engine = PyDatalogEngine()

    def run(stem: str, *extra: tuple) -> dict:
        scenario = load_scenario(SCENARIOS / f"{stem}.yaml", kb)
        facts = scenario.facts.union(Fact(p, tuple(args), datetime.date(2000, 1, 1), END, "test")
                                     for p, *args in extra)
        engine.load(kb, facts)
        return explain(engine, kb, facts, scenario.question)
    yield run
    engine.close()


def only_part(explanation: dict, reader: str, part: str) -> dict:
    """The explanation with only `part` recorded as withheld from `reader`: isolates how the redaction
    treats one part, where another (a parent's `item`, I3 and I6) would withhold the whole decision."""
    out = copy.deepcopy(explanation)
    out["withheld"][reader] = [e for e in out["withheld"][reader] if e["part"] == part]
    assert out["withheld"][reader], (reader, part)
    return out


def texts(explanation: dict, reader: str, lang: str = "en") -> str:
    shown = for_reader(explanation, reader)
    return summary(shown, lang) + "\n" + full_text(shown, lang)


def valid(shown) -> None:
    """A reader's JSON is valid: an explanation, or the notice that the decision is not shown."""
    data = shown.to_json()
    if data.get("shown") == "nothing":
        jsonschema.validate(data, {**SCHEMA["$defs"]["withheldDecision"], "$defs": SCHEMA["$defs"]})
    else:
        jsonschema.validate(data, SCHEMA)


def test_a_parent_does_not_learn_the_request_kept_from_the_parents(explained):
    explanation = explained("b04_request_toward_parents_outweighs_general_consent")
    parent = texts(explanation, "parent")
    # No marker where the request stood (its place would tell it: review 2026-12-07, F3, F5): the note
    # every parent's page carries, and the reason as what the professional cannot tell.
    assert "is never on this page" in parent and "ann cannot tell you more about this at the moment." in parent
    assert "cannot be shown to you" not in parent and "We cannot give you an explanation" not in parent and "What would change the outcome" not in parent
    for telling in ("5 October 2026", "kept from", "I1.", "B4.", "request"):
        assert telling not in parent, telling
    dutch = texts(explanation, "parent", "nl")
    assert "staat nooit op deze pagina" in dutch and "5 oktober 2026" not in dutch
    assert "ann kan u hierover op dit moment niets meer vertellen." in dutch
    # The decision itself is shown, and whom to ask.
    assert "Decision: forbidden." in parent and "For questions, contact ann, who took this decision." in parent


@pytest.mark.parametrize("reader", ["pupil", "actor", "auditor"])
def test_the_pupil_who_asked_the_actor_and_the_auditor_see_the_request(explained, reader):
    explanation = explained("b04_request_toward_parents_outweighs_general_consent")
    shown = texts(explanation, reader)
    assert "on 5 october 2026 lena asked that it not be shared with els" in shown.lower()
    assert "cannot be shown to you" not in shown and "We cannot give you an explanation" not in shown


def test_the_auditor_sees_exactly_the_full_trace(explained):
    explanation = explained("b04_request_toward_parents_outweighs_general_consent")
    shown = for_reader(explanation, "auditor")
    assert shown.withheld == explanation["withheld"] and shown.to_json() == {**explanation, "reader": "auditor"}
    assert full_text(shown, "en").replace(
        "The full explanation, for an audit: nothing is left out.\n", "") == full_text(explanation, "en")


def test_a_report_that_would_tell_a_parent_of_child_abuse_is_not_shown_to_the_parent(explained):
    explanation = explained("b09_abuse_obligated_despite_request", ("parent", "greet", "lena"))
    assert explanation["outcome"] == "obligated"
    parent, auditor = texts(explanation, "parent"), texts(explanation, "auditor")
    assert "i_abuse_signal reveals child abuse" in auditor.lower() or "reveals child abuse" in auditor
    assert "We cannot give you an explanation about this question here." in parent
    assert not re.search(r"\bann\b", parent)  # the notice names no one (parent review 16, A1)
    for telling in ("child abuse", "reporting point", "obligated", "must", "B9", "I3"):
        assert telling not in parent, telling


def test_a_request_a_staff_member_made_against_the_pupil_is_withheld_from_the_pupil(explained):
    explanation = explained("b05_staff_request_toward_pupil")
    pupil = texts(explanation, "pupil")
    assert "asked the CLB to treat" not in pupil and "I2." not in pupil
    assert "asked the CLB to treat" in texts(explanation, "auditor")


def test_nothing_about_an_item_only_about_third_parties_is_shown_to_the_pupil(explained):
    explanation = explained("l05_third_parties_excluded")
    shown = for_reader(explanation, "pupil")
    assert isinstance(shown, WithheldDecision)
    assert "only about third parties" not in texts(explanation, "pupil")
    assert "only about third parties" in texts(explanation, "auditor")


def test_every_reader_gets_schema_valid_json_without_the_record_of_what_was_withheld(explained):
    explanation = explained("b04_request_toward_parents_outweighs_general_consent")
    jsonschema.validate(explanation, SCHEMA)
    assert explanation["withheld"]["parent"] and not explanation["withheld"]["pupil"]
    for reader in READERS:
        shown = for_reader(explanation, reader)
        valid(shown)
        data = shown.to_json()
        assert ("withheld" in data) == (reader == "auditor") and data["reader"] == reader
        assert "2026-10-05" not in json.dumps(data) or reader not in ("parent", "other")
    assert explanation["withheld"]["parent"]  # redaction never changes the full trace


def test_a_deciding_rule_that_reads_a_withheld_part_withholds_the_decision_though_another_proof_is_shown(explained):
    """CI 2026-12-07: the proof shown went through L13.back_to_the_source, but the decision's own
    rule B9.discuss_a_concern_with_the_parents (which reads what the item reveals) was still listed
    to a reader from whom that is withheld."""
    explanation = explained("i03_a_mother_who_raised_the_concern_sees_what_it_reveals")
    assert "B9.discuss_a_concern_with_the_parents" in explanation["deciding_rules"]
    assert all(n["rule"]["id"] != "B9.discuss_a_concern_with_the_parents" for n in explanation["why"])
    revealed = only_part(explanation, "other", "revealed")
    assert revealed["withheld"]["other"][0]["deciding"] == ["B9.discuss_a_concern_with_the_parents"]
    assert isinstance(for_reader(revealed, "other"), WithheldDecision)
    assert "B9.discuss_a_concern_with_the_parents" not in json.dumps(for_reader(revealed, "other").to_json())
    assert isinstance(for_reader(explanation, "other"), WithheldDecision)  # the parents are shown nothing (I3)
    actor = for_reader(explanation, "actor")  # nothing is withheld from the CLB worker who asked
    assert "B9.discuss_a_concern_with_the_parents" in actor.deciding_rules


def test_a_remedys_deciding_rule_that_reads_a_withheld_part_is_not_named_to_the_reader(explained):
    """CI 2026-12-07: "if lena consents: permitted by B9.discuss_a_concern_with_the_parents" told the
    reader 'other' that the item reveals a concern. (The reader 'other' is now shown nothing of a
    concern kept from the parents (I3.nothing_of_a_disclosure_to_a_parent): the `revealed` part alone
    is kept to see how the redaction treats the remedies.)"""
    explanation = explained("b09_without_the_capable_friends_consent_the_young_ones_mother_is_not_told")
    rule = "B9.discuss_a_concern_with_the_parents"
    assert any(rule in r["deciding_rules"] for r in explanation["remedies"])
    other = for_reader(only_part(explanation, "other", "revealed"), "other")
    assert other.remedies and rule not in json.dumps(other.to_json())
    assert any(rule in r.deciding_rules for r in for_reader(explanation, "actor").remedies)


def test_someone_else_is_shown_only_what_no_rule_withholds_from_anybody(explained):
    explanation = explained("b04_request_toward_parents_outweighs_general_consent")
    other = texts(explanation, "other")
    assert "kept from" not in other and "Part of this explanation cannot be shown to you." in other
    valid(for_reader(explanation, "other"))


def test_an_unknown_reader_is_refused():
    with pytest.raises(ValueError, match="unknown reader `neighbour`"):
        for_reader({"why": []}, "neighbour")


@pytest.mark.parametrize("stem, rule, hidden", [
    ("i01_request_toward_everyone_kept_from_parent", "I1.request_kept_from_everyone", "kept from everyone"),
    ("i03_abuse_report_not_shown_to_parent", "I3.abuse_not_shown_to_parent", "reveals child abuse"),
    ("i03_concern_report_not_shown_to_parent", "I3.concern_not_shown_to_parent", "reveals a concern"),
    ("i04_third_parties_not_shown_to_parent", "I4.third_parties_parent", "only about third parties"),
])
def test_each_scenario_of_80_inzage_withholds_from_the_parent_and_not_from_the_auditor(explained, stem, rule, hidden):
    explanation = explained(stem)
    parent, auditor = texts(explanation, "parent"), texts(explanation, "auditor")
    assert rule not in parent and hidden not in parent and (
        "is never on this page" in parent or "We cannot give you an explanation" in parent)
    assert hidden in auditor and rule in json.dumps(for_reader(explanation, "auditor").to_json())


def test_a_parents_page_about_an_item_on_no_pupil_names_the_pupil_generically():
    """Never "de ouders van ." when no fact says whom the item is about (issue 19 leftover)."""
    kb = load_knowledge_base()
    scenario = load_scenario(SCENARIOS / "b03_teacher_with_consent.yaml", kb)
    facts = FactSet(f for f in scenario.facts if f.predicate != "item_about")
    engine = PyDatalogEngine()
    try:
        engine.load(kb, facts)
        explanation = explain(engine, kb, facts, scenario.question)
    finally:
        engine.close()
    assert explanation["question"]["about"] == []
    for lang, group in (("nl", "de ouders van de leerling"), ("en", "the parents of the pupil")):
        text = summary(for_reader(explanation, "parent"), lang)
        assert group in text and " van ." not in text and " of ." not in text



def test_a_suspected_pupil_is_shown_their_own_conduct_but_not_a_victims_account(explained):
    """Review 13, C2: what a teacher saw the pupil do is his; what a victim told the CLB is hers too."""
    seen = explained("i3_a_teacher_may_tell_a_pupil_what_she_saw_him_do")
    assert not [w for w in seen["withheld"]["pupil"] if w["part"] == "revealed"]
    account = explained("i5_a_victims_account_does_not_reach_the_bully_without_her_consent")
    assert [w["rule"] for w in account["withheld"]["pupil"] if w["part"] == "revealed"] == [
        "I3.not_shown_to_a_suspect"]


def test_an_adult_suspected_of_what_an_item_about_him_alone_reveals_is_not_shown_it():
    """Only a pupil is shown their own conduct (I3.own_conduct_alone asks for a pupil)."""
    kb = load_knowledge_base()
    scenario = load_scenario(
        SCENARIOS / "i3_what_a_teacher_saw_a_colleague_do_is_not_shown_to_him_on_a_parents_consent.yaml", kb)
    facts = FactSet(f for f in scenario.facts if f.args != ("i_shove", "noor"))
    engine = PyDatalogEngine()
    try:
        engine.load(kb, facts)
        explanation = explain(engine, kb, facts, scenario.question)
    finally:
        engine.close()
    assert explanation["question"]["about"] == ["bert"]
    assert [w["rule"] for w in explanation["withheld"]["pupil"] if w["part"] == "revealed"] == [
        "I3.not_shown_to_a_suspect"]


def test_a_parents_page_of_an_item_about_two_pupils_does_not_make_each_parent_the_parent_of_both(explained):
    """Review 13, C7: "the parents of noor and lena" said Mia was Lena's mother too. Review 15, C5: a
    page one family reads must not name the other family's child, her age or her parent — until the
    view is written per family, the parents of pupils of different families are shown whom to ask."""
    explanation = explained("l12_child_not_capable_consent_by_the_other_pupil")
    assert len(explanation["question"]["about"]) == 2
    assert for_reader(explanation, "parent").to_json()["shown"] == "nothing"
    for lang, notice in (("nl", "Over deze vraag kunnen we u hier geen uitleg geven."),
                         ("en", "We cannot give you an explanation about this question here.")):
        text = texts(explanation, "parent", lang)
        assert notice in text and "noor" not in text and "lena" not in text
    assert "noor" in texts(explanation, "actor") and "lena" in texts(explanation, "actor")


_FIGHT_AT_SCHOOL = """
name: a fight at school
statement: L12
facts:
  - pupil: [noor, sint_jozef]
  - born: [noor, 2016-03-01]
  - pupil: [lena, sint_jozef]
  - born: [lena, 2016-09-01]
  - parent: [mia, noor]
  - parent: [{lenas_parent}, lena]
  - school_staff: [tine, sint_jozef, teacher]
  - item_about: [f1, noor]
  - item_about: [f1, lena]
  - item_kind: [f1, wellbeing]
  - learned: [tine, f1, tine, school_staff]
question: {{actor: tine, recipient: mia, item: f1, at: 2026-11-02}}
expect: {{outcome: permitted, rule: L12.how_the_child_is_at_school}}
"""


def test_the_parents_of_two_siblings_read_one_page_about_both(tmp_path):
    """Siblings with the same parents are one family: their page is shown, and names both children."""
    explanation = _explain_yaml(tmp_path, _FIGHT_AT_SCHOOL.format(lenas_parent="mia"))
    shown = for_reader(explanation, "parent")
    assert shown.to_json()["shown"] != "nothing"
    assert "the parent of noor and lena" in full_text(shown, "en")
    other_family = _explain_yaml(tmp_path, _FIGHT_AT_SCHOOL.format(lenas_parent="dirk"))
    assert for_reader(other_family, "parent").to_json()["shown"] == "nothing"


def _explain_yaml(tmp_path, text: str) -> dict:
    kb = load_knowledge_base()
    path = tmp_path / "case.yaml"
    path.write_text(text)
    scenario = load_scenario(path, kb)
    engine = PyDatalogEngine()
    try:
        engine.load(kb, scenario.facts)
        return explain(engine, kb, scenario.facts, scenario.question)
    finally:
        engine.close()


YOUNG_CHILDS_REQUEST = """
name: a child of nine asked the CLB to keep it from the parents
statement: B4
facts:
  - clb_worker: [ann]
  - pupil: [noah, sint_jozef]
  - born: [noah, 2017-04-01]
  - parent: [els, noah]
  - guides: [ann, noah]
  - item_about: [n1, noah]
  - item_kind: [n1, wellbeing]
  - learned: [ann, n1, noah, clb_worker]
  - confidentiality_request_group: [noah, n1, parents, 2026-10-01]
question: {actor: ann, recipient: els, item: n1, at: 2026-11-02}
expect: {outcome: forbidden, rule: B4.confidentiality}
"""


def test_a_parent_is_not_told_what_is_missing_that_nobody_can_bring_about(tmp_path):
    """Review 14, C7: "the item does not reveal a concern" tells a parent about its content."""
    explanation = _explain_yaml(tmp_path, YOUNG_CHILDS_REQUEST)
    assert explanation["outcome"] == "forbidden" and not explanation["remedies"]
    assert "does not reveal a concern" in texts(explanation, "actor")
    for reader in ("parent", "pupil"):
        shown = texts(explanation, reader)
        assert "What is missing" not in shown and "concern" not in shown, reader


def test_a_parent_is_not_invited_to_an_act_only_the_capable_pupil_can_make(explained):
    """Review 14, C5: ways a parent cannot take are not on the parents' view; the pupils' view has them."""
    explanation = explained("b03_a_consent_for_one_of_two_pupils_does_not_reach_the_teacher")
    assert any("sam" in w["by"] for w in explanation["ways"])
    parent, pupil = texts(explanation, "parent"), texts(explanation, "pupil")
    assert "If sam consents" not in parent and "If you want to do this" not in parent
    assert "consents to sharing" in pupil and "If you want to do this" in pupil


VICTIMS_ACCOUNT = """
name: a victim's account to the CLB, asked about by the pupil it names
statement: I3
facts:
  - clb_worker: [ann]
  - pupil: [lena, sint_jozef]
  - born: [lena, 2012-03-01]
  - pupil: [sam, sint_jozef]
  - born: [sam, 2012-06-01]
  - guides: [ann, lena]
  - item_about: [v3, lena]
  - item_about: [v3, sam]
  - item_kind: [v3, behaviour]
  - learned: [ann, v3, lena, clb_worker]
  - suspected: [sam, v3]
question: {actor: ann, recipient: sam, item: v3, at: 2026-11-02}
expect: {outcome: forbidden, rule: I5.no_ground_around_the_reader_rules}
"""


@pytest.mark.parametrize("reader", ["pupil", "other"])
def test_the_pupil_suspected_is_not_shown_who_confided_in_the_clb(tmp_path, reader):
    """Review 14, C4: "ann guides lena" and "learned from lena" would tell Sam that Lena confided."""
    explanation = _explain_yaml(tmp_path, VICTIMS_ACCOUNT)
    assert "guides lena" in texts(explanation, "auditor") and "from lena" in texts(explanation, "auditor")
    for lang in ("en", "nl"):
        shown = texts(explanation, reader, lang)
        for telling in ("guides lena", "from lena", "begeleidt lena", "van lena"):
            assert telling not in shown, (reader, lang, telling)
