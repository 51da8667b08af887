"""Many concurrent clients, each with its own hypothetical facts, over a real threaded server:
every answer depends on the client's own facts only, and the stored fact base never changes.

All clients ask the same question — may Ann tell Tine about Lena's home situation? — so a
hypothetical fact leaking from one request into another would change the answer. Client k brings
(k mod 4), each fact dated by client and round so the proofs show whose fact they cite:
  0  Lena's consent                      -> permitted (B3.consent); the proof cites this consent
  1  Tine guides Lena (no ground alone)  -> forbidden (D5.forbidden), nothing blocks;
                                            a leaked consent would make it permitted
  2  consent and a later request         -> forbidden (D5.forbidden, B4.confidentiality)
  3  confidentiality request             -> forbidden (D5.forbidden, B4.confidentiality);
                                            a leaked request would make group 0 forbidden
"""
from __future__ import annotations

import json
import statistics
import threading
import time

import pytest

from query_service.state import EXTENSION

from .conftest import DAY, QUERY, QUERY_TOKEN, SEED, TOKENS, make_app
from .live import gunicorn_server, request, threaded_server

CLIENTS, ROUNDS = 16, 3
QUESTION = {"actor": "ann", "recipient": "tine", "item": "i_home_situation", "at": DAY}
ITEM = "i_home_situation"


def own_facts(client: int, round_: int) -> list[dict]:
    consent_day = f"2026-09-{(client * ROUNDS + round_) % 28 + 1:02d}"
    request_day = f"2026-10-{(client * ROUNDS + round_) % 28 + 1:02d}"
    consent = {"consent": ["lena", ITEM, "tine", consent_day], "from": consent_day}
    keep = {"confidentiality_request": ["lena", ITEM, "tine", request_day], "from": request_day}
    return {0: [consent], 1: [{"guides": ["tine", "lena"]}], 2: [consent, keep], 3: [keep]}[client % 4]


EXPECTED = {0: ("permitted", ["D4.permitted_by_ground", "B3.consent"]),
            1: ("forbidden", ["D5.forbidden"]),
            2: ("forbidden", ["D5.forbidden", "B4.confidentiality"]),
            3: ("forbidden", ["D5.forbidden", "B4.confidentiality"])}


def _fact_leaves(node):
    if node.get("kind") == "fact":
        yield node
    for child in node.get("children", []):
        yield from _fact_leaves(child)


def check_answer(client: int, round_: int, status: int, body: dict) -> None:
    facts = own_facts(client, round_)
    assert status == 201, body
    assert [{"predicate": h["predicate"], "args": h["args"]} for h in body["question"]["hypothetical"]] == [
        {"predicate": p, "args": a} for f in facts for p, a in f.items() if p not in ("from", "until")]
    assert (body["outcome"], body["deciding_rules"]) == EXPECTED[client % 4], f"client {client} got another's facts"
    explanation = body["explanation"]
    cited = [leaf for tree in explanation["why"] + explanation["blocks"] for leaf in _fact_leaves(tree)
             if leaf["facts"][0]["origin"] == "hypothetical"]
    cited = {json.dumps([leaf["predicate"], leaf["args"]]) for leaf in cited}
    sent = {json.dumps([p, a]) for f in facts for p, a in f.items() if p not in ("from", "until")}
    assert cited <= sent, f"client {client}'s proof cites hypothetical facts it did not send: {cited - sent}"
    decisive = {0: "consent", 1: None, 2: "confidentiality_request", 3: "confidentiality_request"}[client % 4]
    if decisive:
        assert any(json.loads(c)[0] == decisive for c in cited), f"client {client}'s own {decisive} is not cited"


def run_clients(address, checker, clients: int = CLIENTS, rounds: int = ROUNDS) -> list[float]:
    """Start all clients together; return every request's latency. Re-raise the first failure."""
    barrier = threading.Barrier(clients)
    latencies: list[float] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def client_loop(client: int) -> None:
        try:
            barrier.wait(timeout=30)
            for round_ in range(rounds):
                body = {**QUESTION, "hypothetical": own_facts(client, round_),
                        "explain": "full"}
                started = time.perf_counter()
                status, headers, raw = request(address, "POST", "/v1/decisions", body,
                                               {"Authorization": f"Bearer {QUERY_TOKEN}"})
                elapsed = time.perf_counter() - started
                with lock:
                    checker.check_raw("POST", "/v1/decisions", status, headers, raw)
                    latencies.append(elapsed)
                check_answer(client, round_, status, json.loads(raw))
        except BaseException as err:  # noqa: BLE001 - reported by the main thread
            failures.append(err)

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    if failures:
        raise failures[0]
    assert len(latencies) == clients * rounds
    return latencies


def summary(latencies: list[float], wall: float) -> str:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (f"{len(ordered)} decisions in {wall:.1f}s ({len(ordered) / wall:.1f}/s); latency median "
            f"{statistics.median(ordered) * 1000:.0f}ms, p99 {p99 * 1000:.0f}ms")


@pytest.fixture(params=["pydatalog", "materialized"])
def engine_app(request, api_checker):
    app = make_app(api_checker, ENGINE=request.param)
    yield app
    app.extensions[EXTENSION].close()


