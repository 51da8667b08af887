"""The embedded server: `python -m query_service.server` (what scripts/serve runs).

waitress reads every request whole — request line, headers and body, up to their limits — in its
asynchronous channel before a worker thread is given it, so a client that sends half a request
line, or declares a body it never sends, holds a socket and no thread; `/v1/health` and decisions
keep answering. Its own error answers (a malformed request line, headers or body past the limit)
are problem+json (front_errors.py), and no log line of its names a request's path or line.

Many connections cannot stop it either. Its event loop uses poll(), not select(), which fails on
any socket numbered 1,024 or higher ("filedescriptor out of range in select()") and ended the
process. waitress's own connection limit stops *accepting* when reached, so idle connections held
open by one client lock every other client out until they time out; here the server keeps
accepting and, at the limit, closes the connection that has been idle longest (one with no request
being answered) to make room — an idle connection costs its holder nothing, so the newest client
is served. Only when every connection is answering a request is a new one refused, at once, with
a `503 too-many-connections` problem. Connections idle for `DEELWIJZER_IDLE_SECONDS` are closed
anyway. The process's open-file limit is raised to fit the connection limit (or the limit lowered
to fit it, with a log line). A crash is for the supervisor to restart (deploy/).

    DEELWIJZER_BIND      host:port (default 127.0.0.1:8000)
    DEELWIJZER_THREADS   worker threads (default 8)
    DEELWIJZER_CONNECTIONS  open connections at most (default 1000; the idlest makes room for a new one)
    DEELWIJZER_IDLE_SECONDS close a connection that sends nothing for this long (default 30)
"""
from __future__ import annotations

import logging
import os
import resource
import signal
import socket
import sys
import time

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher

from .front_errors import REASONS, problem_body, problem_headers

HEADER_LIMIT = 16 * 1024  # bytes of request line and headers; past it 431
RESERVED_FILES = 64  # open files the process needs besides connections (store, logs, snapshots, modules)
ACCEPTS_PER_WAKE = 64
log = logging.getLogger("query_service")


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


