"""One access-log line per request with no personal data: method, route template, status, duration.

Never the query string, the body, the concrete path (it may hold ids) or any header (tokens).

The request thread only appends the line's four fields to a deque. A writer thread of the process
empties it every WRITE_INTERVAL seconds and makes the `logging` record of each line
(formatting, the handlers' locks, the write to stderr), so none of that is on a request's path and
the writer wakes a few times a second rather than once per request (a wake-up per line cost more,
in GIL hand-overs, than the line itself). The writer starts with the first line a process logs — a
gunicorn worker forked from a preloaded master starts its own, as threads do not cross a fork —
and what is pending when the process exits is written first (atexit). `flush()` has it written now.
"""
from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import deque

from flask import Flask, g, request

log = logging.getLogger("query_service.access")
LINE = "%s %s %d %.1fms"
WRITE_INTERVAL = 0.2  # seconds a line may wait before it is written


class _Writer:
    """The process's pending access-log lines and the thread that writes them (started on first use)."""

    def __init__(self) -> None:
        self._forked()

    def _forked(self) -> None:
        # A lock held by another thread at fork time would stay held in the child: start afresh.
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._pending: deque = deque()
        self._wake = threading.Event()

    def put(self, line: tuple) -> None:
        if self._pid != os.getpid():
            self._start()
        self._pending.append(line)  # deque.append and popleft are thread-safe

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            threading.Thread(target=self._run, name="access-log", daemon=True).start()
            self._pid = os.getpid()

    def _run(self) -> None:
        while True:
            self._wake.wait(WRITE_INTERVAL)
            self._wake.clear()
            self._write()

    def _write(self) -> None:
        pending = self._pending
        while pending:
            line = pending.popleft()
            if isinstance(line, threading.Event):
                line.set()  # a flush waiting for the lines before it
            else:
                log.info(LINE, *line)

    def flush(self, timeout: float) -> bool:
        if self._pid != os.getpid():
            return True
        written = threading.Event()
        self._pending.append(written)
        self._wake.set()
        return written.wait(timeout)


_writer = _Writer()
os.register_at_fork(after_in_child=_writer._forked)
atexit.register(_writer.flush, 5.0)


def flush(timeout: float = 5.0) -> bool:
    """Wait until the writer has written every access-log line this process logged so far (for
    tests and orderly shutdowns); False when that took longer than `timeout` seconds."""
    return _writer.flush(timeout)


def init_app(app: Flask) -> None:
    """Log a line for every request `app` answers."""
    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _log(response):
        if log.isEnabledFor(logging.INFO):
            started = g.get("started")
            duration = (time.perf_counter() - started) * 1000 if started is not None else 0.0
            route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
            _writer.put((request.method, route, response.status_code, duration))
        return response
