"""Fixtures for the HTML pages: an app on a temporary SQLite store seeded with seed_facts.yaml,
its test client, tokens, and helpers that decide through the API and read pages."""
from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from conftest import close_app
from query_service import create_app

HERE = Path(__file__).resolve().parent
SEED = HERE / "seed_facts.yaml"
DAY = "2026-11-02"
QUERY_TOKEN, ADMIN_TOKEN, ADMIN_ONLY_TOKEN = "page-query-token", "page-admin-token", "page-admin-only-token"
AUDIT_TOKEN = "page-audit-token"
TOKENS = {QUERY_TOKEN: ["query"], ADMIN_TOKEN: ["query", "admin"], ADMIN_ONLY_TOKEN: ["admin"],
          AUDIT_TOKEN: ["query", "audit"]}
QUERY = {"Authorization": f"Bearer {QUERY_TOKEN}"}
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
AUDIT = {"Authorization": f"Bearer {AUDIT_TOKEN}"}
SECRET = "a-test-secret-key-for-signing-sessions"


def make_app(tmp_path: Path, **config):
    settings = {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'pages.db'}", "SEED_FACTS": str(SEED),
                "TOKENS": TOKENS, "DEMO": False, "SECRET_KEY": SECRET}
    settings.update(config)
    return create_app(settings)


@pytest.fixture()
def app(tmp_path):
    app = make_app(tmp_path)
    yield app
    close_app(app)


def decide(client, explain: str = "full", **body) -> dict:
    """Decide through the API (recorded in the log); the response body."""
    body.setdefault("at", DAY)
    response = client.post("/v1/decisions", json={"explain": explain, **body}, headers=QUERY)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def form_token(client, path: str = "/login") -> str:
    """The CSRF token a page's forms carry for this client's session (query_service/pages/csrf.py)."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def visible(html: str) -> str:
    """HTML's text, roughly as shown: tags removed, entities decoded, whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?(var|code|a|strong|em|span)\b[^>]*>", "", html)  # inline: no word break
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def text_of(response) -> str:
    """A page's visible text."""
    return visible(response.get_data(as_text=True))


def section(response, section_id: str) -> str:
    """The HTML of the <section id=…> (or other element) with that id, up to its closing tag."""
    html = response.get_data(as_text=True)
    match = re.search(rf'<(\w+)[^>]*\bid="{re.escape(section_id)}"', html)
    assert match, f"no element with id {section_id}"
    tag, start = match.group(1), match.start()
    depth, pos = 0, start
    for token in re.finditer(rf"<(/?){tag}\b[^>]*>", html[start:]):
        depth += -1 if token.group(1) else 1
        if depth == 0:
            pos = start + token.end()
            break
    return html[start:pos]
