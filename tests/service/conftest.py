"""Fixtures for the query service: `app`, `client`, `runner`, tokens, and the OpenAPI check.

Every response a test receives — through the Flask test client or over a real socket — is checked
against the served OpenAPI document before the test sees it (`CheckedClient`, `ApiChecker`), so
no test can skip it: an undocumented status, field or content type fails the test that got it.
"""
from __future__ import annotations

import json
from urllib.parse import parse_qsl
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIResponse
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from werkzeug.datastructures import Headers, ImmutableMultiDict
from werkzeug.wrappers import Response

from query_service import create_app, openapi
from conftest import close_app, fresh_pg_database

HERE = Path(__file__).resolve().parent
SEED = HERE / "seed_facts.yaml"
DAY = "2026-11-02"
QUERY_TOKEN, ADMIN_TOKEN, ADMIN_ONLY_TOKEN = "query-token-1", "admin-token-1", "admin-only-token-1"
AUDIT_TOKEN = "audit-token-1"
TOKENS = {QUERY_TOKEN: ["query"], ADMIN_TOKEN: ["query", "admin"], ADMIN_ONLY_TOKEN: ["admin"],
          AUDIT_TOKEN: ["query", "audit"]}
QUERY = {"Authorization": f"Bearer {QUERY_TOKEN}"}
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
AUDIT = {"Authorization": f"Bearer {AUDIT_TOKEN}"}


class SentRequest:
    """What openapi-core needs to know of a request to find its operation (its body is not checked:
    tests send invalid bodies on purpose)."""

    def __init__(self, method: str, path: str, query: str = ""):
        self.host_url = "http://localhost/"
        self.path = path
        self.method = method.lower()
        self.parameters = RequestParameters(query=ImmutableMultiDict(parse_qsl(query, keep_blank_values=True)),
                                            header=Headers(), cookie=ImmutableMultiDict())
        self.content_type = "application/json"
        self.body = None


class ApiChecker:
    """Checks responses against the OpenAPI document the service serves."""

    def __init__(self) -> None:
        self.document = openapi.document()
        # from_dict also validates the document itself against the OpenAPI 3.1 schema
        config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
        self.openapi = OpenAPI.from_dict(self.document, config=config)
        self.problem = openapi.schema_validator("Problem")
        self.checked = 0

    def check(self, request: SentRequest, response: Response) -> None:
        status = response.status_code
        body = response.get_data()
        mimetype = response.mimetype
        if status >= 400:
            assert mimetype == "application/problem+json", f"{status} answered as {mimetype}: {body[:200]!r}"
            problem = json.loads(body)
            errors = sorted(self.problem.iter_errors(problem), key=str)
            assert not errors, f"problem body does not match Problem: {errors[0].message}"
            assert problem["status"] == status
            assert problem["type"].endswith("/" + problem["code"])
        elif request.method != "HEAD" and status != 204:
            assert mimetype == "application/json", f"{status} answered as {mimetype}"
        try:
            self.openapi.validate_response(request, WerkzeugOpenAPIResponse(response))
        except (PathNotFound, OperationNotFound):
            # Undocumented paths and methods may only be refused, as problems (checked above).
            assert status in (404, 405), f"{request.method} {request.path} is not in the OpenAPI document"
        self.checked += 1

    def check_raw(self, method: str, path: str, status: int, headers, body: bytes) -> None:
        """Check a response received over a socket (the live-server tests)."""
        path, _, query = path.partition("?")
        self.check(SentRequest(method, path, query), Response(body, status=status, headers=list(headers)))


@pytest.fixture(scope="session")
def api_checker() -> ApiChecker:
    return ApiChecker()


class CheckedClient(FlaskClient):
    """The test client; every response is checked against the OpenAPI document."""

    checker: ApiChecker

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        sent = response.request
        self.checker.check(SentRequest(sent.method, sent.path, sent.query_string.decode()), response)
        return response


def make_app(checker: ApiChecker, **config):
    settings = {"TESTING": True, "DATABASE_URL": "sqlite://", "SEED_FACTS": str(SEED), "TOKENS": TOKENS,
                "DEMO": False}
    settings.update(config)
    app = create_app(settings)
    app.test_client_class = type("Client", (CheckedClient,), {"checker": checker})
    return app


@pytest.fixture()
def app(api_checker):
    app = make_app(api_checker)
    yield app
    close_app(app)


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()


def decide(client, headers=QUERY, **body):
    body.setdefault("at", DAY)
    return client.post("/v1/decisions", json=body, headers=headers)


# -- PostgreSQL: one fresh database per test run (per xdist worker) ---------------------------------
@pytest.fixture(scope="session")
def pg_database():
    """A uniquely named PostgreSQL database for this run, dropped at the end."""
    with fresh_pg_database("deelwijzer_test") as url:
        yield url


@pytest.fixture()
def pg_url(pg_database):
    """The run's PostgreSQL database, emptied before each test."""
    import psycopg
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS decisions, rule_versions, stored_facts, fact_changes, audit_heads")
    return pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """The same test on both stores: a temporary SQLite file and the machine's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'deelwijzer.db'}"
    return request.getfixturevalue("pg_url")
