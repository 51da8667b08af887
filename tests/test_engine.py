"""The pyDatalog engine behind the Engine interface: validity, comparisons, negation, recursion,
isolation of hypothetical facts, reloading, and confinement to one worker thread under concurrency."""
from __future__ import annotations

import datetime
import shutil
import threading
from collections import Counter

import pytest
from pyDatalog import pyEngine
from pyDatalog.Logic import Logic

import kb.engine.pydatalog_engine as pydatalog_engine
from kb.decide import decide
from kb.engine.base import Context
from kb.engine.pydatalog_engine import PyDatalogEngine
from kb.facts.model import Fact, FactSet
from kb.language import builtins
from kb.language.knowledge_base import DEFAULT_DIR, load_knowledge_base

D = datetime.date
SCHOOL_YEAR = (D(2026, 9, 1), D(2027, 6, 30))


def F(predicate: str, *args, period: tuple[datetime.date, datetime.date] | None = None) -> Fact:
    if period is None:
        return Fact(predicate, tuple(args))
    return Fact(predicate, tuple(args), period[0], period[1])


def ask(engine, predicate: str, pattern: tuple, at: datetime.date = D(2026, 11, 2), **context):
    return engine.run(Context(at, **context), lambda ev: ev.ask(predicate, pattern))


def holds(engine, predicate: str, args: tuple, at: datetime.date = D(2026, 11, 2), **context) -> bool:
    return engine.run(Context(at, **context), lambda ev: ev.holds(predicate, args))


# A CLB worker (ann) who learned item i1 about lena, a capable pupil; pia teaches at lena's school.
BASE = FactSet([
    F("clb_worker", "ann"),
    F("pupil", "lena", "sint_jozef"),
    F("born", "lena", D(2012, 3, 1)),
    F("item_about", "i1", "lena"),
    F("learned", "ann", "i1", "lena", "clb_worker"),
    F("school_staff", "pia", "sint_jozef", "teacher"),
], version="base")
QUESTION_DAY = D(2026, 11, 2)


def consent(day):
    return F("consent", "lena", "i1", "pia", day)


def request(day):
    return F("confidentiality_request", "lena", "i1", "pia", day)


# -- validity periods ---------------------------------------------------------------------------------

@pytest.mark.parametrize("day, expected", [
    (D(2026, 8, 31), False),
    (D(2026, 9, 1), True),
    (D(2027, 2, 1), True),
    (D(2027, 6, 30), True),
    (D(2027, 7, 1), False),
])
def test_an_input_fact_holds_on_its_from_and_until_days_and_not_one_day_outside(engine, kb, day, expected):
    engine.load(kb, FactSet([F("clb_worker", "ann", period=SCHOOL_YEAR)]))
    assert holds(engine, "clb_worker", ("ann",), at=day) is expected
    assert holds(engine, "care_provider", ("ann",), at=day) is expected  # and so does what follows from it


def test_the_same_fact_over_two_periods_holds_in_both_and_not_between(engine, kb):
    engine.load(kb, FactSet([F("clb_worker", "ann", period=(D(2026, 1, 1), D(2026, 6, 30))),
                             F("clb_worker", "ann", period=SCHOOL_YEAR)]))
    assert [holds(engine, "clb_worker", ("ann",), at=day)
            for day in (D(2026, 6, 30), D(2026, 7, 1), D(2026, 8, 31), D(2026, 9, 1))] == [True, False, False, True]


def test_ask_returns_every_matching_tuple_with_open_arguments(engine, kb):
    engine.load(kb, FactSet([F("guides", "bert", "lena"), F("guides", "bert", "tom"), F("guides", "cas", "tom")]))
    assert ask(engine, "guides", ("bert", None)) == [("bert", "lena"), ("bert", "tom")]
    assert ask(engine, "guides", (None, "tom")) == [("bert", "tom"), ("cas", "tom")]
    assert ask(engine, "guides", ("cas", "lena")) == []
    assert ask(engine, "guides", ("cas", "tom")) == [("cas", "tom")]


