"""The impact of a rule edit: which rules changed, and which decisions change because of it.

`rule_changes` compares two checked knowledge bases rule by rule (by `@id`). An `ImpactRun` decides
the same questions on both and keeps those decided differently: a change of outcome (a flip), or
of reason (the same outcome, other deciding rules). Each names the changed rules that made the
difference: the changed rules behind either decision (kb/decide.py `rules_behind`: the deciding
rules, what they rest on, and the blocks that kept the other side's deciding rules from firing),
else those the deciding rules depend on. Flips are grouped by old → new outcome and cause, then by
the roles and circles of the people and the item's kind (profile.py), so a legal expert can judge
them. The questions come from three places: the scenarios, a population (every actor–item pair of
a fact set, with everyone either rule set could let the actor tell as recipients) and a decision
log. Used by `kb diff` and by the service's `POST /v1/admin/reload` with `dry_run`.
"""
from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..decide import (
    DEFAULT_SETTING,
    DecisionError,
    InconsistentKnowledgeBase,
    Question,
    audience_candidates,
    decide_in,
    rules_behind,
    validate_question,
)
from ..engine.registry import DEFAULT_ENGINE, engine_factory
from ..facts.model import FactSet
from ..language.ast import Atom, Negation
from ..language.diagnostics import KnowledgeBaseError
from ..language.knowledge_base import KnowledgeBase
from ..paths import display_path
from .profile import Profile, profile

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
    """A question the two rule sets decide differently: in outcome, or (a change of reason) only in
    the rules that decide it."""

    source: str  # scenario | population | log
    ref: str  # the scenario file, "population", or "decision <id>"
    question: Question
    old_outcome: str
    new_outcome: str
    old_rules: tuple[str, ...]
    new_rules: tuple[str, ...]
    caused_by: tuple[str, ...]
    # How `caused_by` was found: "decision" (changed rules behind either decision) or "dependency"
    # (none was: the changed rules the deciding rules depend on).
    found_by: str = "decision"
    profile: Profile | None = field(default=None, compare=False)

    @property
    def outcome_changed(self) -> bool:
        return self.old_outcome != self.new_outcome

    def as_dict(self) -> dict:
        q = self.question
        out = {"source": self.source, "ref": self.ref,
               "question": {"actor": q.actor, "recipient": q.recipient, "item": q.item,
                            "at": q.at.isoformat(), "setting": q.setting},
               "old": {"outcome": self.old_outcome, "deciding_rules": list(self.old_rules)},
               "new": {"outcome": self.new_outcome, "deciding_rules": list(self.new_rules)},
               "caused_by": list(self.caused_by), "cause_found_by": self.found_by}
        if self.profile is not None:
            out["people"] = self.profile.as_dict()
        return out

    def render(self, indent: str = "") -> str:
        """The question with each person's roles, and the two decisions."""
        q, p = self.question, self.profile
        actor = f"{q.actor} ({', '.join(p.actor_roles)})" if p and p.actor_roles else q.actor
        recipient = f"{q.recipient} ({', '.join(p.recipient_roles)})" if p and p.recipient_roles else q.recipient
        setting = "" if q.setting == DEFAULT_SETTING else f", {q.setting}"
        return (f"{indent}{self.ref}: {actor} → {recipient} about {q.item} on {q.at.isoformat()}{setting}\n"
                f"{indent}  before: {self.old_outcome} by {', '.join(self.old_rules) or '—'}; "
                f"now: {self.new_outcome} by {', '.join(self.new_rules) or '—'}")


