"""The bench peers (clingo, Rego, Cedar, naive pyDatalog) give Deelwijzer's answers on the policy core.

Over seeded random fact sets drawn from the core's input predicates (bench/peers/core.py), each
question whose proof — of its outcome and of every block that fired — uses core rules only must get
the same outcome from every installed peer. Peers whose library is not installed (the `bench`
extra) are skipped. A disagreement names the question, the peer, the proof and the facts.
"""
from __future__ import annotations

import datetime
import importlib.util
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kb.decide import Question, decide_in
from kb.engine.materialized import MaterializedEngine
from kb.facts.model import Fact, FactSet

from random_facts import KNOWN, questions, values

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

from measure import proof_rules  # noqa: E402
from peers.core import CORE_INPUTS, CORE_RULES, in_core, moment_facts  # noqa: E402

LIBRARIES = {"clingo": "clingo", "rego": "regopy", "cedar": "cedarpy", "pydatalog-naive": "pyDatalog"}
INSTALLED = [name for name, module in LIBRARIES.items() if importlib.util.find_spec(module) is not None
             and (not os.environ.get("PEERS") or name in os.environ["PEERS"].split(","))]  # PEERS=clingo,rego


def _peer(name: str):
    from crosscheck import make_peer
    return make_peer(name)


# Drawn more often: the inputs whose rules need several facts to line up (capacity and consent,
# requests and their lifting, circles, the hierarchy); persons mostly from the pupil's side. No
# item_about: each item is about one pupil (KNOWN), as in every world the bench builds (the Rego
# and Cedar peers shape an item with one pupil).
WEIGHTED = sorted(set(CORE_INPUTS) - {"item_about"}) + 3 * ["consent", "confidentiality_request", "born", "judged_capable",
                                      "judged_incapable", "school_staff", "learned_in_circle", "circle_member",
                                      "general_consent", "consent_to_circle", "superior_of"]
# A smaller universe than random_facts' (the pupil, her parent, three staff, three bodies): denser
# fact sets, so that the facts a rule needs line up more often.
FOCUS = ["lena", "mia", "ann", "tine", "bert", "pol", "vk", "rb"]


@st.composite
def core_fact(draw, kb):
    pred = kb.vocabulary.predicates[draw(st.sampled_from(WEIGHTED))]
    args = tuple(draw(st.sampled_from(FOCUS if a.type == "person" else values(a.type, kb))) for a in pred.args)
    if pred.name == "superior_of" and FOCUS.index(args[0]) <= FOCUS.index(args[1]):
        args = (args[1], args[0]) if args[0] != args[1] else ("rb", "ann")  # acyclic, as random_facts
    until = draw(st.sampled_from([datetime.date.max, datetime.date(2026, 11, 1)]))
    return Fact(pred.name, args, datetime.date.min, until, "random")


