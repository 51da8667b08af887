"""What someone with write access to the database can do to the log, and what catches it.

Each test performs the tampering of the outside probe: renumbering the decisions, downgrading a
record to the older unbound format, a rule version's hash set to NULL, a fact change after the last
decision rewritten with its hash recomputed. `kb audit verify` (and the service, before it shows a
record) reports what the chains themselves reveal; what only a rewrite of a whole chain can hide,
the anchor and the receipts kept outside the database reveal."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from kb.cli import main as kb_main
from kb.store.chain import DECISIONS, FACTS, GENESIS, canonical, chain_hash, change_body, fact_row_digest
from kb.store.db import Database
from kb.store.decisions import DecisionLog
from query_service.state import EXTENSION

from .conftest import ADMIN, QUERY, decide, make_app
from .test_audit import CONSENT, TINE, tamper

HASH = re.compile(r"[0-9a-f]{64}")


@pytest.fixture()
def backend_app(api_checker, db_url):
    app = make_app(api_checker, DATABASE_URL=db_url, SECRET_KEY="anchor-test-secret")
    yield app
    app.extensions[EXTENSION].close()


def audit(capsys, *args: str) -> tuple[int, str]:
    code = kb_main(["audit", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def three_decisions(client) -> list[dict]:
    return [decide(client, actor="ann", recipient=r, item="i_home_situation").get_json()
            for r in ("bert", "tine", "tom")]


def rewrite_log(db_url: str, records) -> None:
    """Write `records` as the whole decision log, every hash recomputed and the head moved along:
    the rewrite of someone who can write the database and compute SHA-256."""
    db = Database(db_url)
    try:
        with db.transaction() as cur:
            cur.execute("DELETE FROM decisions")
            prev = GENESIS
            for record in records:
                record = replace(record, prev_hash=prev)
                record = replace(record, hash=chain_hash(prev, record.body()))
                cur.execute("INSERT INTO decisions (id, decided_at, request, kb_version, facts_version, outcome, "
                            "deciding_rules, trace, prev_hash, hash, rules_hash, facts_hash, format, what_if) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (record.id, record.decided_at, canonical(record.request), record.kb_version,
                             record.facts_version, record.outcome, canonical(record.deciding_rules),
                             canonical(record.trace), record.prev_hash, record.hash, record.rules_hash,
                             record.facts_hash, record.format if record.format > 2 else None, int(record.what_if)))
                prev = record.hash
            cur.execute("UPDATE audit_heads SET last_id = ?, hash = ? WHERE chain = ?",
                        (records[-1].id if records else 0, prev, DECISIONS))
    finally:
        db.close()


def logged(db_url: str):
    db = Database(db_url)
    try:
        return DecisionLog(db).records()
    finally:
        db.close()


def test_renumbered_decisions_are_found_and_not_shown_under_their_new_ids(backend_app, db_url, capsys):
    """The probe's F4: every id moved up by one (highest first) and the head's last id along, no
    hash touched. Ids are in the hashed body now: every moved record fails its hash."""
    client = backend_app.test_client()
    ids = [d["id"] for d in three_decisions(client)]
    for decision_id in reversed(ids):
        tamper(db_url, "UPDATE decisions SET id = id + 1 WHERE id = ?", (decision_id,))
    tamper(db_url, "UPDATE audit_heads SET last_id = last_id + 1 WHERE chain = 'decisions'")
    code, out = audit(capsys, "verify", "--db", db_url)
    assert code == 1
    for decision_id in ids:
        assert f"decision {decision_id + 1}: its content does not match its hash (it was changed or renumbered)" in out
    assert f"decision {ids[0] + 1}: its id is not the position after the start of the log" in out
    shown = client.get(f"/v1/decisions/{ids[1]}", headers=QUERY)
    assert shown.status_code == 409 and shown.get_json()["code"] == "record-damaged"


def test_renumbering_with_every_hash_recomputed_is_caught_by_the_anchor(backend_app, db_url, capsys):
    client = backend_app.test_client()
    three_decisions(client)
    code, anchor = audit(capsys, "anchor", "--db", db_url)
    assert code == 0
    records = logged(db_url)
    rewrite_log(db_url, [replace(r, id=r.id - 1) for r in records[1:]])  # the first removed, the others moved down
    assert audit(capsys, "verify", "--db", db_url)[0] == 0  # a consistent rewrite: the store alone cannot tell
    code, out = audit(capsys, "verify", "--db", db_url, "--anchor", anchor.strip())
    assert code == 1
    assert f"the decision log no longer holds record {records[-1].id} that the anchor names" in out


def test_every_answer_carries_a_receipt_that_verify_confirms(backend_app, db_url, capsys):
    client = backend_app.test_client()
    created = decide(client, **TINE).get_json()
    assert HASH.fullmatch(created["hash"]) and created["receipt"] == f"{created['id']}:{created['hash']}"
    read = client.get(f"/v1/decisions/{created['id']}", headers=QUERY).get_json()
    assert (read["hash"], read["receipt"]) == (created["hash"], created["receipt"])
    replayed = client.post(f"/v1/decisions/{created['id']}/replay", headers=QUERY, json={}).get_json()["decision"]
    assert replayed["receipt"] == f"{replayed['id']}:{replayed['hash']}"
    code, out = audit(capsys, "verify", "--db", db_url, "--receipt", created["receipt"],
                      "--receipt", replayed["receipt"])
    assert code == 0, out
    assert f"receipt confirmed: decision {created['id']} is in the log with hash {created['hash']}" in out
    # the record's content rewritten, every hash after it recomputed: the chain is whole, the receipt is not
    records = logged(db_url)
    rewrite_log(db_url, [replace(r, outcome="obligated") if r.id == created["id"] else r for r in records])
    code, out = audit(capsys, "verify", "--db", db_url, "--receipt", created["receipt"])
    assert code == 1
    assert f"receipt {created['receipt']}: decision {created['id']} in the log has hash" in out
    assert audit(capsys, "verify", "--db", db_url, "--receipt", f"99:{'0' * 64}")[1].count("holds no decision 99") == 1


def test_a_receipt_that_is_not_one_is_a_usage_error(backend_app, db_url, capsys):
    decide(backend_app.test_client(), **TINE)
    code, out = audit(capsys, "verify", "--db", db_url, "--receipt", "1:abc")
    assert code == 2 and "is not a receipt: write ID:HASH" in out
    code, out = audit(capsys, "verify", "--db", db_url, "--anchor", "decisions=1")
    assert code == 2 and "not an anchor line" in out


def test_one_anchor_covers_both_chains_and_is_printed_whole(backend_app, db_url, capsys):
    """The probe's F5: fact changes after the last decision could be rewritten unseen. The anchor
    names both chains' last records; a fact change rewritten with its hash and head recomputed
    passes a plain verify but not one against the anchor."""
    client = backend_app.test_client()
    decide(client, **TINE)
    added = client.post("/v1/facts", headers=ADMIN, json={"facts": [CONSENT]}).get_json()  # after the last decision
    code, anchor = audit(capsys, "anchor", "--db", db_url)
    assert code == 0
    found = re.fullmatch(r"deelwijzer-anchor 1 decisions=1:([0-9a-f]{64}) facts=(\d+):([0-9a-f]{64})\n", anchor)
    assert found and int(found[2]) == added["version"]
    code, out = audit(capsys, "verify", "--db", db_url)
    assert found[1] in out and found[3] in out  # whole hashes, not 16 hex digits

    # the consent rewritten to name another recipient; its change's hash and the head recomputed
    db = Database(db_url)
    try:
        with db.transaction() as cur:
            fact_id = added["ids"][0]
            args = '["lena", "i_home_situation", "tom", {"date": "2026-10-01"}]'
            cur.execute("UPDATE stored_facts SET args = ? WHERE id = ?", (args, fact_id))
            row = cur.execute("SELECT predicate, valid_from, valid_until FROM stored_facts WHERE id = ?",
                              (fact_id,)).fetchone()
            change = cur.execute("SELECT id, changed_at, kind, note, prev_hash FROM fact_changes WHERE id = ?",
                                 (added["version"],)).fetchone()
            body = change_body(change[0], change[1], change[2], change[3],
                               [fact_row_digest(fact_id, row[0], args, row[1], row[2])], [])
            new_hash = chain_hash(change[4], body)
            cur.execute("UPDATE fact_changes SET hash = ? WHERE id = ?", (new_hash, change[0]))
            cur.execute("UPDATE audit_heads SET hash = ? WHERE chain = ?", (new_hash, FACTS))
    finally:
        db.close()
    assert audit(capsys, "verify", "--db", db_url)[0] == 0  # nothing in the store itself shows it
    code, out = audit(capsys, "verify", "--db", db_url, "--anchor", anchor.strip())
    assert code == 1
    assert f"the fact history no longer extends the anchor: record {added['version']} has hash {new_hash}" in out


def test_the_anchor_is_refused_for_a_damaged_store_and_read_from_a_file(backend_app, db_url, capsys, tmp_path):
    client = backend_app.test_client()
    decide(client, **TINE)
    code, anchor = audit(capsys, "anchor", "--db", db_url)
    anchors = tmp_path / "anchors.txt"
    anchors.write_text(f"# kept by the data-protection officer\n{anchor}", encoding="utf-8")
    decide(client, actor="ann", recipient="bert", item="i_home_situation")
    code, out = audit(capsys, "verify", "--db", db_url, "--anchor-file", str(anchors))
    assert code == 0 and "anchor confirmed: both chains still extend deelwijzer-anchor 1 decisions=1:" in out
    tamper(db_url, "UPDATE decisions SET outcome = 'obligated' WHERE id = 1")
    code, out = audit(capsys, "anchor", "--db", db_url)
    assert code == 1 and "no anchor printed" in out and "deelwijzer-anchor 1 decisions=" not in out


def test_a_record_downgraded_to_the_unbound_format_is_damage(backend_app, db_url, capsys):
    """The probe's F5: a record stripped of its rule and fact bindings (hashes recomputed) after
    bound ones used to pass as a legacy record. A format never goes down along the chain."""
    client = backend_app.test_client()
    three_decisions(client)
    records = logged(db_url)
    downgraded = replace(records[1], format=1, rules_hash=None, facts_hash=None)
    rewrite_log(db_url, [records[0], downgraded, records[2]])
    code, out = audit(capsys, "verify", "--db", db_url)
    assert code == 1
    assert (f"decision {records[1].id}: it is in record format 1 after a record in format 3 "
            "(a record was downgraded to an older format)") in out
    shown = client.get(f"/v1/decisions/{records[1].id}", headers=QUERY)
    assert shown.status_code == 409 and "downgraded" in str(shown.get_json()["errors"])


def test_a_rule_version_without_its_hash_is_damage_and_nothing_more_is_logged(backend_app, db_url, capsys):
    client = backend_app.test_client()
    kb_version = decide(client, **TINE).get_json()["kb_version"]
    tamper(db_url, "UPDATE rule_versions SET hash = NULL")
    code, out = audit(capsys, "verify", "--db", db_url)
    assert code == 1
    assert f"rule version {kb_version}: its hash is missing (a kept rule version always has one)" in out
    refused = decide(client, actor="ann", recipient="bert", item="i_home_situation")
    assert refused.status_code == 503 and refused.get_json()["code"] == "store-damaged"
    assert backend_app.extensions[EXTENSION].decisions_logged() == 1


def test_a_store_from_before_record_formats_keeps_verifying_and_gets_its_rule_hashes_once(tmp_path, capsys):
    """A store written by the release before record formats (no `format` and `what_if` columns; a
    kept rule version whose hash column was added empty) verifies after the upgrade: its records
    as the format-2 records they are, its rule versions hashed once. A NULL hash afterwards is damage."""
    from kb.store.decisions import FORMAT
    url = f"sqlite:///{tmp_path / 'before.db'}"
    db = Database(url)
    log = DecisionLog(db)
    log.keep_rule_version("k1", {"kb/rules/a.dl": "rule text"})
    record = log.append({"actor": "ann", "hypothetical": [{"consent": ["x"]}]}, "k1", "0", "forbidden",
                        ["D5.forbidden"], {})
    db.close()
    # …as the previous release wrote it: format-2 record, no format columns, the rule hash never filled
    with Database(url).transaction() as cur:
        body = replace(record, format=2).body()
        cur.execute("UPDATE decisions SET hash = ? WHERE id = 1", (chain_hash(GENESIS, body),))
        cur.execute("UPDATE audit_heads SET hash = ? WHERE chain = 'decisions'", (chain_hash(GENESIS, body),))
        cur.execute("ALTER TABLE decisions DROP COLUMN format")
        cur.execute("ALTER TABLE decisions DROP COLUMN what_if")
        cur.execute("UPDATE rule_versions SET hash = NULL")
    db = Database(url)
    upgraded = DecisionLog(db)  # this release opens it
    old = upgraded.get(1)
    assert (old.format, old.what_if) == (2, True)  # a what-if by its request
    assert upgraded.append({"actor": "ann", "hypothetical": []}, "k1", "0", "permitted", ["D4"], {}).format == FORMAT
    db.close()
    code, out = audit(capsys, "verify", "--db", url)
    assert code == 0, out
    assert "2 decision(s), chain intact (1 what-if)" in out and "1 decision(s) logged before ids were hashed" in out
    tamper(url, "UPDATE rule_versions SET hash = NULL")
    reopened = Database(url)
    DecisionLog(reopened)  # opening it again does not refill the hash
    reopened.close()
    assert audit(capsys, "verify", "--db", url)[0] == 1
