"""The record is whole: `kb audit verify` finds a removed tail, an edited stored fact a decision
rested on and an edited kept rule text, on SQLite and PostgreSQL; the service verifies a record
before it shows it, and answers 409 `record-damaged` (the page says so) instead of a rebuilt
explanation that disagrees with the recorded outcome."""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from kb.cli import main as kb_main
from kb.store.db import Database
from query_service.state import EXTENSION

from .conftest import AUDIT, ADMIN, QUERY, decide, make_app

TINE = {"actor": "ann", "recipient": "tine", "item": "i_home_situation"}
CONSENT = {"consent": ["lena", "i_home_situation", "tine", "2026-10-01"], "from": "2026-10-01"}


@pytest.fixture()
def backend_app(api_checker, db_url):
    app = make_app(api_checker, DATABASE_URL=db_url, SECRET_KEY="audit-test-secret")
    yield app
    app.extensions[EXTENSION].close()


def tamper(db_url: str, statement: str, params: tuple = ()) -> None:
    """Change the store behind the service's back, as someone with database access could."""
    db = Database(db_url)
    try:
        with db.transaction() as cur:
            cur.execute(statement, params)
    finally:
        db.close()


def verify(db_url: str, capsys) -> tuple[int, str]:
    code = kb_main(["audit", "verify", "--db", db_url])
    return code, capsys.readouterr().out


def permitted_by_consent(client) -> tuple[int, int]:
    """A decision, asked without explanation, that rests on a stored consent: (decision id, fact id)."""
    added = client.post("/v1/facts", headers=ADMIN, json={"facts": [CONSENT]}).get_json()
    decided = decide(client, explain="none", **TINE).get_json()
    assert decided["outcome"] == "permitted" and "B3.consent" in decided["deciding_rules"]
    return decided["id"], added["ids"][0]


def test_an_untouched_store_verifies_and_binds_rule_and_fact_hashes(backend_app, db_url, capsys):
    client = backend_app.test_client()
    decision_id, _ = permitted_by_consent(client)
    record = client.get(f"/v1/decisions/{decision_id}", headers=AUDIT).get_json()  # the trace is the auditor's
    assert record["explanation"]["outcome"] == "permitted"
    assert len(record["rules_hash"]) == 64 and len(record["facts_hash"]) == 64
    code, out = verify(db_url, capsys)
    assert code == 0, out
    assert "ok: 1 decision(s), chain intact" in out and "2 fact change(s)" in out


def test_removing_the_last_decisions_is_found(backend_app, db_url, capsys):
    client = backend_app.test_client()
    ids = [decide(client, actor="ann", recipient=r, item="i_home_situation").get_json()["id"]
           for r in ("bert", "tine", "tom")]
    tamper(db_url, "DELETE FROM decisions WHERE id >= ?", (ids[1],))
    code, out = verify(db_url, capsys)
    assert code == 1
    assert f"the decision log ends at {ids[0]}, but its head names {ids[2]}: the records after it were removed" in out


def test_removing_every_decision_is_found(backend_app, db_url, capsys):
    client = backend_app.test_client()
    decide(client, **TINE)
    tamper(db_url, "DELETE FROM decisions")
    code, out = verify(db_url, capsys)
    assert code == 1 and "the decision log ends at nothing" in out


def test_removing_the_last_fact_change_is_found(backend_app, db_url, capsys):
    client = backend_app.test_client()
    _, fact_id = permitted_by_consent(client)
    tamper(db_url, "DELETE FROM stored_facts WHERE id = ?", (fact_id,))
    tamper(db_url, "DELETE FROM fact_changes WHERE id = 2")
    code, out = verify(db_url, capsys)
    assert code == 1
    assert "the fact history ends at 1, but its head names 2" in out


def test_removing_the_head_is_found(backend_app, db_url, capsys):
    decide(backend_app.test_client(), **TINE)
    tamper(db_url, "DELETE FROM audit_heads WHERE chain = 'decisions'")
    code, out = verify(db_url, capsys)
    assert code == 1 and "the decision log has no head record" in out


