"""The API on both stores — a temporary SQLite file and the machine's PostgreSQL (a fresh database
per test run) — and `kb audit verify` finding a tampered record."""
from __future__ import annotations

import pytest

from kb.cli import main as kb_main
from kb.store.db import Database
from query_service.state import EXTENSION

from .conftest import ADMIN, DAY, QUERY, decide, make_app

TINE = {"actor": "ann", "recipient": "tine", "item": "i_home_situation"}


@pytest.fixture()
def backend_app(api_checker, db_url):
    app = make_app(api_checker, DATABASE_URL=db_url)
    yield app
    app.extensions[EXTENSION].close()


def test_decide_add_withdraw_replay_and_verify(backend_app, db_url, capsys):
    client = backend_app.test_client()
    assert client.get("/v1/health").get_json()["facts_version"] == "1"

    first = decide(client, **TINE).get_json()
    assert (first["outcome"], first["deciding_rules"], first["facts_version"]) == ("forbidden", ["D5.forbidden"], "1")

    added = client.post("/v1/facts", headers=ADMIN, json={"facts": [
        {"consent": ["lena", "i_home_situation", "tine", "2026-10-01"], "from": "2026-10-01"}]}).get_json()
    assert added["version"] == 2
    second = decide(client, **TINE).get_json()
    assert (second["outcome"], second["facts_version"]) == ("permitted", "2")
    assert "B3.consent" in second["deciding_rules"]

    replay = client.post(f"/v1/decisions/{first['id']}/replay", headers=QUERY).get_json()
    assert replay["changes"]["outcome"] == {"before": "forbidden", "after": "permitted", "same": False}
    assert replay["changes"]["facts_version"] == {"before": "1", "after": "2", "same": False}

    withdrawn = client.delete(f"/v1/facts/{added['ids'][0]}", headers=ADMIN).get_json()
    assert withdrawn["version"] == 3
    third = decide(client, **TINE).get_json()
    assert (third["outcome"], third["facts_version"]) == ("forbidden", "3")
    assert client.get(f"/v1/decisions/{first['id']}", headers=QUERY).get_json()["outcome"] == "forbidden"

    ext = backend_app.extensions[EXTENSION]
    assert ext.log.verify()[0]
    assert [r.outcome for r in ext.log.records()] == ["forbidden", "permitted", "permitted", "forbidden"]
    assert ext.log.rule_version(first["kb_version"]) is not None
    assert client.get("/v1/health").get_json()["decisions_logged"] == 4

    assert kb_main(["audit", "verify", "--db", db_url]) == 0
    assert "ok: 4 decision(s), chain intact" in capsys.readouterr().out


def test_tampering_is_found_by_kb_audit_verify(backend_app, db_url, capsys):
    client = backend_app.test_client()
    ids = [decide(client, actor="ann", recipient=r, item="i_home_situation").get_json()["id"]
           for r in ("bert", "tine", "tom")]
    assert kb_main(["audit", "verify", "--db", db_url]) == 0
    capsys.readouterr()

    db = Database(db_url)
    try:
        with db.transaction() as cur:  # someone rewrites history: Tine "was" permitted
            cur.execute("UPDATE decisions SET outcome = ? WHERE id = ?", ("permitted", ids[1]))
    finally:
        db.close()
    assert kb_main(["audit", "verify", "--db", db_url]) == 1
    out = capsys.readouterr().out
    assert f"BROKEN: decision {ids[1]}: its content does not match its hash" in out


def test_removed_record_is_found(backend_app, db_url, capsys):
    client = backend_app.test_client()
    ids = [decide(client, actor="ann", recipient=r, item="i_home_situation", at=DAY).get_json()["id"]
           for r in ("bert", "tine", "tom")]
    db = Database(db_url)
    try:
        with db.transaction() as cur:
            cur.execute("DELETE FROM decisions WHERE id = ?", (ids[1],))
    finally:
        db.close()
    assert kb_main(["audit", "verify", "--db", db_url]) == 1
    assert f"decision {ids[2]}: it does not follow the previous record" in capsys.readouterr().out


def test_audit_verify_without_a_log(tmp_path, capsys):
    assert kb_main(["audit", "verify", "--db", f"sqlite:///{tmp_path / 'missing.db'}"]) == 2
    assert "no decision log" in capsys.readouterr().err
