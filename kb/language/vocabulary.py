"""The vocabulary: every predicate and function the rules may use, with types and readings, and
the roles: which predicate plays each part the decision layer relies on (the outcomes, the duty,
the ground, the item's pupil, …). This module is the only Python that knows the law's predicate
names' places; everything above reads them from `Vocabulary.roles`.
"""
from __future__ import annotations

import dataclasses
import datetime
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import yaml

from .ast import Position
from .diagnostics import Diagnostic, KnowledgeBaseError, did_you_mean
from .yamlpos import PosDict, error_position, load_yaml, pos_of


class Kind(StrEnum):
    """What states a predicate's facts: facts (input), rules (derived, decision), or the question."""

    INPUT = "input"
    DERIVED = "derived"
    CONTEXT = "context"
    DECISION = "decision"


KINDS = tuple(Kind)
CONCLUDED = (Kind.DERIVED, Kind.DECISION)  # the kinds rules conclude


class Outcome(StrEnum):
    """The four outcomes of a decision (the API's values); `Roles.outcome` names their predicates."""

    OBLIGATED = "obligated"
    DISCRETIONARY = "discretionary"
    PERMITTED = "permitted"
    FORBIDDEN = "forbidden"


OUTCOMES = tuple(Outcome)


@dataclass(frozen=True)
class Roles:
    """The predicate that plays each role the decision layer needs (`roles:` in vocabulary.yaml)."""

    obligated: str
    discretionary: str
    permitted: str
    forbidden: str
    may_disclose: str     # D6: may the actor tell at all (any outcome but forbidden)
    duty: str             # the reason of `obligated`
    discretion: str       # the reason of `discretionary`
    ground: str           # a reason of `permitted`
    exception: str        # the other reason of `permitted`: secrecy lapses
    block: str            # the reasons of `forbidden`
    item_subject: str     # (Item, Pupil): whom an item is about
    parent: str           # (Parent, Pupil)
    pupil: str            # (Pupil, School)
    born: str             # (Pupil, Date)
    staff: str            # (Person, School, Role)
    circle_member: str    # (Person, Pupil, Circle)
    guides: str           # (Worker, Pupil)
    capable: str          # (Pupil)
    judged_capable: str   # (Pupil)
    withheld_from: str    # (Reader, Item, Part)
    learned: str          # (Holder, Item, From, Capacity): the acts that make a person hold an item
    # Optional (a vocabulary without them reads no incapacity): the explanation's wording of capacity.
    incapable: str = ""        # (Pupil)
    judged_incapable: str = ""  # (Pupil)

    def outcome(self, outcome: str) -> str:
        """The predicate of an outcome."""
        return getattr(self, Outcome(outcome).value)

    @property
    def reasons(self) -> dict[str, tuple[str, ...]]:
        """Outcome -> the predicates that carry the decision rule's reason."""
        return {Outcome.OBLIGATED: (self.duty,), Outcome.DISCRETIONARY: (self.discretion,),
                Outcome.PERMITTED: (self.exception, self.ground), Outcome.FORBIDDEN: (self.block,)}

    @property
    def decision_predicates(self) -> tuple[str, ...]:
        return tuple(self.outcome(o) for o in OUTCOMES)


_DECIDING = ((Kind.DECISION,), 3)
_REASON = ((Kind.DERIVED,), 3)
# role -> (the kinds its predicate may have, its arity)
ROLE_SHAPES: dict[str, tuple[tuple[Kind, ...], int]] = {
    "obligated": _DECIDING, "discretionary": _DECIDING, "permitted": _DECIDING, "forbidden": _DECIDING,
    "may_disclose": _DECIDING, "duty": _REASON, "discretion": _REASON, "ground": _REASON,
    "exception": _REASON, "block": _REASON,
    "item_subject": ((Kind.INPUT,), 2), "parent": ((Kind.INPUT,), 2), "pupil": ((Kind.INPUT,), 2),
    "born": ((Kind.INPUT,), 2), "staff": ((Kind.INPUT,), 3), "circle_member": ((Kind.INPUT,), 3),
    "guides": ((Kind.INPUT,), 2), "capable": (CONCLUDED, 1), "judged_capable": ((Kind.INPUT,), 1),
    "incapable": (CONCLUDED, 1), "judged_incapable": ((Kind.INPUT,), 1),
    "withheld_from": (CONCLUDED, 3), "learned": ((Kind.INPUT,), 4),
}
ROLE_NAMES = tuple(f.name for f in dataclasses.fields(Roles))
OPTIONAL_ROLES = ("incapable", "judged_incapable")
CONSENT_REMEDY = "consent"
DESIGNATION_REMEDY = "designation"
REMEDIES = (CONSENT_REMEDY, "agreement", DESIGNATION_REMEDY, "request")
SCALAR_TYPES = {"date": datetime.date, "number": int}
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# A part of a reading that is read only when one of its placeholders has a value: "werkt niet[ als
# {Role}] op {School}"; "[de ambtskring {Circle}|een ambtskring]" reads the text after the bar instead.
OPTIONAL = re.compile(r"\[([^\[\]]*)\]")


