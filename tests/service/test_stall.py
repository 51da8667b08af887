"""No client can stall the service (issue 11): slow or incomplete requests hold no worker thread,
expensive try-outs stop at their evaluation budget, and the servers' own errors are problems that
leave no request data in the log.

The live tests run the embedded server as scripts/serve starts it (waitress) and gunicorn with the
project's worker, each in a subprocess, with a time bound on every step."""
from __future__ import annotations

import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient

from query_service.state import EXTENSION

from .conftest import DAY, QUERY, QUERY_TOKEN, SEED, TOKENS, make_app
from .live import gunicorn_server, request, waitress_server

SLOW = 8
BUDGET = 1.0
PERSON = "sofie_038"  # a name that must never reach a log line


def cycle_tryout(size: int = 1500) -> bytes:
    """The try-out form of issue 11: a `superior_of` cycle of `size` people (12.7 s unbounded)."""
    lines = ["- school_staff: [tine, sint_jozef, teacher]", "- pupil: [lena, sint_jozef]",
             "- item_about: [i_home_situation, lena]", "- learned: [tine, i_home_situation, lena, school_staff]",
             *(f"- superior_of: [p{i}, p{(i + 1) % size}]" for i in range(size)), "- superior_of: [p0, tine]"]
    return urlencode({"facts": "\n".join(lines), "mode": "scenario", "actor": "tine", "recipient": "p5",
                      "item": "i_home_situation", "at": DAY, "setting": "conversation"}).encode()


def test_an_expensive_tryout_stops_at_its_budget(api_checker):
    app = make_app(api_checker, EVALUATION_BUDGET=0.3, SECRET_KEY="stall-secret")
    try:
        pages = FlaskClient(app, app.response_class)
        started = time.monotonic()
        response = pages.post("/try?lang=en", data=cycle_tryout(), headers={**QUERY, "Content-Type": "application/x-www-form-urlencoded"})
        elapsed = time.monotonic() - started
        assert response.status_code == 503
        assert "evaluation budget of 0.3 s" in response.get_data(as_text=True)
        assert elapsed < 3, elapsed
        client = app.test_client()
        assert client.post("/v1/decisions", json={"actor": "ann", "recipient": "tine", "item": "i_home_situation",
                                                  "at": DAY}, headers=QUERY).status_code == 201
    finally:
        app.extensions[EXTENSION].close()


def test_a_what_if_past_its_budget_is_a_503_problem_and_logs_nothing(api_checker):
    app = make_app(api_checker, EVALUATION_BUDGET=1e-9)
    try:
        client = app.test_client()
        ext = app.extensions[EXTENSION]
        response = client.post("/v1/decisions", headers=QUERY, json={
            "actor": "ann", "recipient": "tine", "item": "i_home_situation", "at": DAY,
            "hypothetical": [{"consent": ["lena", "i_home_situation", "tine", "2026-10-01"]}]})
        assert response.status_code == 503
        problem = response.get_json()
        assert problem["code"] == "evaluation-budget-exceeded" and "1e-09 s" in problem["detail"]
        assert ext.decisions_logged() == 0
    finally:
        app.extensions[EXTENSION].close()


def test_store_and_engine_stay_on_one_version_whatever_the_budget(api_checker):
    """A fact change is worked out within the budget before it is stored: past it, nothing is
    stored and nothing applied (tests/service/test_budgets.py has the committed side)."""
    from .conftest import ADMIN
    app = make_app(api_checker, EVALUATION_BUDGET=1e-9)
    try:
        client = app.test_client()
        response = client.post("/v1/facts", headers=ADMIN, json={"facts": [{"superior_of": ["koen", "tine"]}]})
        assert response.status_code == 503 and "nothing was stored" in response.get_json()["detail"]
        ext = app.extensions[EXTENSION]
        assert ext.workspace.facts.version == str(ext.store.version()) == "1"
    finally:
        app.extensions[EXTENSION].close()


def _env(tmp_path, name: str) -> dict:
    return {"DEELWIJZER_DATABASE_URL": f"sqlite:///{tmp_path / (name + '.db')}", "DEELWIJZER_SEED_FACTS": str(SEED),
            "DEELWIJZER_TOKENS": json.dumps(TOKENS), "DEELWIJZER_DEMO": "0",
            "DEELWIJZER_EVALUATION_BUDGET": str(BUDGET), "DEELWIJZER_SECRET_KEY": "stall-secret"}


def _slow_clients(address) -> list[socket.socket]:
    """Eight connections that send half a request line, eight that declare a body never sent."""
    sockets = []
    for i in range(SLOW):
        half = socket.create_connection(address, timeout=5)
        half.sendall(b"GET /v1/hea")
        never = socket.create_connection(address, timeout=5)
        never.sendall(f"POST /v1/decisions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {QUERY_TOKEN}\r\n"
                      "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{".encode())
        sockets += [half, never]
    return sockets


