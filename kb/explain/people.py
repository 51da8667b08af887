"""People by role: who each person of a question is, on the day asked about, in a sentence.

"Jonas is CLB-medewerker en begeleidt Sofie." "Sara is leerkracht in Basisschool De Linde en zit
voor Sofie in de klassenraad." "Sofie is 10 jaar en leerling van Basisschool De Linde, en wordt nog
niet bekwaam geacht … (jonger dan 12)"; a capacity the rules presume reads as a presumption, one
judged as a judgement, and one neither concluded as "bekwaamheid niet gekend". Roles come from the facts
valid on the day asked about and
from the model (whether the pupil is capable is the rules' conclusion, never recomputed here);
the wording comes from the vocabulary's readings and labels and from the people's names
(names.py), so no code or predicate name reaches the text.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable

from ..facts.model import FactSet
from ..language.ast import Atom, Negation
from ..language.knowledge_base import KnowledgeBase
from ..language.vocabulary import Kind, fill_template
from .names import Names
from .terms import LANGS, word

# Keys are the kinds of words, not predicate names: the predicates come from the vocabulary's roles.
# A role is a phrase after the person's name; those starting with "is" / "is" are joined as one.
_WORDS = {
    "en": {"at": "is {role} at {school}", "parent_of": "is a parent of {pupil}",
           "circle": "belongs, for {pupil}, to the {circle}",
           "circles": "belongs, for {pupil}, to the {circle}", "guide_of": "guides {pupil}",
           "pupil_at": "is a pupil of {school}", "age": "is {age} years old",
           "presumed": "is presumed capable of judging their own interests (from the age of 12, unless the CLB "
                       "judges otherwise)",
           "judged": "was judged capable of judging their own interests",
           "not_yet": "is not yet held capable of judging their own interests (under 12)",
           "judged_not": "was judged not capable of judging their own interests",
           "not_capable": "is not held capable of judging their own interests",
           "unknown": "capacity not known",
           "is": "is ", "and": " and ", "then": ", and ",
},
    "nl": {"at": "is {role} in {school}", "parent_of": "is ouder van {pupil}",
           "circle": "zit voor {pupil} in de {circle}",
           "circles": "zit voor {pupil} in de {circle}", "guide_of": "begeleidt {pupil}",
           "pupil_at": "is leerling van {school}", "age": "is {age} jaar",
           "presumed": "wordt vermoed bekwaam te zijn om zelf over de eigen belangen te oordelen (vanaf 12 jaar, "
                       "tenzij het CLB anders oordeelt)",
           "judged": "werd bekwaam geacht om zelf over de eigen belangen te oordelen",
           "not_yet": "wordt nog niet bekwaam geacht om zelf over de eigen belangen te oordelen (jonger dan 12)",
           "judged_not": "werd niet bekwaam geacht om zelf over de eigen belangen te oordelen",
           "not_capable": "wordt niet bekwaam geacht om zelf over de eigen belangen te oordelen",
           "unknown": "bekwaamheid niet gekend",
           "is": "is ", "and": " en ", "then": ", en ",
},
}
_CIRCLE_NOUN = {"nl": {"van": "kring {label}", "alle": "kring van {label}"},
                "en": {"of": "circle {label}", "all": "circle of {label}"}}


def people_by_role(kb: KnowledgeBase, facts: FactSet, question, holds: Callable | None = None,
                   names: Names | None = None) -> tuple[dict, dict]:
    """({person: {nl, en} name}, {person: {nl, en} sentence saying who they are}) for the actor, the
    recipient, every pupil the item is about and their parents."""
    day: datetime.date = question.at
    names = names or Names(kb, facts, day)
    pupils = pupils_of(kb, facts, question)
    parents = parents_of(kb, facts, pupils, day)
    described = _role_predicates(kb)
    called, who = {}, {}
    for person in dict.fromkeys([question.actor, question.recipient, *pupils, *sorted(parents, key=str)]):
        # Sorted once for both languages: the order of a person's roles is the same in each.
        valid = sorted(_facts_of_person(facts, described, person, day),
                       key=lambda f: (f.predicate, tuple(map(str, f.args))))
        called[person] = {lang: names.name("person", person, lang) for lang in LANGS}
        who[person] = {lang: _describe(kb, facts, valid, person, pupils, day, lang, holds, names) for lang in LANGS}
    return called, who


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
    the roles `_describe` words, and every one-place predicate the rules read (its reading is the
    role; one no rule reads, like being an adult, matters to no decision)."""
    roles = kb.roles
    named = {roles.staff, roles.parent, roles.circle_member, roles.guides, roles.pupil}
    read = {(lit.atom if isinstance(lit, Negation) else lit).predicate for rule in kb.rules for lit in rule.body
            if isinstance(lit, Atom | Negation)}
    return [p for p in kb.vocabulary.predicates.values()
            if p.kind == Kind.INPUT and (p.name in named or (p.arity == 1 and p.name in read))]


def _facts_of_person(facts: FactSet, predicates: list, person, day: datetime.date) -> list:
    """The facts of `predicates` with `person` as first argument, valid on `day`."""
    found = []
    for pred in predicates:
        for fact in facts.matching(pred.name, (person,) + (None,) * (pred.arity - 1)):
            if fact.valid_on(day):
                found.append(fact)
    return found


