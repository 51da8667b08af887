"""Many connections cannot crash or lock out the embedded server (query_service/server.py).

The outside probe's F1: about 1,000 idle TCP connections crashed the process `scripts/serve` runs
(waitress's select() loop: "filedescriptor out of range in select()"), and at exactly 1,000 every
other client was locked out. Now: a poll() loop, and at the connection limit the idlest connection
makes room; only when every connection is answering a request is a new one refused with a 503
problem."""
from __future__ import annotations

import json
import resource
import socket
import threading
import time

import pytest
from waitress import wasyncore

from query_service.server import make_server

from .conftest import SEED, TOKENS
from .live import free_port, request, waitress_server

IDLE = 2000


def _room_for(sockets: int) -> None:
    """This test process needs a file per socket it opens."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = sockets + 256
    if soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.skip(f"the open-file limit ({hard}) is below the {wanted} this test needs")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def test_two_thousand_idle_connections_neither_crash_the_server_nor_lock_out_health(tmp_path):
    _room_for(IDLE)
    env = {"DEELWIJZER_DATABASE_URL": f"sqlite:///{tmp_path / 'idle.db'}", "DEELWIJZER_SEED_FACTS": str(SEED),
           "DEELWIJZER_TOKENS": json.dumps(TOKENS)}
    log_path = tmp_path / "waitress.log"
    with waitress_server(env, log_path) as address:
        idle = []
        try:
            for _ in range(IDLE):
                idle.append(socket.create_connection(address, timeout=10))
            timings = []
            for _ in range(10):
                started = time.monotonic()
                status, _, body = request(address, "GET", "/v1/health", timeout=10)
                timings.append((status, time.monotonic() - started))
            closed = sum(_closed_by_server(sock) for sock in idle)
        finally:
            for sock in idle:
                sock.close()
        after, _, _ = request(address, "GET", "/v1/health", timeout=10)
    assert [status for status, _ in timings] == [200] * 10 and after == 200
    assert max(elapsed for _, elapsed in timings) < 1.0, timings
    assert closed >= IDLE - 1000  # the idlest made room for the newer ones (limit 1,000)
    assert "out of range" not in log_path.read_text(encoding="utf-8", errors="replace")


def _closed_by_server(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


class _Held:
    """A WSGI app whose answers wait until released: connections that are answering a request."""

    def __init__(self) -> None:
        self.release, self.started = threading.Event(), threading.Semaphore(0)
        self.config = {"MAX_CONTENT_LENGTH": 1024}

    def __call__(self, environ, start_response):
        self.started.release()
        self.release.wait(30)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"done"]


@pytest.fixture()
def held_server():
    app = _Held()
    server = make_server(app, bind=f"127.0.0.1:{free_port()}", threads=2, connections=2, idle_seconds=30)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield app, (server.effective_host, int(server.effective_port))
    finally:
        app.release.set()
        server.task_dispatcher.shutdown()
        wasyncore.close_all(server._map)
        thread.join(10)


def _send_get(address) -> socket.socket:
    sock = socket.create_connection(address, timeout=10)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    return sock


def _read_all(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_when_every_connection_is_answering_a_new_one_is_refused_with_a_problem(held_server):
    app, address = held_server
    busy = [_send_get(address) for _ in range(2)]
    for _ in busy:
        assert app.started.acquire(timeout=10)  # both connections are answering a request now
    with socket.create_connection(address, timeout=10) as third:
        answer = _read_all(third)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 503 ") and b"Retry-After: 1" in head
    assert b"Content-Type: application/problem+json" in head
    assert json.loads(body)["code"] == "too-many-connections"
    app.release.set()
    assert all(_read_all(sock).endswith(b"done") for sock in busy)


def test_an_idle_connection_makes_room_at_the_limit(held_server):
    app, address = held_server
    app.release.set()
    idle = [socket.create_connection(address, timeout=10) for _ in range(2)]  # accepted in this order
    with _send_get(address) as newest:
        assert _read_all(newest).endswith(b"done")
    assert sum(_closed_by_server(sock) for sock in idle) >= 1
    for sock in idle:
        sock.close()