@pytest.mark.parametrize("pattern", [("clb_worker", ("ann", "x")), ("no_such_predicate", ("ann",))])
def test_asking_a_predicate_not_in_the_vocabulary_is_an_error(engine, kb, pattern):
    engine.load(kb, BASE)
    with pytest.raises(KeyError):
        ask(engine, *pattern)


# -- comparisons and years_between ------------------------------------------------------------------------

@pytest.mark.parametrize("born, day, years", [
    (D(2014, 11, 28), D(2026, 11, 27), 11),
    (D(2014, 11, 28), D(2026, 11, 28), 12),
    (D(2012, 2, 29), D(2024, 2, 28), 11),
    (D(2012, 2, 29), D(2024, 2, 29), 12),
    (D(2012, 2, 29), D(2025, 2, 28), 12),
    (D(2012, 2, 29), D(2025, 3, 1), 13),
    (D(2026, 1, 1), D(2026, 1, 1), 0),
])
def test_years_between_counts_full_years(born, day, years):
    assert builtins.years_between(born, day) == years


@pytest.mark.parametrize("born, day, capable", [
    (D(2014, 11, 28), D(2026, 11, 27), False),
    (D(2014, 11, 28), D(2026, 11, 28), True),
    (D(2012, 2, 29), D(2024, 2, 28), False),
    (D(2012, 2, 29), D(2024, 2, 29), True),
])
def test_a_pupil_is_presumed_capable_from_the_day_they_turn_twelve(engine, kb, born, day, capable):
    engine.load(kb, FactSet([F("pupil", "lena", "sint_jozef"), F("born", "lena", born)]))
    assert holds(engine, "capable", ("lena",), at=day) is capable
    assert holds(engine, "incapable", ("lena",), at=day) is not capable


@pytest.mark.parametrize("left, op, right, expected", [
    (1, "<", 2, True), (2, "<=", 2, True), (3, ">", 2, True), (2, ">=", 3, False),
    (D(2026, 1, 1), "<", D(2026, 1, 2), True), ("a", "=", "a", True), ("a", "!=", "b", True),
    (1, "<", D(2026, 1, 1), False), (1, ">", "a", False), (1, "!=", "1", True), (1, "=", "1", False),
])
def test_comparisons_never_order_values_of_different_kinds(left, op, right, expected):
    assert builtins.compare(left, op, right) is expected


@pytest.mark.parametrize("consent_day, lifted", [
    (D(2026, 10, 14), False),
    (D(2026, 10, 15), False),  # the same day is not later
    (D(2026, 10, 16), True),
])
def test_only_a_strictly_later_consent_lifts_a_confidentiality_request(engine, kb, consent_day, lifted):
    engine.load(kb, BASE.union([request(D(2026, 10, 15)), consent(consent_day)]))
    assert holds(engine, "lifted_by_later_consent", ("lena", "i1", "pia", D(2026, 10, 15))) is lifted
    assert holds(engine, "blocked", ("ann", "pia", "i1"), asked=("ann", "pia", "i1")) is not lifted


# -- negation and recursion -----------------------------------------------------------------------------------

@pytest.mark.parametrize("extra, trusted", [
    ((), True),
    ((F("guides", "tine", "lena"),), True),  # follows her at school, not for the CLB (L4.involved_in_care)
    ((F("clb_worker", "tine"), F("guides", "tine", "lena")), False),  # guides her for the CLB
    ((F("born", "tine", D(2010, 1, 1)),), False),  # a minor
    ((F("judged_incapable", "lena"),), True),  # any minor may designate, whatever her capacity (art. 24 DRM)
    ((F("designated_on", "lena", "tine", D(2025, 9, 1)), F("born", "tine", D(2008, 1, 1))), False),  # 17 when designated
    ((F("judged_capable", "lena"),), True),
])
def test_negation_a_designation_stands_unless_a_rule_voids_it(engine, kb, extra, trusted):
    engine.load(kb, FactSet([F("pupil", "lena", "sint_jozef"), F("designated_trusted_person", "lena", "tine"),
                             *extra]))
    assert holds(engine, "trusted_person_of", ("tine", "lena")) is trusted


