"""Small shared helpers: JSON-ready values, readings of atoms and rules in both languages."""
from __future__ import annotations

import datetime

from ..language.ast import Atom, Comparison, Negation, Rule, Variable
from ..language.knowledge_base import KnowledgeBase
from ..language.vocabulary import PLACEHOLDER
from ..paths import display_path
from ..reasoning.instances import ground, value_of

LANGS = ("nl", "en")


def jsonable(value):
    """Dates as ISO text; None stays None (an open argument)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def show(value, lang: str = "en", name: str = "") -> str:
    if value is None:
        return f"?{name}" if name else "?"
    return str(jsonable(value))


def atom_reading(kb: KnowledgeBase, predicate: str, args) -> dict[str, str]:
    """The vocabulary's reading of predicate(args) in every language; open arguments show as ?Name."""
    pred = kb.vocabulary.predicates[predicate]
    values = {arg.name: show(v, name=arg.name) for arg, v in zip(pred.args, args)}
    return {lang: PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), pred.readings[lang])
            for lang in LANGS}


def rule_reading(rule: Rule, bindings: dict) -> dict[str, str]:
    """The rule's own @nl/@en template filled with the bindings of one instance."""
    def fill(template: str) -> str:
        return PLACEHOLDER.sub(lambda m: show(bindings.get(m.group(1)), name=m.group(1)), template)
    return {lang: fill(rule.reading(lang)) for lang in LANGS}


def rule_ref(rule: Rule) -> dict:
    """How a rule is cited: id, source, law heading, file position, and its interpretation choice."""
    ref = {"id": rule.id, "source": rule.source, "heading": rule.heading,
           "location": f"{display_path(rule.pos.file)}:{rule.pos.line}"}
    if rule.choice:
        ref["choice"] = rule.choice
    if rule.legal_text:
        ref["legal_text"] = " ".join(rule.legal_text)
    return ref


def bindings_json(bindings: dict) -> dict:
    return {name: jsonable(value) for name, value in sorted(bindings.items()) if not name.startswith("_")}


def literal_text(literal, bindings: dict) -> str:
    """A condition as written in the rule, with the bindings filled in (open variables kept)."""
    def term(t) -> str:
        if isinstance(t, Variable):
            value = bindings.get(t.name)
            return t.name if value is None else show(value)
        value = value_of(t, bindings)
        return str(t) if value is None else show(value)

    if isinstance(literal, Atom):
        return f"{literal.predicate}({', '.join(term(a) for a in literal.args)})"
    if isinstance(literal, Negation):
        return "not " + literal_text(literal.atom, bindings)
    if isinstance(literal, Comparison):
        return f"{term(literal.left)} {literal.op} {term(literal.right)}"
    raise TypeError(literal)


def pattern_of(atom: Atom, bindings: dict) -> tuple:
    return ground(atom, bindings)