class GuardedServer(TcpWSGIServer):
    """waitress's TCP server whose connection limit makes room instead of locking clients out
    (module docstring)."""

    channel_class = ProblemChannel
    next_channel_cleanup: float = 0  # waitress's, declared for the type checker

    def readable(self) -> bool:
        # As waitress's, but always accepting: waitress stops at the limit until connections close.
        now = time.time()
        if now >= self.next_channel_cleanup:
            self.next_channel_cleanup = now + self.adj.cleanup_interval
            self.maintenance(now)
        return bool(self.accepting)

    def handle_accept(self) -> None:
        # Up to ACCEPTS_PER_WAKE at a time: each turn of the loop polls every connection, so
        # taking one per turn would cost a burst of N connections N² work.
        for _ in range(ACCEPTS_PER_WAKE):
            try:
                accepted = self.accept()
                if accepted is None:
                    return  # no one else waiting
                conn, addr = accepted
                self.set_socket_options(conn)
            except OSError:
                return  # as waitress: a client gone before it was accepted ends this turn only
            if len(self.active_channels) >= self.adj.connection_limit and not self._make_room():
                refuse(conn)
                continue
            self.channel_class(self, conn, self.fix_addr(addr), self.adj, map=self._map)

    def _make_room(self) -> bool:
        """Close the connections idle longest: no request being answered on them, and nothing sent
        that is still to be read (a few at a time, so that a burst of new clients does not scan
        every connection for each). False when none could be closed."""
        idle = [c for c in self.active_channels.values() if not c.requests and not c.total_outbufs_len]
        room = max(1, self.adj.connection_limit // 20)
        closed = 0
        for channel in sorted(idle, key=lambda c: c.last_activity):
            if closed == room:
                break
            if not _unread(channel.socket):
                channel.handle_close()
                closed += 1
        return closed > 0


def _unread(sock) -> bool:
    """Whether a client has sent bytes not read yet (its request is on its way in)."""
    try:
        return bool(sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
    except OSError:  # nothing waiting (BlockingIOError), or the connection is broken: closable
        return False


REFUSAL_STATUS = 503


def refuse(conn) -> None:
    """Answer a connection over the limit with a 503 problem and close it, without waiting on it."""
    body = problem_body(REFUSAL_STATUS)
    head = "".join(f"{name}: {value}\r\n" for name, value in [*problem_headers(body), ("Retry-After", "1")])
    try:
        conn.setblocking(False)
        conn.send(f"HTTP/1.1 {REFUSAL_STATUS} {REASONS[REFUSAL_STATUS]}\r\n{head}\r\n".encode("latin-1") + body)
    except OSError:
        pass
    finally:
        conn.close()


class NoRequestData(logging.Filter):
    """waitress logs the path of a request whose client went away or whose app failed; the path
    may hold names, so the line keeps only what happened."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        for marker in ("while serving", "when servicing"):
            if marker in message:
                record.msg, record.args = message.split(marker)[0] + marker + " a request", ()
        return True


def make_server(app, bind: str | None = None, threads: int | None = None, connections: int | None = None,
                idle_seconds: int | None = None):
    """A waitress server for `app`, not yet running (`.run()` serves until closed); the arguments
    default to their DEELWIJZER_* variables."""
    bind = bind or os.environ.get("DEELWIJZER_BIND", "127.0.0.1:8000")
    threads = threads or int(os.environ.get("DEELWIJZER_THREADS", "8"))
    logging.getLogger("waitress").addFilter(NoRequestData())
    adj = Adjustments(
        listen=bind, threads=threads, asyncore_use_poll=True,
        connection_limit=open_file_room(connections or int(os.environ.get("DEELWIJZER_CONNECTIONS", "1000"))),
        channel_timeout=idle_seconds or int(os.environ.get("DEELWIJZER_IDLE_SECONDS", "30")), cleanup_interval=5,
        max_request_header_size=HEADER_LIMIT,
        # the app's own limit, so a body is never buffered past what the app would accept
        max_request_body_size=app.config["MAX_CONTENT_LENGTH"],
        ident="deelwijzer", expose_tracebacks=False,
        # The app decides which proxy's X-Forwarded-* headers to believe (TRUSTED_PROXIES,
        # transport.py) and removes everyone else's; waitress would remove them all.
        clear_untrusted_proxy_headers=False)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    sockets: dict = {}
    servers = [GuardedServer(app, sockets, dispatcher=dispatcher, adj=adj, sockinfo=info) for info in adj.listen]
    if len(servers) == 1:
        return servers[0]
    return MultiSocketServer(sockets, adj, [(s.effective_host, s.effective_port) for s in servers], dispatcher)


def open_file_room(connections: int) -> int:
    """The connection limit the process's open-file limit allows: the soft limit is raised toward
    the hard one to fit `connections`; if that is not enough, the limit is lowered (and logged)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = connections + RESERVED_FILES
    if soft != resource.RLIM_INFINITY and soft < needed:
        raised = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError):
            pass
    if soft != resource.RLIM_INFINITY and soft < needed:
        log.warning("open-file limit %d fits %d connections, not %d: serving with the smaller limit", soft,
                    soft - RESERVED_FILES, connections)
        return max(soft - RESERVED_FILES, 1)
    return connections


def main() -> None:
    from .wsgi import app
    # SIGTERM ends the process through SystemExit, so atexit handlers run (the access log writes
    # the lines still pending: access_log.py); Python's default would end it on the spot.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server = make_server(app)
    except OSError as err:  # the address is taken or not this machine's: say so, without a traceback
        sys.exit(f"error: cannot listen on {os.environ.get('DEELWIJZER_BIND', '127.0.0.1:8000')}: {err.strerror}")
    logging.getLogger("query_service").info("serving on http://%s (waitress)",
                                            os.environ.get("DEELWIJZER_BIND", "127.0.0.1:8000"))
    server.run()


if __name__ == "__main__":
    main()
