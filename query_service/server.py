"""The embedded server: `python -m query_service.server` (what scripts/serve runs).

waitress reads every request whole — request line, headers and body, up to their limits — in its
asynchronous channel before a worker thread is given it, so a client that sends half a request
line, or declares a body it never sends, holds a socket and no thread; `/v1/health` and decisions
keep answering. Idle half-sent requests are closed after `channel_timeout`. Its own error answers
(a malformed request line, headers or body past the limit) are problem+json (front_errors.py),
and no log line of its names a request's path or line.

    DEELWIJZER_BIND      host:port (default 127.0.0.1:8000)
    DEELWIJZER_THREADS   worker threads (default 8)
    DEELWIJZER_CONNECTIONS  open connections at most (default 1000; slow clients each hold one)
    DEELWIJZER_IDLE_SECONDS close a connection that sends nothing for this long (default 30)
"""
from __future__ import annotations

import logging
import os
import signal
import sys

from waitress import create_server
from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

from .front_errors import problem_body

HEADER_LIMIT = 16 * 1024  # bytes of request line and headers; past it 431


class ProblemErrorTask(ErrorTask):
    """waitress's answer to a request it could not read, as problem+json."""

    def execute(self):
        status = self.request.error.code
        body = problem_body(status)
        self.status = f"{status} {self.request.error.reason}"
        self.response_headers.extend([("Content-Type", "application/problem+json")])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class ProblemChannel(HTTPChannel):
    error_task_class = ProblemErrorTask


class NoRequestData(logging.Filter):
    """waitress logs the path of a request whose client went away or whose app failed; the path
    may hold names, so the line keeps only what happened."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        for marker in ("while serving", "when servicing"):
            if marker in message:
                record.msg, record.args = message.split(marker)[0] + marker + " a request", ()
        return True


def make_server(app, bind: str | None = None, threads: int | None = None):
    """A waitress server for `app`, not yet running (`.run()` serves until closed)."""
    bind = bind or os.environ.get("DEELWIJZER_BIND", "127.0.0.1:8000")
    logging.getLogger("waitress").addFilter(NoRequestData())
    server = create_server(
        app, listen=bind, threads=threads or int(os.environ.get("DEELWIJZER_THREADS", "8")),
        connection_limit=int(os.environ.get("DEELWIJZER_CONNECTIONS", "1000")),
        channel_timeout=int(os.environ.get("DEELWIJZER_IDLE_SECONDS", "30")), cleanup_interval=5,
        max_request_header_size=HEADER_LIMIT,
        # the app's own limit, so a body is never buffered past what the app would accept
        max_request_body_size=app.config["MAX_CONTENT_LENGTH"],
        ident="deelwijzer", expose_tracebacks=False)
    for dispatcher in [server, *getattr(server, "map", {}).values()]:
        if hasattr(dispatcher, "channel_class"):
            dispatcher.channel_class = ProblemChannel
    return server


def main() -> None:
    from .wsgi import app
    # SIGTERM ends the process through SystemExit, so atexit handlers run (the access log writes
    # the lines still pending: access_log.py); Python's default would end it on the spot.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = make_server(app)
    logging.getLogger("query_service").info("serving on http://%s (waitress)",
                                            os.environ.get("DEELWIJZER_BIND", "127.0.0.1:8000"))
    server.run()


if __name__ == "__main__":
    main()
