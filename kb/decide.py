"""Decide: may the actor tell the recipient about the item, on a moment, in a setting?

The outcome is one of four, read off the model, never guessed: exactly one of the decision
predicates `obligated`, `discretionary`, `permitted`, `forbidden` holds for the question (the rules
in 00_beslissing.dl make them exclusive; a model where that fails is reported as a broken
knowledge base, not papered over). The deciding rules are the decision rule that fired and the
rules that gave it its reason (the duty, the ground, the exception, or the blocks).
"""
from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from .engine.base import DEFAULT_SETTING, Context, Engine, Evaluation, ManyAnswers
from .facts.model import Fact, FactSet, known_entities
from .language.ast import Atom
from .language.conditions import Condition
from .language.diagnostics import did_you_mean
from .language.knowledge_base import KnowledgeBase
from .language.vocabulary import OUTCOMES, Outcome
from .reasoning.instances import instances
from .reasoning.support import blocking_rules, proving_rules

# For each outcome, the stronger outcomes a reviewer may ask "why not?" about, closest first. An
# explanation's `why_not` trees follow this order, so the n-th tree is about STRONGER[outcome][n].
STRONGER: dict[str, tuple[Outcome, ...]] = {
    Outcome.FORBIDDEN: (Outcome.PERMITTED, Outcome.DISCRETIONARY, Outcome.OBLIGATED),
    Outcome.PERMITTED: (Outcome.OBLIGATED, Outcome.DISCRETIONARY),
    Outcome.DISCRETIONARY: (Outcome.OBLIGATED,),
    Outcome.OBLIGATED: ()}



# Where outcomes and deciding rules are read: one question's evaluation, or many answered at once.
Derivations = Evaluation | ManyAnswers


class DecisionError(ValueError):
    """A question that cannot be decided as asked (unknown person or item, bad setting).

    `field` names the part of the question at fault: actor, recipient, item or setting."""

    def __init__(self, code: str, message: str, suggestion: str = "", *, field: str):
        super().__init__(message)
        self.code, self.message, self.suggestion, self.field = code, message, suggestion, field


class InconsistentKnowledgeBase(RuntimeError):
    """The decision rules did not produce exactly one outcome: the rules, not the question, are wrong."""


@dataclass(frozen=True)
class Question:
    actor: str
    recipient: str
    item: str
    at: datetime.date
    setting: str = DEFAULT_SETTING
    hypothetical: tuple[Fact, ...] = ()

    def context(self) -> Context:
        return Context(self.at, self.setting, (self.actor, self.recipient, self.item), self.hypothetical)


@dataclass(frozen=True)
class Decision:
    question: Question
    outcome: str
    deciding_rules: tuple[str, ...]
    kb_version: str
    facts_version: str = ""
    extra: dict = field(default_factory=dict, compare=False)
    # What the professional must still judge when telling (L7 need to know, B13a the agreements,
    # B7 the pupil's interest): the conditions of the decision rule and of the ground that asks least
    # (attached_conditions), never presumed false.
    conditions: tuple[Condition, ...] = ()
    may_disclose: bool = False  # read off the model (D6), beside the outcome


def validate_question(question: Question, kb: KnowledgeBase, facts: FactSet) -> None:
    """Raise DecisionError when the question names a person, item or setting nobody knows."""
    known = facts.entities(kb.vocabulary)
    extra = known_entities(question.hypothetical, kb.vocabulary) if question.hypothetical else {}

    def is_known(type_name: str, value) -> bool:
        return value in known.get(type_name, ()) or value in extra.get(type_name, ())

    def names(type_name: str) -> list[str]:
        return [str(v) for v in known.get(type_name, set()) | extra.get(type_name, set())]

    for role, value in (("actor", question.actor), ("recipient", question.recipient)):
        if not is_known("person", value):
            raise DecisionError("unknown-person", f"the {role} `{value}` is not a known person",
                                did_you_mean(str(value), names("person")), field=role)
    if not is_known("item", question.item):
        items = names("item")
        raise DecisionError("unknown-item", f"the item `{question.item}` is not a known information item",
                            did_you_mean(str(question.item), items), field="item")
    settings = kb.vocabulary.types["setting"].values or ()
    if question.setting not in settings:
        raise DecisionError("unknown-setting", f"`{question.setting}` is not a setting; the settings are "
                                               f"{', '.join(settings)}", did_you_mean(question.setting, settings),
                            field="setting")


def outcome_in(ev: Derivations, kb: KnowledgeBase, args: tuple) -> Outcome:
    """The single outcome that holds for (actor, recipient, item) in this evaluation."""
    holding = [o for o in OUTCOMES if ev.holds(kb.roles.outcome(o), args)]
    if len(holding) != 1:
        raise InconsistentKnowledgeBase(f"decision rules gave {holding or 'no outcome'} for {args}")
    return holding[0]


def deciding_rules(ev: Derivations, kb: KnowledgeBase, outcome: str, args: tuple,
                   decision_rule: str | None = None) -> tuple[str, ...]:
    """The decision rule that fired (found, unless the caller knows it) and every rule that supplied its reason."""
    found = [decision_rule] if decision_rule else list(_rules_deriving(ev, kb, kb.roles.outcome(outcome), args)[:1])
    reasons = kb.roles.reasons[outcome]
    for reason in reasons:
        # `permitted` has two reasons: only the one its deciding rule names supplied it.
        if len(reasons) > 1 and found and reason not in _body_predicates(kb, found[0]):
            continue
        found += _rules_deriving(ev, kb, reason, args)
    return tuple(found)


