"""A JSON schema compiled once into a plain Python predicate: is this instance valid?

jsonschema walks the schema for every request (a validator object per keyword and level: ~10 % of
a decision). The request schemas use a handful of keywords, so each schema is turned, once, into
nested closures that check exactly those keywords with jsonschema's meaning (a keyword applies
only to instances of its type; `integer` takes 1.0 but not True; `pattern` searches; `format` is
an annotation, as jsonschema does not assert it without a format checker). A schema with any other
keyword is not compiled (`compile_schema` returns None) and jsonschema alone decides.

The predicate only says valid or not: an invalid body is then handed to jsonschema, whose errors
the client gets (inputs.check_schema). tests/service/test_schema_check.py holds the predicate to
jsonschema's `is_valid` on generated bodies for every request schema.
"""
from __future__ import annotations

import re
from collections.abc import Callable

Check = Callable[[object], bool]

ANNOTATIONS = frozenset({"description", "default", "title", "examples", "format", "deprecated", "readOnly",
                         "writeOnly", "$comment"})


class Unsupported(ValueError):
    """A keyword (or a form of one) this compiler does not check."""


def compile_schema(schema: dict) -> Check | None:
    """A predicate equal to jsonschema's `is_valid` for `schema`, or None when the schema uses a
    keyword not compiled here."""
    try:
        return _compile(schema)
    except Unsupported:
        return None


def is_integer(value) -> bool:
    """A JSON integer as the service declares it: parsed as a Python int (`1`), not a float (`1.0`,
    `1e0`) and not a boolean."""
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


TYPES: dict[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "integer": is_integer,
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


def _compile(schema) -> Check:
    if schema is True or schema == {}:
        return lambda value: True
    if not isinstance(schema, dict):
        raise Unsupported(repr(schema))
    checks: list[Check] = []
    for key, arg in schema.items():
        if key in ANNOTATIONS or key.startswith("x-"):
            continue
        checks.append(_keyword(key, arg, schema))
    if len(checks) == 1:
        return checks[0]
    return lambda value: all(check(value) for check in checks)


def _keyword(key: str, arg, schema: dict) -> Check:
    if key == "type":
        kinds = [arg] if isinstance(arg, str) else list(arg)
        if not all(k in TYPES for k in kinds):
            raise Unsupported(f"type {arg!r}")
        tests = [TYPES[k] for k in kinds]
        return lambda v: any(t(v) for t in tests)
    if key == "enum":
        if not all(isinstance(x, str) for x in arg):  # jsonschema tells 1 from True; `in` does not
            raise Unsupported("enum of non-strings")
        allowed = frozenset(arg)
        return lambda v: isinstance(v, str) and v in allowed
    if key in ("minLength", "maxLength"):
        n = int(arg)
        if key == "minLength":
            return lambda v: not isinstance(v, str) or len(v) >= n
        return lambda v: not isinstance(v, str) or len(v) <= n
    if key == "pattern":
        search = re.compile(arg).search
        return lambda v: not isinstance(v, str) or search(v) is not None
    if key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if not _is_number(arg):
            raise Unsupported(f"{key} {arg!r}")
        bound = arg
        compare: Callable[[float], bool] = {
            "minimum": lambda v: v >= bound, "maximum": lambda v: v <= bound,
            "exclusiveMinimum": lambda v: v > bound, "exclusiveMaximum": lambda v: v < bound}[key]
        return lambda v: not _is_number(v) or compare(v)  # type: ignore[arg-type]  # a number here
    if key in ("minItems", "maxItems"):
        n = int(arg)
        if key == "minItems":
            return lambda v: not isinstance(v, list) or len(v) >= n
        return lambda v: not isinstance(v, list) or len(v) <= n
    if key == "items":
        item = _compile(arg)
        return lambda v: not isinstance(v, list) or all(item(x) for x in v)
    if key == "required":
        names = tuple(arg)
        return lambda v: not isinstance(v, dict) or all(n in v for n in names)
    if key == "properties":
        properties = {name: _compile(sub) for name, sub in arg.items()}
        return lambda v: not isinstance(v, dict) or all(
            properties[k](x) for k, x in v.items() if k in properties)
    if key == "additionalProperties":
        if "patternProperties" in schema:
            raise Unsupported("additionalProperties beside patternProperties")
        known = frozenset(schema.get("properties", {}))
        if arg is False:
            return lambda v: not isinstance(v, dict) or known.issuperset(v)
        extra = _compile(arg)
        return lambda v: not isinstance(v, dict) or all(extra(x) for k, x in v.items() if k not in known)
    raise Unsupported(key)