def _describe(kb: KnowledgeBase, facts: FactSet, valid: list, person, pupils, day, lang: str, holds,
              names: Names) -> str:
    """Who `person` is in `lang`, as one sentence from `valid` (their role facts that day, sorted)."""
    w, roles_of = _WORDS[lang], kb.roles

    def called(type_name: str, value) -> str:
        return word(kb, type_name, value, lang, names=names)

    phrases: list[str] = []
    circles: dict = {}  # pupil -> the circles the person belongs to for them
    for fact in valid:
        pred = kb.vocabulary.predicates[fact.predicate]
        if fact.predicate == roles_of.staff:
            role = called("role", fact.args[2])
            if lang == "en":
                role = ("an " if role[:1].lower() in "aeiou" else "a ") + role
            phrases.append(w["at"].format(role=role, school=called("school", fact.args[1])))
        elif fact.predicate == roles_of.parent and fact.args[1] in pupils:
            phrases.append(w["parent_of"].format(pupil=called("person", fact.args[1])))
        elif fact.predicate == roles_of.circle_member and fact.args[1] in pupils:
            circles.setdefault(fact.args[1], []).append(called("circle", fact.args[2]))
        elif fact.predicate == roles_of.guides and fact.args[1] in pupils:
            phrases.append(w["guide_of"].format(pupil=called("person", fact.args[1])))
        elif fact.predicate == roles_of.pupil and person not in pupils:
            phrases.append(w["pupil_at"].format(school=called("school", fact.args[1])))
        elif pred.arity == 1:
            # "{Person} is a CLB worker" → "is a CLB worker": the vocabulary's own words for the role.
            prefix = f"{{{pred.args[0].name}}} "
            if pred.readings[lang].startswith(prefix):
                phrases.append(fill_template(pred.readings[lang][len(prefix):], {}, set()))
    for pupil, labels in circles.items():
        key = "circle" if len(labels) == 1 else "circles"
        # "in de klassenraad"; a label that is a phrase gets a noun: "in de kring van de hiërarchische meerdere".
        labels = [_CIRCLE_NOUN[lang][label.split()[0]].format(label=label) if label.split()[0] in _CIRCLE_NOUN[lang]
                  else label for label in dict.fromkeys(labels)]
        article = "de " if lang == "nl" else "the "
        phrases.append(w[key].format(circle=_listed([labels[0], *(article + label for label in labels[1:])], w["and"]),
                                     pupil=called("person", pupil)))
    if person in pupils:
        phrases += _pupil_phrases(kb, facts, valid, person, day, w, holds, called)
    name = called("person", person)
    # Capacity neither concluded nor denied reads as a note, not as a role: "(bekwaamheid niet gekend)".
    note = f" ({w['unknown']})" if w["unknown"] in phrases else ""
    phrases = [p for p in phrases if p != w["unknown"]]
    return f"{name} {_joined(phrases, w)}{note}." if phrases else f"{name}{note}."


def _joined(phrases: list[str], w: dict) -> str:
    """The phrases as one predicate: the "is …" ones first, sharing their verb, then the others."""
    states = [p[len(w["is"]):] for p in phrases if p.startswith(w["is"])]
    acts = [p for p in phrases if not p.startswith(w["is"])]
    items = ([w["is"] + _listed(states, w["and"])] if states else []) + acts
    if len(items) == 1:
        return items[0]
    # "is 10 jaar en leerling van …, en wordt …": a comma where an "en" already stands inside.
    return _listed(items, w["then"] if len(states) > 1 else w["and"])


def _listed(items: list[str], last: str) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + last + items[-1]


def _pupil_phrases(kb: KnowledgeBase, facts: FactSet, valid: list, pupil, day, w: dict, holds, called) -> list[str]:
    roles = kb.roles
    phrases = []
    born = [f.args[1] for f in facts.matching(roles.born, (pupil, None)) if f.valid_on(day)]
    if born:
        b = born[0]
        phrases.append(w["age"].format(age=day.year - b.year - ((day.month, day.day) < (b.month, b.day))))
    phrases += [w["pupil_at"].format(school=called("school", f.args[1])) for f in valid if f.predicate == roles.pupil]
    if holds is not None:
        # The rules' conclusion, worded as what it rests on: a judgement, or a presumption by age.
        age = None
        if born:
            age = day.year - born[0].year - ((day.month, day.day) < (born[0].month, born[0].day))
        incapable = bool(roles.incapable) and holds(roles.incapable, (pupil,))
        if holds(roles.capable, (pupil,)):
            phrases.append(w["judged"] if facts.find(roles.judged_capable, (pupil,), day) else w["presumed"])
        elif incapable:
            judged_not = bool(roles.judged_incapable) and facts.find(roles.judged_incapable, (pupil,), day)
            phrases.append(w["judged_not"] if judged_not else w["not_yet"] if age is not None and age < 12
                           else w["not_capable"])
        else:
            phrases.append(w["unknown"])
    return phrases
