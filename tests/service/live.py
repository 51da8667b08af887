"""Serving the app over real sockets for the concurrency tests: werkzeug's threaded server in a
thread, or gunicorn (gthread workers) or waitress (the embedded default) in a subprocess. Clients use http.client over loopback."""
from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

ROOT = Path(__file__).resolve().parents[2]


class QuietHandler(WSGIRequestHandler):
    """No request lines in the log: they would carry query strings, which hold names."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@contextmanager
def threaded_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield ("127.0.0.1", server.server_port)
    finally:
        server.shutdown()
        thread.join(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn_server(env: dict, log_path: Path, workers: int = 1, threads: int = 8):
    """gunicorn with the project's config, on a free loopback port; stopped (SIGTERM) on exit."""
    command = [sys.executable, "-m", "gunicorn", "-c", "python:query_service.gunicorn_conf", "query_service.wsgi:app"]
    with served(command, {**env, "DEELWIJZER_WORKERS": str(workers), "DEELWIJZER_THREADS": str(threads)},
                log_path) as address:
        yield address


@contextmanager
def waitress_server(env: dict, log_path: Path, threads: int = 8):
    """The embedded server as scripts/serve starts it (query_service/server.py)."""
    with served([sys.executable, "-m", "query_service.server"], {**env, "DEELWIJZER_THREADS": str(threads)},
                log_path) as address:
        yield address


class Served(tuple):
    """A served address, (host, port), that also knows the server's process (`.process`)."""

    process: subprocess.Popen


@contextmanager
def served(command: list[str], env: dict, log_path: Path):
    """A server process on a free loopback port, once /v1/health answers; stopped (SIGTERM) on exit.
    Yields its address, a `Served` whose `.process` is the process."""
    port = free_port()
    full_env = {**os.environ, **env, "DEELWIJZER_BIND": f"127.0.0.1:{port}"}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    status, _, _ = request(("127.0.0.1", port), "GET", "/v1/health", timeout=2)
                    if status == 200:
                        break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{command[2]} did not start: see {log_path}")
                time.sleep(0.2)
            address = Served(("127.0.0.1", port))
            address.process = process
            yield address
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def request(address, method: str, path: str, body=None, headers: dict | None = None, timeout: float = 120):
    """One request on a fresh connection: (status, headers as a list of pairs, body bytes)."""
    conn = http.client.HTTPConnection(*address, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        sent = {"Content-Type": "application/json"} if data is not None else {}
        conn.request(method, path, body=data, headers={**sent, **(headers or {})})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()
