"""Page logins: kept on the server so that logout ends them, opaque in the cookie, limited when they
fail; Secure cookies and HSTS behind a trusted TLS proxy; no answer kept by a cache.

The outside probe's F7 and F8: a session cookie still worked after logout (nothing on the server
ended it), its readable payload was the token's unsalted SHA-256, /login had no rate limit; behind
a TLS proxy there was no way to trust its scheme, so no Secure cookie and no HSTS; API answers
carried no `Cache-Control: no-store`."""
from __future__ import annotations

import base64
import hashlib
import json
import zlib

import pytest

from conftest import close_app
from kb.store.db import Database

from .conftest import DAY, QUERY, QUERY_TOKEN, form_token, make_app, text_of

PROXY, CLIENT, OTHER = "127.0.0.1", "198.51.100.7", "198.51.100.8"


def login(client, token: str = QUERY_TOKEN, **environ):
    return client.post("/login", data={"csrf_token": form_token(client), "token": token, "lang": "en"},
                       environ_base=environ)


def cookie_payload(client) -> dict:
    """What anyone holding the cookie can read: Flask's session cookie is signed, not encrypted."""
    value = client.get_cookie("session").value
    compressed = value.startswith(".")
    data = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    return json.loads(zlib.decompress(raw) if compressed else raw)


def test_a_cookie_replayed_after_logout_opens_nothing(app):
    client = app.test_client()
    assert login(client).status_code == 302
    kept = client.get_cookie("session").value  # what a thief or a shared computer keeps
    assert client.get("/rules").status_code == 200
    client.post("/logout", data={"csrf_token": form_token(client, "/rules")})
    thief = app.test_client()
    thief.set_cookie("session", kept)
    assert thief.get("/rules").status_code == 302  # ended on the server: the login page, not the rules


def test_the_cookie_holds_an_opaque_id_and_the_store_only_its_hash(app):
    first, second = app.test_client(), app.test_client()
    login(first), login(second)
    ids = [cookie_payload(c)["login"] for c in (first, second)]
    assert ids[0] != ids[1] and all(len(i) >= 43 for i in ids)
    payload = json.dumps(cookie_payload(first))
    assert QUERY_TOKEN not in payload and hashlib.sha256(QUERY_TOKEN.encode()).hexdigest() not in payload
    rows = Database(app.config["DATABASE_URL"]).query("SELECT * FROM page_sessions")
    stored = json.dumps(rows)
    assert len(rows) == 2
    assert all(i not in stored and hashlib.sha256(i.encode()).hexdigest() in stored for i in ids)
    assert QUERY_TOKEN not in stored and hashlib.sha256(QUERY_TOKEN.encode()).hexdigest() not in stored


def test_a_login_ends_when_its_time_is_up(app):
    client = app.test_client()
    login(client)
    with Database(app.config["DATABASE_URL"]).transaction() as cur:
        cur.execute("UPDATE page_sessions SET expires_at = '2000-01-01T00:00:00+00:00'")
    assert client.get("/rules").status_code == 302


def test_failed_logins_are_limited_per_client_address(tmp_path):
    app = make_app(tmp_path, LOGIN_ATTEMPTS=3)
    try:
        guesser = app.test_client()
        for guess in range(3):
            assert login(guesser, f"guess-{guess}", REMOTE_ADDR=CLIENT).status_code == 401
        refused = login(guesser, QUERY_TOKEN, REMOTE_ADDR=CLIENT)  # even the right token, for now
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert "Too many failed logins from here" in text_of(refused)
        assert guesser.get("/rules").status_code == 302
        elsewhere = app.test_client()
        assert login(elsewhere, QUERY_TOKEN, REMOTE_ADDR=OTHER).status_code == 302  # another address is not held
        # A forged X-Forwarded-For from an untrusted address is not another address.
        forged = login(guesser, QUERY_TOKEN, REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=OTHER)
        assert forged.status_code == 429
    finally:
        close_app(app)


@pytest.fixture()
def proxied(tmp_path):
    app = make_app(tmp_path, TRUSTED_PROXIES=PROXY)
    yield app
    close_app(app)


def _via_proxy(**headers) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": CLIENT, **headers}


def test_behind_a_trusted_tls_proxy_the_cookie_is_secure_and_every_answer_has_hsts(proxied):
    client = proxied.test_client()
    response = client.post("/login", data={"csrf_token": form_token(client), "token": QUERY_TOKEN},
                           environ_base=_via_proxy())
    assert response.status_code == 302
    set_cookie = response.headers["Set-Cookie"]
    assert "Secure" in set_cookie and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    api = client.get("/v1/health", environ_base=_via_proxy())
    assert api.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_forwarded_headers_from_anyone_else_are_ignored(proxied, app):
    for flask_app, remote in ((proxied, CLIENT), (app, PROXY)):  # an untrusted client; no proxy configured
        client = flask_app.test_client()
        response = client.post("/login", data={"csrf_token": form_token(client), "token": QUERY_TOKEN},
                               environ_base=_via_proxy(REMOTE_ADDR=remote))
        assert response.status_code == 302
        assert "Secure" not in response.headers["Set-Cookie"]
        assert "Strict-Transport-Security" not in response.headers


def test_a_trusted_proxy_must_be_an_address(tmp_path):
    from query_service.config import ConfigError
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES must list IP addresses"):
        make_app(tmp_path, TRUSTED_PROXIES="proxy.internal")


@pytest.mark.parametrize("method, path, body, status", [
    ("get", "/v1/health", None, 200),
    ("post", "/v1/decisions", {"actor": "ann", "recipient": "tine", "item": "i_home_situation", "at": DAY}, 201),
    ("get", "/v1/decisions/1", None, 200),
    ("get", "/v1/facts?limit=1", None, 200),
    ("get", "/v1/decisions/99", None, 404),
    ("post", "/v1/decisions", {"actor": "ann"}, 422),
])
def test_api_answers_are_never_stored_by_a_cache(app, method, path, body, status):
    client = app.test_client()
    client.post("/v1/decisions", json={"actor": "ann", "recipient": "tom", "item": "i_home_situation", "at": DAY},
                headers=QUERY)
    response = getattr(client, method)(path, json=body, headers=QUERY)
    assert response.status_code == status
    assert response.headers["Cache-Control"] == "no-store"
