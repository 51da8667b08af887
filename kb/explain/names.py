"""How people, schools and items are called in an explanation: by name, never by identifier.

A person or a school is called by its display name: an input fact whose second argument has the
vocabulary's type `name` (`person_name(Person, Name)`, `school_name(School, Name)`), valid on the day
asked about (else any such fact). An item is called by its kind and whom it is about: "informatie
over de thuissituatie van Sofie". A value without a name keeps its identifier, so a fact set
without names (a scenario) reads as before. The identifiers stay in the JSON (`args`, `bindings`)
and in the auditor's view.
"""
from __future__ import annotations

import datetime

from ..facts.model import FactSet
from ..language.knowledge_base import KnowledgeBase
from ..language.vocabulary import Kind

NAME_TYPE = "name"
# An item read as its kind "of" whom it is about: "informatie over de thuissituatie van Sofie".
_ITEM = {"nl": "{kind} van {about}", "en": "{kind} of {about}"}
_ITEM_ABOUT = {"nl": "informatie over {about}", "en": "information about {about}"}
_AND = {"nl": " en ", "en": " and "}


class Names:
    """The names of one explanation's people, schools and items, on one day (cached per value)."""

    def __init__(self, kb: KnowledgeBase, facts: FactSet, day: datetime.date):
        self.kb, self.facts, self.day = kb, facts, day
        self._cache: dict[tuple, str | None] = {}
        predicates = kb.vocabulary.predicates.values()
        # type of the named value -> the predicate naming it
        self._naming = {p.args[0].type: p.name for p in predicates
                        if p.kind == Kind.INPUT and p.arity == 2 and p.args[1].type == NAME_TYPE}
        # the predicate giving an item's kind: an input fact (item, kind)
        self._kind = next((p.name for p in predicates if p.kind == Kind.INPUT and p.arity == 2
                           and (p.args[0].type, p.args[1].type) == ("item", "kind")), None)

    def of(self, type_name: str | None, value, lang: str) -> str | None:
        """How `value` of `type_name` is called in `lang`, or None when it has no name."""
        if value is None or type_name is None:
            return None
        key = (type_name, value, lang)
        if key not in self._cache:
            self._cache[key] = self._item(value, lang) if type_name == "item" else self._named(type_name, value)
        return self._cache[key]

    def name(self, type_name: str, value, lang: str) -> str:
        """The name of `value`, or its identifier when it has none."""
        return self.of(type_name, value, lang) or str(value)

    def _named(self, type_name: str, value) -> str | None:
        predicate = self._naming.get(type_name)
        if predicate is None:
            return None
        found = [f for f in self.facts.matching(predicate, (value, None))]
        valid = [f for f in found if f.valid_on(self.day)] or found
        return str(min(valid, key=lambda f: f.valid_from).args[1]) if valid else None

    def _item(self, item, lang: str) -> str | None:
        roles = self.kb.roles
        about = [f.args[1] for f in self.facts.matching(roles.item_subject, (item, None)) if f.valid_on(self.day)]
        people = _AND[lang].join(self.name("person", p, lang) for p in dict.fromkeys(about))
        kinds = sorted(str(f.args[1]) for f in self.facts.matching(self._kind, (item, None))
                       if f.valid_on(self.day)) if self._kind else []
        kind_type = self.kb.vocabulary.types.get("kind")
        kind = None
        if kinds:
            kind = (kind_type.label(kinds[0], lang) if kind_type else None) or kinds[0].replace("_", " ")
        if kind and people:
            return _ITEM[lang].format(kind=kind, about=people)
        if people:
            return _ITEM_ABOUT[lang].format(about=people)
        return kind