def test_negation_a_reasoned_assessment_rebuts_the_presumption_of_capability(engine, kb):
    engine.load(kb, FactSet([F("pupil", "lena", "sint_jozef"), F("born", "lena", D(2010, 1, 1)),
                             F("judged_incapable", "lena", period=SCHOOL_YEAR)]))
    assert holds(engine, "capable", ("lena",), at=D(2026, 8, 31))
    assert not holds(engine, "capable", ("lena",), at=D(2026, 9, 1))


CHAIN = [F("superior_of", "director", "coordinator"), F("superior_of", "coordinator", "teacher"),
         F("superior_of", "teacher", "intern")]


def test_the_superior_relation_follows_the_whole_chain(engine, kb):
    engine.load(kb, FactSet(CHAIN))
    assert ask(engine, "superior", (None, "intern")) == [("coordinator", "intern"), ("director", "intern"),
                                                        ("teacher", "intern")]
    assert ask(engine, "superior", ("director", None)) == [("director", "coordinator"), ("director", "intern"),
                                                          ("director", "teacher")]
    assert not holds(engine, "superior", ("intern", "director"))
    assert not holds(engine, "superior", ("teacher", "teacher"))


def test_the_superior_chain_breaks_on_days_a_link_is_not_valid(engine, kb):
    links = [CHAIN[0], F("superior_of", "coordinator", "teacher", period=SCHOOL_YEAR), CHAIN[2]]
    engine.load(kb, FactSet(links))
    assert holds(engine, "superior", ("director", "intern"), at=D(2026, 9, 1))
    assert not holds(engine, "superior", ("director", "intern"), at=D(2026, 8, 31))
    assert holds(engine, "superior", ("teacher", "intern"), at=D(2026, 8, 31))


def test_a_cycle_in_the_superior_facts_terminates(engine, kb):
    engine.load(kb, FactSet([F("superior_of", "a", "b"), F("superior_of", "b", "a")]))
    assert ask(engine, "superior", (None, None)) == [("a", "a"), ("a", "b"), ("b", "a"), ("b", "b")]


# -- the context and hypothetical facts ----------------------------------------------------------------------

def test_the_question_context_is_visible_inside_the_job_and_replaced_by_the_next(engine, kb):
    engine.load(kb, BASE)

    def context(ev):
        return ev.ask("today", (None,)), ev.ask("asked_in", (None,)), ev.ask("asked", (None, None, None))

    first = engine.run(Context(D(2026, 1, 1), "court_testimony", ("ann", "pia", "i1")), context)
    second = engine.run(Context(D(2027, 1, 1)), context)
    assert first == ([(D(2026, 1, 1),)], [("court_testimony",)], [("ann", "pia", "i1")])
    assert second == ([(D(2027, 1, 1),)], [("conversation",)], [])


def test_a_hypothetical_fact_is_visible_inside_run_and_gone_after_it(engine, kb):
    engine.load(kb, BASE)
    what_if = Context(QUESTION_DAY, hypothetical=(F("clb_worker", "zed"), consent(D(2026, 10, 1))))
    inside = engine.run(what_if, lambda ev: (ev.ask("clb_worker", (None,)), ev.holds("valid_consent", ("i1", "pia"))))
    assert inside == ([("ann",), ("zed",)], True)
    assert ask(engine, "clb_worker", (None,)) == [("ann",)]
    assert not holds(engine, "valid_consent", ("i1", "pia"))