def fill_template(template: str, values: dict, open_names) -> str:
    """A reading template with its placeholders filled from `values` ({name: text}); an optional
    part whose placeholders are all in `open_names` is left out (or replaced by its alternative)."""
    def part(match) -> str:
        kept, _, instead = match.group(1).partition("|")
        named = PLACEHOLDER.findall(kept)
        return instead if named and all(n in open_names for n in named) else kept
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), OPTIONAL.sub(part, template))


@dataclass(frozen=True)
class Argument:
    name: str
    type: str


@dataclass(frozen=True)
class Predicate:
    name: str
    kind: Kind
    args: tuple[Argument, ...]
    readings: dict = field(hash=False)  # lang -> template with {ArgName}
    pos: Position = field(compare=False, hash=False)
    brought_about_by: str | None = None
    remedy: str | None = None
    negative_readings: dict = field(default_factory=dict, hash=False, compare=False)  # lang -> "not" template
    part: str | None = None  # the part of an explanation its facts belong to (80_inzage.dl withholds parts)
    disclosure: bool = False  # a conclusion about what a reader may see: a root, like the decisions
    asked_of: str | None = None  # an interview may ask for such a fact: of this argument's person, or `actor`
    # Optional wordings: bringing the fact about as a condition ("{Giver} toestemming geeft om …",
    # read after "als"/"if"), and the fact asked as a yes/no question ("Geeft {Giver} toestemming …?").
    conditional: dict = field(default_factory=dict, hash=False, compare=False)  # lang -> template
    question: dict = field(default_factory=dict, hash=False, compare=False)  # lang -> template

    @property
    def arity(self) -> int:
        return len(self.args)

    @property
    def key(self) -> str:
        return f"{self.name}/{self.arity}"

    def reading(self, lang: str, values) -> str:
        """Read one fact of this predicate aloud in `lang`."""
        names = {arg.name: _show(value) for arg, value in zip(self.args, values)}
        return fill_template(self.readings[lang], names, {a.name for a, v in zip(self.args, values) if v is None})

    def arg_index(self, name: str) -> int:
        return next(i for i, arg in enumerate(self.args) if arg.name == name)


@dataclass(frozen=True)
class Type:
    name: str
    readings: dict = field(hash=False)
    values: tuple[str, ...] | None = None  # an enumerated type lists its values
    labels: dict = field(default_factory=dict, hash=False, compare=False)  # value -> {lang: label}

    def label(self, value, lang: str) -> str | None:
        """How `value` reads in `lang`, or None when the vocabulary gives it no label."""
        return self.labels.get(value, {}).get(lang)


@dataclass(frozen=True)
class Function:
    name: str
    arg_types: tuple[str, ...]
    returns: str
    readings: dict = field(hash=False)


@dataclass
class Vocabulary:
    path: str
    types: dict[str, Type]
    functions: dict[str, Function]
    predicates: dict[str, Predicate]  # by name: a name has exactly one arity
    roles: Roles | None = None  # None when `roles:` is absent or incomplete (kb check reports it)
    roles_pos: Position | None = None
    missing_roles: tuple[str, ...] = ROLE_NAMES

    def by_kind(self, kind: Kind) -> list[Predicate]:
        return [p for p in self.predicates.values() if p.kind == kind]

    def by_kind_names(self, kinds) -> list[str]:
        return [p.name for p in self.predicates.values() if p.kind in kinds]

    def check_value(self, type_name: str, value) -> str | None:
        """Why `value` is not a valid value of the type, or None when it is."""
        if type_name in SCALAR_TYPES:
            expected = SCALAR_TYPES[type_name]
            ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
            if not ok:
                return f"expected a {type_name}, got `{value}`"
            return None
        if not isinstance(value, str) or isinstance(value, bool):
            return f"expected a name ({type_name}), got `{value}`"
        enum = self.types[type_name].values
        if enum is not None and value not in enum:
            hint = did_you_mean(value, enum)
            return f"`{value}` is not a {type_name}; the {type_name} values are {', '.join(enum)}" + (
                f" ({hint})" if hint else "")
        return None


