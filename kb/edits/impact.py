"""The impact of a rule edit: which rules changed, and which decisions flip because of it.

`rule_changes` compares two checked knowledge bases rule by rule (by `@id`). `decision_flips`
decides the same questions on both and keeps those whose outcome differs, each with the changed
rules that caused it: a changed rule among the old or new deciding rules, or one they depend on.
The questions come from three places: the scenarios, a population (every actor–item pair of a fact
set, with everyone either rule set could let the actor tell as recipients) and a decision log.
Used by `kb diff` and by the service's `POST /v1/admin/reload` with `dry_run`.
"""
from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..decide import (
    DEFAULT_SETTING,
    DecisionError,
    InconsistentKnowledgeBase,
    Question,
    audience_candidates,
    decide_in,
    validate_question,
)
from ..engine.registry import DEFAULT_ENGINE, engine_factory
from ..facts.model import FactSet
from ..language.ast import Atom, Negation
from ..language.diagnostics import KnowledgeBaseError
from ..language.knowledge_base import KnowledgeBase
from ..paths import display_path

DEMO_DATE = datetime.date(2026, 11, 28)  # the day the demo facts are written for (fixtures/demo)
ADDED, REMOVED, CLAUSE, TEXT = "added", "removed", "clause-changed", "text-changed"


@dataclass(frozen=True)
class RuleChange:
    rule_id: str
    kind: str  # added | removed | clause-changed | text-changed (annotations or legal text only)
    where: str  # file:line in the new rules (in the old ones for a removed rule)

    def as_dict(self) -> dict:
        return {"id": self.rule_id, "change": self.kind, "where": self.where}


def rule_changes(old: KnowledgeBase, new: KnowledgeBase) -> list[RuleChange]:
    """Every rule added, removed, or changed, by id, in the order of the new rules then the removed."""
    changes = []
    for rule in new.rules:
        before = old.by_id.get(rule.id)
        where = f"{display_path(rule.pos.file)}:{rule.pos.line}"
        if before is None:
            changes.append(RuleChange(rule.id, ADDED, where))
        elif str(before) != str(rule):
            changes.append(RuleChange(rule.id, CLAUSE, where))
        elif (_annotations(before) != _annotations(rule) or before.legal_text != rule.legal_text
              or before.heading != rule.heading):
            changes.append(RuleChange(rule.id, TEXT, where))
    for rule in old.rules:
        if rule.id not in new.by_id:
            changes.append(RuleChange(rule.id, REMOVED, f"{display_path(rule.pos.file)}:{rule.pos.line}"))
    return changes


def _annotations(rule) -> tuple:
    return tuple((a.key, a.value) for a in rule.annotations)


def depends_on(kb: KnowledgeBase, rule_ids: Iterable[str]) -> set[str]:
    """The rules themselves and every rule whose conclusion they use, transitively."""
    seen: set[str] = set()
    todo = [kb.by_id[r] for r in rule_ids if r in kb.by_id]
    while todo:
        rule = todo.pop()
        if rule.id in seen:
            continue
        seen.add(rule.id)
        for predicate in _body_predicates(rule):
            todo.extend(kb.by_head.get(predicate, ()))
    return seen


def dependents(kb: KnowledgeBase, rule_id: str) -> list[str]:
    """The rules that use the conclusion of `rule_id` in a condition (directly), in rule order."""
    rule = kb.by_id.get(rule_id)
    if rule is None:
        return []
    return [other.id for other in kb.rules if rule.head.predicate in _body_predicates(other)]


def _body_predicates(rule) -> set[str]:
    return {lit.predicate if isinstance(lit, Atom) else lit.atom.predicate
            for lit in rule.body if isinstance(lit, (Atom, Negation))}


@dataclass(frozen=True)
class Flip:
    source: str  # scenario | population | log
    ref: str  # the scenario file, "population", or "decision <id>"
    question: Question
    old_outcome: str
    new_outcome: str
    old_rules: tuple[str, ...]
    new_rules: tuple[str, ...]
    caused_by: tuple[str, ...]

    def as_dict(self) -> dict:
        q = self.question
        return {"source": self.source, "ref": self.ref,
                "question": {"actor": q.actor, "recipient": q.recipient, "item": q.item,
                             "at": q.at.isoformat(), "setting": q.setting},
                "old": {"outcome": self.old_outcome, "deciding_rules": list(self.old_rules)},
                "new": {"outcome": self.new_outcome, "deciding_rules": list(self.new_rules)},
                "caused_by": list(self.caused_by)}

    def render(self) -> str:
        q = self.question
        return (f"{self.ref}: {q.actor} → {q.recipient} about {q.item} on {q.at.isoformat()} ({q.setting})\n"
                f"    - old: {self.old_outcome} (decided by {', '.join(self.old_rules) or '—'})\n"
                f"    + new: {self.new_outcome} (decided by {', '.join(self.new_rules) or '—'})\n"
                f"    caused by: {', '.join(self.caused_by) or 'no changed rule among the deciding rules'}")


