"""A forged model snapshot is refused, never rewritten, and `kb audit verify` names it.

The outside probe dropped the reporting point from a snapshot beside the store and recomputed its
digest: the service started from it, the duty to report disappeared (the reporting point became an
unknown person), the logged decision that used it read back as a 500, `kb audit verify` said the
store was intact, and the forged model was written again into the next snapshot. A snapshot is now
signed with a key kept neither in its directory nor in the database; the forger's recomputed MAC
does not check, so nothing of the file is used."""
from __future__ import annotations

import hashlib
import hmac
import json
import marshal

import pytest

from kb.cli import main as kb_main
from kb.engine.snapshot import MAGIC, read_header, snapshot_secret
from query_service.state import EXTENSION

from .conftest import AUDIT, QUERY, decide, make_app

KEY = "snapshot key from the service's environment"
REPORT = {"actor": "ann", "recipient": "vk_gent", "item": "i_abuse_signal", "setting": "report"}


def started(api_checker, db_url: str):
    return make_app(api_checker, DATABASE_URL=db_url, SNAPSHOT_KEY=KEY)


def forge(path, victim: str = "vk_gent") -> None:
    """Drop every fact and model row naming `victim`, and recompute the MAC as well as a forger can
    without the key (here: under a guessed one; before, a plain SHA-256 anyone could recompute)."""
    header, _, body = read_header(path.read_bytes())
    fact_part, model_part = marshal.loads(body)
    fact_part = [(predicate, *_kept(args, victim, starts, ends, origins))
                 for predicate, args, starts, ends, origins in fact_part]
    model_part = [(moment, [(name, arity, [r for r in rows if victim not in r]) for name, arity, rows in relations])
                  for moment, relations in model_part]
    body = marshal.dumps((fact_part, model_part), 4)
    header["bytes"] = len(body)
    mac = hmac.new(b"a guessed key", json.dumps(header, sort_keys=True).encode(), hashlib.sha256)
    mac.update(body)
    header["hmac_sha256"] = mac.hexdigest()
    path.write_bytes(MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n" + body)


def _kept(args, victim, starts, ends, origins):
    keep = [i for i, row in enumerate(args) if victim not in row]
    return [args[i] for i in keep], [starts[i] for i in keep], [ends[i] for i in keep], [origins[i] for i in keep]


def audit(capsys, db_url: str) -> tuple[int, str]:
    code = kb_main(["audit", "verify", "--db", db_url])
    return code, capsys.readouterr().out


@pytest.fixture()
def store(tmp_path):
    return f"sqlite:///{tmp_path / 'deelwijzer.db'}", tmp_path / "snapshots"


def test_a_forged_snapshot_is_refused_never_rewritten_and_named_by_the_audit(api_checker, store, capsys,
                                                                             monkeypatch):
    db_url, snapshots = store
    first = started(api_checker, db_url)
    logged = decide(first.test_client(), explain="none", **REPORT).get_json()
    assert logged["outcome"] == "obligated"
    first.extensions[EXTENSION].workspace.engine.snapshots.wait()
    first.extensions[EXTENSION].close()
    [path] = snapshots.glob("model-*.snapshot")
    forge(path)
    forged = path.read_bytes()

    assert audit(capsys, db_url)[0] == 1  # before the service starts again, the audit names it
    monkeypatch.setenv("DEELWIJZER_SNAPSHOT_KEY", KEY)
    code, out = audit(capsys, db_url)
    assert code == 1
    assert (f"snapshot {path.name}: its MAC does not check (forged, damaged, or signed under another "
            "snapshot key)") in out
    assert f"snapshot {path.name}: its facts are not the store's fact base of version 1: 1 missing" in out
    assert "relation(s): " in out and "reporting_point" in out

    second = started(api_checker, db_url)
    try:
        client = second.test_client()
        again = decide(client, explain="none", **REPORT)
        assert again.status_code == 201 and again.get_json()["outcome"] == "obligated"  # the duty is still there
        record = client.get(f"/v1/decisions/{logged['id']}", headers=AUDIT)  # the rebuilt trace: the auditor's
        assert record.status_code == 200 and record.get_json()["explanation"]["outcome"] == "obligated"
        second.extensions[EXTENSION].workspace.engine.snapshots.wait()
    finally:
        second.extensions[EXTENSION].close()
    assert path.read_bytes() != forged  # replaced by the recomputed model, never rewritten from the forgery
    header, claimed, body = read_header(path.read_bytes())
    mac = hmac.new(snapshot_secret(KEY, None), json.dumps(header, sort_keys=True).encode(), hashlib.sha256)
    mac.update(body)
    assert hmac.compare_digest(mac.hexdigest(), claimed)
    assert any(p == "reporting_point" and ("vk_gent",) in {tuple(r) for r in rows}
               for p, rows, *_ in marshal.loads(body)[0])
    code, out = audit(capsys, db_url)
    assert code == 0, out
    assert "1 model snapshot(s) match the store" in out


def test_a_snapshot_signed_under_another_key_is_refused(api_checker, store, caplog):
    db_url, snapshots = store
    first = started(api_checker, db_url)
    decide(first.test_client(), **REPORT)
    first.extensions[EXTENSION].workspace.engine.snapshots.wait()
    first.extensions[EXTENSION].close()
    other = make_app(api_checker, DATABASE_URL=db_url, SNAPSHOT_KEY="another key")
    try:
        assert any("refused: its MAC does not check" in r.getMessage() for r in caplog.records)
        assert decide(other.test_client(), **REPORT).get_json()["outcome"] == "obligated"
    finally:
        other.extensions[EXTENSION].close()


def test_without_a_configured_key_no_snapshot_outlives_its_process(api_checker, store, caplog):
    """No SNAPSHOT_KEY and no SECRET_KEY: a key of the process signs, so a restart recomputes."""
    db_url, snapshots = store
    first = make_app(api_checker, DATABASE_URL=db_url)
    assert any("no SNAPSHOT_KEY or SECRET_KEY configured" in r.getMessage() for r in caplog.records)
    decide(first.test_client(), **REPORT)
    first.extensions[EXTENSION].workspace.engine.snapshots.wait()
    first.extensions[EXTENSION].close()
    assert list(snapshots.glob("model-*.snapshot"))
    caplog.clear()
    second = make_app(api_checker, DATABASE_URL=db_url)
    try:
        assert any("refused" in r.getMessage() for r in caplog.records if r.name == "kb.snapshot")
    finally:
        second.extensions[EXTENSION].close()
