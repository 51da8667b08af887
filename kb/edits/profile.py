"""Who a question is about, in words that group: the roles of the actor and the recipient, how
they stand to the pupil's circles, and the kind of the item.

The impact of a rule edit (impact.py) groups its flips by these, so a legal expert reads "60
teachers → care coordinators, class council → care team, information about learning" instead of
sixty pairs of names. The words are the vocabulary's own English readings and labels; the
predicates come from the vocabulary's `roles:`, never from Python.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from ..facts.model import FactSet
from ..language.knowledge_base import KnowledgeBase
from ..language.vocabulary import Kind

ITEM_KIND_TYPE = "kind"  # the type whose value says what kind of information an item is
_LANG = "en"


@dataclass(frozen=True)
class Profile:
    """The group a question falls in, and its people by name with their roles."""

    actor_roles: tuple[str, ...]
    recipient_roles: tuple[str, ...]
    circles: str
    kind_of_item: str
    actor: str
    recipient: str

    @property
    def key(self) -> tuple:
        return self.actor_roles, self.recipient_roles, self.circles, self.kind_of_item

    def people(self) -> str:
        """`actor (roles) → recipient (roles)`, the words of one group."""
        return f"{_roles(self.actor_roles)} → {_roles(self.recipient_roles)}"

    def as_dict(self) -> dict:
        return {"actor_roles": list(self.actor_roles), "recipient_roles": list(self.recipient_roles),
                "circles": self.circles, "kind_of_item": self.kind_of_item}


def _roles(roles: tuple[str, ...]) -> str:
    return ", ".join(roles) or "no role on record"


def profile(kb: KnowledgeBase, facts: FactSet, actor: str, recipient: str, item: str,
            day: datetime.date) -> Profile:
    """The roles and circles of `actor` and `recipient` toward the pupils `item` is about, on `day`."""
    roles = kb.roles
    pupils = {f.args[1] for f in facts.matching(roles.item_subject, (item, None)) if f.valid_on(day)}
    circle_type = kb.vocabulary.predicates[roles.circle_member].args[2].type
    circles = {person: sorted({_label(kb, circle_type, f.args[2]) for pupil in pupils
                               for f in facts.matching(roles.circle_member, (person, pupil, None))
                               if f.valid_on(day)})
               for person in (actor, recipient)}
    return Profile(person_roles(kb, facts, actor, pupils, day), person_roles(kb, facts, recipient, pupils, day),
                   _circle_relation(circles[actor], circles[recipient]), kind_of_item(kb, facts, item, day),
                   actor, recipient)


def person_roles(kb: KnowledgeBase, facts: FactSet, person: str, pupils: set, day: datetime.date) -> tuple[str, ...]:
    """The roles of `person` on `day`, without names: their school role, parent of the pupil, the
    pupil, guides the pupil, and every one-place fact ("a CLB worker")."""
    roles = kb.roles
    found: list[str] = []
    for pred in kb.vocabulary.predicates.values():
        if pred.kind != Kind.INPUT:
            continue
        valid = [f for f in facts.matching(pred.name, (person,) + (None,) * (pred.arity - 1)) if f.valid_on(day)]
        if not valid:
            continue
        if pred.name == roles.staff:
            found += [_label(kb, pred.args[2].type, f.args[2]) for f in valid]
        elif pred.name == roles.parent:
            found.append("parent of the pupil" if any(f.args[1] in pupils for f in valid) else "a parent")
        elif pred.name == roles.guides and any(f.args[1] in pupils for f in valid):
            found.append("guides the pupil")
        elif pred.name == roles.pupil:
            found.append("the pupil" if person in pupils else "a pupil")
        elif pred.arity == 1:  # "{Person} is a CLB worker" → "a CLB worker"; "{Person} works in …" → "works in …"
            reading, subject = pred.readings[_LANG], f"{{{pred.args[0].name}}} "
            if reading.startswith(subject):
                found.append(reading[len(subject):].removeprefix("is "))
    return tuple(sorted(set(found)))


def kind_of_item(kb: KnowledgeBase, facts: FactSet, item: str, day: datetime.date) -> str:
    """The kinds of information `item` is (the labels of its values of the type `kind`)."""
    item_type = kb.vocabulary.predicates[kb.roles.item_subject].args[0].type
    kinds = sorted({_label(kb, ITEM_KIND_TYPE, f.args[1])
                    for pred in kb.vocabulary.predicates.values()
                    if pred.kind == Kind.INPUT and pred.arity == 2
                    and (pred.args[0].type, pred.args[1].type) == (item_type, ITEM_KIND_TYPE)
                    for f in facts.matching(pred.name, (item, None)) if f.valid_on(day)})
    return ", ".join(kinds) or "kind not on record"


def _circle_relation(actor: list[str], recipient: list[str]) -> str:
    if actor == recipient:
        return f"both in the {' and the '.join(actor)}" if actor else "neither in a circle of the pupil"
    return (f"actor in {'the ' + ' and the '.join(actor) if actor else 'no circle'}, "
            f"recipient in {'the ' + ' and the '.join(recipient) if recipient else 'no circle'}")


def _label(kb: KnowledgeBase, type_name: str, value) -> str:
    """The value's English label, or its code in words."""
    found = kb.vocabulary.types.get(type_name)
    return (found.label(value, _LANG) if found is not None else None) or str(value).replace("_", " ")
