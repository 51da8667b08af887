"""A float where the service counts: refused at the schema, never logged; a logged record that
cannot be shown is a 409 problem, never a 500.

`"max_proofs": 1.0` (also `1e0`, `2.0`) used to crash the explainer (500), and with `explain: none`
it was logged, so every later read, page view and replay of that record was a 500 too."""
from __future__ import annotations

import datetime

import pytest
from flask.testing import FlaskClient

from query_service import openapi
from query_service.state import EXTENSION

from .conftest import AUDIT, DAY, QUERY

TINE = {"actor": "ann", "recipient": "tine", "item": "i_home_situation", "at": DAY}


def _integer_fields(schema, pointer=""):
    """Every (pointer, schema) under `schema` whose type is (or includes) integer."""
    if not isinstance(schema, dict):
        return
    kinds = schema.get("type")
    if kinds == "integer" or (isinstance(kinds, list) and "integer" in kinds):
        yield pointer, schema
    for name, sub in schema.get("properties", {}).items():
        yield from _integer_fields(sub, f"{pointer}/{name}")
    if isinstance(schema.get("items"), dict):
        yield from _integer_fields(schema["items"], f"{pointer}/0")


def _requests_with_integers():
    return [(name, pointer, schema) for name in openapi.request_schemas()
            for pointer, schema in _integer_fields(openapi.schema_validator(name).schema)]


def test_the_request_schemas_declare_integer_fields():
    assert {("DecisionRequest", "/max_proofs"), ("DecisionRequest", "/max_depth")} <= {
        (name, pointer) for name, pointer, _ in _requests_with_integers()}


@pytest.mark.parametrize("name, pointer, schema", _requests_with_integers(),
                         ids=[f"{n}{p}" for n, p, _ in _requests_with_integers()])
@pytest.mark.parametrize("number", [1.0, 2.0, 10.0])
def test_every_integer_field_refuses_a_float_at_the_schema(name, pointer, schema, number):
    """Both the compiled check and jsonschema's error listing say no, so no field has the hole."""
    value = max(schema.get("minimum", number), min(schema.get("maximum", number), number))
    assert float(value).is_integer()
    body = _set({}, pointer, float(value))
    assert openapi.schema_check(name)(body) is False
    errors = openapi.schema_validator(name).iter_errors(body)
    assert any(e.validator == "type" and "/" + "/".join(map(str, e.path)) == pointer for e in errors)


def _set(body: dict, pointer: str, value) -> dict:
    parts = pointer.strip("/").split("/")
    node = body
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return body


@pytest.mark.parametrize("text", ['"max_proofs": 1.0', '"max_proofs": 1e0', '"max_proofs": 2.0',
                                  '"max_depth": 3.0', '"max_proofs": 1.0, "explain": "none"'])
def test_a_float_count_is_a_422_and_is_never_logged(app, client, text):
    body = '{"actor": "ann", "recipient": "tine", "item": "i_home_situation", "at": "%s", %s}' % (DAY, text)
    response = client.post("/v1/decisions", data=body, headers={**QUERY, "Content-Type": "application/json"})
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "invalid-request"
    assert problem["errors"][0]["pointer"] in ("/max_proofs", "/max_depth")
    assert "must be of type integer, not float" in problem["errors"][0]["message"]
    assert app.extensions[EXTENSION].decisions_logged() == 0


def test_the_same_count_as_an_integer_is_decided(client):
    response = client.post("/v1/decisions", json={**TINE, "max_proofs": 1, "max_depth": 3}, headers=QUERY)
    assert response.status_code == 201


def _logged_by_an_older_release(app, **request_values) -> int:
    """A record as a release that let a float through logged it (`explain: none`)."""
    from kb.decide import Question
    from query_service.traces import recorded_decision
    st = app.extensions[EXTENSION]
    question = Question("ann", "tine", "i_home_situation", datetime.date.fromisoformat(DAY), "conversation")
    decision = st.workspace.decide(question)
    st.keep_rule_version(decision.kb_version)
    request = {**TINE, "setting": "conversation", "hypothetical": [], "explain": "none", "lang": "en",
               "max_depth": None, "max_proofs": 1, "reader": "auditor", **request_values}
    return st.log.append(request, decision.kb_version, decision.facts_version, decision.outcome,
                         list(decision.deciding_rules), recorded_decision(question, decision)).id


def test_a_record_logged_with_an_integral_float_is_read_replayed_and_shown(app, client):
    decision_id = _logged_by_an_older_release(app, max_proofs=1.0)
    read = client.get(f"/v1/decisions/{decision_id}?explain=full", headers=AUDIT)  # the rebuilt trace: the auditor's
    assert read.status_code == 200 and read.get_json()["explanation"]["outcome"] == read.get_json()["outcome"]
    assert FlaskClient(app, app.response_class).get(f"/decisions/{decision_id}", headers=QUERY).status_code == 200
    replay = client.post(f"/v1/decisions/{decision_id}/replay", headers=QUERY, json={})
    assert replay.status_code == 201
    assert client.get(replay.get_json()["decision"]["links"]["self"], headers=QUERY).get_json()["request"][
        "max_proofs"] == 1


@pytest.mark.parametrize("value", [1.5, "many", True, 0, 11])
def test_a_record_that_cannot_be_shown_is_a_409_never_a_500(app, client, value):
    decision_id = _logged_by_an_older_release(app, max_proofs=value)
    for response in (client.get(f"/v1/decisions/{decision_id}", headers=QUERY),
                     client.post(f"/v1/decisions/{decision_id}/replay", headers=QUERY, json={})):
        assert response.status_code == 409
        problem = response.get_json()
        assert problem["code"] == "record-unrenderable"
        assert "max_proofs" in problem["detail"] and "whole number from 1 to 10" in problem["detail"]
    page = FlaskClient(app, app.response_class).get(f"/decisions/{decision_id}?lang=en", headers=QUERY)
    assert page.status_code == 409
    assert f"Decision {decision_id} is intact in the log, but this service cannot show it" in page.get_data(
        as_text=True)