def test_an_edited_fact_a_decision_rested_on_is_found_and_the_record_is_not_shown(backend_app, db_url, capsys):
    client = backend_app.test_client()
    decision_id, fact_id = permitted_by_consent(client)
    tamper(db_url, "UPDATE stored_facts SET args = ? WHERE id = ?",
           ('["lena", "i_home_situation", "tom", {"date": "2026-10-01"}]', fact_id))
    code, out = verify(db_url, capsys)
    assert code == 1
    assert "fact change 2: it or the facts it added or withdrew do not match its hash" in out
    assert f"decision {decision_id}: the fact base of version 2 does not match the hash it recorded" in out

    response = client.get(f"/v1/decisions/{decision_id}", headers=QUERY)
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["code"] == "record-damaged" and "permitted" not in response.get_data(as_text=True)
    replay = client.post(f"/v1/decisions/{decision_id}/replay", headers=QUERY)
    assert replay.status_code == 409


def test_the_reproducer_a_deleted_fact_row_never_shows_a_rebuilt_outcome_beside_the_recorded_one(
        backend_app, db_url, capsys):
    """Issue 11: after deleting one stored fact row, GET /v1/decisions/3 showed `permitted` beside a
    rebuilt explanation of `forbidden`. The service runs a fresh process here (a second app), so the
    explanation is rebuilt from the store and not from the first process's engine."""
    client = backend_app.test_client()
    decision_id, fact_id = permitted_by_consent(client)
    client.delete(f"/v1/facts/{fact_id}", headers=ADMIN)  # a later change: the old version is rebuilt
    tamper(db_url, "DELETE FROM stored_facts WHERE id = ?", (fact_id,))
    response = client.get(f"/v1/decisions/{decision_id}", headers=QUERY)
    assert response.status_code == 409, response.get_json()
    assert response.get_json()["code"] == "record-damaged"
    assert any("fact change 2" in e["message"] for e in response.get_json()["errors"])
    code, out = verify(db_url, capsys)
    assert code == 1 and f"decision {decision_id}: the fact base of version 2" in out


def test_the_page_of_a_damaged_record_says_so(backend_app, db_url):
    client = backend_app.test_client()
    decision_id, fact_id = permitted_by_consent(client)
    tamper(db_url, "UPDATE stored_facts SET valid_from = ? WHERE id = ?", ("2026-11-30", fact_id))
    pages = FlaskClient(backend_app, backend_app.response_class)  # HTML: not checked against the API document
    page = pages.get(f"/decisions/{decision_id}?lang=en", headers=QUERY)
    assert page.status_code == 409
    text = page.get_data(as_text=True)
    assert f"The record of decision {decision_id} is damaged" in text and "B3.consent" not in text
    nl = pages.get(f"/decisions/{decision_id}?lang=nl", headers=QUERY).get_data(as_text=True)
    assert f"Het dossier van beslissing {decision_id} is beschadigd" in nl


def test_an_edited_kept_rule_text_is_found(backend_app, db_url, capsys):
    client = backend_app.test_client()
    decision_id, _ = permitted_by_consent(client)
    db = Database(db_url)
    try:
        (sources,) = db.query("SELECT sources FROM rule_versions")[0]
    finally:
        db.close()
    assert "B3.consent" in sources
    tamper(db_url, "UPDATE rule_versions SET sources = ?", (sources.replace("B3.consent", "B3.consent_edited", 1),))
    code, out = verify(db_url, capsys)
    assert code == 1
    assert "its kept texts do not match their hash" in out
    assert f"decision {decision_id}: the kept rule texts of version" in out
    assert client.get(f"/v1/decisions/{decision_id}", headers=QUERY).status_code == 409


def test_an_edited_kept_rule_text_with_its_hash_rewritten_is_still_found(backend_app, db_url, capsys):
    """Rewriting the hash beside the texts does not help: the decision's own hash binds them."""
    client = backend_app.test_client()
    decision_id, _ = permitted_by_consent(client)
    tamper(db_url, "UPDATE rule_versions SET sources = ?, hash = ?", ('{"vocabulary.yaml":""}', "0" * 64))
    code, out = verify(db_url, capsys)
    assert code == 1 and f"decision {decision_id}: the kept rule texts of version" in out