@dataclass
class Impact:
    changes: list[RuleChange]
    flips: list[Flip] = field(default_factory=list)  # the outcome differs
    reasons: list[Flip] = field(default_factory=list)  # same outcome, other deciding rules
    asked: dict[str, int] = field(default_factory=dict)  # questions decided, per source
    # Predicates of the facts one rule set does not declare (a predicate added or removed by the
    # edit): their facts are left out when deciding with that rule set.
    unread: dict[str, set[str]] = field(default_factory=lambda: {"old": set(), "new": set()})

    def as_dict(self, examples: int = 2) -> dict:
        return {"changed_rules": [c.as_dict() for c in self.changes],
                "questions": dict(self.asked),
                "totals": {"decided": sum(self.asked.values()), "outcome_changes": len(self.flips),
                           "reason_changes": len(self.reasons)},
                "flips": [f.as_dict() for f in self.flips],
                "reason_changes": [f.as_dict() for f in self.reasons],
                "groups": {"outcome": [g.as_dict(examples) for g in grouped(self.flips)],
                           "reason": [g.as_dict(examples) for g in grouped(self.reasons)]},
                "unread_predicates": {side: sorted(preds) for side, preds in self.unread.items()}}

    def summary(self) -> str:
        asked = ", ".join(f"{n} {source}" for source, n in self.asked.items())
        flips, reasons = len(self.flips), len(self.reasons)
        return (f"{_count(flips, 'decision')} change{'s its' if flips == 1 else ' their'} outcome and {reasons} "
                f"only {'its' if reasons == 1 else 'their'} reason, of {sum(self.asked.values())} decided "
                f"({asked or 'none'})")

    def render(self, examples: int = 2) -> str:
        out = [self.summary(), ""]
        out.append(f"changed rules ({len(self.changes)}):" if self.changes else "no rule changed")
        out += [f"  {c.kind:15} {c.rule_id}  ({c.where})" for c in self.changes]
        for side, preds in self.unread.items():
            if preds:
                out.append(f"note: the {side} rules do not know {', '.join(sorted(preds))}; facts of "
                           f"{'it' if len(preds) == 1 else 'them'} were left out when deciding with the {side} rules")
        for title, flips in ((f"Outcome changes ({len(self.flips)})", self.flips),
                             (f"Reason changes ({len(self.reasons)}), the same outcome decided by other rules",
                              self.reasons)):
            if flips:
                out += ["", title + ":"]
                for group in grouped(flips):
                    out += group.render(examples)
        return "\n".join(out)


@dataclass
class PeopleGroup:
    """Flips whose people have the same roles and circles, about items of the same kind."""

    profile: Profile | None
    flips: list[Flip]

    def as_dict(self, examples: int) -> dict:
        return {**(self.profile.as_dict() if self.profile else {}), "count": len(self.flips),
                "examples": [f.as_dict() for f in self.flips[:examples]]}


@dataclass
class CauseGroup:
    """Flips from the same old to the same new outcome, caused by the same changed rules."""

    old: str
    new: str
    caused_by: tuple[str, ...]
    by_people: list[PeopleGroup]

    @property
    def count(self) -> int:
        return sum(len(g.flips) for g in self.by_people)

    def as_dict(self, examples: int) -> dict:
        return {"old": self.old, "new": self.new, "caused_by": list(self.caused_by), "count": self.count,
                "by_people": [g.as_dict(examples) for g in self.by_people]}

    def render(self, examples: int) -> list[str]:
        change = f"{self.old} → {self.new}" if self.old != self.new else self.old
        out = [f"  {self.count}  {change}, caused by {', '.join(self.caused_by) or 'no changed rule found'}"]
        for group in self.by_people:
            if group.profile is not None:
                p = group.profile
                out.append(f"      {len(group.flips)}  {p.people()} · {p.circles} · {p.kind_of_item}")
            out += [flip.render(" " * 10) for flip in group.flips[:examples]]
            if len(group.flips) > examples:
                out.append(f"          … and {len(group.flips) - examples} more")
        return out


