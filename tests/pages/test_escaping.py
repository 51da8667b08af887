"""Text from facts, requests and forms is escaped on every page; nothing a user types becomes markup."""
from __future__ import annotations

from .conftest import ADMIN, QUERY, decide, text_of

SCRIPT = "<script>alert('owned')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;"


def test_a_stored_fact_with_markup_is_shown_as_text_on_the_decision_page(client):
    added = client.post("/v1/facts", headers=ADMIN, json={"facts": [{"school_staff": [SCRIPT, "sint_jozef", "teacher"]}]})
    assert added.status_code == 201
    body = decide(client, actor="ann", recipient=SCRIPT, item="i_home_situation", lang="en")
    response = client.get(f"/decisions/{body['id']}", headers=QUERY)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert" not in html
    assert ESCAPED in html
    assert SCRIPT in text_of(response)  # shown, as text


def test_markup_typed_into_the_scenario_form_stays_text(client):
    facts = f"- clb_worker: [ann]\n- {SCRIPT}: [x]\n</textarea><script>alert(2)</script>\n"
    response = client.post("/try?lang=en", headers=QUERY, data={
        "facts": facts, "actor": SCRIPT, "recipient": "tine", "item": "i", "at": "2026-11-02"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<script>" not in html  # the page's own script is <script src=…>
    assert "&lt;/textarea&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in html


def test_markup_in_a_rule_id_is_escaped_on_the_404_page(client):
    response = client.get("/rules/%3Cimg%20src=x%20onerror=alert(1)%3E?lang=en", headers=QUERY)
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_pages_forbid_inline_scripts_and_framing(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    assert "<script>" not in html and " style=" not in html and "<style" not in html