def test_a_hypothetical_fact_has_its_own_validity_period(engine, kb):
    engine.load(kb, BASE)
    what_if = (F("clb_worker", "zed", period=SCHOOL_YEAR),)
    assert not holds(engine, "clb_worker", ("zed",), at=D(2026, 8, 31), hypothetical=what_if)
    assert holds(engine, "clb_worker", ("zed",), at=D(2026, 9, 1), hypothetical=what_if)


@pytest.mark.parametrize("what_if", [
    F("clb_worker", "ann"),  # equal to a base fact
    Fact("clb_worker", ("ann",), origin="hypothetical"),  # equal except for where it came from
    F("clb_worker", "ann", period=SCHOOL_YEAR),  # the same atom over another period
])
def test_a_hypothetical_fact_equal_to_a_base_fact_leaves_the_base_fact_in_place(engine, kb, what_if):
    engine.load(kb, BASE)
    assert holds(engine, "clb_worker", ("ann",), hypothetical=(what_if,))
    assert holds(engine, "clb_worker", ("ann",), at=D(2026, 8, 1))
    assert holds(engine, "holds_professional_secrecy", ("ann", "i1"))


def test_the_same_hypothetical_fact_twice_is_still_retracted(engine, kb):
    engine.load(kb, BASE)
    assert holds(engine, "clb_worker", ("zed",), hypothetical=(F("clb_worker", "zed"), F("clb_worker", "zed")))
    assert not holds(engine, "clb_worker", ("zed",))


def test_an_exception_in_the_job_reaches_the_caller_and_still_retracts_the_hypothetical_facts(engine, kb):
    engine.load(kb, BASE)

    class Boom(Exception):
        pass

    def job(ev):
        assert ev.holds("clb_worker", ("zed",))
        raise Boom("inside the job")

    with pytest.raises(Boom, match="inside the job"):
        engine.run(Context(D(2026, 1, 1), "mdo", ("ann", "pia", "i1"), (F("clb_worker", "zed"),)), job)
    after = engine.run(Context(D(2027, 1, 1)), lambda ev: (ev.ask("clb_worker", (None,)), ev.ask("today", (None,)),
                                                          ev.ask("asked_in", (None,)), ev.ask("asked", (None,) * 3)))
    assert after == ([("ann",)], [(D(2027, 1, 1),)], [("conversation",)], [])


def test_a_job_that_raises_does_not_stop_the_engine(engine, kb):
    engine.load(kb, BASE)
    with pytest.raises(ZeroDivisionError):
        engine.run(Context(QUESTION_DAY), lambda ev: 1 / 0)
    assert holds(engine, "clb_worker", ("ann",))


def test_the_base_facts_are_unchanged_after_many_hypothetical_runs(engine, kb):
    engine.load(kb, BASE)
    snapshot = engine.run(Context(QUESTION_DAY), lambda ev: {p: ev.ask(p, (None,) * a) for p, a in
                                                             (("clb_worker", 1), ("consent", 4), ("learned", 4))})
    for day in (D(2026, 10, 1), D(2026, 10, 2), D(2026, 10, 3)):
        engine.run(Context(QUESTION_DAY, hypothetical=(consent(day), F("learned", "zed", "i1", "lena", "clb_worker"),
                                                       F("clb_worker", "ann"))), lambda ev: None)
    again = engine.run(Context(QUESTION_DAY), lambda ev: {p: ev.ask(p, (None,) * a) for p, a in
                                                          (("clb_worker", 1), ("consent", 4), ("learned", 4))})
    assert again == snapshot and snapshot["consent"] == []


# -- reloading -------------------------------------------------------------------------------------------------

def test_reloading_replaces_the_previous_facts_entirely(engine, kb):
    engine.load(kb, FactSet([F("clb_worker", "ann"), F("guides", "ann", "lena")]))
    engine.load(kb, FactSet([F("clb_worker", "bert")]))
    assert ask(engine, "clb_worker", (None,)) == [("bert",)]
    assert ask(engine, "guides", (None, None)) == []
    assert ask(engine, "care_provider", (None,)) == [("bert",)]


