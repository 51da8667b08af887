"""Turn raw fact data (from YAML or JSON) into checked facts, or diagnostics saying what is wrong."""
from __future__ import annotations

import datetime
import re

from ..language.ast import Position
from ..language.diagnostics import Diagnostic, did_you_mean
from ..language.vocabulary import Vocabulary
from .model import BEGINNING, END, Fact

VALIDITY_KEYS = ("from", "until")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _as_date(value, what: str) -> tuple[datetime.date | None, str]:
    if isinstance(value, datetime.datetime):
        return value.date(), ""
    if isinstance(value, datetime.date):
        return value, ""
    if isinstance(value, str) and _DATE.fullmatch(value):  # YYYY-MM-DD only, not 20261128 or 2026-W48-6
        try:
            return datetime.date.fromisoformat(value), ""
        except ValueError:
            pass
    return None, f"{what} `{value}` is not a date; write it as YYYY-MM-DD"


def build_fact(raw, vocab: Vocabulary, pos: Position, origin: str,
               allowed_kinds=("input",)) -> tuple[Fact | None, list[Diagnostic]]:
    """Check one fact written as `{predicate: [args...], from: date, until: date}`.

    Dates may be given as dates or ISO strings (JSON has no date type).
    """
    def error(message: str, suggestion: str = "") -> tuple[None, list[Diagnostic]]:
        return None, [Diagnostic(pos, "fact", message, suggestion=suggestion)]

    if not isinstance(raw, dict):
        return error("a fact is written as `predicate: [argument, …]`, optionally with `from:` and `until:`")
    names = [k for k in raw if k not in VALIDITY_KEYS]
    if len(names) != 1:
        return error(f"a fact names exactly one predicate; found {', '.join(map(str, names)) or 'none'}")
    (name,) = names
    pred = vocab.predicates.get(name)
    if pred is None:
        return error(f"unknown predicate `{name}`", did_you_mean(str(name), vocab.by_kind_names(allowed_kinds)))
    if pred.kind not in allowed_kinds:
        return error(f"`{name}` is a {pred.kind} predicate; only {' or '.join(allowed_kinds)} facts can be stated")
    args = raw[name]
    if not isinstance(args, list):
        args = [args]
    if len(args) != pred.arity:
        return error(f"`{name}` takes {pred.arity} argument(s) ({', '.join(a.name for a in pred.args)}), "
                     f"but {len(args)} are given")
    values = []
    for arg, value in zip(pred.args, args):
        if arg.type == "date":
            value, problem = _as_date(value, arg.name)
            if problem:
                return error(f"in `{name}`: {problem}")
        problem = vocab.check_value(arg.type, value)
        if problem:
            return error(f"in `{name}`, argument {arg.name}: {problem}")
        values.append(value)
    bounds = []
    for key, default in (("from", BEGINNING), ("until", END)):
        if raw.get(key) is None:
            bounds.append(default)
            continue
        day, problem = _as_date(raw[key], f"`{key}:`")
        if problem:
            return error(problem)
        bounds.append(day)
    if bounds[0] > bounds[1]:
        return error(f"the validity period ends ({bounds[1]}) before it starts ({bounds[0]})")
    return Fact(name, tuple(values), bounds[0], bounds[1], origin), []
