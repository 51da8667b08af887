"""Replicas of the service on one PostgreSQL store keep their engines in step (docs/scale-out.md).

Each process (a replica, or a gunicorn worker) runs one `kb.store.notify.Listener`:

* `deelwijzer_facts, '<version>'` — sent by the store's trigger when a fact change commits. If the
  version is newer than the engine's, `Deelwijzer.sync` loads the facts added and withdrawn since
  the engine's version and applies them incrementally.
* `deelwijzer_rules, '<kb version>'` — sent by a replica after POST /v1/admin/reload succeeded.
  The others reload their rules from their own KB_DIR (they should hold the same files).
* On (re)connect and every REPLICATION_CHECK_SECONDS: `sync`, for notifications that were lost.

The request path keeps its own check (`sync` before each decision), so a decision asked after a
change was acknowledged is decided on it whatever happened to the notification; the listener makes
sure the engine is already there, and that views which do not check (health) are current too.
"""
from __future__ import annotations

import logging

from kb.store import notify

log = logging.getLogger("query_service.replication")


class Replication:
    """The listener of one process, wired to its `Deelwijzer` state."""

    def __init__(self, state, check_every: float):
        self.state = state
        self.listener = notify.Listener(
            state.db.url, {notify.FACTS_CHANNEL: self.facts_changed, notify.RULES_CHANNEL: self.rules_reloaded},
            on_check=state.sync, check_every=check_every)

    def facts_changed(self, payload: str) -> None:
        """A fact change committed somewhere; catch up unless this engine already has it."""
        if int(payload) > int(self.state.facts_version()):
            self.state.sync()

    def rules_reloaded(self, payload: str) -> None:
        """Another replica reloaded its rules; reload ours (without announcing it again)."""
        if payload == self.state.workspace.kb.version:
            return  # our own announcement, or the same files already loaded
        _, new = self.state.reload_rules(announce=False)
        if new.version != payload:
            log.warning("rules reloaded as announced, but this replica's files give version %s, not %s",
                        new.version, payload)

    def announce_rules(self, kb_version: str) -> None:
        """Tell every replica to reload its rules."""
        notify.announce(self.state.db, notify.RULES_CHANNEL, kb_version)

    def stop(self) -> None:
        self.listener.stop()


def start(state, config: dict) -> Replication | None:
    """Start replication for `state` when its store is PostgreSQL and REPLICATION is not `off`."""
    if config["REPLICATION"] == "off" or state.db.dialect != "postgresql":
        return None
    notify.install(state.db)
    replication = Replication(state, config["REPLICATION_CHECK_SECONDS"])
    replication.listener.start()
    return replication