def test_reloading_a_fact_as_a_hypothetical_after_a_reload_does_not_remove_it(engine, kb):
    engine.load(kb, FactSet([F("clb_worker", "bert")]))
    engine.load(kb, FactSet([F("clb_worker", "ann")]))
    engine.run(Context(QUESTION_DAY, hypothetical=(F("clb_worker", "ann"),)), lambda ev: None)
    assert ask(engine, "clb_worker", (None,)) == [("ann",)]


EXTRA_PREDICATE = ('  extra_marker: {kind: input, args: [{Person: person}], nl: "{Person} is gemarkeerd", '
                   'en: "{Person} is marked", nl_not: "{Person} is niet gemarkeerd", en_not: "{Person} is not marked"}\n')
EXTRA_RULE = """
@id: T.extra
@source: test
@nl: {Actor} mag {Recipient} informeren over {Item}, want {Actor} is gemarkeerd.
@en: {Actor} may tell {Recipient} about {Item}, because {Actor} is marked.
may_tell(Actor, Recipient, Item) :-
    extra_marker(Actor),
    asked(Actor, Recipient, Item).
"""


@pytest.fixture(scope="module")
def extended_kb(tmp_path_factory):
    """The shipped knowledge base plus one input predicate and one rule that uses it."""
    directory = tmp_path_factory.mktemp("extended_kb")
    shutil.copytree(DEFAULT_DIR / "rules", directory / "rules")
    shutil.copy(DEFAULT_DIR / "conditions.yaml", directory / "conditions.yaml")
    vocabulary = (DEFAULT_DIR / "vocabulary.yaml").read_text(encoding="utf-8").rstrip("\n") + "\n" + EXTRA_PREDICATE
    (directory / "vocabulary.yaml").write_text(vocabulary, encoding="utf-8")
    (directory / "rules" / "99_extra.dl").write_text(EXTRA_RULE, encoding="utf-8")
    return load_knowledge_base(directory)


def test_reloading_replaces_the_previous_rules_and_vocabulary_entirely(engine, kb, extended_kb):
    facts = BASE.union([F("extra_marker", "ann")])
    engine.load(extended_kb, facts)
    assert decide(engine, extended_kb, facts, "ann", "pia", "i1", at=QUESTION_DAY).deciding_rules == (
        "D4.permitted_by_ground", "T.extra")
    engine.load(kb, BASE)
    assert decide(engine, kb, BASE, "ann", "pia", "i1", at=QUESTION_DAY).outcome == "forbidden"
    assert not holds(engine, "may_tell", ("ann", "pia", "i1"), asked=("ann", "pia", "i1"))
    with pytest.raises(KeyError):
        ask(engine, "extra_marker", (None,))


def test_two_engines_keep_their_own_facts(kb):
    first, second = PyDatalogEngine(), PyDatalogEngine()
    try:
        first.load(kb, FactSet([F("clb_worker", "ann")]))
        second.load(kb, FactSet([F("clb_worker", "bert")]))
        for _ in range(3):
            assert ask(first, "clb_worker", (None,)) == [("ann",)]
            assert ask(second, "clb_worker", (None,)) == [("bert",)]
    finally:
        first.close()
        second.close()


def test_close_stops_the_worker_thread(kb):
    engine = PyDatalogEngine()
    engine.load(kb, BASE)
    engine.close()
    assert not engine._thread.is_alive()


def test_a_run_after_close_fails_instead_of_waiting_forever(kb):
    engine = PyDatalogEngine()
    engine.load(kb, BASE)
    engine.close()
    outcome: dict = {}

    def caller() -> None:
        try:
            outcome["result"] = engine.run(Context(QUESTION_DAY), lambda ev: "answered")
        except Exception as err:  # noqa: BLE001 - any clear error is fine
            outcome["error"] = err

    thread = threading.Thread(target=caller, daemon=True)  # daemon: a hung caller must not block pytest
    thread.start()
    thread.join(timeout=3)
    assert not thread.is_alive(), "run() after close() is still waiting"
    assert "error" in outcome


