"""Typed fact schemas for the OpenAPI document, generated from the vocabulary.

Every input predicate becomes a component `Fact_<predicate>`: `{"<predicate>": [args…], "from", "until"}`
with its arguments named and counted (`prefixItems`, `minItems` = `maxItems` = arity), each typed
(a date is `format: date`, a number an integer, a name a string). `EchoedFact` is the shape the service
gives facts back in (`{predicate, args, from, until}`, as in a remedy or a stored fact), accepted as
input too, so a remedy can be sent straight back as a hypothetical fact. `FactInput` is the `oneOf`
of all of them.

The service checks a fact with the vocabulary (kb/facts/validate.py), which rejects exactly what
these schemas reject, with a precise code (`unknown-predicate` with a did-you-mean, `arity`, …);
`x-checked-by-vocabulary` tells openapi.schema_validator to leave `FactInput` to that check.
"""
from __future__ import annotations

from kb.language.vocabulary import Vocabulary

DATE_OR_NULL = {"type": ["string", "null"], "format": "date", "description": "YYYY-MM-DD; null or absent: open"}


def _argument(name: str, type_name: str) -> dict:
    described = f"{name} ({type_name})"
    if type_name == "date":
        return {"type": "string", "format": "date", "title": name, "description": f"{described}, YYYY-MM-DD"}
    if type_name == "number":
        return {"type": "integer", "title": name, "description": described}
    return {"type": "string", "title": name, "description": described}


def fact_schemas(vocab: Vocabulary) -> dict[str, dict]:
    """The components: Fact_<predicate> for each input predicate, EchoedFact and FactInput."""
    schemas: dict[str, dict] = {}
    inputs = sorted(p.name for p in vocab.by_kind("input"))
    for name in inputs:
        pred = vocab.predicates[name]
        signature = ", ".join(f"{a.name}: {a.type}" for a in pred.args)
        arguments = {"type": "array", "description": f"the arguments, in order: {signature}",
                     "prefixItems": [_argument(a.name, a.type) for a in pred.args],
                     "items": {"type": ["string", "integer"]}, "minItems": pred.arity, "maxItems": pred.arity}
        if pred.arity == 1:  # as in the fact files, a single argument may stand alone: `clb_worker: ann`
            arguments = {"anyOf": [arguments, _argument(pred.args[0].name, pred.args[0].type)]}
        schemas[f"Fact_{name}"] = {
            "type": "object", "title": f"Fact_{name}",
            "description": f"`{name}({signature})`: {pred.readings.get('en', '')}",
            "required": [name], "additionalProperties": False,
            "properties": {
                name: arguments,
                "from": DATE_OR_NULL, "until": DATE_OR_NULL,
            },
        }
    schemas["EchoedFact"] = {
        "type": "object", "title": "EchoedFact",
        "description": "A fact as the service gives it back (a remedy's fact, a stored fact): "
                       "`{predicate, args, from, until}`. The other members of a remedy's fact (`reading`, "
                       "`by`, `act`) may be sent along and are ignored.",
        "required": ["predicate", "args"], "additionalProperties": False,
        "properties": {
            "predicate": {"enum": inputs, "description": "an input predicate of the vocabulary"},
            "args": {"type": "array", "items": {"type": ["string", "integer"]},
                     "description": "the arguments in the predicate's order; dates as YYYY-MM-DD"},
            "from": DATE_OR_NULL, "until": DATE_OR_NULL,
            "reading": {"type": "object", "description": "ignored"},
            "by": {"type": ["string", "integer", "null"], "description": "ignored"},
            "act": {"type": "string", "description": "ignored"},
        },
    }
    schemas["FactInput"] = {
        "description": "One fact: `{\"<predicate>\": [args…], \"from\", \"until\"}` typed per input predicate, "
                       "or the `{predicate, args, from, until}` shape the service echoes.",
        "oneOf": [{"$ref": f"#/components/schemas/Fact_{name}"} for name in inputs]
                 + [{"$ref": "#/components/schemas/EchoedFact"}],
        "x-checked-by-vocabulary": True,
    }
    return schemas


ECHOED_IGNORED = ("reading", "by", "act")


def as_raw_fact(raw):
    """An echoed fact `{predicate, args, from, until}` in the fact files' shape `{predicate: args, from, until}`;
    anything else is returned as it is (the vocabulary check then says what is wrong with it)."""
    if not (isinstance(raw, dict) and "predicate" in raw and "args" in raw and isinstance(raw["predicate"], str)):
        return raw
    extra = set(raw) - {"predicate", "args", "from", "until", *ECHOED_IGNORED}
    if extra:
        return raw
    out = {raw["predicate"]: raw["args"]}
    for key in ("from", "until"):
        if raw.get(key) is not None:
            out[key] = raw[key]
    return out
