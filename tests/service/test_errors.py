"""Every bad request is a 4xx problem+json with a stable code, and changes nothing."""
from __future__ import annotations

import logging

import pytest

from .conftest import ADMIN, ADMIN_ONLY_TOKEN, QUERY, decide

GOOD = {"actor": "ann", "recipient": "tine", "item": "i_home_situation", "at": "2026-11-02"}


@pytest.fixture()
def unchanged(client, ext):
    """Asserts, after the test, that no decision was logged and no fact changed."""
    facts_before, logged_before = ext.store.version(), ext.decisions_logged()
    yield
    assert ext.store.version() == facts_before
    assert ext.decisions_logged() == logged_before


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == code
    return body


def test_malformed_json(client, unchanged):
    response = client.post("/v1/decisions", data='{"actor": "ann",', content_type="application/json", headers=QUERY)
    body = problem(response, 400, "malformed-json")
    assert body["instance"] == "/v1/decisions"


def test_empty_body(client, unchanged):
    problem(client.post("/v1/decisions", data="", content_type="application/json", headers=QUERY), 400, "malformed-json")


def test_invalid_utf8_is_malformed(client, unchanged):
    problem(client.post("/v1/decisions", data=b'{"actor": "\xff"}', content_type="application/json", headers=QUERY),
            400, "malformed-json")


def test_body_must_be_an_object(client, unchanged):
    problem(client.post("/v1/decisions", json=["ann"], headers=QUERY), 422, "invalid-request")


def test_missing_and_ill_typed_fields_are_all_listed(client, unchanged):
    body = problem(client.post("/v1/decisions", json={"actor": 7, "item": "i_home_situation", "max_proofs": 0},
                               headers=QUERY), 422, "invalid-request")
    pointers = {e["pointer"] for e in body["errors"]}
    assert pointers == {"/actor", "/recipient", "/max_proofs"}
    assert any(e["message"] == "`recipient` is required" for e in body["errors"])


def test_unknown_field_suggests_the_right_one(client, unchanged):
    body = problem(client.post("/v1/decisions", json={**GOOD, "acter": "ann"}, headers=QUERY), 422, "invalid-request")
    assert body["errors"][0]["pointer"] == "/acter"
    assert "actor" in body["errors"][0]["suggestion"]


def test_bad_explain_level_suggests_one(client, unchanged):
    body = problem(decide(client, **{**GOOD, "explain": "ful"}), 422, "invalid-request")
    assert body["errors"][0]["pointer"] == "/explain"
    assert "`full`" in body["errors"][0]["suggestion"]


@pytest.mark.parametrize("field, value, code, suggestion", [
    ("recipient", "tien", "unknown-person", "tine"),
    ("actor", "an", "unknown-person", ""),
    ("item", "i_home_situatoin", "unknown-item", "i_home_situation"),
    ("setting", "klassenraad", "unknown-setting", ""),
])
def test_unknown_names(client, unchanged, field, value, code, suggestion):
    body = problem(decide(client, **{**GOOD, field: value}), 422, code)
    assert body["errors"][0]["pointer"] == f"/{field}"
    assert value in body["detail"]
    if suggestion:
        assert f"`{suggestion}`" in body["suggestion"]


def test_bad_date(client, unchanged):
    body = problem(decide(client, **{**GOOD, "at": "2026-13-01"}), 422, "bad-date")
    assert body["errors"][0]["pointer"] == "/at"
    assert "YYYY-MM-DD" in body["detail"]


@pytest.mark.parametrize("fact, code, words", [
    ({"consnet": ["lena", "i_home_situation", "tine", "2026-10-01"]}, "unknown-predicate", "unknown predicate `consnet`"),
    ({"consent": ["lena", "i_home_situation", "tine"]}, "wrong-arity", "takes 4 argument(s)"),
    ({"consent": ["lena", "i_home_situation", "tine", "1 Oct 2026"]}, "bad-date", "is not a date"),
    ({"consent": ["lena", "i_home_situation", "tine", "2026-10-01"], "from": "yesterday"}, "bad-date", "is not a date"),
    ({"consent": ["lena", "i_home_situation", "tine", "2026-10-01"], "from": "2026-10-05", "until": "2026-10-01"},
     "bad-period", "ends"),
    ({"school_staff": ["tine", "sint_jozef", "janitor"]}, "invalid-value", "is not a role"),
    ({"may_tell": ["ann", "tine", "i_home_situation"]}, "invalid-fact", "derived predicate"),
    ({"consent": ["lena", "i_home_situation", "tine", "2026-10-01"], "clb_worker": ["x"]}, "invalid-fact",
     "exactly one predicate"),
])
def test_bad_hypothetical_facts(client, unchanged, fact, code, words):
    body = problem(decide(client, **GOOD, hypothetical=[{"clb_worker": ["ok"]}, fact]), 422, code)
    assert body["errors"] == [{**body["errors"][0], "code": code, "pointer": "/hypothetical/1"}]
    assert words in body["errors"][0]["message"]
    if code == "unknown-predicate":
        assert "`consent`" in body["suggestion"]