def grouped(flips: list[Flip]) -> list[CauseGroup]:
    """Flips grouped by (old → new outcome, the changed rules that caused them), then by the people's
    roles, their circles and the item's kind; largest groups first."""
    by_cause: dict[tuple, dict[tuple, list[Flip]]] = {}
    for flip in flips:
        people = flip.profile.key if flip.profile is not None else ()
        cause = (flip.old_outcome, flip.new_outcome, flip.caused_by)
        by_cause.setdefault(cause, {}).setdefault(people, []).append(flip)
    groups = [CauseGroup(old, new, caused, sorted((PeopleGroup(members[0].profile, members)
                                                  for members in by_people.values()),
                                                 key=lambda g: -len(g.flips)))
              for (old, new, caused), by_people in by_cause.items()]
    return sorted(groups, key=lambda g: -g.count)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


class _Pair:
    """The old and the new rules on one fact set, each in its own engine (named in the registry).

    Each rule set reads only the facts of predicates its vocabulary declares: an edit that adds
    law the old rules lack (a new input predicate) or drops some leaves the other side's facts of
    it out, and names them in `unread`."""

    def __init__(self, old: KnowledgeBase, new: KnowledgeBase, facts: FactSet, engine_name: str = DEFAULT_ENGINE,
                 unread: dict[str, set[str]] | None = None, engines: list | None = None):
        self.kbs = (old, new)
        self.facts = tuple(_readable(facts, kb, side, unread) for kb, side in zip(self.kbs, ("old", "new")))
        # Given engines are loaded with these facts (their earlier facts are dropped); an engine
        # loaded again with the same rules keeps its analysis of them and its join plans.
        self.engines = engines if engines is not None else [engine_factory(engine_name)() for _ in self.kbs]
        for engine, kb, readable in zip(self.engines, self.kbs, self.facts):
            engine.load(kb, readable)

    def _asked(self, side: int, question: Question) -> Question:
        """The question as one side can read it (without what-if facts its vocabulary lacks)."""
        known = self.kbs[side].vocabulary.predicates
        kept = tuple(f for f in question.hypothetical if f.predicate in known)
        return question if len(kept) == len(question.hypothetical) else replace(question, hypothetical=kept)

    def decide(self, question: Question) -> tuple[tuple[str, tuple], tuple[str, tuple]] | None:
        """(old, new) as (outcome, deciding rules); None when the question cannot be asked at all."""
        answers = []
        for side, (kb, engine, facts) in enumerate(zip(self.kbs, self.engines, self.facts)):
            asked = self._asked(side, question)
            try:
                validate_question(asked, kb, facts)
                decision = engine.run(asked.context(), lambda ev, kb=kb, q=asked: decide_in(ev, kb, q))
                answers.append((decision.outcome, decision.deciding_rules))
            except DecisionError as err:
                answers.append((f"error:{err.code}", ()))
            except InconsistentKnowledgeBase:
                answers.append(("inconsistent", ()))
        if all(a[0].startswith("error:") for a in answers):
            return None
        return answers[0], answers[1]

    def behind(self, side: int, question: Question, contested: tuple[str, ...]) -> set[str]:
        """The rules behind one side's decision (kb/decide.py rules_behind), with what kept the
        `contested` rules (the other side's deciding rules) from firing; empty when it cannot be decided."""
        kb, engine, facts = self.kbs[side], self.engines[side], self.facts[side]
        asked = self._asked(side, question)
        try:
            validate_question(asked, kb, facts)
            return engine.run(asked.context(),
                              lambda ev: rules_behind(ev, kb, decide_in(ev, kb, asked), contested))
        except (DecisionError, InconsistentKnowledgeBase):
            return set()

    def profile(self, question: Question) -> Profile:
        """The question's people and item, read from the facts as the new rules read them."""
        kb, facts = self.kbs[1], self.facts[1].union(self._asked(1, question).hypothetical)
        return profile(kb, facts, question.actor, question.recipient, question.item, question.at)

    def candidates(self, actor: str, item: str, at: datetime.date) -> set:
        found: set = set()
        for kb, engine, facts in zip(self.kbs, self.engines, self.facts):
            context = Question(actor, actor, item, at).context()
            some = engine.run(context, lambda ev, kb=kb: audience_candidates(ev, kb, actor, item))
            if some is None:
                return {p for p in facts.entities(kb.vocabulary).get("person", ()) if p != actor}
            found |= some
        return found


