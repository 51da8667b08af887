"""The OpenAPI 3.1 document: hand-written in openapi.yaml, with the knowledge base's explanation
schema inserted as components (so the two can never disagree).

`kb/explain/explanation.schema.json` becomes `components/schemas/Explanation`, and each of its
`$defs` becomes `Explanation_<name>` with its references rewritten to match. A schema marked
`x-extends: Explanation` (FullExplanation) gets Explanation's properties and required members
added to its own, less those it lists in `x-without`, and is closed (`additionalProperties: false`).

`schema_validator(name)` validates request bodies against the same document, so what the service
accepts is exactly what it documents. Its `integer` is strict (schema_check.is_integer): a count
sent as `1.0` or `1e0` is refused at the schema, as the document's introduction says.
"""
from __future__ import annotations

import copy
import json
import re
from functools import cache, lru_cache
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator, validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

import kb.explain
from kb.language.knowledge_base import DEFAULT_DIR
from kb.language.vocabulary import load_vocabulary

from .openapi_facts import fact_schemas
from .schema_check import ANNOTATIONS, Check, compile_schema, is_integer

HERE = Path(__file__).resolve().parent
EXPLANATION_SCHEMA = Path(kb.explain.__file__).resolve().parent / "explanation.schema.json"
DOCUMENT_URI = "urn:deelwijzer:openapi"
PREFIX = "Explanation"

# Draft 2020-12 with `integer` meaning a JSON integer written without fraction or exponent.
Validator = validators.extend(Draft202012Validator, type_checker=Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", lambda _checker, value: is_integer(value)))


def _rewrite_refs(node, prefix: str):
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                out[key] = f"#/components/schemas/{prefix}_{value[len('#/$defs/'):]}"
            else:
                out[key] = _rewrite_refs(value, prefix)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v, prefix) for v in node]
    return node


def embed_schema(document: dict, schema: dict, name: str = PREFIX) -> dict:
    """A copy of `document` with `schema` and its $defs added under components/schemas."""
    document = copy.deepcopy(document)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schema = _rewrite_refs(schema, name)
    for def_name, definition in schema.pop("$defs", {}).items():
        schemas[f"{name}_{def_name}"] = definition
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    schemas[name] = schema
    for extended in schemas.values():
        if extended.get("x-extends") == name:
            without = set(extended.get("x-without", ()))
            merged = {**schema["properties"], **extended.get("properties", {})}
            extended["properties"] = {k: v for k, v in merged.items() if k not in without}
            extended["required"] = [k for k in dict.fromkeys(schema["required"] + extended.get("required", []))
                                    if k not in without]
            extended["additionalProperties"] = False
    return document


@lru_cache(maxsize=1)
def document() -> dict:
    """The served document (built once; treat it as read-only), with the typed fact schemas of the
    shipped vocabulary (openapi_facts.py)."""
    base = yaml.safe_load((HERE / "openapi.yaml").read_text(encoding="utf-8"))
    explanation = json.loads(EXPLANATION_SCHEMA.read_text(encoding="utf-8"))
    built = embed_schema(base, explanation)
    built["components"]["schemas"].update(fact_schemas(load_vocabulary(DEFAULT_DIR / "vocabulary.yaml")))
    return built


@lru_cache(maxsize=1)
def _registry() -> Registry:
    return Registry().with_resource(DOCUMENT_URI, Resource(contents=document(), specification=DRAFT202012))


