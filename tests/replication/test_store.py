"""The store underneath replication: exact change sets between versions, versions that commit in
order across writers, and a notification for every committed change and none for a rolled-back one."""
from __future__ import annotations

import datetime
import threading
import time

import pytest

from kb.facts.model import Fact
from kb.store import notify
from kb.store.db import Database
from kb.store.facts import FactStore


def fact(name: str, predicate: str = "clb_worker") -> Fact:
    return Fact(predicate, (name,))


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    db = Database(url)
    yield FactStore(db)
    db.close()


def test_changes_turn_any_version_into_any_later_one(store):
    v1, (a, b) = store.add([fact("a"), fact("b")])
    v2, (c,) = store.add([fact("c")])
    v3 = store.withdraw(a)
    v4, (d,) = store.add([fact("d")])
    v5 = store.withdraw(d)  # added and withdrawn after v3: in neither list from v3 on
    v6 = store.withdraw(c)
    versions = [0, v1, v2, v3, v4, v5, v6]
    for i, since in enumerate(versions):
        for until in versions[i:]:
            added, withdrawn = store.changes(since, until)
            before = {s.id for s in store.stored(since)}
            after = {s.id for s in store.stored(until)}
            assert {s.id for s in added} == after - before, (since, until)
            assert {s.id for s in withdrawn} == before - after, (since, until)
    added, withdrawn = store.changes(v3, v6)
    assert added == [] and [s.id for s in withdrawn] == [c]
    assert [s.fact for s in store.changes(0, v1)[0]] == [fact("a"), fact("b")]
    assert store.changes(0, v1)[0][0].fact.origin == f"store:{a}"


def test_versions_commit_in_order_across_writers(pg_url):
    """A slow writer holds its version; a second writer waits for it instead of committing a later
    version first — so the fact base as of any committed version never gains facts afterwards.

    Two Database objects, as in two replicas: one Database already serialises its own writers."""
    first_db, second_db = Database(pg_url), Database(pg_url)
    first, second = FactStore(first_db), FactStore(second_db)
    with first_db.transaction() as cur:  # the first writer takes a second over its stored facts
        cur.execute("CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN PERFORM pg_sleep(1); RETURN NEW; END $$")
        cur.execute("CREATE TRIGGER slow_insert BEFORE INSERT ON stored_facts FOR EACH ROW "
                    "WHEN (NEW.predicate = 'slow') EXECUTE FUNCTION slow_insert()")
    seen_by_second: list = []
    slow = threading.Thread(target=first.add, args=([fact("x", "slow")],))
    slow.start()
    time.sleep(0.3)  # the slow writer has its version and sleeps inside its transaction

    def add_and_read() -> None:
        version, _ = second.add([fact("y", "fast")])
        seen_by_second.extend(s.fact.predicate for s in second.stored(version))
    fast = threading.Thread(target=add_and_read)
    fast.start()
    slow.join(10)
    fast.join(10)
    first_db.close()
    second_db.close()
    assert sorted(seen_by_second) == ["fast", "slow"], "a later version committed before an earlier one"


def test_a_notification_for_each_committed_change_only(pg_url):
    import psycopg
    db = Database(pg_url)
    store = FactStore(db)
    notify.install(db)
    notify.install(db)  # a second replica starting: still one trigger
    assert db.query("SELECT COUNT(*) FROM pg_trigger WHERE tgrelid = 'fact_changes'::regclass "
                    "AND NOT tgisinternal")[0][0] == 1
    with psycopg.connect(pg_url, autocommit=True) as listener:
        listener.execute(f"LISTEN {notify.FACTS_CHANNEL}")
        with pytest.raises(RuntimeError):
            with db.transaction() as cur:
                cur.insert("INSERT INTO fact_changes (changed_at, kind, note) VALUES (?, ?, ?)",
                           (datetime.datetime.now().isoformat(), "add", "rolled back"))
                raise RuntimeError("the change fails before it commits")
        version, _ = store.add([fact("a")])
        withdrawn = store.withdraw(_[0])
        received = [(n.channel, n.payload) for n in listener.notifies(timeout=2, stop_after=2)]
        received += [(n.channel, n.payload) for n in listener.notifies(timeout=0.3)]  # nothing more
    db.close()
    assert received == [(notify.FACTS_CHANNEL, str(version)), (notify.FACTS_CHANNEL, str(withdrawn))]
