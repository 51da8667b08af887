"""The listener in one process: two Deelwijzer states on one PostgreSQL database stand for two
replicas. A change made through one reaches the other's engine without any request to it — by
notification, by the periodic check when a notification is lost, and by the check on reconnect.

The engine's version is read from `facts_version()`, which never asks the store itself, so only
the listener can move it (a decision would catch up on its own: `sync` runs before each).
"""
from __future__ import annotations

import datetime

from kb.facts.model import Fact
from kb.store.db import Database
from kb.store.facts import FactStore
from kb.store.notify import APPLICATION_NAME
from query_service import create_app
from query_service.state import EXTENSION

from .conftest import service_config, wait_until

CONSENT = Fact("consent", ("lena", "i_home_situation", "tine", datetime.date(2026, 10, 1)), datetime.date(2026, 10, 1))
TIMEOUT = 5.0


def replica(url: str, **overrides):
    return create_app(service_config(url, **overrides)).extensions[EXTENSION]


def silent_writer(url: str) -> tuple[Database, FactStore]:
    """A writer whose changes send no notification: the store trigger is off for its session."""
    db = Database(url)
    store = FactStore(db)
    with db.transaction() as cur:  # skips ordinary triggers for this session (needs superuser)
        cur.execute("SET session_replication_role = replica")
    return db, store


def test_a_change_reaches_the_other_replica_by_notification(pg_url):
    a, b = replica(pg_url), replica(pg_url)  # the periodic check is 30 s away: only notifications count
    try:
        version, ids = a.add_facts([CONSENT])
        assert wait_until(lambda: b.facts_version() == str(version), TIMEOUT) is not None
        assert CONSENT in b.workspace.facts
        withdrawn = b.withdraw_fact(ids[0])
        assert wait_until(lambda: a.facts_version() == str(withdrawn), TIMEOUT) is not None
        assert CONSENT not in a.workspace.facts
        assert set(a.workspace.facts) == set(b.workspace.facts) == set(a.store.fact_set())
    finally:
        a.close()
        b.close()


def test_a_lost_notification_is_caught_up_by_the_periodic_check(pg_url):
    db, writer = silent_writer(pg_url)
    b = replica(pg_url, REPLICATION_CHECK_SECONDS=0.3)
    try:
        version, _ = writer.add([CONSENT])
        assert wait_until(lambda: b.facts_version() == str(version), TIMEOUT) is not None
        assert CONSENT in b.workspace.facts
    finally:
        b.close()
        db.close()


def test_a_listener_that_lost_its_connection_catches_up_when_it_reconnects(pg_url):
    db, writer = silent_writer(pg_url)
    b = replica(pg_url)
    try:
        assert wait_until(lambda: b.replication.listener.connects == 1, TIMEOUT) is not None
        version, _ = writer.add([CONSENT])  # missed: no notification, next periodic check in 30 s
        killed = db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = ? AND datname = current_database()", (APPLICATION_NAME,))
        assert killed == [(True,)]
        assert wait_until(lambda: b.facts_version() == str(version), TIMEOUT) is not None
        assert b.replication.listener.connects == 2
    finally:
        b.close()
        db.close()


def test_replication_off_catches_up_only_when_a_decision_is_asked(pg_url):
    a, b = replica(pg_url), replica(pg_url, REPLICATION="off")
    try:
        assert b.replication is None
        version, _ = a.add_facts([CONSENT])
        assert wait_until(lambda: b.facts_version() == str(version), 0.5) is None  # nobody tells b
        b.sync()  # what POST /v1/decisions does first
        assert b.facts_version() == str(version) and CONSENT in b.workspace.facts
    finally:
        a.close()
        b.close()


def test_sqlite_has_no_replication(tmp_path):
    state = replica(f"sqlite:///{tmp_path / 'one.db'}")
    try:
        assert state.replication is None
    finally:
        state.close()


def test_a_store_behind_the_engine_is_loaded_again(pg_url):
    """A restored or reset store (its version below the engine's): the engine takes the store's facts."""
    b = replica(pg_url)
    try:
        b.add_facts([CONSENT])
        with b.db.transaction() as cur:
            cur.execute("DELETE FROM stored_facts WHERE added_in = 2")
            cur.execute("DELETE FROM fact_changes WHERE id = 2")
        b.sync()
        assert b.facts_version() == "1" and CONSENT not in b.workspace.facts
        assert set(b.workspace.facts) == set(b.store.fact_set(1))
    finally:
        b.close()
