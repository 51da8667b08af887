"""People by role: how each person of a question reads, with their role toward the pupil that day.

"els (teacher at sint_jozef, in the class council for lena)", "greet (parent of lena)",
"lena (14, presumed capable)". Roles come from the facts valid on the day asked about and from the
model (whether the pupil is capable is the rules' conclusion, never recomputed here); the wording
comes from the vocabulary's readings and labels, so no code or predicate name reaches the text.
"""
from __future__ import annotations

import datetime
from typing import Callable

from ..facts.model import FactSet
from ..language.knowledge_base import KnowledgeBase
from .terms import LANGS, word

_WORDS = {
    "en": {"at": "{role} at {school}", "parent": "parent of {pupil}", "circle": "in the {circle} for {pupil}",
           "guides": "guides {pupil}", "pupil": "pupil at {school}", "age": "{years}",
           "capable": "presumed capable", "judged": "judged capable", "incapable": "not capable"},
    "nl": {"at": "{role} op {school}", "parent": "ouder van {pupil}", "circle": "lid van de ambtskring {circle} voor {pupil}",
           "guides": "begeleidt {pupil}", "pupil": "leerling op {school}", "age": "{years}",
           "capable": "verondersteld bekwaam", "judged": "bekwaam geacht", "incapable": "niet bekwaam"},
}
_IS = {"en": "{%s} is ", "nl": "{%s} is "}


def people_by_role(kb: KnowledgeBase, facts: FactSet, question, holds: Callable | None = None) -> dict:
    """{person: {nl, en}} for the actor, the recipient, every pupil the item is about and their parents."""
    day: datetime.date = question.at
    pupils = pupils_of(facts, question)
    parents = [f.args[0] for f in facts.find_predicate_valid("parent", day) if f.args[1] in pupils]
    out = {}
    for person in dict.fromkeys([question.actor, question.recipient, *pupils, *sorted(parents, key=str)]):
        out[person] = {lang: _describe(kb, facts, person, pupils, day, lang, holds) for lang in LANGS}
    return out


def pupils_of(facts: FactSet, question) -> list:
    """The pupils the question's item is about, on the day asked about."""
    return [f.args[1] for f in facts.find_predicate_valid("item_about", question.at) if f.args[0] == question.item]


def _describe(kb, facts: FactSet, person, pupils, day, lang: str, holds) -> str:
    w = _WORDS[lang]
    roles: list[str] = []
    valid = [f for f in facts.mentioning(person) if f.valid_on(day)]
    for fact in sorted(valid, key=lambda f: (f.predicate, tuple(map(str, f.args)))):
        pred = kb.vocabulary.predicates.get(fact.predicate)
        if pred is None or pred.kind != "input" or fact.args[0] != person:
            continue
        if fact.predicate == "school_staff":
            roles.append(w["at"].format(role=word(kb, "role", fact.args[2], lang), school=fact.args[1]))
        elif fact.predicate == "parent" and fact.args[1] in pupils:
            roles.append(w["parent"].format(pupil=fact.args[1]))
        elif fact.predicate == "circle_member" and fact.args[1] in pupils:
            roles.append(w["circle"].format(circle=word(kb, "circle", fact.args[2], lang), pupil=fact.args[1]))
        elif fact.predicate == "guides" and fact.args[1] in pupils:
            roles.append(w["guides"].format(pupil=fact.args[1]))
        elif fact.predicate == "pupil":
            roles.append(w["pupil"].format(school=fact.args[1]))
        elif pred.arity == 1:
            # "{Person} is a CLB worker" → "a CLB worker": the vocabulary's own words for the role.
            prefix = _IS[lang] % pred.args[0].name
            if pred.readings[lang].startswith(prefix):
                roles.append(pred.readings[lang][len(prefix):])
    if person in pupils:
        roles = [r for r in roles if not r.startswith(w["pupil"].split("{")[0])] + _pupil_words(facts, person, day, w, holds)
    return f"{person} ({', '.join(roles)})" if roles else str(person)


def _pupil_words(facts: FactSet, pupil, day, w: dict, holds) -> list[str]:
    words = []
    born = [f.args[1] for f in facts.find_predicate_valid("born", day) if f.args[0] == pupil]
    if born:
        b = born[0]
        words.append(str(day.year - b.year - ((day.month, day.day) < (b.month, b.day))))
    if holds is not None:
        if not holds("capable", (pupil,)):
            words.append(w["incapable"])
        elif facts.find("judged_capable", (pupil,), day):
            words.append(w["judged"])
        else:
            words.append(w["capable"])
    return words
