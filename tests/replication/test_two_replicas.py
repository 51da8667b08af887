"""Two service processes on one PostgreSQL database: a fact added through one is decided on by the
other, a withdrawal through the other reaches the first, a rule reload through one reloads both, and
the decisions of both land in one intact hash chain. Prints the propagation latency.

Each replica is gunicorn (the production server, one gthread worker) on its own loopback port. The
tests wait for the *other* replica's engine by polling its /v1/health, which reports the engine's
fact-base version without asking the store — so only the listener can move it. (POST /v1/decisions
would catch up by itself: it compares versions with the store first.) Waiting is bounded by
PROPAGATION_TIMEOUT; the latency figures are printed, not asserted.
"""
from __future__ import annotations

import json
import statistics
from contextlib import ExitStack

import pytest

from kb.cli import main as kb_main
from kb.store.db import Database
from kb.store.decisions import DecisionLog
from service.live import gunicorn_server, request

from .conftest import ADMIN, SEED, TINE, TOKENS, TOM, consent_for_tine, wait_until

PROPAGATION_TIMEOUT = 5.0
CHANGES = 20  # for the latency figures


class Replica:
    """One running service process, spoken to over HTTP; responses checked against the OpenAPI document."""

    def __init__(self, name: str, address, checker):
        self.name, self.address, self.checker = name, address, checker

    def call(self, method: str, path: str, body=None) -> tuple[int, dict]:
        status, headers, raw = request(self.address, method, path, body, ADMIN, timeout=30)
        self.checker.check_raw(method, path, status, headers, raw)
        return status, json.loads(raw)

    def health(self) -> dict:
        return self.call("GET", "/v1/health")[1]

    def decide(self, question: dict) -> dict:
        status, body = self.call("POST", "/v1/decisions", question)
        assert status == 201, body
        return body

    def add(self, fact: dict) -> tuple[int, int]:
        """(version, id) of a fact added through this replica."""
        status, body = self.call("POST", "/v1/facts", {"facts": [fact]})
        assert status == 201, body
        return body["version"], body["ids"][0]

    def withdraw(self, fact_id: int) -> int:
        status, body = self.call("DELETE", f"/v1/facts/{fact_id}")
        assert status == 200, body
        return body["version"]

    def reaches(self, key: str, value: str) -> float | None:
        """Seconds until this replica's /v1/health shows `value` for `key`, None after the timeout."""
        return wait_until(lambda: self.health()[key] == value, PROPAGATION_TIMEOUT)


@pytest.fixture()
def replicas(pg_url, kb_copy, tmp_path, api_checker):
    """Replicas A and B on one fresh database. A starts first and seeds the store; B finds it seeded."""
    pytest.importorskip("gunicorn")
    env = {"DEELWIJZER_DATABASE_URL": pg_url, "DEELWIJZER_SEED_FACTS": str(SEED), "DEELWIJZER_KB_DIR": str(kb_copy),
           "DEELWIJZER_TOKENS": json.dumps(TOKENS), "DEELWIJZER_DEMO": "0",
           "DEELWIJZER_REPLICATION_CHECK_SECONDS": "300"}  # far beyond the timeout: notifications only
    logs = {name: tmp_path / f"replica_{name}.log" for name in "ab"}
    with ExitStack() as stack:
        a = Replica("A", stack.enter_context(gunicorn_server(env, logs["a"])), api_checker)
        b = Replica("B", stack.enter_context(gunicorn_server(env, logs["b"])), api_checker)
        yield a, b
    for name, path in logs.items():  # after both stopped: no handler failed in either replica
        text = path.read_text()
        assert "Traceback" not in text, f"replica {name}: {text[-2000:]}"


def test_a_fact_added_through_one_replica_is_decided_on_by_the_other(replicas, pg_url, capsys):
    a, b = replicas
    assert a.health()["facts_version"] == b.health()["facts_version"] == "1"
    before = b.decide(TINE)
    assert (before["outcome"], before["facts_version"]) == ("forbidden", "1")

    version, fact_id = a.add(consent_for_tine())
    assert version == 2
    assert b.reaches("facts_version", "2") is not None, "replica B did not hear of the new fact"
    after = b.decide(TINE)
    assert (after["outcome"], after["facts_version"]) == ("permitted", "2")
    assert "B3.consent" in after["deciding_rules"]

    version = b.withdraw(fact_id)
    assert version == 3
    assert a.reaches("facts_version", "3") is not None, "replica A did not hear of the withdrawal"
    again = a.decide(TINE)
    assert (again["outcome"], again["facts_version"]) == ("forbidden", "3")

    # Both replicas appended to one chain, in the order they decided.
    log_db = Database(pg_url)
    try:
        records = DecisionLog(log_db).records()
        assert [(r.outcome, r.facts_version) for r in records] == [("forbidden", "1"), ("permitted", "2"),
                                                                    ("forbidden", "3")]
        assert DecisionLog(log_db).verify()[0]
    finally:
        log_db.close()
    assert kb_main(["audit", "verify", "--db", pg_url]) == 0
    assert "ok: 3 decision(s), chain intact" in capsys.readouterr().out


def test_propagation_latency(replicas, capsys):
    """CHANGES changes, alternately added through A and withdrawn through B; each timed from the
    writer's response to the other replica's engine having it. Only the timeout is asserted."""
    a, b = replicas
    latencies = []
    for i in range(CHANGES // 2):
        version, fact_id = a.add(consent_for_tine(f"2026-10-{i + 1:02d}"))
        latencies.append(b.reaches("facts_version", str(version)))
        version = b.withdraw(fact_id)
        latencies.append(a.reaches("facts_version", str(version)))
    assert None not in latencies, f"a change did not propagate within {PROPAGATION_TIMEOUT}s: {latencies}"
    ms = sorted(x * 1000 for x in latencies)
    with capsys.disabled():
        print(f"\n[replication, 2 gunicorn replicas, one PostgreSQL] propagation of {len(ms)} fact changes "
              f"(writer's response -> other replica's engine): p50 {statistics.median(ms):.1f} ms, "
              f"max {ms[-1]:.1f} ms")
    assert a.decide(TINE)["outcome"] == b.decide(TINE)["outcome"] == "forbidden"


def test_a_rule_reload_through_one_replica_reloads_the_other(replicas, kb_copy):
    a, b = replicas
    old = a.health()["kb_version"]
    assert b.decide(TOM)["outcome"] == "permitted"  # B3: Lena consented to Tom being told
    # A legal expert narrows B3 in the shared rule files: consent now only lets a CLB worker tell
    # another CLB worker. Then reloads through A only.
    path = kb_copy / "rules" / "20_beroepsgeheim.dl"
    text = path.read_text(encoding="utf-8")
    clause = "    bound_by_secrecy(Actor, Item),\n    valid_consent(Item, Recipient).\n"
    assert text.count(clause) == 1
    path.write_text(text.replace(clause, clause[:-2] + ",\n    clb_worker(Recipient).\n"), encoding="utf-8")
    status, reload = a.call("POST", "/v1/admin/reload")
    assert status == 200 and reload["changed"] is True and reload["previous_kb_version"] == old

    assert b.reaches("kb_version", reload["kb_version"]) is not None, "replica B did not reload its rules"
    decision = b.decide(TOM)
    assert (decision["outcome"], decision["kb_version"]) == ("forbidden", reload["kb_version"])