def _readable(facts: FactSet, kb: KnowledgeBase, side: str, unread: dict[str, set[str]] | None) -> FactSet:
    """`facts` without those of predicates `kb`'s vocabulary does not declare (with that arity)."""
    known = kb.vocabulary.predicates
    foreign = [p for p in facts.predicates() if p not in known or facts.arity(p) != known[p].arity]
    if not foreign:
        return facts
    if unread is not None:
        unread[side].update(foreign)
    return facts.changed([], [f for p in foreign for f in facts.of(p)], facts.version)


class ImpactRun:
    """Collects the flips between two rule sets over any number of question sources."""

    def __init__(self, old: KnowledgeBase, new: KnowledgeBase, engine: str = DEFAULT_ENGINE):
        self.old, self.new = old, new
        self.engine = engine
        self.impact = Impact(rule_changes(old, new))
        self._changed = {c.rule_id for c in self.impact.changes if c.kind != TEXT}

    def _pair(self, facts: FactSet, engines: list | None = None) -> _Pair:
        return _Pair(self.old, self.new, facts, self.engine, self.impact.unread, engines)

    def _judge(self, pair: _Pair, source: str, ref: str, question: Question) -> None:
        self.impact.asked[source] = self.impact.asked.get(source, 0) + 1
        answers = pair.decide(question)
        if answers is None:
            return
        (old_outcome, old_rules), (new_outcome, new_rules) = answers
        if old_outcome == new_outcome and set(old_rules) == set(new_rules):
            return
        causes, found_by = self._causes(pair, question, tuple(old_rules), tuple(new_rules))
        flip = Flip(source, ref, question, old_outcome, new_outcome, tuple(old_rules), tuple(new_rules),
                    causes, found_by, pair.profile(question))
        (self.impact.flips if flip.outcome_changed else self.impact.reasons).append(flip)

    def _causes(self, pair: _Pair, question: Question, old_rules: tuple, new_rules: tuple) -> tuple[tuple, str]:
        """The changed rules that made the difference, and how they were found.

        First the changed rules among those behind either decision — the deciding rules, the rules
        proving what they rest on, and the blocks that kept the other side's deciding rules (or a
        stronger outcome) from firing. When no changed rule is among them (a change further down, in
        a `not` two conditions deep), the changed rules the deciding rules depend on."""
        behind = pair.behind(0, question, new_rules) | pair.behind(1, question, old_rules)
        found, how = behind & self._changed, "decision"
        if not found:
            below = depends_on(self.old, old_rules) | depends_on(self.new, new_rules)
            found, how = below & self._changed, "dependency"
        return tuple(c.rule_id for c in self.impact.changes if c.rule_id in found), how

    def scenarios(self, paths: Iterable[Path | str]) -> list[tuple[str, KnowledgeBaseError]]:
        """Decide every scenario's question on its own facts; returns the scenarios that do not load."""
        from ..scenarios import load_scenario
        broken = []
        # one engine per side for all scenarios, each decided before the next is loaded
        engines = [engine_factory(self.engine)() for _ in (self.old, self.new)]
        for path in paths:
            try:
                scenario = load_scenario(path, self.new)
            except KnowledgeBaseError:
                try:
                    scenario = load_scenario(path, self.old)
                except KnowledgeBaseError as err:
                    broken.append((str(path), err))
                    continue
            self._judge(self._pair(scenario.facts, engines), "scenario", display_path(scenario.path), scenario.question)
        return broken

    def population(self, facts: FactSet, at: datetime.date, setting: str = DEFAULT_SETTING) -> None:
        """Every actor–item pair (who learned which item, valid on `at`), toward everyone either rule
        set could let the actor tell about it."""
        pair = self._pair(facts)
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
                pair = pairs[id(facts)] = self._pair(facts)
            self._judge(pair, "log", ref, question)
