"""Every POST form of the pages carries the session's CSRF field (query_service/pages/csrf.py): a
walk over every template, and over the pages a logged-in browser is shown."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import QUERY_TOKEN, form_token

TEMPLATES = Path(__file__).resolve().parents[2] / "query_service" / "templates"
_FORM = re.compile(r"<form\b(?P<attrs>[^>]*)>(?P<body>.*?)</form>", re.S | re.I)


def forms_without_csrf(text: str, field: str = "csrf_field()") -> list[int]:
    """The lines of the POST forms in `text` that lack `field`."""
    bad = []
    for match in _FORM.finditer(text):
        if re.search(r"""method\s*=\s*["']?post""", match.group("attrs"), re.I) and field not in match.group("body"):
            bad.append(text.count("\n", 0, match.start()) + 1)
    return bad


def test_every_post_form_in_every_template_carries_the_csrf_field():
    posting = 0
    problems = []
    for path in sorted(TEMPLATES.glob("*.html")):
        text = path.read_text(encoding="utf-8")
        posting += len(re.findall(r"""<form\b[^>]*method\s*=\s*["']?post""", text, re.I))
        problems += [f"{path.name}:{line}" for line in forms_without_csrf(text)]
    assert not problems, f"POST forms without {{{{ csrf_field() }}}}: {problems}"
    assert posting >= 6  # login, logout, ask, try, the interview's start, answer and go-on forms


def test_the_walk_finds_a_post_form_without_the_field():
    template = '<form method="get"></form>\n<form class="x"\n method="POST" action="/a">\n<button></button></form>'
    assert forms_without_csrf(template) == [2]
    assert forms_without_csrf(template.replace("<button>", "{{ csrf_field() }}<button>")) == []


@pytest.fixture()
def browser(app):
    """A test client logged in through the login form, as a browser is (a session, no bearer header)."""
    client = app.test_client()
    assert client.post("/login", data={"token": QUERY_TOKEN, "csrf_token": form_token(client)}).status_code == 302
    return client


def test_every_post_form_a_logged_in_browser_is_shown_carries_the_field(browser):
    start = browser.post("/interviews?lang=en", data={"actor": "ann", "recipient": "tine", "item": "i_home_situation",
                                                      "at": "2026-11-02", "csrf_token": form_token(browser, "/ask")})
    interview = urlsplit(start.headers["Location"]).path
    decided = browser.post("/ask?lang=en", data={"actor": "ann", "recipient": "tine", "item": "i_home_situation",
                                                 "at": "2026-11-02", "csrf_token": form_token(browser, "/ask")})
    decision = urlsplit(decided.headers["Location"]).path
    pages = ["/?lang=en", "/ask?lang=en", "/try?lang=en", "/interviews?lang=en", interview, decision, "/rules",
             "/vocabulary", "/law"]
    shown = 0
    for path in pages:
        html = browser.get(path).get_data(as_text=True)
        shown += len(re.findall(r"""<form\b[^>]*method="post""", html))
        assert not forms_without_csrf(html, 'name="csrf_token"'), path
    assert shown >= len(pages)  # at least the logout form on each
