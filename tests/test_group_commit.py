"""Group commit of decision-log appends (kb/store/decisions.py).

Appends that arrive while another is being written go together in one transaction; the chain stays
whole and in arrival order; a record that cannot be logged fails only its own append; and a writer
killed with SIGKILL loses no decision whose append had returned.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from kb.store.db import Database
from kb.store.decisions import DecisionLog, StoreDamaged
from kb.store.facts import FactStore

ROOT = Path(__file__).resolve().parent.parent


def _open(url: str) -> DecisionLog:
    db = Database(url)
    FactStore(db)
    log = DecisionLog(db)
    log.keep_rule_version("k1", {"rules.dl": "a :- b."})
    return log


def _slowed(log: DecisionLog, seconds: float) -> None:
    """Make each write take a while, so that appends arriving meanwhile queue up behind it."""
    write = log._write

    def slow(batch):
        time.sleep(seconds)
        return write(batch)

    log._write = slow


def test_concurrent_appends_share_transactions_and_keep_the_chain(tmp_path):
    log = _open(f"sqlite:///{tmp_path / 'log.db'}")
    _slowed(log, 0.01)
    results: dict[tuple, object] = {}
    start = threading.Barrier(8)

    def client(n: int) -> None:
        start.wait()
        for k in range(10):
            results[(n, k)] = log.append({"client": n, "k": k}, "k1", "0", "forbidden", ["D5.forbidden"], {})

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    records = log.records()
    assert len(records) == 80 == len({r.id for r in results.values()})
    assert log.transactions < 80  # appends were grouped
    stored = {r.id: r for r in records}
    for (n, k), returned in results.items():  # each caller got its own record, as stored
        assert stored[returned.id].request == {"client": n, "k": k}
        assert stored[returned.id].hash == returned.hash
    for before, after in zip(records, records[1:]):  # chained in id order
        assert after.prev_hash == before.hash
        assert after.decided_at >= before.decided_at
    ok, summary = log.verify()
    assert ok, summary


def test_a_record_that_cannot_be_logged_fails_alone(tmp_path):
    log = _open(f"sqlite:///{tmp_path / 'log.db'}")
    _slowed(log, 0.02)
    outcome: dict[str, object] = {}
    start = threading.Barrier(4)

    def client(name: str, kb_version: str) -> None:
        start.wait()
        try:
            outcome[name] = log.append({"who": name}, kb_version, "0", "forbidden", ["D5.forbidden"], {})
        except StoreDamaged as err:
            outcome[name] = err

    threads = [threading.Thread(target=client, args=(f"c{n}", "never-kept" if n == 2 else "k1")) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert isinstance(outcome["c2"], StoreDamaged)
    assert sorted(r.request["who"] for r in log.records()) == ["c0", "c1", "c3"]
    assert log.verify()[0]


WRITER = textwrap.dedent("""
    import sys, threading
    sys.path.insert(0, {root!r})
    from kb.store.db import Database
    from kb.store.decisions import DecisionLog
    from kb.store.facts import FactStore
    db = Database({url!r})
    FactStore(db)
    log = DecisionLog(db)
    log.keep_rule_version("k1", {{"rules.dl": "a :- b."}})
    out = threading.Lock()

    def client(n):
        k = 0
        while True:
            record = log.append({{"client": n, "k": k}}, "k1", "0", "forbidden", ["D5.forbidden"], {{}})
            with out:  # acknowledged only now: the append returned
                print(record.id, flush=True)
            k += 1

    for n in range(6):
        threading.Thread(target=client, args=(n,), daemon=True).start()
    threading.Event().wait()
""")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_writer_killed_with_sigkill_loses_no_acknowledged_decision(tmp_path):
    url = f"sqlite:///{tmp_path / 'log.db'}"
    proc = subprocess.Popen([sys.executable, "-c", WRITER.format(root=str(ROOT), url=url)],
                            stdout=subprocess.PIPE, text=True, start_new_session=True)
    acknowledged: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(acknowledged) < 300 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            acknowledged.append(int(line))
        os.kill(proc.pid, signal.SIGKILL)  # mid-stream: appends are in flight
    finally:
        proc.kill()
        proc.wait()
    assert len(acknowledged) >= 300, "the writer stopped before the kill"
    log = DecisionLog(Database(url))
    stored = {r.id for r in log.records()}
    assert set(acknowledged) <= stored
    ok, summary = log.verify()
    assert ok, summary


def test_two_processes_keeping_the_same_rule_version_at_once(tmp_path, monkeypatch):
    """Two workers deciding their first questions together both find the rule version missing;
    the one that inserts second must not fail (it did: IntegrityError, a 500 under gunicorn)."""
    from kb.store import db as db_module
    url = f"sqlite:///{tmp_path / 'store.db'}"
    first, second = _open(url), DecisionLog(Database(url))
    original = db_module.Cursor.execute
    raced = []

    def other_worker_first(self, statement, params=()):
        result = original(self, statement, params)
        if self.db is second.db and statement.startswith("SELECT 1 FROM rule_versions") and not raced:
            raced.append(True)
            first.keep_rule_version("k2", {"rules.dl": "c :- d."})  # the other process, in between
        return result

    monkeypatch.setattr(db_module.Cursor, "execute", other_worker_first)
    second.keep_rule_version("k2", {"rules.dl": "c :- d."})
    monkeypatch.undo()
    assert raced and second.rule_versions() == ["k1", "k2"]
    assert second.append({"q": 1}, "k2", "0", "permitted", [], {}).id == 1


def test_the_hash_covers_the_stored_texts_serialised_once(tmp_path):
    """Appends serialise the request, rules and trace once and build the hashed body from those
    texts: it must be the body's canonical JSON exactly, or the audit would fail every record."""
    from kb.store.chain import canonical
    from kb.store.decisions import body_text, record_hash
    log = _open(f"sqlite:///{tmp_path / 'store.db'}")
    trace = {"question": {"actor": "Zoë", "n": [1, 2.5, None, True]}, "A": {"z": "ß\u2028", "a": []}}
    records = [log.append({"actor": "Zoë", "b": 1, "a": {"y": 2, "x": 1}}, "k1", "0", "permitted", ["B2", "A1"],
                          trace) for _ in range(2)]
    for record in records:
        texts = {"request": canonical(record.request), "deciding_rules": canonical(record.deciding_rules),
                 "trace": canonical(record.trace)}
        assert body_text(record, texts) == canonical(record.body())
        assert record.hash == record_hash(record.prev_hash, record.body())
    assert log.get(records[1].id).hash == records[1].hash
    assert log.verify()[0]
