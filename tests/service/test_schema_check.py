"""The compiled request schemas (query_service/schema_check.py) must say valid exactly when
jsonschema does: a body they wrongly passed would skip the schema's refusal altogether."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from query_service import openapi
from query_service.schema_check import compile_schema

REQUESTS = ["DecisionRequest", "ReplayRequest", "InterviewRequest", "InterviewAnswer", "ReloadRequest",
            "FactsRequest"]


def _enum_values(schema, out: set) -> set:
    if isinstance(schema, dict):
        out.update(v for v in schema.get("enum", ()) if isinstance(v, str))
        for value in schema.values():
            _enum_values(value, out)
    elif isinstance(schema, list):
        for value in schema:
            _enum_values(value, out)
    return out


def bodies(name: str):
    """Bodies near the schema: its own field names and enum values, with values of every JSON type
    at and past the schema's bounds (numbers around 0, 1, 10, 30, 100; empty strings and NUL)."""
    schema = openapi.schema_validator(name).schema
    fields = sorted(schema.get("properties", {})) + ["extra", ""]
    texts = st.sampled_from(sorted(_enum_values(schema, set())) + ["", "x", "a\x00b", "2026-11-02", "ann"])
    scalars = st.one_of(texts, st.text(max_size=5), st.integers(-2, 120), st.sampled_from([1.0, 1.5, 30.0, -0.0]),
                        st.booleans(), st.none())
    values = st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.lists(st.dictionaries(st.sampled_from(fields), inner, max_size=3), max_size=3),
        st.dictionaries(st.sampled_from(fields + ["predicate", "args"]), inner, max_size=4)), max_leaves=8)
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    near = st.fixed_dictionaries({k: _fitting(properties[k]) for k in required},
                                 optional={k: _fitting(v) for k, v in properties.items() if k not in required})
    spoilt = st.tuples(near, st.sampled_from(fields), values).map(lambda t: {**t[0], t[1]: t[2]})
    return st.one_of(near, spoilt, st.dictionaries(st.sampled_from(fields), values, max_size=len(fields)), values)


def _fitting(schema: dict):
    """Values of the type a property asks for, within its bounds mostly."""
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "integer":
        return st.integers(schema.get("minimum", -5) - 1, schema.get("maximum", 50) + 1)
    if kind == "array":
        return st.lists(st.dictionaries(st.sampled_from(["a", "b"]), st.text(max_size=2), max_size=2), max_size=3)
    if kind == "object":
        return st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2)
    if kind == "boolean":
        return st.booleans()
    return st.sampled_from(["ann", "ann", "ann", "2026-11-02", "", "x\x00"])


def test_the_request_schemas_are_those_the_document_names():
    assert sorted(openapi.request_schemas()) == sorted(REQUESTS)


@pytest.mark.parametrize("name", REQUESTS)
def test_every_request_schema_compiles(name):
    assert openapi.schema_check(name) is not None


@pytest.mark.parametrize("name", REQUESTS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_compiled_schema_agrees_with_jsonschema(name, data):
    body = data.draw(bodies(name))
    assert openapi.schema_check(name)(body) == openapi.schema_validator(name).is_valid(body)


@pytest.mark.parametrize("schema, valid, invalid", [
    ({"type": "integer", "minimum": 1, "maximum": 10}, [1, 10], [0, 11, 1.5, 3.0, True, "3", None]),  # 3.0: strict
    ({"type": "string", "minLength": 1, "pattern": "^[^\\u0000]*$"}, ["a", "é\n"], ["", "a\x00", 1, None]),
    ({"enum": ["none", "full"]}, ["none"], ["None", 0, None, True]),
    ({"type": "object", "required": ["a"], "additionalProperties": False,
      "properties": {"a": {"type": "array", "maxItems": 1, "items": {"type": "object"}}}},
     [{"a": []}, {"a": [{}]}], [{}, {"a": [{}, {}]}, {"a": [1]}, {"a": [], "b": 1}, []]),
    ({"minLength": 2, "maximum": 3}, ["ab", 3, None, [1]], ["a", 4]),  # keywords apply to their type only
])
def test_keywords_mean_what_jsonschema_means(schema, valid, invalid):
    check = compile_schema(schema)
    assert [check(v) for v in valid] == [True] * len(valid)
    assert [check(v) for v in invalid] == [False] * len(invalid)


def test_a_keyword_not_compiled_leaves_the_schema_to_jsonschema():
    assert compile_schema({"type": "object", "properties": {"a": {"oneOf": [{"type": "string"}]}}}) is None
    assert compile_schema({"$ref": "#/components/schemas/Fact"}) is None
    assert compile_schema({"enum": [1, True]}) is None
