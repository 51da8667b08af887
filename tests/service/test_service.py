"""Health, the OpenAPI document, configuration, demo mode, logging, the CLI, and the response check."""
from __future__ import annotations

import json
import logging

import pytest
from openapi_core.exceptions import OpenAPIError
from openapi_spec_validator import validate
from werkzeug.wrappers import Response

from query_service import access_log, create_app
from query_service.config import DEMO_TOKEN, ConfigError, load_config, parse_tokens
from query_service.openapi import EXPLANATION_SCHEMA
from query_service.state import EXTENSION

from .conftest import ADMIN, QUERY, QUERY_TOKEN, SentRequest, decide, make_app


def test_health_needs_no_token(client, ext):
    body = client.get("/v1/health").get_json()
    assert body == {"status": "ok", "kb_version": ext.workspace.kb.version, "facts_version": "1",
                    "engine": "materialized", "decisions_logged": 0, "demo": False}


def test_openapi_document_is_valid_3_1_and_covers_every_route(client, app):
    document = client.get("/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)  # the OpenAPI 3.1 meta-schema
    served = {(rule.rule, method) for rule in app.url_map.iter_rules() if rule.rule.startswith("/v1")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method.upper()) for path, item in document["paths"].items()
                  for method in item if method in ("get", "post", "put", "delete", "patch")}
    as_flask = {(path.replace("{id}", "<int:decision_id>") if path.startswith("/v1/decisions") else
                 path.replace("{id}", "<int:fact_id>") if path.startswith("/v1/facts") else
                 path.replace("{id}", "<interview_id>") if path.startswith("/v1/interviews") else
                 path.replace("{id}", "<rule_id>").replace("{version}", "<version>"), method)
                for path, method in documented}
    assert as_flask == served


def test_openapi_embeds_the_explanation_schema(client):
    schemas = client.get("/v1/openapi.json").get_json()["components"]["schemas"]
    explanation = json.loads(EXPLANATION_SCHEMA.read_text(encoding="utf-8"))
    assert set(schemas["Explanation"]["properties"]) == set(explanation["properties"])
    # the question the API answers with is the explanation's question, field for field
    assert set(schemas["Question"]["properties"]) == set(explanation["properties"]["question"]["properties"])
    assert set(explanation["$defs"]) == {name[len("Explanation_"):] for name in schemas if name.startswith("Explanation_")}
    # remedies are given once, as the decision's own `remedies` (x-without)
    assert set(schemas["FullExplanation"]["required"]) == set(explanation["required"]) - {"remedies"} | {
        "level", "lang", "text"}
    assert "remedies" not in schemas["FullExplanation"]["properties"]


def test_the_response_check_catches_undocumented_answers(api_checker):
    """The check every test relies on can fail: an extra field, a wrong status, a non-problem error."""
    good = json.dumps({"status": "ok", "kb_version": "x", "facts_version": "1", "engine": "e",
                       "decisions_logged": 0, "demo": False})
    api_checker.check(SentRequest("GET", "/v1/health"), Response(good, 200, mimetype="application/json"))
    with pytest.raises(OpenAPIError):
        api_checker.check(SentRequest("GET", "/v1/health"),
                          Response(good[:-1] + ', "secret": 1}', 200, mimetype="application/json"))
    with pytest.raises(OpenAPIError):
        api_checker.check(SentRequest("GET", "/v1/rules"), Response("{}", 200, mimetype="application/json"))
    with pytest.raises(AssertionError):
        api_checker.check(SentRequest("GET", "/v1/rules"),
                          Response('{"error": "no"}', 400, mimetype="application/json"))
    with pytest.raises(AssertionError):
        api_checker.check(SentRequest("GET", "/v1/undocumented"), Response(good, 200, mimetype="application/json"))


def test_tokens_from_environment_forms():
    assert parse_tokens("a=query+admin, b=query") == {"a": ("query", "admin"), "b": ("query",)}
    assert parse_tokens('{"a": ["query"]}') == {"a": ("query",)}
    with pytest.raises(ConfigError):
        parse_tokens("a=root")
    config = load_config({}, environ={"DEELWIJZER_TOKENS": "s3cret=query", "DEELWIJZER_MAX_CONTENT_LENGTH": "1024"})
    assert config["TOKENS"] == {"s3cret": ("query",)} and config["DEMO"] is False
    assert config["MAX_CONTENT_LENGTH"] == 1024


def test_demo_mode_is_on_without_tokens_and_says_so():
    config = load_config({}, environ={})
    assert config["DEMO"] is True and config["TOKENS"] == {DEMO_TOKEN: ("query", "admin", "audit")}


@pytest.fixture()
def demo_app(api_checker):
    app = make_app(api_checker, TOKENS=None, DEMO=True)
    yield app
    app.extensions[EXTENSION].close()


def test_demo_token_works_and_every_response_says_demo(demo_app):
    client = demo_app.test_client()
    response = decide(client, headers={"Authorization": f"Bearer {DEMO_TOKEN}"}, actor="ann", recipient="bert",
                      item="i_home_situation")
    assert response.status_code == 201
    assert "demo" in response.get_json()["notice"].lower()
    assert "Demo mode" in response.headers["Deelwijzer-Notice"]
    health = client.get("/v1/health")
    assert health.get_json()["demo"] is True and "invented" in health.get_json()["notice"]
    assert "Demo mode" in client.get("/v1/nowhere").headers["Deelwijzer-Notice"]


def test_no_demo_token_outside_demo_mode(client):
    response = decide(client, headers={"Authorization": f"Bearer {DEMO_TOKEN}"}, actor="ann", recipient="bert",
                      item="i_home_situation")
    assert response.status_code == 401
    assert "Deelwijzer-Notice" not in response.headers


def test_logs_carry_no_personal_data(client, caplog):
    with caplog.at_level(logging.DEBUG):
        decide(client, actor="ann", recipient="tine", item="i_home_situation",
               hypothetical=[{"consent": ["lena", "i_home_situation", "tine", "2026-10-01"]}])
        client.get("/v1/audience?actor=ann&item=i_home_situation&at=2026-11-02", headers=QUERY)
        decide(client, actor="ann", recipient="tien", item="i_home_situation")  # an error, with a name in it
        client.post("/v1/facts", headers=ADMIN, json={"facts": [{"clb_worker": ["dirk"]}]})
        assert access_log.flush()  # the lines are written by the access log writer thread
    records = [r for r in caplog.records if r.name == "query_service.access"]
    assert {r.threadName for r in records} == {"access-log"}  # not written on the request's thread
    access = [r.getMessage() for r in records]
    assert access[0].startswith("POST /v1/decisions 201 ")
    assert access[1].startswith("GET /v1/audience 200 ")
    assert access[2].startswith("POST /v1/decisions 422 ")
    assert access[3].startswith("POST /v1/facts 201 ")
    for secret in ("ann", "tine", "tien", "lena", "dirk", "i_home_situation", QUERY_TOKEN, "admin-token"):
        assert secret not in caplog.text, f"{secret!r} was logged"


def test_cli_prints_the_openapi_document(runner):
    result = runner.invoke(args=["openapi"])
    assert result.exit_code == 0
    assert json.loads(result.output)["paths"]["/v1/decisions"]["post"]["operationId"] == "decide"


def test_bad_configuration_fails_at_start():
    with pytest.raises(ConfigError):
        create_app({"DATABASE_URL": "sqlite://", "TOKENS": {"t": ["superuser"]}})
    with pytest.raises(ConfigError):
        create_app({"DATABASE_URL": "sqlite://", "TOKENS": {"t": ["query"]}, "ENGINE": "prolog"})