def _timed(address, method, path, body=None) -> tuple[int, float]:
    started = time.monotonic()
    status, _, _ = request(address, method, path, body=body, headers={"Authorization": f"Bearer {QUERY_TOKEN}"},
                           timeout=5)
    return status, time.monotonic() - started


def _tryout(address) -> tuple[int, float]:
    import http.client
    started = time.monotonic()
    conn = http.client.HTTPConnection(*address, timeout=60)
    try:
        conn.request("POST", "/try", body=cycle_tryout(), headers={
            "Authorization": f"Bearer {QUERY_TOKEN}", "Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        conn.close()


def test_slow_clients_and_expensive_tryouts_leave_health_and_decisions_answering(tmp_path):
    log_path = tmp_path / "waitress.log"
    with waitress_server(_env(tmp_path, "stall"), log_path) as address:
        slow = _slow_clients(address)
        try:
            with ThreadPoolExecutor(SLOW) as pool:
                tryouts = [pool.submit(_tryout, address) for _ in range(SLOW)]
                time.sleep(0.3)  # the try-outs are evaluating now
                checks = []
                for _ in range(3):
                    checks.append(_timed(address, "GET", "/v1/health"))
                    checks.append(_timed(address, "POST", "/v1/decisions", {
                        "actor": "ann", "recipient": "tine", "item": "i_home_situation", "at": DAY}))
                results = [f.result(timeout=60) for f in tryouts]
        finally:
            for sock in slow:
                sock.close()
    assert all(status in (200, 201) for status, _ in checks), checks
    assert max(elapsed for _, elapsed in checks) < 1.0, checks
    assert all(status == 503 for status, _ in results), results
    # each stopped near its budget (parsing 1,500 facts and sharing two cores come on top)
    assert max(elapsed for _, elapsed in results) < BUDGET + 10, results


@pytest.mark.parametrize("server", ["waitress", "gunicorn"])
def test_the_servers_own_errors_are_problems_and_log_no_request_data(tmp_path, server):
    log_path = tmp_path / f"{server}.log"
    start = waitress_server if server == "waitress" else gunicorn_server
    with start(_env(tmp_path, server), log_path) as address:
        answers = {}
        for name, raw in {
            "line": f"GET /v1/audience?actor={PERSON} HTTP/1.1 extra\r\n\r\n".encode(),
            "header": b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 + f"{PERSON}\r\n\r\n".encode(),
            "uri": f"GET /v1/audience?actor={PERSON}&x={'a' * 20000} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
            "body": b"POST /v1/facts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\n\r\n",
        }.items():
            with socket.create_connection(address, timeout=10) as sock:
                try:
                    sock.sendall(raw)
                except OSError:
                    pass
                data = b""
                try:
                    while chunk := sock.recv(65536):
                        data += chunk
                except OSError:
                    pass
            head, _, body = data.partition(b"\r\n\r\n")
            answers[name] = (head.split(b"\r\n")[0], head, body)
            assert answers[name][0].split(b" ")[1][:1] == b"4", (name, data[:300])
            assert b"application/problem+json" in head, (name, data[:300])
            problem = json.loads(body)
            assert problem["status"] == int(answers[name][0].split(b" ")[1]) and problem["code"]
            assert PERSON.encode() not in body
    assert PERSON not in log_path.read_text(encoding="utf-8", errors="replace")


def test_a_tryout_when_every_slot_is_taken_is_refused_at_once(api_checker):
    from query_service.slots import EXTENSION as SLOTS
    app = make_app(api_checker, EVALUATION_SLOTS=1, SECRET_KEY="stall-secret")
    try:
        pages = FlaskClient(app, app.response_class)
        form = {"facts": "- clb_worker: [ann]\n", "mode": "scenario", "actor": "ann", "recipient": "tine",
                "item": "i_home_situation", "at": DAY}
        slots = app.extensions[SLOTS]
        assert slots.acquire(blocking=False)  # another try-out is evaluating
        try:
            started = time.monotonic()
            response = pages.post("/try?lang=en", data=form, headers=QUERY)
            assert response.status_code == 503 and response.headers["Retry-After"] == "1"
            assert "Other try-outs are being evaluated" in response.get_data(as_text=True)
            assert time.monotonic() - started < 0.5
            what_if = app.test_client().post("/v1/decisions", headers=QUERY, json={
                "actor": "ann", "recipient": "tine", "item": "i_home_situation", "at": DAY,
                "hypothetical": [{"consent": ["lena", "i_home_situation", "tine", "2026-10-01"]}]})
            assert what_if.status_code == 201  # a what-if needs no slot
        finally:
            slots.release()
        assert pages.post("/try?lang=en", data=form, headers=QUERY).status_code in (200, 422)
    finally:
        app.extensions[EXTENSION].close()
