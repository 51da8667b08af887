"""Small shared helpers: JSON-ready values, readings of atoms and rules in both languages."""
from __future__ import annotations

import datetime
import re

from ..engine.terms import term_value
from ..language.ast import Atom, Comparison, FunctionCall, Negation, Rule, Variable
from ..language.knowledge_base import KnowledgeBase
from ..language.vocabulary import PLACEHOLDER, fill_template
from ..paths import display_path

LANGS = ("nl", "en")


def jsonable(value):
    """Dates as ISO text; None stays None (an open argument)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


_MONTHS = {"nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                  "oktober", "november", "december"),
           "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December")}


def date_words(value, lang: str) -> str:
    """A date as a letter writes it: "28 november 2026", "28 November 2026" (ISO text accepted)."""
    day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
    return f"{day.day} {_MONTHS[lang][day.month - 1]} {day.year}"


def show(value, name: str = "") -> str:
    """A value as text: dates in ISO form; an open one as `?` (with the variable's name when given)."""
    if value is None:
        return f"?{name}" if name else "?"
    return str(jsonable(value))


# How an argument left open reads: "someone", "some date" — never a variable name.
_SOME = {"en": {"person": "someone", "date": "some date"}, "nl": {"person": "iemand", "date": "een datum"}}
_ANY = {"en": {"person": "anyone", "date": "any date"}, "nl": {"person": "iemand", "date": "enige datum"}}


def word(kb: KnowledgeBase, type_name: str | None, value, lang: str, negative: bool = False, names=None) -> str:
    """How one value of a type reads in text: its vocabulary label, an indefinite word when it is
    open, a person's, school's or item's name (`names`, kb/explain/names.py) when it has one, and
    otherwise the identifier itself."""
    type_ = kb.vocabulary.types.get(type_name) if type_name else None
    if names is not None and value is not None:
        named = names.of(type_name, value, lang)
        if named:
            return named
    if isinstance(value, datetime.date):
        return date_words(value, lang)
    if value is None:
        fixed = (_ANY if negative else _SOME)[lang].get(type_name)
        if fixed:
            return fixed
        noun = type_.readings[lang] if type_ else ("waarde" if lang == "nl" else "value")
        return (f"een {noun}" if lang == "nl" else f"{'any' if negative else 'some'} {noun}")
    if type_ is not None:
        label = type_.label(value, lang)
        if label:
            return label
        if type_.values is not None or type_name == "kind":
            return str(value).replace("_", " ")  # an unlabelled code still reads as words
    return show(value)


# Which of a predicate's templates to read: its reading, its absence, the act as a condition, the question.
_TEMPLATES = {"reading": "readings", "negative": "negative_readings", "conditional": "conditional",
              "question": "question"}


def atom_reading(kb: KnowledgeBase, predicate: str, args, negative: bool = False, names=None,
                 form: str = "reading", given: dict | None = None) -> dict[str, str]:
    """The vocabulary's reading of predicate(args) in every language (its negative reading when
    `negative`, or another `form`: conditional, question): codes read as their labels, people,
    schools and items by their `names`, open arguments as "someone", "some date". `given` words
    some arguments already ({argument name: {lang: text}})."""
    pred = kb.vocabulary.predicates[predicate]
    form = "negative" if negative else form
    templates = getattr(pred, _TEMPLATES[form]) or pred.readings
    open_names = {arg.name for arg, v in zip(pred.args, args) if v is None}
    out = {}
    for lang in LANGS:
        values = {arg.name: word(kb, arg.type, v, lang, negative, names) for arg, v in zip(pred.args, args)}
        values.update({name: text[lang] for name, text in (given or {}).items()})
        out[lang] = fill_template(templates[lang], values, open_names)
    return out


def negation_reading(kb: KnowledgeBase, predicate: str, args, names=None) -> dict[str, str]:
    """How the absence of predicate(args) reads: the vocabulary's nl_not / en_not."""
    return atom_reading(kb, predicate, args, negative=True, names=names)


def variable_types(kb: KnowledgeBase, rule: Rule) -> dict[str, str]:
    """The type of each variable of a rule, read off the arguments of the atoms it appears in."""
    types: dict[str, str] = {}
    atoms = [rule.head] + [lit.atom if isinstance(lit, Negation) else lit for lit in rule.body]
    for atom in atoms:
        if not isinstance(atom, Atom) or atom.predicate not in kb.vocabulary.predicates:
            continue
        for arg, term in zip(kb.vocabulary.predicates[atom.predicate].args, atom.args):
            if isinstance(term, Variable):
                types.setdefault(term.name, arg.type)
    return types


def rule_reading(rule: Rule, bindings: dict, kb: KnowledgeBase | None = None, names=None) -> dict[str, str]:
    """The rule's own @nl/@en template filled with the bindings of one instance (labels for codes,
    names for people, schools and items)."""
    types = variable_types(kb, rule) if kb is not None else {}

    def filled(template: str, lang: str) -> str:
        if kb is None:
            return PLACEHOLDER.sub(lambda m: show(bindings.get(m.group(1)), name=m.group(1)), template)
        values = {name: word(kb, types.get(name), bindings.get(name), lang, names=names)
                  for name in PLACEHOLDER.findall(template)}
        return fill_template(template, values, {name for name in values if bindings.get(name) is None})
    return {lang: filled(rule.reading(lang), lang) for lang in LANGS}


_OP_WORDS = {
    "en": {">=": "is at least", ">": "is more than", "<=": "is at most", "<": "is less than", "=": "is",
           "!=": "is not"},
    "nl": {">=": "is minstens", ">": "is meer dan", "<=": "is hoogstens", "<": "is minder dan", "=": "is",
           "!=": "is niet"},
}
_OP_NOT = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "=": "!=", "!=": "="}


def comparison_reading(kb: KnowledgeBase, literal: Comparison, bindings: dict,
                       negative: bool = False, names=None) -> dict[str, str]:
    """A comparison in words: "the number of full years from 2012-03-01 to 2026-11-02 (14) is at least 12"."""
    op = _OP_NOT[literal.op] if negative else literal.op

    def side(term, lang: str) -> str:
        value = term_value(term, bindings)
        if isinstance(term, FunctionCall) and term.name in kb.vocabulary.functions:
            template = kb.vocabulary.functions[term.name].readings[lang]
            args = [word(kb, None, term_value(a, bindings), lang, names=names) for a in term.args]
            text = re.sub(r"\{(\d+)\}", lambda m: args[int(m.group(1)) - 1], template)
            return text if value is None else f"{text} ({show(value)})"
        return word(kb, None, value, lang)
    return {lang: f"{side(literal.left, lang)} {_OP_WORDS[lang][op]} {side(literal.right, lang)}" for lang in LANGS}


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
        value = term_value(t, bindings)
        return str(t) if value is None else show(value)

    if isinstance(literal, Atom):
        return f"{literal.predicate}({', '.join(term(a) for a in literal.args)})"
    if isinstance(literal, Negation):
        return "not " + literal_text(literal.atom, bindings)
    if isinstance(literal, Comparison):
        return f"{term(literal.left)} {literal.op} {term(literal.right)}"
    raise TypeError(literal)

