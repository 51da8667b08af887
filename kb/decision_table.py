"""Every decision of one day and setting at once: the decision table.

Only an outcome other than `forbidden` needs a duty, a discretion or a ground, and every rule that
gives one names it in a condition that does not depend on the question asked — its guard, as for
the audience (decide.audience_candidates). The guards' rows are therefore every question that can
be anything but forbidden. The engine answers those all at once, set-at-a-time (Engine.many); any
other question is forbidden by the one rule that concludes so when nothing else holds, and only
the blocks that also hold for it are found on demand. A question is then decided by reading the
table, with the same outcome, deciding rules and conditions as deciding it alone (a test holds the
two to each other). Rules that do not have this shape get no table: `why_no_table` says why.
"""
from __future__ import annotations

import datetime
import functools
import logging
import os
import threading
from collections.abc import Callable

from .decide import Decision, Question, attached_conditions, deciding_rules, outcome_in
from .engine.base import QUESTION, Context, Engine, Evaluation, ManyAnswers
from .engine.program import Program
from .language.ast import Atom, Constant, Negation, Rule, Variable
from .language.checks import dependency_graph, depending_on
from .language.knowledge_base import KnowledgeBase
from .language.vocabulary import OUTCOMES, Outcome

log = logging.getLogger(__name__)


class DecisionTable:
    """The decisions of one day and setting on one knowledge base and fact base."""

    def __init__(self, engine: Engine, kb: KnowledgeBase, moment: datetime.date, setting: str,
                 answers: ManyAnswers):
        self.engine, self.kb, self.moment, self.setting = engine, kb, moment, setting
        self._answers = answers
        (self._forbidden_rule,) = kb.by_head[kb.roles.outcome(Outcome.FORBIDDEN)]
        self._conditions = functools.lru_cache(maxsize=1024)(functools.partial(attached_conditions, kb))
        self._block_guards = engine.run(Context(moment, setting), lambda ev: _block_guards(ev, kb))

    @classmethod
    def build(cls, engine: Engine, kb: KnowledgeBase, moment: datetime.date, setting: str) -> DecisionTable | None:
        """The table of a day and setting, or None when the rules or the engine allow none."""
        if why_no_table(kb):
            return None
        reasons = {reason for o in OUTCOMES for reason in kb.roles.reasons[o]}
        answers = engine.many(moment, setting, _candidates(kb), reasons | {kb.roles.outcome(o) for o in OUTCOMES})
        return None if answers is None else cls(engine, kb, moment, setting, answers)

    @property
    def candidates(self) -> frozenset[tuple]:
        """The (actor, recipient, item) questions that can be anything but forbidden."""
        return self._answers.questions

    def decide(self, question: Question, facts_version: str = "") -> Decision:
        """The decision of a question of this table's day and setting, without hypothetical facts."""
        if question.hypothetical or (question.at, question.setting) != (self.moment, self.setting):
            raise ValueError("a decision table answers questions of its own day and setting only")
        args = (question.actor, question.recipient, question.item)
        answers, kb = self._answers, self.kb
        if args in answers.questions:
            outcome = outcome_in(answers, kb, args)
            rules = deciding_rules(answers, kb, outcome, args)
            may_disclose = kb.roles.may_disclose in kb.by_head and answers.holds(kb.roles.may_disclose, args)
        else:  # no guard holds: forbidden by its one rule, with whatever blocks hold as well
            outcome = Outcome.FORBIDDEN
            rule = self._forbidden_rule.id
            if any(guard is None or tuple(args[p] for p in guard[0]) in guard[1] for guard in self._block_guards):
                rules = self.engine.run(question.context(), lambda ev: deciding_rules(ev, kb, outcome, args, rule))
            else:  # no block's guard holds either
                rules = (rule,)
            may_disclose = False
        return Decision(question, outcome, rules, kb.version, facts_version,
                        conditions=self._conditions(rules), may_disclose=may_disclose)


class DecisionTables:
    """The decision tables of one knowledge base and fact base, per day and setting (the few most
    recently built). A question never waits for one: the second question of a day and setting
    (a one-off question, as on the command line, does not pay for a table) starts building its
    table in the background, and questions are decided alone until it is ready. A new rule or
    fact base gets a new, empty DecisionTables."""

    KEPT = 4

    def __init__(self) -> None:
        self._tables: dict[tuple, DecisionTable | None] = {}
        self._asked: dict[tuple, int] = {}
        self._building: dict[tuple, int] = {}  # key -> the process building it (a fork starts over)
        self._lock = threading.Lock()

    def get(self, engine: Engine, kb: KnowledgeBase, at: datetime.date, setting: str) -> DecisionTable | None:
        """The table of a day and setting if it is ready; else None (and, from the second question
        on, it is being built)."""
        key = (at, setting)
        if key in self._tables:
            return self._tables[key]
        with self._lock:
            self._asked[key] = asked = self._asked.get(key, 0) + 1
            if asked < 2 or self._building.get(key) == os.getpid():
                return None
            self._building[key] = os.getpid()
        threading.Thread(target=self._build_quietly, args=(engine, kb, at, setting), daemon=True,
                         name="decision-table").start()
        return None

    def build(self, engine: Engine, kb: KnowledgeBase, at: datetime.date, setting: str) -> DecisionTable | None:
        """The table of a day and setting, built now unless it is ready."""
        key = (at, setting)
        if key in self._tables:
            return self._tables[key]
        table = DecisionTable.build(engine, kb, at, setting)
        with self._lock:
            self._tables[key] = table
            self._building.pop(key, None)
            while len(self._tables) > self.KEPT:
                del self._tables[next(iter(self._tables))]
        return table

    def _build_quietly(self, engine: Engine, kb: KnowledgeBase, at: datetime.date, setting: str) -> None:
        try:
            self.build(engine, kb, at, setting)
        except Exception:  # noqa: BLE001 - questions are then decided alone, as before
            log.exception("the decision table of %s (%s) could not be built", at, setting)
            with self._lock:
                self._tables[(at, setting)] = None