def test_body_too_large(client, app, unchanged):
    huge = [{"clb_worker": ["x" * 1000]}] * (app.config["MAX_CONTENT_LENGTH"] // 1000 + 1)
    body = problem(decide(client, **GOOD, hypothetical=huge), 413, "body-too-large")
    assert str(app.config["MAX_CONTENT_LENGTH"]) in body["detail"]


def test_missing_token(client, unchanged):
    response = decide(client, headers={}, **GOOD)
    problem(response, 401, "missing-token")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer nope", "Basic cXVlcnk=", "Bearer", "query-token-1"])
def test_invalid_token(client, unchanged, header):
    problem(decide(client, headers={"Authorization": header}, **GOOD), 401, "invalid-token")


def test_missing_scope(client, unchanged):
    problem(client.post("/v1/facts", json={"facts": [{"clb_worker": ["dirk"]}]}, headers=QUERY), 403,
            "insufficient-scope")
    problem(client.delete("/v1/facts/1", headers=QUERY), 403, "insufficient-scope")
    problem(client.post("/v1/admin/reload", headers=QUERY), 403, "insufficient-scope")
    problem(decide(client, headers={"Authorization": f"Bearer {ADMIN_ONLY_TOKEN}"}, **GOOD), 403, "insufficient-scope")


def test_not_found_and_method_not_allowed(client, unchanged):
    problem(client.get("/v1/nothing-here", headers=QUERY), 404, "not-found")
    problem(client.get("/nothing-here", headers=QUERY), 404, "not-found")  # "/" is the home page
    body = problem(client.get("/v1/rules/B3.consnet", headers=QUERY), 404, "not-found")
    assert "B3.consent" in body["detail"]
    response = client.put("/v1/decisions", json=GOOD, headers=QUERY)
    problem(response, 405, "method-not-allowed")
    assert "POST" in response.headers["Allow"]
    problem(client.get("/v1/decisions/abc", headers=QUERY), 404, "not-found")


def test_bad_facts_are_refused_whole(client, unchanged):
    body = problem(client.post("/v1/facts", headers=ADMIN, json={"facts": [
        {"clb_worker": ["dirk"]}, {"clb_werker": ["els"]}, {"guides": ["dirk"]}]}), 422, "unknown-predicate")
    assert [(e["pointer"], e["code"]) for e in body["errors"]] == [("/facts/1", "unknown-predicate"),
                                                                   ("/facts/2", "wrong-arity")]
    problem(client.post("/v1/facts", headers=ADMIN, json={"facts": []}), 422, "invalid-request")
    problem(client.post("/v1/facts", headers=ADMIN, json={"fact": [{"clb_worker": ["dirk"]}]}), 422, "invalid-request")


def test_duplicate_facts_conflict(client, unchanged):
    body = problem(client.post("/v1/facts", headers=ADMIN, json={"facts": [{"clb_worker": ["ann"]}]}), 409,
                   "duplicate-fact")
    stored_id = next(f["id"] for f in client.get("/v1/facts?predicate=clb_worker", headers=QUERY).get_json()["facts"]
                     if f["args"] == ["ann"])
    assert f"fact {stored_id}" in body["errors"][0]["message"]
    body = problem(client.post("/v1/facts", headers=ADMIN,
                               json={"facts": [{"clb_worker": ["dirk"]}, {"clb_worker": ["dirk"]}]}), 409,
                   "duplicate-fact")
    assert body["errors"][0]["pointer"] == "/facts/1"


def test_withdraw_unknown_or_twice(client, ext):
    problem(client.delete("/v1/facts/9999", headers=ADMIN), 404, "not-found")
    assert client.delete("/v1/facts/1", headers=ADMIN).status_code == 200
    version = ext.store.version()
    problem(client.delete("/v1/facts/1", headers=ADMIN), 409, "already-withdrawn")
    assert ext.store.version() == version


def test_bad_fact_version_parameter(client, unchanged):
    problem(client.get("/v1/facts?version=abc", headers=QUERY), 422, "invalid-request")
    problem(client.get("/v1/facts?version=99", headers=QUERY), 404, "not-found")  # a version not reached yet


def test_unexpected_failure_is_a_500_problem_without_internals(client, ext, monkeypatch, caplog, unchanged):
    def boom(*args, **kwargs):
        raise RuntimeError("engine exploded while reading lena's file at /secret/path")

    monkeypatch.setattr(ext.workspace, "explain", boom)
    with caplog.at_level(logging.INFO):
        body = problem(decide(client, **GOOD), 500, "internal-error")
    assert "lena" not in str(body) and "secret" not in str(body) and "RuntimeError" not in str(body)
    assert "RuntimeError" in caplog.text          # the log says what failed ...
    assert "lena" not in caplog.text              # ... but not the message, which may hold names
