"""What-ifs are marked: a decision asked with hypothetical facts is logged as a what-if (in the
record, in its hash, in every answer, on its page), or, when the caller asks, not logged at all."""
from __future__ import annotations

from flask.testing import FlaskClient

from kb.cli import main as kb_main
from query_service.state import EXTENSION

from .conftest import DAY, QUERY
from .test_audit import CONSENT, TINE, tamper

WHAT_IF = {**TINE, "at": DAY, "hypothetical": [CONSENT]}


def test_a_decision_with_hypothetical_facts_is_logged_as_a_what_if(app, client):
    created = client.post("/v1/decisions", json=WHAT_IF, headers=QUERY)
    assert created.status_code == 201
    answer = created.get_json()
    assert (answer["what_if"], answer["logged"], answer["outcome"]) == (True, True, "permitted")
    record = client.get(answer["links"]["self"], headers=QUERY).get_json()
    assert (record["what_if"], record["format"]) == (True, 3)
    real = client.post("/v1/decisions", json={**TINE, "at": DAY}, headers=QUERY).get_json()
    assert real["what_if"] is False and real["outcome"] == "forbidden"
    assert client.get(real["links"]["self"], headers=QUERY).get_json()["what_if"] is False
    replayed = client.post(f"/v1/decisions/{answer['id']}/replay", headers=QUERY, json={}).get_json()
    assert replayed["decision"]["what_if"] is True  # the same hypothetical facts, decided again


def test_the_mark_is_in_the_hashed_body(api_checker, tmp_path, capsys):
    from .conftest import make_app
    url = f"sqlite:///{tmp_path / 'what-if.db'}"
    app = make_app(api_checker, DATABASE_URL=url)
    try:
        client = app.test_client()
        decision_id = client.post("/v1/decisions", json=WHAT_IF, headers=QUERY).get_json()["id"]
        tamper(url, "UPDATE decisions SET what_if = 0 WHERE id = ?", (decision_id,))  # passed off as real
        assert kb_main(["audit", "verify", "--db", url]) == 1
        assert f"decision {decision_id}: its content does not match its hash" in capsys.readouterr().out
        shown = client.get(f"/v1/decisions/{decision_id}", headers=QUERY)
        assert shown.status_code == 409 and shown.get_json()["code"] == "record-damaged"
    finally:
        app.extensions[EXTENSION].close()


def test_a_what_if_asked_not_to_be_logged_is_answered_and_not_logged(app, client):
    answer = client.post("/v1/decisions", json={**WHAT_IF, "log": False, "explain": "full"}, headers=QUERY)
    assert answer.status_code == 200 and "Location" not in answer.headers
    body = answer.get_json()
    assert (body["logged"], body["what_if"], body["outcome"]) == (False, True, "permitted")
    assert not {"id", "hash", "receipt", "url", "links", "decided_at"} & set(body)
    assert body["explanation"]["level"] == "full" and body["deciding_rules"][0] == "D4.permitted_by_ground"
    assert app.extensions[EXTENSION].decisions_logged() == 0
    quick = client.post("/v1/decisions", json={**WHAT_IF, "log": False, "explain": "none"}, headers=QUERY)
    assert quick.status_code == 200 and "explanation" not in quick.get_json()
    assert app.extensions[EXTENSION].decisions_logged() == 0


def test_only_a_what_if_may_go_unlogged(app, client):
    refused = client.post("/v1/decisions", json={**TINE, "at": DAY, "log": False}, headers=QUERY)
    assert refused.status_code == 422
    problem = refused.get_json()
    assert problem["code"] == "must-be-logged" and problem["errors"][0]["pointer"] == "/log"
    assert "Only a what-if may go unlogged" in problem["detail"]
    wrong = client.post("/v1/decisions", json={**WHAT_IF, "log": "no"}, headers=QUERY)
    assert wrong.status_code == 422 and wrong.get_json()["errors"][0]["pointer"] == "/log"
    assert app.extensions[EXTENSION].decisions_logged() == 0
    logged = client.post("/v1/decisions", json={**WHAT_IF, "log": True}, headers=QUERY)
    assert logged.status_code == 201 and logged.get_json()["what_if"] is True


def test_the_page_of_a_what_if_marks_it(app, client):
    pages = FlaskClient(app, app.response_class)
    what_if = client.post("/v1/decisions", json=WHAT_IF, headers=QUERY).get_json()["id"]
    real = client.post("/v1/decisions", json={**TINE, "at": DAY}, headers=QUERY).get_json()["id"]
    for lang, words in (("en", "What-if. This decision was asked with hypothetical facts"),
                        ("nl", "Wat-als. Deze beslissing werd gevraagd met hypothetische feiten")):
        page = pages.get(f"/decisions/{what_if}?lang={lang}", headers=QUERY).get_data(as_text=True)
        assert 'id="what-if"' in page
        assert words in " ".join(page.replace("<strong>", "").replace("</strong>", "").split())
    assert 'id="what-if"' not in pages.get(f"/decisions/{real}?lang=en", headers=QUERY).get_data(as_text=True)