def _show(value) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def load_vocabulary(path: Path | str) -> Vocabulary:
    """Load and check the vocabulary file; raise KnowledgeBaseError with every problem found."""
    return vocabulary_from_text(Path(path).read_text(encoding="utf-8"), str(path))


def vocabulary_from_text(text: str, path: str) -> Vocabulary:
    """Check vocabulary text; `path` names it in positions and messages.

    Every problem gets its own code (`vocabulary-…`) and the position of the entry it is about;
    an entry of the wrong shape is reported and skipped, never a traceback.
    """
    try:
        data = load_yaml(text, path)
    except yaml.YAMLError as err:
        raise KnowledgeBaseError([Diagnostic(error_position(err, path), "vocabulary-yaml",
                                             "the vocabulary is not valid YAML: "
                                             f"{getattr(err, 'problem', err)}")]) from None
    diags: list[Diagnostic] = []
    top = Position(path, 1, 1)
    if not isinstance(data, PosDict):
        raise KnowledgeBaseError([Diagnostic(top, "vocabulary-shape", "the vocabulary must be a mapping",
                                             suggestion="start with `types:`, `functions:` and `predicates:`")])

    def err(pos: Position, message: str, suggestion: str = "", code: str = "vocabulary") -> None:
        diags.append(Diagnostic(pos, code, message, suggestion=suggestion))

    def section(name: str, example: str) -> dict:
        value = data.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            err(pos_of(data, name, top), f"`{name}:` must be a mapping, not `{_short(value)}`",
                f"write it as {example}", "vocabulary-shape")
            return {}
        return value

    types: dict[str, Type] = {}
    raw_types = section("types", "`types: {person: {nl: persoon, en: person}}`")
    for name, spec in raw_types.items():
        pos = pos_of(raw_types, name, top)
        if not isinstance(spec, dict):
            err(pos, f"type `{name}` must be a mapping with nl and en, not `{_short(spec)}`",
                f"write `{name}: {{nl: …, en: …}}`", "vocabulary-shape")
            continue
        values = spec.get("values")
        if values is not None and not (isinstance(values, list) and all(isinstance(v, str) for v in values)):
            err(pos_of(spec, "values", pos), f"the values of type `{name}` must be a list of names",
                "write `values: [a, b]`", "vocabulary-shape")
            values = None
        labels = spec.get("labels") or {}
        if not isinstance(labels, dict):
            err(pos_of(spec, "labels", pos), f"the labels of type `{name}` must be a mapping",
                "write `labels: {value: {nl: ..., en: ...}}`", "vocabulary-shape")
            labels = {}
        for value in values or ():
            if not all(isinstance(labels.get(value), dict) and labels[value].get(lang) for lang in ("nl", "en")):
                err(pos, f"value `{value}` of type `{name}` has no nl and en label",
                    f"add `labels: {{{value}: {{nl: ..., en: ...}}}}`", "vocabulary-reading")
        types[str(name)] = Type(str(name), {"nl": spec.get("nl", name), "en": spec.get("en", name)},
                                tuple(values) if values is not None else None, dict(labels))

    functions: dict[str, Function] = {}
    raw_functions = section("functions", "`functions: {years_between: {args: [date, date], returns: number}}`")
    for name, spec in raw_functions.items():
        pos = pos_of(raw_functions, name, top)
        if not isinstance(spec, dict):
            err(pos, f"function `{name}` must be a mapping with args, returns, nl and en, not `{_short(spec)}`",
                f"write `{name}: {{args: [date, date], returns: number, nl: …, en: …}}`", "vocabulary-shape")
            continue
        raw_args = spec.get("args", ())
        if not isinstance(raw_args, list):
            err(pos_of(spec, "args", pos), f"the args of function `{name}` must be a list of type names",
                "write `args: [date, date]`", "vocabulary-shape")
            raw_args = []
        bad = [t for t in list(raw_args) + [spec.get("returns")] if not _names_type(t, types)]
        for t in bad:
            err(pos_of(spec, "args", pos) if t is not spec.get("returns") else pos_of(spec, "returns", pos),
                f"function `{name}` uses unknown type `{_short(t)}`",
                did_you_mean(str(t), types) if isinstance(t, str) else "a type is written as its name",
                "vocabulary-unknown-type")
        if bad:
            continue
        functions[str(name)] = Function(str(name), tuple(raw_args), spec.get("returns"),
                                        {"nl": spec.get("nl", ""), "en": spec.get("en", "")})

    predicates: dict[str, Predicate] = {}
    raw_predicates = section("predicates", "`predicates: {pupil: {kind: input, args: [{Pupil: person}], …}}`")
    for name, spec in raw_predicates.items():
        pos = pos_of(raw_predicates, name, top)
        if not isinstance(spec, PosDict):
            err(pos, f"predicate `{name}` must be a mapping, not `{_short(spec)}`",
                "write its kind, args, nl and en under it", "vocabulary-shape")
            continue
        kind = spec.get("kind")
        if not isinstance(kind, str) or kind not in KINDS:
            err(pos_of(spec, "kind", pos), f"predicate `{name}` has kind `{_short(kind)}`",
                f"the kind is one of {', '.join(KINDS)}", "vocabulary-kind")
        args: list[Argument] = []
        raw_args = spec.get("args") or []
        if not isinstance(raw_args, list):
            err(pos_of(spec, "args", pos), f"the args of `{name}` must be a list like [{{Actor: person}}]",
                code="vocabulary-argument")
            raw_args = []
        for i, raw in enumerate(raw_args):
            apos = pos_of(raw_args, i, pos)
            if not (isinstance(raw, dict) and len(raw) == 1):
                err(apos, f"argument {i + 1} of `{name}` must be written as {{Name: type}}",
                    code="vocabulary-argument")
                continue
            ((arg_name, arg_type),) = raw.items()
            if not _names_type(arg_type, types):
                err(apos, f"argument `{arg_name}` of `{name}` has unknown type `{_short(arg_type)}`",
                    did_you_mean(str(arg_type), types) if isinstance(arg_type, str)
                    else "a type is written as its name, e.g. {Actor: person}", "vocabulary-unknown-type")
            if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", str(arg_name)):
                err(apos, f"argument name `{arg_name}` of `{name}` must start with a capital letter",
                    code="vocabulary-argument")
            args.append(Argument(str(arg_name), str(arg_type)))
        if len({a.name for a in args}) != len(args):
            err(pos, f"predicate `{name}` repeats an argument name", code="vocabulary-argument")
        readings = {}
        for lang in ("nl", "en"):
            template = spec.get(lang)
            if not template or not isinstance(template, str):
                err(pos_of(spec, lang, pos),
                    f"predicate `{name}` has no {'Dutch' if lang == 'nl' else 'English'} reading",
                    f"add `{lang}: \"...\"` with placeholders like {{{args[0].name if args else 'X'}}}",
                    "vocabulary-reading")
                continue
            _check_placeholders(err, spec, pos, name, args, lang, template)
            readings[lang] = template
        negative = {}
        for lang in ("nl", "en"):
            # The wording of a failed condition: an explanation never reads a missing fact as if it held.
            template = spec.get(f"{lang}_not")
            if not template:
                err(pos, f"predicate `{name}` has no {'Dutch' if lang == 'nl' else 'English'} negative reading",
                    f"add `{lang}_not: \"...\"`, how the condition reads when it does not hold", "vocabulary-reading")
                continue
            _check_placeholders(err, spec, pos, name, args, f"{lang}_not", template)
            negative[lang] = template
        optional = {}
        for key, meaning in (("if", "how bringing it about reads as a condition"), ("ask", "its yes/no question")):
            optional[key] = {}
            for lang in ("nl", "en"):
                template = spec.get(f"{lang}_{key}")
                if template is None:
                    continue
                if not isinstance(template, str) or not template.strip():
                    err(pos_of(spec, f"{lang}_{key}", pos), f"`{lang}_{key}` of `{name}` ({meaning}) must be text",
                        code="vocabulary-reading")
                    continue
                _check_placeholders(err, spec, pos, name, args, f"{lang}_{key}", template)
                optional[key][lang] = template
        by = spec.get("brought_about_by")
        remedy = spec.get("remedy")
        if by is not None and str(by) not in {a.name for a in args}:
            err(pos_of(spec, "brought_about_by", pos),
                f"`brought_about_by: {_short(by)}` of `{name}` is not one of its arguments", code="vocabulary-remedy")
        if (by is None) != (remedy is None) or (remedy is not None and str(remedy) not in REMEDIES):
            err(pos, f"predicate `{name}` needs both brought_about_by and remedy (one of {', '.join(REMEDIES)}), "
                     f"or neither", code="vocabulary-remedy")
        if kind != "input" and by is not None:
            err(pos, f"only input facts can be brought about by a person; `{name}` is {_short(kind)}",
                code="vocabulary-remedy")
        part = spec.get("part")
        parts = types["part"].values if "part" in types else ()
        if part is not None and part not in (parts or ()):
            err(pos_of(spec, "part", pos), f"`part: {_short(part)}` of `{name}` is not a value of type `part`",
                did_you_mean(str(part), parts or ()), "vocabulary-kind")
        asked_of = spec.get("asked_of")
        if asked_of is not None and asked_of != "actor" and asked_of not in {a.name for a in args}:
            err(pos_of(spec, "asked_of", pos),
                f"`asked_of: {_short(asked_of)}` of `{name}` is neither `actor` nor one of its arguments",
                code="vocabulary-argument")
        if asked_of is not None and kind != "input":
            err(pos, f"only input facts can be asked in an interview; `{name}` is {_short(kind)}",
                code="vocabulary-kind")
        predicates[str(name)] = Predicate(str(name), Kind(kind) if kind in KINDS else kind, tuple(args), readings, pos,
                                          None if by is None else str(by), None if remedy is None else str(remedy),
                                          negative, part, bool(spec.get("disclosure", False)), asked_of,
                                          optional["if"], optional["ask"])
    raw_roles = section("roles", "`roles: {duty: must_tell, ground: may_tell, …}`")
    named: dict[str, str] = {}
    for role, name in raw_roles.items():
        pos = pos_of(raw_roles, role, top)
        if role not in ROLE_SHAPES:
            err(pos, f"`{role}` is not a role the decision layer knows", did_you_mean(str(role), ROLE_NAMES),
                "vocabulary-role")
            continue
        pred = predicates.get(str(name)) if isinstance(name, str) else None
        if pred is None:
            err(pos, f"role `{role}` names `{_short(name)}`, which is not a declared predicate",
                did_you_mean(str(name), predicates), "vocabulary-role")
            continue
        kinds, arity = ROLE_SHAPES[role]
        if pred.kind not in kinds or pred.arity != arity:
            err(pos, f"role `{role}` needs a {' or '.join(kinds)} predicate with {arity} argument(s); "
                     f"`{name}` is {pred.kind} with {pred.arity}", code="vocabulary-role")
            continue
        named[str(role)] = str(name)
    if diags:
        raise KnowledgeBaseError(diags)
    missing = tuple(r for r in ROLE_NAMES if r not in named and r not in OPTIONAL_ROLES)
    return Vocabulary(path, types, functions, predicates, None if missing else Roles(**named),
                      pos_of(data, "roles", top), missing)


def _check_placeholders(err, spec, pos, name: str, args: list, key: str, template: str) -> None:
    """Report each placeholder of the `key` reading (nl, nl_not, nl_if, …) that names no argument."""
    for placeholder in PLACEHOLDER.findall(template):
        if placeholder not in {a.name for a in args}:
            err(pos_of(spec, key, pos),
                f"the {key} reading of `{name}` names `{{{placeholder}}}`, which is not one of its arguments",
                did_you_mean(placeholder, [a.name for a in args]), "vocabulary-reading")


def _names_type(value, types: dict) -> bool:
    """Whether `value` is the name of a declared type (a mapping or list never is)."""
    return isinstance(value, str) and value in types


def _short(value) -> str:
    """A value as the vocabulary's author wrote it, cut short for a message."""
    text = "null" if value is None else str(value)
    return text if len(text) <= 40 else text[:37] + "..."