def test_concurrent_clients_see_only_their_own_hypothetical_facts(engine_app, api_checker, capsys):
    app = engine_app
    ext = app.extensions[EXTENSION]
    client = app.test_client()
    facts_before = client.get("/v1/facts", headers=QUERY).get_json()
    engine_facts_before = set(ext.workspace.facts)

    with threaded_server(app) as address:
        started = time.perf_counter()
        latencies = run_clients(address, api_checker)
        wall = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n[concurrency, werkzeug threaded, {ext.workspace.engine.name}] {summary(latencies, wall)}")

    # Nothing of the hypothetical facts was stored or stayed in the engine.
    assert client.get("/v1/facts", headers=QUERY).get_json() == facts_before
    assert ext.store.version() == 1 and ext.workspace.facts.version == "1"
    assert set(ext.workspace.facts) == engine_facts_before
    after = client.post("/v1/decisions", json={**QUESTION, "explain": "none"}, headers=QUERY).get_json()
    assert (after["outcome"], after["deciding_rules"]) == ("forbidden", ["D5.forbidden"])
    # Every decision was logged once, and the chain survived the concurrent appends.
    records = ext.log.records()
    assert len(records) == CLIENTS * ROUNDS + 1
    assert ext.log.verify()[0]
    assert all(r.request["hypothetical"] for r in records[:-1])


def test_under_gunicorn_gthread(api_checker, tmp_path, capsys):
    """The production server: the same consistency check, and no personal data in its log."""
    pytest.importorskip("gunicorn")
    log_path = tmp_path / "gunicorn.log"
    env = {"DEELWIJZER_DATABASE_URL": f"sqlite:///{tmp_path / 'gunicorn.db'}",
           "DEELWIJZER_SEED_FACTS": str(SEED), "DEELWIJZER_TOKENS": json.dumps(TOKENS), "DEELWIJZER_DEMO": "0"}
    with gunicorn_server(env, log_path) as address:
        started = time.perf_counter()
        latencies = run_clients(address, api_checker, clients=CLIENTS, rounds=1)
        wall = time.perf_counter() - started
        status, headers, raw = request(address, "GET", "/v1/facts", headers={"Authorization": f"Bearer {QUERY_TOKEN}"})
        api_checker.check_raw("GET", "/v1/facts", status, headers, raw)
        assert json.loads(raw)["version"] == 1 and json.loads(raw)["count"] == 16
        status, headers, raw = request(address, "GET", "/v1/audience?actor=ann&item=i_home_situation&at=2026-11-02",
                                       headers={"Authorization": f"Bearer {QUERY_TOKEN}"})
        api_checker.check_raw("GET", "/v1/audience?actor=ann&item=i_home_situation&at=2026-11-02", status, headers, raw)
        assert status == 200
    with capsys.disabled():
        print(f"\n[concurrency, gunicorn gthread] {summary(latencies, wall)}")
    log = log_path.read_text()
    assert "POST /v1/decisions 201" in log and "GET /v1/audience 200" in log
    for secret in ("lena", "tine", "i_home_situation", QUERY_TOKEN, "ann"):
        assert secret not in log, f"{secret!r} appears in the server log"


@pytest.mark.parametrize("preload", ["true", "false"])
def test_two_workers_forked_from_a_preloaded_master(api_checker, tmp_path, preload):
    """With preload_app the master builds the app and the workers are forked from it: both workers
    must still open their own connections (the chain of their concurrent appends verifies), see a
    fact added through either of them, and write their access lines."""
    from kb.store.db import Database
    from kb.store.decisions import DecisionLog

    from .conftest import ADMIN_TOKEN
    log_path, db_path = tmp_path / "gunicorn.log", tmp_path / "gunicorn.db"
    env = {"DEELWIJZER_DATABASE_URL": f"sqlite:///{db_path}", "DEELWIJZER_PRELOAD": preload,
           "DEELWIJZER_PRELOAD_MOMENTS": f"{DAY},today",
           "DEELWIJZER_SEED_FACTS": str(SEED), "DEELWIJZER_TOKENS": json.dumps(TOKENS), "DEELWIJZER_DEMO": "0"}
    with gunicorn_server(env, log_path, workers=2) as address:
        run_clients(address, api_checker, clients=CLIENTS, rounds=1)
        status, _, _ = request(address, "POST", "/v1/facts", body={"facts": [{"clb_worker": ["dirk"]}]},
                               headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert status == 201
        for _ in range(8):  # each worker, whichever answers, decides on the new fact base
            status, _, raw = request(address, "POST", "/v1/decisions", body={**QUESTION, "explain": "none"},
                                     headers={"Authorization": f"Bearer {QUERY_TOKEN}"})
            assert status == 201 and json.loads(raw)["facts_version"] == "2"
    log = log_path.read_text()
    assert log.count("forked from the preloaded app") == (2 if preload == "true" else 0)
    assert log.count("POST /v1/decisions 201") == CLIENTS + 8
    db = Database(f"sqlite:///{db_path}")
    try:
        decisions = DecisionLog(db)
        assert len(decisions.records()) == CLIENTS + 8
        assert decisions.verify()[0]
    finally:
        db.close()