@cache
def schema_validator(name: str) -> Draft202012Validator:
    """A validator for components/schemas/<name>.

    References are inlined once, here, where they do not recurse (request schemas never do):
    resolving `$ref`s through the registry on every request cost about 0.7 ms per decision.
    Recursive references (the explanation's proof trees) stay references."""
    schemas = document()["components"]["schemas"]
    prefix = "#/components/schemas/"

    def inline(node, seen: frozenset):
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            # A reference beside annotations only (`default`, `description`) is inlined with them.
            if ref.startswith(prefix) and set(node) - {"$ref"} <= ANNOTATIONS and ref[len(prefix):] not in seen:
                target = ref[len(prefix):]
                notes = {k: v for k, v in node.items() if k != "$ref"}
                if schemas[target].get("x-checked-by-vocabulary"):
                    return {"type": "object", **notes}  # each fact is checked against the vocabulary
                return {**inline(schemas[target], seen | {target}), **notes}
            return {k: inline(v, seen) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v, seen) for v in node]
        return node

    schema = inline(schemas[name], frozenset({name}))
    # What stays a reference (recursion) is resolved against the whole document.
    schema = _absolute_refs(schema)
    return Validator(schema, registry=_registry())


@cache
def schema_check(name: str) -> Check | None:
    """components/schemas/<name> compiled into a validity predicate (schema_check.py): True means
    `schema_validator(name)` finds no error. None when the schema cannot be compiled."""
    return compile_schema(schema_validator(name).schema)


def request_schemas() -> list[str]:
    """The names of the schemas of every JSON request body the document describes."""
    names = []
    for item in document()["paths"].values():
        for operation in item.values():
            ref = (operation.get("requestBody", {}).get("content", {}).get("application/json", {})
                   .get("schema", {}).get("$ref", "")) if isinstance(operation, dict) else ""
            if ref.startswith("#/components/schemas/"):
                names.append(ref[len("#/components/schemas/"):])
    return names


def warm() -> None:
    """Build the document, and the validator and compiled check of every request schema, now
    rather than on the first request that needs each (in a preloaded master: once, for all workers)."""
    for name in request_schemas():
        schema_validator(name)
        schema_check(name)


def _absolute_refs(node):
    if isinstance(node, dict):
        return {k: (f"{DOCUMENT_URI}{v}" if k == "$ref" and isinstance(v, str) and v.startswith("#/")
                    else _absolute_refs(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_absolute_refs(v) for v in node]
    return node


_FLASK_VARIABLE = re.compile(r"<(?:[^:>]+:)?[^>]+>")
_OPENAPI_VARIABLE = re.compile(r"\{[^}]+\}")


@cache
def query_parameters(rule: str, method: str) -> dict[str, dict] | None:
    """The query parameters the document names for a Flask route and method, with their schemas
    (None: the operation is not documented).

    Path variables are matched by position, as names differ (`<int:decision_id>` is `{id}`)."""
    shape = _FLASK_VARIABLE.sub("{}", rule)
    for path, item in document()["paths"].items():
        if _OPENAPI_VARIABLE.sub("{}", path) != shape or method.lower() not in item:
            continue
        parameters = item.get("parameters", []) + item[method.lower()].get("parameters", [])
        resolved = (_resolve(p) for p in parameters)
        return {p["name"]: _schema(p.get("schema", {})) for p in resolved if p["in"] == "query"}
    return None


def query_value_problem(schema: dict, text: str) -> str:
    """Why a query parameter's text does not fit its documented schema ("" when it fits). Integers
    are ASCII digits; `format` is left to the operation (dates have their own `bad-date` answer)."""
    value: object = text
    if schema.get("type") == "integer":
        if not re.fullmatch(r"-?[0-9]{1,19}", text):
            return "must be a whole number in ASCII digits"
        value = int(text)
    checked = {k: v for k, v in schema.items() if k not in ("format", "default", "description")}
    error = next(iter(Validator(checked).iter_errors(value)), None)
    return error.message if error is not None else ""


def _schema(schema: dict) -> dict:
    """A parameter's schema with a `$ref` to a shared component (Lang, Reader, …) followed, keeping
    what the parameter adds beside it (its default)."""
    if "$ref" not in schema:
        return schema
    return {**_resolve({"$ref": schema["$ref"]}), **{k: v for k, v in schema.items() if k != "$ref"}}


def _resolve(node: dict) -> dict:
    """A parameter, following its `$ref` into the document."""
    ref = node.get("$ref", "")
    if not ref.startswith("#/"):
        return node
    target = document()
    for part in ref[2:].split("/"):
        target = target[part]
    return target
