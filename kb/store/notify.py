"""PostgreSQL notifications between processes that share one store: "the facts (or rules) changed".

A trigger on `fact_changes` sends `NOTIFY deelwijzer_facts, '<version>'` inside the transaction that
stores a change. PostgreSQL delivers a notification only when its transaction commits, to every
session listening at that moment, in commit order — so a notification never announces a change
that was rolled back, and any writer of the store (not only the service) announces its changes.

A `Listener` is one thread with its own connection. Notifications sent while it is not connected
are lost, so after every (re)connect — once LISTEN is in place, so nothing falls in between — and
every `check_every` seconds it calls `on_check`, which compares versions and catches up.

SQLite has no notifications; with SQLite none of this is used (one process owns the store).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from .db import Database

FACTS_CHANNEL = "deelwijzer_facts"
RULES_CHANNEL = "deelwijzer_rules"
APPLICATION_NAME = "deelwijzer-listener"  # how the listener's session shows in pg_stat_activity
POLL_SECONDS = 0.5  # the longest a listener waits before it looks at its stop flag and its timer
RETRY_SECONDS = (0.2, 10.0)  # reconnect delay: first, and the most it doubles up to
_INSTALL_LOCK = 0x6465656C  # advisory lock key: replicas starting together install one at a time

_TRIGGER_FUNCTION = f"""
CREATE OR REPLACE FUNCTION deelwijzer_announce_fact_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{FACTS_CHANNEL}', NEW.id::text);
    RETURN NULL;
END
$$"""

log = logging.getLogger(__name__)


def install(db: Database) -> None:
    """Create the trigger that announces every committed fact change (idempotent).

    Needs the `fact_changes` table, i.e. a FactStore opened on `db` first."""
    if db.dialect != "postgresql":
        raise ValueError("notifications need PostgreSQL")
    with db.transaction() as cur:
        # Two replicas replacing the function at once would fail with "tuple concurrently updated".
        cur.execute("SELECT pg_advisory_xact_lock(?)", (_INSTALL_LOCK,))
        cur.execute(_TRIGGER_FUNCTION)
        exists = cur.execute("SELECT 1 FROM pg_trigger WHERE tgname = 'deelwijzer_announce_fact_change' "
                             "AND tgrelid = 'fact_changes'::regclass").fetchone()
        if not exists:
            cur.execute("CREATE TRIGGER deelwijzer_announce_fact_change AFTER INSERT ON fact_changes "
                        "FOR EACH ROW EXECUTE FUNCTION deelwijzer_announce_fact_change()")


def announce(db: Database, channel: str, payload: str) -> None:
    """Send one notification (delivered when this short transaction commits)."""
    with db.transaction() as cur:
        cur.execute("SELECT pg_notify(?, ?)", (channel, payload))


class Listener:
    """A daemon thread that LISTENs on the handlers' channels and calls each with the payload.

    Handlers and `on_check` run in the listener thread, one at a time; an exception in one is
    logged and the listener goes on (the next check repairs what a failed handler missed)."""

    def __init__(self, url: str, handlers: dict[str, Callable[[str], None]], on_check: Callable[[], None],
                 check_every: float):
        self.url = url
        self.handlers = dict(handlers)
        self.on_check = on_check
        self.check_every = check_every
        self.connects = 0  # sessions that were listening and caught up: a reconnect shows as one more
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=APPLICATION_NAME, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to end and wait for it (at most about POLL_SECONDS plus a running handler)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        import psycopg
        from psycopg import sql

        delay = RETRY_SECONDS[0]
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, application_name=APPLICATION_NAME) as conn:
                    for channel in self.handlers:
                        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                    delay = RETRY_SECONDS[0]
                    self._call(self.on_check)  # whatever changed while nobody was listening
                    self.connects += 1
                    self._listen(conn)
            except psycopg.Error as err:
                log.warning("listener lost its database connection (%s); reconnecting in %.1fs", err, delay)
            self._stop.wait(delay)
            delay = min(delay * 2, RETRY_SECONDS[1])

    def _listen(self, conn) -> None:
        next_check = time.monotonic() + self.check_every
        while not self._stop.is_set():
            for note in conn.notifies(timeout=POLL_SECONDS):
                self._call(self.handlers[note.channel], note.payload)
                if self._stop.is_set():
                    return
            if time.monotonic() >= next_check:
                self._call(self.on_check)
                next_check = time.monotonic() + self.check_every

    @staticmethod
    def _call(handler: Callable, *args) -> None:
        try:
            handler(*args)
        except Exception:  # noqa: BLE001 - one failed catch-up must not end the listener
            log.exception("replication handler %s failed", getattr(handler, "__name__", handler))