def test_update_adds_and_removes_base_facts_without_a_reload(engine, kb):
    engine.load(kb, BASE)
    engine.update(added=[F("clb_worker", "bert")], removed=[F("clb_worker", "ann")])
    assert ask(engine, "clb_worker", (None,)) == [("bert",)]
    assert not holds(engine, "care_provider", ("ann",)) and holds(engine, "care_provider", ("bert",))
    # a hypothetical copy of a fact added by update() must not take it away
    assert holds(engine, "clb_worker", ("bert",), hypothetical=(F("clb_worker", "bert"),))
    assert holds(engine, "clb_worker", ("bert",))


# -- concurrency and thread confinement -------------------------------------------------------------------

# Each kind of caller adds its own hypothetical facts to the same question (may ann tell pia about i1?)
# and must always get the decision that follows from the base facts and its own facts only.
VARIANTS = {
    "consent": ((consent(D(2026, 10, 1)),), "permitted", ("D4.permitted_by_ground", "B3.consent")),
    "request": ((request(D(2026, 10, 15)),), "forbidden", ("D5.forbidden", "B4.confidentiality")),
    "nothing": ((), "forbidden", ("D5.forbidden",)),
    "request then consent": ((request(D(2026, 10, 1)), consent(D(2026, 10, 15))),
                             "permitted", ("D4.permitted_by_ground", "B3.consent")),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_each_variant_decides_as_expected_on_its_own(engine, kb, variant):
    engine.load(kb, BASE)
    facts, outcome, rules = VARIANTS[variant]
    decision = decide(engine, kb, BASE, "ann", "pia", "i1", at=QUESTION_DAY, hypothetical=facts)
    assert (decision.outcome, decision.deciding_rules) == (outcome, rules)


def test_concurrent_decisions_each_see_only_their_own_hypothetical_facts(engine, kb):
    engine.load(kb, BASE)
    threads_count, iterations = 16, 15
    # half the threads add a consent that permits; the others a confidentiality request, or nothing
    plan = ["consent" if i % 2 == 0 else ("request" if i % 4 == 1 else "nothing") for i in range(threads_count)]
    plan[3] = "request then consent"
    start = threading.Barrier(threads_count)
    wrong: list[str] = []
    done = Counter()

    def caller(index: int) -> None:
        facts, outcome, rules = VARIANTS[plan[index]]
        start.wait()
        for iteration in range(iterations):
            try:
                decision = decide(engine, kb, BASE, "ann", "pia", "i1", at=QUESTION_DAY, hypothetical=facts)
                got = (decision.outcome, decision.deciding_rules)
            except Exception as err:  # noqa: BLE001 - reported below
                got = (type(err).__name__, str(err))
            if got != (outcome, rules):
                wrong.append(f"thread {index} ({plan[index]}) iteration {iteration}: {got}")
            done[plan[index]] += 1

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert wrong == []
    assert sum(done.values()) == threads_count * iterations
    assert done["consent"] == threads_count // 2 * iterations
    # and nothing any thread added is left behind
    assert decide(engine, kb, BASE, "ann", "pia", "i1", at=QUESTION_DAY).deciding_rules == ("D5.forbidden",)


def test_jobs_run_one_at_a_time(engine, kb):
    engine.load(kb, BASE)
    active, peak, lock = [0], [0], threading.Lock()

    def job(ev):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        ev.ask("superior", (None, None))
        with lock:
            active[0] -= 1

    threads = [threading.Thread(target=lambda: [engine.run(Context(QUESTION_DAY), job) for _ in range(5)])
               for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert peak[0] == 1


def test_a_job_runs_on_the_engine_worker_thread_not_on_the_callers(engine, kb):
    engine.load(kb, BASE)
    caller = threading.get_ident()
    ident, name = engine.run(Context(QUESTION_DAY), lambda ev: (threading.get_ident(), threading.current_thread().name))
    assert ident != caller
    assert ident == engine._thread.ident and name == "pydatalog-engine"


class _Recording:
    """Stands in for a module: every function or class taken from it records the calling thread."""

    def __init__(self, real, calls: list):
        self._real, self._calls = real, calls

    def __getattr__(self, name):
        value = getattr(self._real, name)
        if not callable(value):
            return value

        def recorded(*args, **kwargs):
            self._calls.append((name, threading.get_ident()))
            return value(*args, **kwargs)
        return recorded

    def __call__(self, *args, **kwargs):
        self._calls.append((self._real.__name__, threading.get_ident()))
        return self._real(*args, **kwargs)


def test_pydatalog_is_only_ever_called_on_the_worker_thread(kb, monkeypatch):
    calls: list[tuple[str, int]] = []
    monkeypatch.setattr(pydatalog_engine, "pyEngine", _Recording(pyEngine, calls))
    monkeypatch.setattr(pydatalog_engine, "Logic", _Recording(Logic, calls))
    engine = PyDatalogEngine()
    try:
        engine.load(kb, BASE)
        decide(engine, kb, BASE, "ann", "pia", "i1", at=QUESTION_DAY, hypothetical=(consent(D(2026, 10, 1)),))
        worker = engine._thread.ident
    finally:
        engine.close()
    assert {"Logic", "Literal", "Clause", "assert_", "retract"} <= {name for name, _ in calls}
    assert {ident for _, ident in calls} == {worker}
    assert worker != threading.get_ident()


def test_the_calling_threads_own_pydatalog_state_is_untouched(kb):
    """A caller that uses pyDatalog itself keeps its own logic: the engine neither reads nor writes it."""
    report: dict = {}

    def caller() -> None:
        report["had_logic_before"] = hasattr(Logic.tl, "logic")
        Logic()  # this thread's own, fresh pyDatalog state
        mine = pyEngine.Clause(pyEngine.Literal("clb_worker__valid", [pyEngine.Term_of(v) for v in
                                                                      ("zed", D.min, D.max)]), [])
        pyEngine.assert_(mine)
        before = set(Logic.tl.logic.Db)
        engine = PyDatalogEngine()
        try:
            engine.load(kb, BASE)
            report["engine_sees"] = ask(engine, "clb_worker", (None,))
            report["decision"] = decide(engine, kb, BASE, "ann", "pia", "i1", at=QUESTION_DAY).outcome
        finally:
            engine.close()
        report["same_predicates"] = set(Logic.tl.logic.Db) == before
        answer = pyEngine.Literal("clb_worker__valid", [pyEngine.Var("X"), pyEngine.Var("F"), pyEngine.Var("U")]).ask()
        report["mine"] = sorted(row[0] for row in answer)

    thread = threading.Thread(target=caller)
    thread.start()
    thread.join(timeout=60)
    assert report == {"had_logic_before": False, "engine_sees": [("ann",)], "decision": "forbidden",
                      "same_predicates": True, "mine": ["zed"]}


def test_a_thread_that_only_calls_the_engine_never_gets_pydatalog_state(kb):
    report: dict = {}

    def caller() -> None:
        engine = PyDatalogEngine()
        try:
            engine.load(kb, BASE)
            decide(engine, kb, BASE, "ann", "pia", "i1", at=QUESTION_DAY, hypothetical=(consent(D(2026, 10, 1)),))
        finally:
            engine.close()
        report["has_logic"] = hasattr(Logic.tl, "logic")

    thread = threading.Thread(target=caller)
    thread.start()
    thread.join(timeout=60)
    assert report == {"has_logic": False}
