"""Reading requests: JSON bodies checked against the OpenAPI document, dates, and facts checked
against the vocabulary with the same `build_fact` the fact files use.

Everything here either returns clean values or raises an ApiProblem listing every problem found,
each with a JSON pointer and a stable code, so a client can fix the whole request at once.
"""
from __future__ import annotations

import datetime
import re

from flask import request
from werkzeug.exceptions import BadRequest

from kb.facts.model import Fact
from kb.facts.validate import VALIDITY_KEYS, build_fact
from kb.language.ast import Position
from kb.language.diagnostics import did_you_mean
from kb.language.vocabulary import Kind, Vocabulary

from .. import openapi
from ..errors import ApiProblem, invalid
from ..openapi_facts import as_raw_fact

_REQUEST_POS = Position("<request>", 1, 1)
MAX_DEPTH = 32  # nesting of arrays and objects in a body; documented in openapi.yaml
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # the one date form the API accepts (not 20261128, not 2026-W48-6)


def json_body(required: bool = True) -> dict | None:
    """The body as a JSON object; 400 `malformed-json` when it is not JSON at all."""
    raw = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
    if not raw.strip():
        if not required:
            return None
        raise ApiProblem(400, "malformed-json", "Malformed JSON",
                         "The request body is empty; send a JSON object (Content-Type: application/json).")
    try:
        body = request.get_json(force=True, silent=False, cache=True)
    except BadRequest:
        raise ApiProblem(400, "malformed-json", "Malformed JSON",
                         "The request body is not valid JSON (UTF-8); check quotes, commas and brackets.") from None
    except RecursionError:
        raise _too_deep() from None
    _check_values(body)
    if not isinstance(body, dict):
        raise invalid(f"The request body must be a JSON object, not a JSON {type(body).__name__}.",
                      [{"code": "invalid-request", "pointer": "", "message": "expected an object"}])
    return body


def _too_deep() -> ApiProblem:
    return invalid(f"The request body nests arrays and objects more than {MAX_DEPTH} deep.",
                   [{"code": "too-deep", "pointer": "", "message": f"nested more than {MAX_DEPTH} deep"}],
                   code="too-deep")


def _check_values(body) -> None:
    """422 unless the body nests at most MAX_DEPTH deep and every string (keys too) is valid Unicode
    without NUL: JSON may carry lone surrogates (`"\\udcff"`) and `\\u0000`, which no store and no
    page can hold. Iterative, so a deep body cannot exhaust the stack here."""
    stack = [(body, 0, "")]
    while stack:
        value, depth, pointer = stack.pop()
        if isinstance(value, (dict, list)):
            if depth >= MAX_DEPTH:
                raise _too_deep()
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, child in items:
                child_pointer = f"{pointer}/{key}" if isinstance(key, int) else f"{pointer}/{_escape(key)}"
                if isinstance(key, str):
                    _check_text(key, pointer)
                stack.append((child, depth + 1, child_pointer))
        elif isinstance(value, str):
            _check_text(value, pointer)


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _check_text(text: str, pointer: str) -> None:
    problem = ""
    if "\x00" in text:
        problem = "contains a NUL character (\\u0000)"
    else:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            problem = "is not valid Unicode (a lone surrogate such as \\udcff)"
    if problem:
        where = pointer.encode("utf-8", "replace").decode("utf-8")
        raise invalid(f"{where or 'body'}: a text {problem}.",
                      [{"code": "invalid-text", "pointer": where, "message": f"text {problem}"}], code="invalid-text")


def _pointer(path) -> str:
    return "".join(f"/{part}" for part in path)


