"""People by role: how each person of a question reads, with their role toward the pupil that day.

"els (teacher at sint_jozef, in the class council for lena)", "greet (parent of lena)",
"lena (14, presumed capable)". Roles come from the facts valid on the day asked about and from the
model (whether the pupil is capable is the rules' conclusion, never recomputed here); the wording
comes from the vocabulary's readings and labels, so no code or predicate name reaches the text.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable

from ..facts.model import FactSet
from ..language.knowledge_base import KnowledgeBase
from ..language.vocabulary import Kind
from .terms import LANGS, word

# Keys are the kinds of words, not predicate names: the predicates come from the vocabulary's roles.
_WORDS = {
    "en": {"at": "{role} at {school}", "parent_of": "parent of {pupil}", "circle": "in the {circle} for {pupil}",
           "guide_of": "guides {pupil}", "pupil_at": "pupil at {school}",
           "presumed": "presumed capable", "judged": "judged capable", "not_capable": "not capable"},
    "nl": {"at": "{role} op {school}", "parent_of": "ouder van {pupil}",
           "circle": "lid van de ambtskring {circle} voor {pupil}",
           "guide_of": "begeleidt {pupil}", "pupil_at": "leerling op {school}",
           "presumed": "verondersteld bekwaam", "judged": "bekwaam geacht", "not_capable": "niet bekwaam"},
}
_IS = {"en": "{%s} is ", "nl": "{%s} is "}


def people_by_role(kb: KnowledgeBase, facts: FactSet, question, holds: Callable | None = None) -> dict:
    """{person: {nl, en}} for the actor, the recipient, every pupil the item is about and their parents."""
    day: datetime.date = question.at
    pupils = pupils_of(kb, facts, question)
    parents = parents_of(kb, facts, pupils, day)
    described = _role_predicates(kb)
    out = {}
    for person in dict.fromkeys([question.actor, question.recipient, *pupils, *sorted(parents, key=str)]):
        # Sorted once for both languages: the order of a person's roles is the same in each.
        valid = sorted(_facts_of_person(facts, described, person, day),
                       key=lambda f: (f.predicate, tuple(map(str, f.args))))
        out[person] = {lang: _describe(kb, facts, valid, person, pupils, day, lang, holds) for lang in LANGS}
    return out


def pupils_of(kb: KnowledgeBase, facts: FactSet, question) -> list:
    """The pupils the question's item is about, on the day asked about."""
    # Read through the fact set's index on the item: a scan of every item's subject grows with the world.
    return [f.args[1] for f in facts.matching(kb.roles.item_subject, (question.item, None))
            if f.valid_on(question.at)]


def parents_of(kb: KnowledgeBase, facts: FactSet, pupils, day: datetime.date) -> list:
    """The parents of any of `pupils` on `day`: pupil by pupil, each pupil's in fact order."""
    return [f.args[0] for pupil in dict.fromkeys(pupils)
            for f in facts.matching(kb.roles.parent, (None, pupil)) if f.valid_on(day)]


def _role_predicates(kb: KnowledgeBase) -> list:
    """The input predicates whose facts can name a role of the person in their first argument:
    the roles `_describe` words, and every one-place predicate (its reading is the role)."""
    roles = kb.roles
    named = {roles.staff, roles.parent, roles.circle_member, roles.guides, roles.pupil}
    return [p for p in kb.vocabulary.predicates.values()
            if p.kind == Kind.INPUT and (p.name in named or p.arity == 1)]


def _facts_of_person(facts: FactSet, predicates: list, person, day: datetime.date) -> list:
    """The facts of `predicates` with `person` as first argument, valid on `day`."""
    found = []
    for pred in predicates:
        for fact in facts.matching(pred.name, (person,) + (None,) * (pred.arity - 1)):
            if fact.valid_on(day):
                found.append(fact)
    return found


def _describe(kb: KnowledgeBase, facts: FactSet, valid: list, person, pupils, day, lang: str, holds) -> str:
    """How `person` reads in `lang`: name and roles, from `valid` (their role facts that day, sorted)."""
    w, roles_of = _WORDS[lang], kb.roles
    roles: list[str] = []
    for fact in valid:
        pred = kb.vocabulary.predicates[fact.predicate]
        if fact.predicate == roles_of.staff:
            roles.append(w["at"].format(role=word(kb, "role", fact.args[2], lang), school=fact.args[1]))
        elif fact.predicate == roles_of.parent and fact.args[1] in pupils:
            roles.append(w["parent_of"].format(pupil=fact.args[1]))
        elif fact.predicate == roles_of.circle_member and fact.args[1] in pupils:
            roles.append(w["circle"].format(circle=word(kb, "circle", fact.args[2], lang), pupil=fact.args[1]))
        elif fact.predicate == roles_of.guides and fact.args[1] in pupils:
            roles.append(w["guide_of"].format(pupil=fact.args[1]))
        elif fact.predicate == roles_of.pupil:
            roles.append(w["pupil_at"].format(school=fact.args[1]))
        elif pred.arity == 1:
            # "{Person} is a CLB worker" → "a CLB worker": the vocabulary's own words for the role.
            prefix = _IS[lang] % pred.args[0].name
            if pred.readings[lang].startswith(prefix):
                roles.append(pred.readings[lang][len(prefix):])
    if person in pupils:
        roles = [r for r in roles if not r.startswith(w["pupil_at"].split("{")[0])] + _pupil_words(
            kb, facts, person, day, w, holds)
    return f"{person} ({', '.join(roles)})" if roles else str(person)


def _pupil_words(kb: KnowledgeBase, facts: FactSet, pupil, day, w: dict, holds) -> list[str]:
    words = []
    roles = kb.roles
    born = [f.args[1] for f in facts.matching(roles.born, (pupil, None)) if f.valid_on(day)]
    if born:
        b = born[0]
        words.append(str(day.year - b.year - ((day.month, day.day) < (b.month, b.day))))
    if holds is not None:
        if not holds(roles.capable, (pupil,)):
            words.append(w["not_capable"])
        elif facts.find(roles.judged_capable, (pupil,), day):
            words.append(w["judged"])
        else:
            words.append(w["presumed"])
    return words