def test_an_un_withdrawn_fact_is_found(backend_app, db_url, capsys):
    client = backend_app.test_client()
    _, fact_id = permitted_by_consent(client)
    client.delete(f"/v1/facts/{fact_id}", headers=ADMIN)
    tamper(db_url, "UPDATE stored_facts SET withdrawn_in = NULL WHERE id = ?", (fact_id,))
    code, out = verify(db_url, capsys)
    assert code == 1 and "fact change 3: it or the facts it added or withdrew do not match its hash" in out


def test_a_store_from_before_the_fact_chain_is_sealed_when_first_opened(tmp_path, capsys):
    """An older release's store (no fact hashes, no heads) is hashed as it stands on first opening;
    its decisions verify, counted as logged before rule and fact hashes were recorded."""
    from kb.store.chain import chain_hash, canonical
    from kb.store.decisions import DecisionLog
    from kb.store.facts import FactStore

    url = f"sqlite:///{tmp_path / 'old.db'}"
    db = Database(url)
    body = {"decided_at": "2026-01-01T00:00:00", "request": {"actor": "ann"}, "kb_version": "k", "facts_version": "1",
            "outcome": "forbidden", "deciding_rules": ["D5.forbidden"], "trace": {}}
    with db.transaction() as cur:
        cur.execute("CREATE TABLE fact_changes (id INTEGER PRIMARY KEY, changed_at TEXT NOT NULL, kind TEXT NOT NULL, "
                    "note TEXT NOT NULL DEFAULT '')")
        cur.execute("CREATE TABLE stored_facts (id INTEGER PRIMARY KEY, predicate TEXT NOT NULL, args TEXT NOT NULL, "
                    "valid_from TEXT NOT NULL, valid_until TEXT NOT NULL, added_in INTEGER NOT NULL, withdrawn_in INTEGER)")
        cur.execute("CREATE TABLE decisions (id INTEGER PRIMARY KEY, decided_at TEXT NOT NULL, request TEXT NOT NULL, "
                    "kb_version TEXT NOT NULL, facts_version TEXT NOT NULL, outcome TEXT NOT NULL, deciding_rules TEXT "
                    "NOT NULL, trace TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL UNIQUE)")
        cur.execute("INSERT INTO fact_changes (changed_at, kind) VALUES ('2026-01-01', 'add')")
        cur.execute("INSERT INTO stored_facts (predicate, args, valid_from, valid_until, added_in) "
                    "VALUES ('clb_worker', '[\"ann\"]', '0001-01-01', '9999-12-31', 1)")
        cur.execute("INSERT INTO decisions (decided_at, request, kb_version, facts_version, outcome, deciding_rules, "
                    "trace, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (body["decided_at"], canonical(body["request"]), "k", "1", "forbidden", '["D5.forbidden"]', "{}",
                     "0" * 64, chain_hash("0" * 64, body)))
    db.close()
    db = Database(url)
    FactStore(db), DecisionLog(db)
    db.close()
    code, out = verify(url, capsys)
    assert code == 0, out
    assert "1 decision(s) logged before rule and fact hashes were recorded" in out
    tamper(url, "UPDATE stored_facts SET args = '[\"bob\"]'")
    assert verify(url, capsys)[0] == 1


def test_a_decision_on_a_store_whose_rule_texts_were_removed_is_refused(backend_app, db_url):
    """A process keeps each rule version once; if the kept row disappears behind its back, a new
    decision cannot be bound to its rule texts: 503 `store-damaged`, and nothing is logged."""
    client = backend_app.test_client()
    assert decide(client, **TINE).status_code == 201
    tamper(db_url, "DELETE FROM rule_versions")
    response = decide(client, actor="ann", recipient="bert", item="i_home_situation")
    assert response.status_code == 503 and response.get_json()["code"] == "store-damaged"
    assert backend_app.extensions[EXTENSION].decisions_logged() == 1