@dataclass
class Impact:
    changes: list[RuleChange]
    flips: list[Flip] = field(default_factory=list)
    asked: dict[str, int] = field(default_factory=dict)  # questions decided, per source

    def as_dict(self) -> dict:
        return {"changed_rules": [c.as_dict() for c in self.changes],
                "questions": dict(self.asked), "flips": [f.as_dict() for f in self.flips]}

    def render(self) -> str:
        out = ["changed rules:" if self.changes else "no rule changed"]
        out += [f"  {c.kind:15} {c.rule_id}  ({c.where})" for c in self.changes]
        out.append("")
        for flip in self.flips:
            out.append(flip.render())
        asked = ", ".join(f"{n} {source}" for source, n in self.asked.items())
        out.append(f"{len(self.flips)} decision(s) flip, of {sum(self.asked.values())} decided ({asked})")
        return "\n".join(out)


class _Pair:
    """The old and the new rules on one fact set, each in its own engine (named in the registry)."""

    def __init__(self, old: KnowledgeBase, new: KnowledgeBase, facts: FactSet, engine_name: str = DEFAULT_ENGINE):
        self.kbs = (old, new)
        self.facts = facts
        self.engines = []
        for kb in self.kbs:
            engine = engine_factory(engine_name)()
            engine.load(kb, facts)
            self.engines.append(engine)

    def decide(self, question: Question) -> tuple[tuple[str, tuple], tuple[str, tuple]] | None:
        """(old, new) as (outcome, deciding rules); None when the question cannot be asked at all."""
        answers = []
        for kb, engine in zip(self.kbs, self.engines):
            try:
                validate_question(question, kb, self.facts)
                decision = engine.run(question.context(), lambda ev, kb=kb: decide_in(ev, kb, question))
                answers.append((decision.outcome, decision.deciding_rules))
            except DecisionError as err:
                answers.append((f"error:{err.code}", ()))
            except InconsistentKnowledgeBase:
                answers.append(("inconsistent", ()))
        if all(a[0].startswith("error:") for a in answers):
            return None
        return answers[0], answers[1]

    def candidates(self, actor: str, item: str, at: datetime.date) -> set:
        found: set = set()
        for kb, engine in zip(self.kbs, self.engines):
            context = Question(actor, actor, item, at).context()
            some = engine.run(context, lambda ev, kb=kb: audience_candidates(ev, kb, actor, item))
            if some is None:
                return {p for p in self.facts.entities(kb.vocabulary).get("person", ()) if p != actor}
            found |= some
        return found


class ImpactRun:
    """Collects the flips between two rule sets over any number of question sources."""

    def __init__(self, old: KnowledgeBase, new: KnowledgeBase, engine: str = DEFAULT_ENGINE):
        self.old, self.new = old, new
        self.engine = engine
        self.impact = Impact(rule_changes(old, new))
        self._changed = {c.rule_id for c in self.impact.changes if c.kind != TEXT}

    def _judge(self, pair: _Pair, source: str, ref: str, question: Question) -> None:
        self.impact.asked[source] = self.impact.asked.get(source, 0) + 1
        answers = pair.decide(question)
        if answers is None:
            return
        (old_outcome, old_rules), (new_outcome, new_rules) = answers
        if old_outcome == new_outcome:
            return
        causes = (depends_on(self.old, old_rules) | depends_on(self.new, new_rules)) & self._changed
        ordered = tuple(c.rule_id for c in self.impact.changes if c.rule_id in causes)
        self.impact.flips.append(Flip(source, ref, question, old_outcome, new_outcome,
                                      tuple(old_rules), tuple(new_rules), ordered))

    def scenarios(self, paths: Iterable[Path | str]) -> list[tuple[str, KnowledgeBaseError]]:
        """Decide every scenario's question on its own facts; returns the scenarios that do not load."""
        from ..scenarios import load_scenario
        broken = []
        for path in paths:
            try:
                scenario = load_scenario(path, self.new)
            except KnowledgeBaseError:
                try:
                    scenario = load_scenario(path, self.old)
                except KnowledgeBaseError as err:
                    broken.append((str(path), err))
                    continue
            self._judge(_Pair(self.old, self.new, scenario.facts, self.engine), "scenario",
                        display_path(scenario.path), scenario.question)
        return broken

    def population(self, facts: FactSet, at: datetime.date, setting: str = DEFAULT_SETTING) -> None:
        """Every actor–item pair (who learned which item, valid on `at`), toward everyone either rule
        set could let the actor tell about it."""
        pair = _Pair(self.old, self.new, facts, self.engine)
        pairs = sorted({(f.args[0], f.args[1]) for f in facts.of(self.new.roles.learned) if f.valid_on(at)}, key=str)
        for actor, item in pairs:
            for recipient in sorted(pair.candidates(actor, item, at), key=str):
                self._judge(pair, "population", "population", Question(actor, recipient, item, at, setting))

    def log(self, questions: Iterable[tuple[str, Question, FactSet]]) -> None:
        """Questions from a decision log: (reference, question, the facts it was decided on)."""
        pairs: dict[int, _Pair] = {}
        for ref, question, facts in questions:
            pair = pairs.get(id(facts))
            if pair is None:
                pair = pairs[id(facts)] = _Pair(self.old, self.new, facts, self.engine)
            self._judge(pair, "log", ref, question)
