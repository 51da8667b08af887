"""Who may see the pages: bearer tokens or a session login with the `query` scope; demo mode."""
from __future__ import annotations

import hashlib
import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from query_service import access_log
from query_service.config import DEMO_TOKEN
from query_service.pages.access import SESSION_KEY
from query_service.state import EXTENSION

from .conftest import ADMIN_ONLY_TOKEN, QUERY, QUERY_TOKEN, decide, form_token, make_app, text_of

PAGES = ["/decisions/1", "/rules", "/rules/B3.consent", "/try"]


@pytest.fixture()
def decided(client):
    return decide(client, actor="ann", recipient="tine", item="i_home_situation")


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_a_browser_without_credentials_to_login_and_back(client, decided, path):
    response = client.get(path + "?lang=en")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    query = parse_qs(location.query)
    assert query["next"] == [path + "?lang=en"] and query["lang"] == ["en"]
    login = client.get(response.headers["Location"])
    assert "Log in to see this page." in text_of(login)
    back = client.post("/login", data={"csrf_token": form_token(client), "token": QUERY_TOKEN, "next": query["next"][0]})
    assert back.headers["Location"] == path + "?lang=en"
    assert client.get(back.headers["Location"]).status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_pages_accept_a_bearer_token_with_the_query_scope(client, decided, path):
    assert client.get(path, headers=QUERY).status_code == 200


@pytest.mark.parametrize("header, status", [
    (f"Bearer not-{QUERY_TOKEN}", 401),
    ("Basic dXNlcjpwYXNz", 401),
    (f"Bearer {ADMIN_ONLY_TOKEN}", 403),  # a token without the query scope
])
def test_bad_or_insufficient_tokens_get_an_error_page(client, decided, header, status):
    response = client.get("/decisions/1?lang=en", headers={"Authorization": header})
    assert response.status_code == status and response.mimetype == "text/html"
    assert "tine" not in response.get_data(as_text=True)
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_home_and_login_pages_are_public(client):
    assert client.get("/").status_code == 200
    assert client.get("/login").status_code == 200


def test_login_with_a_token_opens_the_pages_until_logout(client, decided):
    response = client.post("/login", data={"csrf_token": form_token(client), "token": QUERY_TOKEN, "next": "/decisions/1?lang=en", "lang": "en"})
    assert response.status_code == 302 and response.headers["Location"] == "/decisions/1?lang=en"
    page = client.get("/decisions/1?lang=en")
    assert page.status_code == 200 and 'id="logout"' in page.get_data(as_text=True)

    response = client.post("/logout?lang=en", data={"csrf_token": form_token(client, "/rules")})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?")
    assert "logged out" in text_of(client.get(response.headers["Location"]))
    assert client.get("/decisions/1").status_code == 302


def test_the_session_keeps_an_opaque_login_id_not_the_token_or_its_digest(client):
    client.post("/login", data={"csrf_token": form_token(client), "token": QUERY_TOKEN})
    with client.session_transaction() as session:
        assert set(session) == {SESSION_KEY}  # the form token of before the login is gone with it
        login = session[SESSION_KEY]
    assert len(login) >= 43 and QUERY_TOKEN not in login
    assert hashlib.sha256(QUERY_TOKEN.encode()).hexdigest() not in login
    cookie = client.get_cookie("session")
    assert cookie is not None and QUERY_TOKEN not in cookie.value
    assert hashlib.sha256(QUERY_TOKEN.encode()).hexdigest() not in cookie.value
    assert cookie.http_only and cookie.same_site == "Lax"


@pytest.mark.parametrize("token, status, message", [
    ("wrong-token", 401, "This token is not valid for this service."),
    (ADMIN_ONLY_TOKEN, 403, "This token does not carry the query scope these pages need."),
])
def test_login_refuses_bad_tokens_with_a_message(client, token, status, message):
    response = client.post("/login", data={"csrf_token": form_token(client), "token": token, "lang": "en"})
    assert response.status_code == status
    assert message in text_of(response)
    with client.session_transaction() as session:
        assert SESSION_KEY not in session


def test_a_session_ends_when_its_token_is_removed_from_the_configuration(app, client, decided):
    client.post("/login", data={"csrf_token": form_token(client), "token": QUERY_TOKEN})
    assert client.get("/rules").status_code == 200
    del app.config["TOKENS"][QUERY_TOKEN]
    assert client.get("/rules").status_code == 302


def test_a_forged_session_is_ignored(tmp_path, decided, client):
    # The same cookie signed with another key is not this service's session.
    other = make_app(tmp_path / "other", SECRET_KEY="another-key")
    try:
        forger = other.test_client()
        forger.post("/login", data={"csrf_token": form_token(forger), "token": QUERY_TOKEN})
        client.set_cookie("session", forger.get_cookie("session").value)
        assert client.get("/rules").status_code == 302
    finally:
        other.extensions[EXTENSION].close()


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_login_never_redirects_off_site(client, next_url):
    response = client.post("/login", data={"csrf_token": form_token(client), "token": QUERY_TOKEN, "next": next_url})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_without_a_secret_key_session_login_is_off_but_bearer_tokens_work(tmp_path):
    app = make_app(tmp_path, SECRET_KEY=None)
    try:
        client = app.test_client()
        response = client.post("/login", data={"token": QUERY_TOKEN, "lang": "en"})
        assert response.status_code == 400
        assert "Session login is off" in text_of(response)
        assert client.get("/rules", headers=QUERY).status_code == 200
    finally:
        app.extensions[EXTENSION].close()