def _rules_deriving(ev: Derivations, kb: KnowledgeBase, predicate: str, args: tuple) -> tuple[str, ...]:
    """The rules that derive predicate(args), in file order: from the engine when it knows them,
    else found by proving each rule's body (kb/reasoning/instances.py)."""
    known = ev.deriving_rules(predicate, args)
    if known is not None:
        return known
    assert isinstance(ev, Evaluation)  # answers of many questions always know their rules
    return tuple(rule.id for rule, _ in instances(ev, kb, predicate, args))


def _body_predicates(kb: KnowledgeBase, rule_id: str) -> set[str]:
    return {lit.predicate for lit in kb.by_id[rule_id].body if isinstance(lit, Atom)}


def rules_behind(ev: Evaluation, kb: KnowledgeBase, decision: Decision, contested: Iterable[str] = ()) -> set[str]:
    """Every rule that decided `decision`, in its own evaluation: the deciding rules and the rules
    proving their conclusions (kb/reasoning/support.py), and the rules that kept a stronger outcome
    from holding — a block of a stronger outcome's decision rule, ground, duty, discretion or
    exception, written as a `blocked` rule or as a `not` in that rule — or kept one of the
    `contested` rules (ids) from firing."""
    q = decision.question
    args = (q.actor, q.recipient, q.item)
    roles = kb.roles
    stronger = [rule.id for outcome in STRONGER[Outcome(decision.outcome)]
                for predicate in (roles.outcome(outcome), *roles.reasons[outcome])
                for rule in kb.by_head.get(predicate, ())]
    proved = [(kb.by_id[r].head.predicate, args) for r in decision.deciding_rules if r in kb.by_id]
    return proving_rules(ev, kb, proved) | blocking_rules(ev, kb, [*stronger, *contested], args)


def attached_conditions(kb: KnowledgeBase, rule_ids) -> tuple[Condition, ...]:
    """The conditions a decision carries, each once, in the order the rules name them: those of its
    decision rule (the first of `rule_ids`) and those of one of its grounds (the rules that supplied
    its reason). The grounds are alternatives, not cumulative requirements: meeting the conditions of
    any one of them makes the telling lawful, so the decision carries those of the ground that asks
    least — the fewest conditions, and of equal ones the first as the rules are ordered, which is also
    the first ground its explanation proves (review 15, C1). An unconditional ground leaves only the
    decision rule's conditions."""
    if not rule_ids:
        return ()
    decision_rule, *grounds = rule_ids
    chosen = min(grounds, key=lambda r: len(kb.by_id[r].conditions), default=None)
    rules = (decision_rule,) if chosen is None else (decision_rule, chosen)
    ids = dict.fromkeys(cid for rule_id in rules for cid in kb.by_id[rule_id].conditions)
    return tuple(kb.conditions[cid] for cid in ids)


def decide_in(ev: Evaluation, kb: KnowledgeBase, question: Question, facts_version: str = "") -> Decision:
    """Decide inside an evaluation the caller already holds (explanations reuse the same one)."""
    args = (question.actor, question.recipient, question.item)
    outcome = outcome_in(ev, kb, args)
    rules = deciding_rules(ev, kb, outcome, args)
    may_disclose = kb.roles.may_disclose
    return Decision(question, outcome, rules, kb.version, facts_version,
                    conditions=attached_conditions(kb, rules),
                    may_disclose=may_disclose in kb.by_head and ev.holds(may_disclose, args))


def audience_candidates(ev: Evaluation, kb: KnowledgeBase, actor: str, item: str) -> set | None:
    """Everyone who could get an outcome other than `forbidden` from `actor` about `item`.

    Read off the decision rules themselves: a recipient can only be obligated, discretionary or
    permitted through a rule whose positive conditions hold, so asking one such condition of each
    rule with the recipient left open gives a superset of the audience. Returns None when some
    decision rule has no positive condition naming the recipient (then everyone is a candidate).
    """
    candidates: set = set()
    for outcome in OUTCOMES:
        if outcome == Outcome.FORBIDDEN:
            continue
        for rule in kb.by_head.get(kb.roles.outcome(outcome), ()):
            actor_var, recipient_var, item_var = (getattr(t, "name", None) for t in rule.head.args)
            guard = next((lit for lit in rule.body if isinstance(lit, Atom)
                          and any(getattr(t, "name", None) == recipient_var for t in lit.args)), None)
            if guard is None:
                return None
            pattern = tuple(actor if getattr(t, "name", None) == actor_var else
                            item if getattr(t, "name", None) == item_var else
                            t.value if hasattr(t, "value") else None for t in guard.args)
            position = next(i for i, t in enumerate(guard.args) if getattr(t, "name", None) == recipient_var)
            candidates.update(row[position] for row in ev.ask(guard.predicate, pattern))
    candidates.discard(actor)
    return candidates


def decide(engine: Engine, kb: KnowledgeBase, facts: FactSet, actor: str, recipient: str, item: str,
           at: datetime.date | None = None, setting: str = DEFAULT_SETTING,
           hypothetical: tuple[Fact, ...] = ()) -> Decision:
    """Decide one question. `at` defaults to today; unknown persons or items raise DecisionError."""
    question = Question(actor, recipient, item, at or datetime.date.today(), setting, tuple(hypothetical))
    validate_question(question, kb, facts)
    return engine.run(question.context(), lambda ev: decide_in(ev, kb, question, facts.version))