@st.composite
def around(draw, kb, q):
    """Facts aimed at one question: a few of the facts its core rules read, about its actor,
    recipient and item, so that consent, capacity, requests, circles and superiors meet."""
    day = st.sampled_from(values("date", kb))
    giver = st.sampled_from(["lena", "mia"])
    circle = st.sampled_from(values("circle", kb))
    templates = [
        lambda: Fact("born", ("lena", draw(day))),
        lambda: Fact("born", ("lena", datetime.date(2006, 5, 1))),  # of age (L12.of_age): parents no longer act
        lambda: Fact("learned_in_circle", (q.actor, q.item, "care_team")),
        lambda: Fact(draw(st.sampled_from(["judged_capable", "judged_incapable"])), ("lena",)),
        lambda: Fact("consent", (draw(giver), q.item, q.recipient, draw(day))),
        lambda: Fact("general_consent", (draw(giver), "lena", draw(st.sampled_from(values("kind", kb))),
                                         q.recipient, draw(day))),
        lambda: Fact("item_kind", (q.item, draw(st.sampled_from(values("kind", kb))))),
        lambda: Fact("confidentiality_request", (draw(giver), q.item, q.recipient, draw(day))),
        lambda: Fact("learned", (q.actor, q.item, "mia", draw(st.sampled_from(values("capacity", kb))))),
        lambda: Fact("school_staff", (q.recipient, "s1", draw(st.sampled_from(values("role", kb))))),
        lambda: Fact("superior_of", (q.recipient, q.actor)),
        lambda: Fact("superior_of", ("tine", q.actor)),
        lambda: Fact("learned_in_circle", (q.actor, q.item, draw(circle))),
        lambda: Fact("circle_member", (q.recipient, "lena", draw(circle))),
        lambda: Fact("consent_to_circle", (draw(giver), q.item, draw(circle), draw(day))),
        lambda: Fact("guides", (q.recipient, "lena")),
        lambda: Fact("clb_worker", (q.recipient,)),
        lambda: Fact("reveals", (q.item, draw(st.sampled_from(values("matter", kb))))),
        lambda: Fact("can_avert", (q.recipient, q.item)),
        lambda: Fact("suspected", (q.recipient, q.item)),
        lambda: Fact(draw(st.sampled_from(["happened_at_school", "source_outside_the_family"])), (q.item,)),
        lambda: Fact("learned", (q.actor, q.item, q.actor, "school_staff")),
        lambda: Fact("learned", (q.actor, q.item, "ann", "school_staff")),
        lambda: Fact("confidentiality_request_group", (draw(giver), q.item,
                                                       draw(st.sampled_from(values("group", kb))), draw(day))),
        lambda: Fact("circle_agreement", ("lena", draw(circle), q.item)),
        lambda: Fact("school_staff", (q.recipient, "s1", draw(st.sampled_from(["care_coordinator",
                                                                               "internal_counsellor"])))),
        lambda: Fact("parent", (q.recipient, "lena")),
        # a witness: someone neither the pupil nor a parent told it and asked to keep it from the recipient
        lambda: Fact("learned", (q.actor, q.item, "bert", "school_staff")),
        lambda: Fact("confidentiality_request", ("bert", q.item, q.recipient, draw(day))),
    ]
    chosen = draw(st.lists(st.sampled_from(range(len(templates))), max_size=8))
    return [templates[k]() for k in chosen]


def test_core_rules_exist(kb):
    """Every rule id the core names is a rule of the knowledge base: a renamed or deleted rule
    fails here, loudly, instead of silently shrinking the set of questions compared."""
    missing = sorted(CORE_RULES - set(kb.by_id))
    assert not missing, f"CORE_RULES names rules that do not exist: {missing}"


def test_core_inputs_are_input_predicates(kb):
    wrong = [p for p in CORE_INPUTS if p not in kb.vocabulary.predicates
             or kb.vocabulary.predicates[p].kind != "input"]
    assert not wrong, f"CORE_INPUTS names predicates that are not inputs: {wrong}"


@pytest.mark.skipif(not INSTALLED, reason="no peer library installed (pip install -e .[bench])")
@settings(max_examples=200, deadline=None, derandomize=True, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_peers_agree_with_deelwijzer_on_core_questions(kb, data):
    qs = [Question(q.actor, data.draw(st.sampled_from(FOCUS)), q.item, q.at, q.setting)
          for q in data.draw(st.lists(questions(), min_size=1, max_size=5))]
    # Every asker holds the item (under a drawn secrecy), so that the grounds and blocks come into play.
    held = [Fact("learned", (q.actor, q.item, data.draw(st.sampled_from(FOCUS)),
                             data.draw(st.sampled_from(["clb_worker", "school_staff"]))))
            for q in qs]
    aimed = [f for q in qs for f in data.draw(around(kb, q))]
    aimed = [f for f in aimed if f.predicate != "superior_of" or f.args[0] != f.args[1]]
    facts = FactSet(KNOWN + held + aimed + data.draw(st.lists(core_fact(kb), max_size=25)))
    engine = MaterializedEngine()
    engine.load(kb, facts)
    decisions = [engine.run(q.context(), lambda ev, q=q: decide_in(ev, kb, q)) for q in qs]
    outcomes = [d.outcome for d in decisions]
    proofs = proof_rules(engine, kb, facts, qs, outcomes, [list(d.deciding_rules) for d in decisions], 60)
    core = [k for k in range(len(qs)) if in_core(proofs[k])]
    if not core:
        return
    rows = moment_facts(facts, qs[0].at)
    for name in INSTALLED:
        peer = _peer(name)
        peer.load(rows, qs[0].at)
        for k in core:
            q = qs[k]
            theirs = peer.decide(q.actor, q.recipient, q.item, q.setting)
            assert theirs == outcomes[k], (
                f"{name} says {theirs}, Deelwijzer {outcomes[k]} (proof {proofs[k]}) on "
                f"{(q.actor, q.recipient, q.item, q.setting)}; facts: {sorted(map(str, facts))}")