def test_demo_mode_says_so_on_every_page_and_has_a_session_key(tmp_path):
    app = make_app(tmp_path, TOKENS=None, DEMO=True, SECRET_KEY=None)
    try:
        assert app.secret_key  # a random per-process key, so the demo's login works
        client = app.test_client()
        assert client.post("/login", data={"csrf_token": form_token(client), "token": DEMO_TOKEN}).status_code == 302
        decide_demo = client.post("/v1/decisions", headers={"Authorization": f"Bearer {DEMO_TOKEN}"},
                                  json={"actor": "ann", "recipient": "tom", "item": "i_home_situation",
                                        "at": "2026-11-02"})
        assert decide_demo.status_code == 201
        for path in ["/", "/login", "/rules", "/rules/B3.consent", "/try", "/decisions/1", "/decisions/42"]:
            for lang, words in (("en", "Demo mode"), ("nl", "Demomodus")):
                html = client.get(f"{path}?lang={lang}").get_data(as_text=True)
                assert 'id="demo-notice"' in html and words in html, (path, lang)
        assert DEMO_TOKEN in text_of(client.get("/login?lang=en"))
    finally:
        app.extensions[EXTENSION].close()


def test_pages_do_not_say_demo_outside_demo_mode(client):
    assert 'id="demo-notice"' not in client.get("/").get_data(as_text=True)


def test_no_names_or_tokens_in_the_logs(client, caplog):
    caplog.set_level(logging.DEBUG)
    decided = decide(client, actor="ann", recipient="tine", item="i_home_situation")
    client.post("/login", data={"csrf_token": form_token(client), "token": QUERY_TOKEN})
    client.get(f"/decisions/{decided['id']}")
    client.post("/try", data={"csrf_token": form_token(client, "/try"), "facts": "- clb_worker: [zelda]\n", "actor": "zelda", "recipient": "tine",
                              "item": "i_home_situation", "at": "2026-11-02"})
    client.get("/rules/B3.consnet")
    assert access_log.flush()  # the access lines are written by the access log's own thread
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "GET /decisions/<int:decision_id> 200" in logged  # the access log ran, by route template
    for secret in ("ann", "tine", "zelda", "lena", "i_home_situation", QUERY_TOKEN, "consnet"):
        assert not re.search(rf"\b{secret}\b", logged), secret


def test_a_cross_site_login_without_the_form_token_starts_no_session(client):
    """Issue 11: a cross-site POST /login set a session. Without this session's token it does nothing."""
    response = client.post("/login?lang=en", data={"token": QUERY_TOKEN, "lang": "en"})
    assert response.status_code == 400
    assert "sent from another site" in text_of(response)
    with client.session_transaction() as session:
        assert SESSION_KEY not in session
    assert client.get("/rules").status_code == 302
    form_token(client)  # a session with a token now exists; a guessed token is still refused
    forged = client.post("/login", data={"csrf_token": "guessed", "token": QUERY_TOKEN})
    assert forged.status_code == 400


def test_every_post_form_carries_the_token_and_a_post_without_it_does_nothing(client, decided):
    client.post("/login", data={"csrf_token": form_token(client), "token": QUERY_TOKEN})
    for path in ("/rules", "/try", "/decisions/1"):
        html = client.get(path).get_data(as_text=True)
        forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, flags=re.S)
        assert forms and all('name="csrf_token"' in form for form in forms), path
    assert client.post("/logout").status_code == 400  # no token: still logged in
    assert client.get("/rules").status_code == 200
    assert client.post("/try?lang=en", data={"facts": "- clb_worker: [ann]\n", "actor": "ann", "recipient": "tine",
                                             "item": "i_home_situation", "at": "2026-11-02"}).status_code == 400


def test_a_bearer_header_needs_no_form_token(client):
    response = client.post("/try?lang=en", headers=QUERY, data={
        "facts": "- clb_worker: [ann]\n", "actor": "ann", "recipient": "tine", "item": "i_home_situation",
        "at": "2026-11-02"})
    assert response.status_code in (200, 422)


def test_the_session_cookie_is_secure_over_https_and_headers_forbid_framing(app):
    over_https = app.test_client().get("/login", base_url="https://localhost")
    cookie = over_https.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie
    assert over_https.headers["Strict-Transport-Security"].startswith("max-age=")
    plain = app.test_client().get("/login")
    assert "Secure" not in plain.headers["Set-Cookie"]
    for response in (over_https, plain):
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
