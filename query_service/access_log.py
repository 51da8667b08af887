"""One access-log line per request with no personal data: method, route template, status, duration.

Never the query string, the body, the concrete path (it may hold ids) or any header (tokens).

The request thread only puts the line's four fields on a queue. A writer thread of the process
makes the `logging` record of each (formatting, the handlers' locks, the write to stderr), so none
of that is on a request's path. The writer starts with the first line a process logs — a gunicorn
worker forked from a preloaded master starts its own, as threads do not cross a fork — and what is
queued when the process exits is written first (atexit). `flush()` waits for the lines so far.
"""
from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time

from flask import Flask, g, request

log = logging.getLogger("query_service.access")
LINE = "%s %s %d %.1fms"


class _Writer:
    """The process's access-log writer thread and its queue (both started on first use)."""

    def __init__(self) -> None:
        self._forked()

    def _forked(self) -> None:
        # A lock held by another thread at fork time would stay held in the child: start afresh.
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()

    def put(self, line: tuple) -> None:
        if self._pid != os.getpid():
            self._start()
        self._queue.put(line)

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            threading.Thread(target=self._run, args=(self._queue,), name="access-log", daemon=True).start()
            self._pid = os.getpid()

    @staticmethod
    def _run(lines: queue.SimpleQueue) -> None:
        while True:
            line = lines.get()
            if line is None:
                return
            if isinstance(line, threading.Event):
                line.set()
                continue
            log.info(LINE, *line)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until the lines queued so far are written; False when that took past `timeout`."""
        if self._pid != os.getpid():
            return True
        written = threading.Event()
        self._queue.put(written)
        return written.wait(timeout)

    def stop(self) -> None:
        if self.flush():
            self._queue.put(None)


_writer = _Writer()
os.register_at_fork(after_in_child=_writer._forked)
atexit.register(_writer.stop)


def flush(timeout: float = 5.0) -> bool:
    """Wait until every access-log line queued by this process so far is written (for tests and
    orderly shutdowns); False when that took longer than `timeout` seconds."""
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