def why_no_table(kb: KnowledgeBase) -> str:
    """'' when the decision rules have the shape a table needs (and are question-local); else what
    is missing."""
    roles = kb.roles
    asked_dependent = depending_on(dependency_graph(kb.rules), [QUESTION])
    positive = [roles.outcome(o) for o in OUTCOMES if o != Outcome.FORBIDDEN]
    for predicate in positive:
        for rule in kb.by_head.get(predicate, ()):
            if _guard(rule, asked_dependent) is None:
                return (f"rule {rule.id} has no condition naming actor, recipient and item that does not "
                        "depend on the question")
    forbidding = list(kb.by_head.get(roles.outcome(Outcome.FORBIDDEN), ()))
    if len(forbidding) != 1 or not _forbids_when_nothing_else_holds(forbidding[0], positive):
        return "`forbidden` is not concluded by one rule from the question and the absence of the other outcomes"
    for rule in kb.by_head.get(roles.may_disclose, ()):
        head = rule.head.args
        if not any(isinstance(lit, Atom) and lit.predicate in positive and lit.args == head for lit in rule.body):
            return f"rule {rule.id} does not follow from an outcome other than forbidden"
    return Program(kb).not_question_local


def _candidates(kb: KnowledgeBase) -> Callable[[Evaluation], set[tuple]]:
    """Every (actor, recipient, item) that some guard holds for, read in an evaluation."""
    asked_dependent = depending_on(dependency_graph(kb.rules), [QUESTION])
    guards = [_guard(rule, asked_dependent) for o in OUTCOMES if o != Outcome.FORBIDDEN
              for rule in kb.by_head.get(kb.roles.outcome(o), ())]

    def candidates(ev: Evaluation) -> set[tuple]:
        found: set[tuple] = set()
        for guard in guards:
            assert guard is not None  # why_no_table checked every rule has one
            atom, places = guard
            pattern = tuple(t.value if isinstance(t, Constant) else None for t in atom.args)
            found.update((row[places[0]], row[places[1]], row[places[2]]) for row in ev.ask(atom.predicate, pattern))
        return found
    return candidates


def _block_guards(ev: Evaluation, kb: KnowledgeBase) -> list[tuple[tuple[int, ...], set[tuple]] | None]:
    """For each rule giving `forbidden` its reason (a block): the places of the question its guard
    names and the values they take in the guard's rows — a block can hold for a question only
    if the question's values are among them. None for a rule without such a guard."""
    asked_dependent = depending_on(dependency_graph(kb.rules), [QUESTION])
    guards: list[tuple[tuple[int, ...], set[tuple]] | None] = []
    for reason in kb.roles.reasons[Outcome.FORBIDDEN]:
        for rule in kb.by_head.get(reason, ()):
            head = [t.name if isinstance(t, Variable) else None for t in rule.head.args]
            best: tuple[Atom, list[int]] | None = None
            for lit in rule.body:
                if isinstance(lit, Atom) and lit.predicate not in asked_dependent:
                    names = [t.name if isinstance(t, Variable) else None for t in lit.args]
                    places = [p for p, name in enumerate(head) if name is not None and name in names]
                    if places and (best is None or len(places) > len(best[1])):
                        best = (lit, places)
            if best is None:
                guards.append(None)
                continue
            atom, places = best
            names = [t.name if isinstance(t, Variable) else None for t in atom.args]
            at = [names.index(head[p]) for p in places]
            pattern = tuple(t.value if isinstance(t, Constant) else None for t in atom.args)
            guards.append((tuple(places), {tuple(row[i] for i in at) for row in ev.ask(atom.predicate, pattern)}))
    return guards


def _guard(rule: Rule, asked_dependent: set[str]) -> tuple[Atom, tuple[int, int, int]] | None:
    """A positive condition of `rule` that names its head's three variables and does not depend on
    the question, with the places where it names them."""
    head = [t.name if isinstance(t, Variable) else None for t in rule.head.args]
    if None in head or len(set(head)) != 3:
        return None
    for lit in rule.body:
        if isinstance(lit, Atom) and lit.predicate not in asked_dependent:
            names = [t.name if isinstance(t, Variable) else None for t in lit.args]
            if all(name in names for name in head):
                return lit, (names.index(head[0]), names.index(head[1]), names.index(head[2]))
    return None


def _forbids_when_nothing_else_holds(rule: Rule, positive: list[str]) -> bool:
    """The rule is `forbidden(A, R, I) :- asked(A, R, I), not <each other outcome>(A, R, I)`."""
    head = rule.head.args
    asks = [lit for lit in rule.body if isinstance(lit, Atom)]
    negated = sorted(lit.atom.predicate for lit in rule.body if isinstance(lit, Negation) and lit.atom.args == head)
    return (len(rule.body) == 1 + len(positive) and len(asks) == 1 and asks[0].predicate == QUESTION
            and asks[0].args == head and negated == sorted(positive))