def check_schema(body: dict, schema_name: str) -> None:
    """422 `invalid-request` listing every way `body` differs from the documented schema."""
    valid = openapi.schema_check(schema_name)
    if valid is not None and valid(body):
        return  # jsonschema would find no error; it is asked only to name the errors of a bad body
    validator = openapi.schema_validator(schema_name)
    errors = []
    for err in sorted(validator.iter_errors(body), key=lambda e: (list(map(str, e.path)), e.message)):
        pointer, message, suggestion = _pointer(err.path), err.message, ""
        if err.validator == "required":
            missing = err.message.split("'")[1]
            pointer, message = f"{pointer}/{missing}", f"`{missing}` is required"
        elif err.validator == "additionalProperties":
            known = list(err.schema.get("properties", {}))
            for extra in sorted(set(err.instance) - set(known)):
                errors.append({"code": "invalid-request", "pointer": f"{pointer}/{extra}",
                               "message": f"`{extra}` is not a field of this request; the fields are "
                                          f"{', '.join(known)}",
                               **_hint(did_you_mean(extra, known))})
            continue
        elif err.validator == "type":
            message = f"must be of type {err.validator_value}, not {type(err.instance).__name__}"
        elif err.validator == "enum":
            message = f"must be one of {', '.join(map(str, err.validator_value))}"
            if isinstance(err.instance, str):
                suggestion = did_you_mean(err.instance, [str(v) for v in err.validator_value])
        errors.append({"code": "invalid-request", "pointer": pointer, "message": message, **_hint(suggestion)})
    if errors:
        first = errors[0]
        raise invalid(f"{len(errors)} problem(s) in the request; first: {first['pointer'] or 'body'}: "
                      f"{first['message']}", errors)


def _hint(suggestion: str) -> dict:
    return {"suggestion": suggestion} if suggestion else {}


def parse_date(value, where: str, *, parameter: bool = False) -> datetime.date:
    """A YYYY-MM-DD date, or 422 `bad-date` (other ISO 8601 forms are refused, as the schema says)."""
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    item = {"code": "bad-date", "message": f"`{value}` is not a date; write it as YYYY-MM-DD"}
    item.update({"parameter": where} if parameter else {"pointer": where})
    raise invalid(f"{where.lstrip('/')}: `{value}` is not a date; write it as YYYY-MM-DD", [item], code="bad-date")


def _fact_code(raw, vocab: Vocabulary) -> str:
    """The stable code of what is wrong with a raw fact, checked in the order build_fact checks."""
    if not isinstance(raw, dict):
        return "invalid-fact"
    names = [k for k in raw if k not in VALIDITY_KEYS]
    if len(names) != 1:
        return "invalid-fact"
    pred = vocab.predicates.get(names[0])
    if pred is None:
        return "unknown-predicate"
    if pred.kind != Kind.INPUT:
        return "invalid-fact"
    args = raw[names[0]] if isinstance(raw[names[0]], list) else [raw[names[0]]]
    if len(args) != pred.arity:
        return "wrong-arity"
    for arg, value in zip(pred.args, args):
        if arg.type == "date":
            if not _is_date(value):
                return "bad-date"
        elif vocab.check_value(arg.type, value):
            return "invalid-value"
    if any(raw.get(key) is not None and not _is_date(raw[key]) for key in VALIDITY_KEYS):
        return "bad-date"
    return "bad-period" if all(raw.get(key) is not None for key in VALIDITY_KEYS) else "invalid-fact"


def _is_date(value) -> bool:
    if not (isinstance(value, str) and _DATE.fullmatch(value)):
        return False
    try:
        datetime.date.fromisoformat(value)
        return True
    except ValueError:
        return False


def parse_facts(raws: list, vocab: Vocabulary, pointer: str, origin: str) -> tuple[list[Fact], list[dict]]:
    """Check raw facts; (facts, errors) where each error names the fact by JSON pointer."""
    facts, errors = [], []
    for i, raw in enumerate(raws):
        raw = as_raw_fact(raw)  # a fact as the service echoes it ({predicate, args, from, until}) is accepted too
        fact, diagnostics = build_fact(raw, vocab, _REQUEST_POS, origin)
        for diag in diagnostics:
            errors.append({"code": _fact_code(raw, vocab), "pointer": f"{pointer}/{i}", "message": diag.message,
                           **_hint(diag.suggestion)})
        if fact is not None:
            facts.append(fact)
    return facts, errors


def raise_fact_errors(errors: list[dict]) -> None:
    if errors:
        first = errors[0]
        raise invalid(f"{len(errors)} fact(s) cannot be used; first: {first['pointer']}: {first['message']}",
                      errors, code=first["code"], suggestion=first.get("suggestion", ""))


def raw_fact(fact: Fact) -> dict:
    """A fact back in the raw form a client sends (dates as YYYY-MM-DD, open ends left out)."""
    args = [a.isoformat() if isinstance(a, datetime.date) else a for a in fact.args]
    return {fact.predicate: args, **{k: v for k, v in fact.period().items() if v is not None}}
