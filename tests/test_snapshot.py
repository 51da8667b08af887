"""Model snapshots (kb/engine/snapshot.py): a model loaded from disk decides as a freshly built one,
a damaged, foreign or stale snapshot is refused and the model recomputed, and a snapshot plus the
store's later changes equals a fresh build on the changed facts.

Runs on the bench's school world (bench/data.py, ~10k facts) in a SQLite store per module.
"""
from __future__ import annotations

import datetime
import logging
import sys
from pathlib import Path

import pytest

from kb.decide import Question
from kb.engine.materialized import MaterializedEngine
from kb.engine.snapshot import MAGIC, Key, SnapshotDir, configured_dir
from kb.facts.model import Fact
from kb.store.db import Database
from kb.store.facts import FactStore
from kb.workspace import Workspace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from data import MOMENT, SIZES, questions, world_facts  # noqa: E402

QUESTIONS = 300
SECRET = b"snapshot test key, kept outside the snapshot directory"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """(store URL, questions, the decisions of a workspace built without any snapshot)."""
    facts = world_facts(SIZES["school"])
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'facts.db'}"
    FactStore(Database(url)).add(list(facts), note="school world")
    asked = questions(facts, QUESTIONS)
    fresh = Workspace()
    fresh.load_from_store(FactStore(Database(url)))
    return url, asked, [fresh.decide(q) for q in asked]


def started(url: str, snapshots: Path, secret: bytes = SECRET) -> Workspace:
    """A workspace started on the store at `url`, keeping model snapshots in `snapshots`."""
    ws = Workspace(snapshot_dir=snapshots, snapshot_secret=secret)
    ws.load_from_store(FactStore(Database(url)))
    return ws


def settle(ws: Workspace) -> None:
    ws.decide(Question(*_any_question(ws), MOMENT))  # builds the model if it was not loaded
    ws.engine.snapshots.wait()


def _any_question(ws: Workspace) -> tuple[str, str, str]:
    learned = ws.facts.of("learned")[0]
    return learned.args[0], learned.args[0], learned.args[1]


def snapshot_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("model-*.snapshot"))


def loaded(caplog) -> bool:
    return any("loaded" in r.getMessage() for r in caplog.records if r.name == "kb.snapshot")


def test_a_loaded_model_decides_as_a_fresh_one(world, tmp_path, caplog):
    url, asked, expected = world
    settle(started(url, tmp_path))  # builds the model and writes the snapshot
    assert len(snapshot_files(tmp_path)) == 1
    caplog.set_level(logging.INFO, logger="kb.snapshot")
    ws = started(url, tmp_path)
    assert loaded(caplog)
    got = [ws.decide(q) for q in asked]
    assert [(d.outcome, d.deciding_rules, d.conditions, d.may_disclose, d.facts_version) for d in got] == \
        [(d.outcome, d.deciding_rules, d.conditions, d.may_disclose, d.facts_version) for d in expected]
    assert len({d.outcome for d in got}) > 1  # the questions reach more than one outcome
    assert len(ws.facts) == len(world_facts(SIZES["school"]))


def test_a_loaded_model_has_the_same_relations(world, tmp_path):
    url, asked, _ = world
    built = started(url, tmp_path)
    settle(built)
    ws = started(url, tmp_path)
    ours, theirs = ws.engine.model(MOMENT), built.engine.model(MOMENT)
    assert ours is not theirs
    assert {n: r.rows for n, r in ours.relations.items()} == {n: r.rows for n, r in theirs.relations.items()}
    assert sorted(ws.facts) == sorted(built.facts)


@pytest.mark.parametrize("damage", ["flip a body byte", "truncate", "flip a header byte", "not a snapshot"])
def test_a_damaged_snapshot_is_refused_and_the_model_recomputed(world, tmp_path, caplog, damage):
    url, asked, expected = world
    settle(started(url, tmp_path))
    [path] = snapshot_files(tmp_path)
    data = bytearray(path.read_bytes())
    if damage == "flip a body byte":
        data[len(data) * 2 // 3] ^= 0x01
    elif damage == "truncate":
        del data[len(data) - 100:]
    elif damage == "flip a header byte":
        data[len(MAGIC) + 20] ^= 0x01
    else:
        data = bytearray(b"\x00" * 64 + data[64:])
    path.write_bytes(bytes(data))
    caplog.set_level(logging.INFO, logger="kb.snapshot")
    ws = started(url, tmp_path)
    assert not loaded(caplog)
    assert any("refused" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    assert [ws.decide(q) for q in asked[:50]] == expected[:50]
    ws.engine.snapshots.wait()  # the recomputed model is written again, whole
    caplog.clear()
    started(url, tmp_path)
    assert loaded(caplog)


def test_a_snapshot_of_other_rules_or_facts_is_not_used(world, tmp_path, caplog):
    url, asked, _ = world
    ws = started(url, tmp_path)
    settle(ws)
    snapshots = ws.engine.snapshots
    key = snapshots.key(ws.kb.version, ws.facts.version)
    program = ws.engine.model(MOMENT).program
    assert snapshots.read(program, key) is not None
    caplog.set_level(logging.INFO, logger="kb.snapshot")
    data = snapshots.file(key).read_bytes()
    # The same file put where a snapshot of other rules, another fact version, another store would be.
    for other in (Key("0" * 16, key.facts, key.identity), Key(key.rules, "7", key.identity),
                  Key(key.rules, key.facts, "another store's chain")):
        snapshots.file(other).write_bytes(data)
        assert snapshots.read(program, other) is None
        assert "stale or foreign" in caplog.records[-1].getMessage()


def test_a_snapshot_of_another_store_with_the_same_version_is_not_used(world, tmp_path, caplog):
    url, _, _ = world
    settle(started(url, tmp_path))
    other = f"sqlite:///{tmp_path / 'other.db'}"
    FactStore(Database(other)).add([Fact("pupil", ("p1",)), Fact("learned", ("t1", "i1"))], note="other")
    caplog.set_level(logging.INFO, logger="kb.snapshot")
    ws = started(other, tmp_path)
    assert not loaded(caplog)
    assert len(ws.facts) == 2


def test_snapshot_then_later_changes_equals_a_fresh_build(world, tmp_path, caplog):
    url, asked, _ = world
    copy = tmp_path / "facts.db"
    copy.write_bytes(Path(url[len("sqlite:///"):]).read_bytes())
    url = f"sqlite:///{copy}"
    snapshots = tmp_path / "snapshots"
    settle(started(url, snapshots))
    store = FactStore(Database(url))
    # Change what many questions turn on: withdraw some consents and learned facts, add others.
    current = store.stored()
    gone = [s for s in current if s.fact.predicate in ("consent", "general_consent")][:40] + \
        [s for s in current if s.fact.predicate == "learned"][:20]
    for s in gone:
        store.withdraw(s.id, note="test")
    staff = sorted({s.fact.args[0] for s in current if s.fact.predicate == "school_staff"})[:30]
    heard = [s.fact for s in current if s.fact.predicate == "learned"][100:130]
    new = [Fact("learned", (person, *f.args[1:])) for person, f in zip(staff, heard)]
    store.add(new, note="test")
    caplog.set_level(logging.INFO, logger="kb.snapshot")
    ws = started(url, snapshots)
    assert loaded(caplog)
    assert ws.facts.version == str(store.version())
    fresh = Workspace()
    fresh.replace_facts(store.fact_set())
    assert sorted(ws.facts) == sorted(fresh.facts)
    changed = list(asked) + [Question(f.args[0], f.args[2], f.args[1], MOMENT) for f in new]
    assert [ws.decide(q) for q in changed] == [fresh.decide(q) for q in changed]
    ws.engine.snapshots.wait()  # the caught-up model is kept for the next start, under its version
    assert snapshot_files(snapshots)[-1].name.endswith(f"-{store.version()}.snapshot")
    caplog.clear()
    caplog.set_level(logging.INFO, logger="kb.workspace")
    again = started(url, snapshots)
    assert loaded(caplog) and again.facts.version == str(store.version())
    assert not any("applying" in r.getMessage() for r in caplog.records)
    assert [again.decide(q) for q in changed[:60]] == [fresh.decide(q) for q in changed[:60]]


def test_hypothetical_facts_do_not_leak_into_a_loaded_model_or_its_snapshot(world, tmp_path):
    url, asked, expected = world
    settle(started(url, tmp_path))
    ws = started(url, tmp_path)
    forbidden = [(q, d) for q, d in zip(asked, expected) if d.outcome == "forbidden"][:20]
    assert forbidden
    for q, before in forbidden:
        what_if = Question(q.actor, q.recipient, q.item, q.at, q.setting,
                           hypothetical=(Fact("consent", (q.recipient, q.item, q.actor, q.at)),
                                         Fact("clb_worker", ("nobody-real",))))
        ws.decide(what_if)
        assert ws.decide(q) == before
    assert not ws.facts.find("clb_worker", ("nobody-real",))
    assert not ws.engine.model(MOMENT).relations["clb_worker"].contains(("nobody-real",))
    ws.engine.keep_snapshot()
    ws.engine.snapshots.wait()
    again = started(url, tmp_path)
    assert not again.engine.model(MOMENT).relations["clb_worker"].contains(("nobody-real",))


def test_a_new_moment_after_loading_follows_from_the_loaded_model(world, tmp_path):
    url, asked, _ = world
    settle(started(url, tmp_path))
    ws = started(url, tmp_path)
    later = MOMENT + datetime.timedelta(days=400)
    fresh = Workspace()
    fresh.load_from_store(FactStore(Database(url)))
    moved = [Question(q.actor, q.recipient, q.item, later, q.setting) for q in asked[:80]]
    assert [ws.decide(q) for q in moved] == [fresh.decide(q) for q in moved]


def test_without_a_directory_nothing_is_written(world, tmp_path):
    url, asked, expected = world
    engine = MaterializedEngine()
    assert engine.snapshots is None
    ws = Workspace()
    ws.load_from_store(FactStore(Database(url)))
    assert ws.decide(asked[0]) == expected[0]
    assert not list(tmp_path.iterdir())


def test_only_the_newest_snapshots_are_kept(world, tmp_path):
    url, _, _ = world
    ws = started(url, tmp_path)
    settle(ws)
    model = ws.engine.model(MOMENT)
    snapshots = SnapshotDir(tmp_path, secret=SECRET)
    for version in ("101", "102", "103"):
        snapshots.write(Key(ws.kb.version, version), ws.facts, [model])
    assert [p.name.rsplit("-", 1)[1] for p in snapshot_files(tmp_path)] == ["102.snapshot", "103.snapshot"]
    assert snapshots.newest(ws.kb.version, 102) == 102
    assert snapshots.newest(ws.kb.version, 100) is None


def test_the_service_setting_names_the_directory():
    assert configured_dir("auto", "sqlite:///var/deelwijzer.db") == Path("var/snapshots")
    assert configured_dir("auto", "sqlite:////srv/dw/facts.db") == Path("/srv/dw/snapshots")
    assert configured_dir("auto", "sqlite://") is None
    assert configured_dir("auto", "postgresql://db/deelwijzer") is None
    assert configured_dir("", "sqlite:///var/deelwijzer.db") is None
    assert configured_dir("/data/snap", "postgresql://db/deelwijzer") == Path("/data/snap")


def test_the_service_starts_from_the_snapshot_beside_its_store(tmp_path, caplog):
    from query_service import create_app
    from query_service.state import EXTENSION
    settings = {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'dw.db'}", "DEMO": True,
                "SNAPSHOT_KEY": "kept in the service's environment"}
    first = create_app(settings).extensions[EXTENSION]
    question = Question(*_any_question(first.workspace), MOMENT)
    before = first.workspace.decide(question)
    first.workspace.engine.snapshots.wait()
    first.close()
    assert len(snapshot_files(tmp_path / "snapshots")) == 1
    caplog.set_level(logging.INFO, logger="kb.snapshot")
    second = create_app(settings).extensions[EXTENSION]
    try:
        assert loaded(caplog)
        assert second.workspace.decide(question) == before
    finally:
        second.close()
    off = create_app(dict(settings, DATABASE_URL=f"sqlite:///{tmp_path / 'off' / 'dw.db'}", SNAPSHOT_DIR=""))
    off.extensions[EXTENSION].workspace.decide(question)
    off.extensions[EXTENSION].close()
    assert not (tmp_path / "off" / "snapshots").exists()


def test_a_model_built_after_a_change_is_written_under_the_changed_version(world, tmp_path):
    url, asked, _ = world
    copy = tmp_path / "facts.db"
    copy.write_bytes(Path(url[len("sqlite:///"):]).read_bytes())
    store = FactStore(Database(f"sqlite:///{copy}"))
    ws = started(f"sqlite:///{copy}", tmp_path / "snapshots")  # no snapshot yet: no model either
    gone = next(s for s in store.stored() if s.fact.predicate == "learned")
    version = store.withdraw(gone.id, note="test")
    ws.change_facts([], [gone.fact], str(version))  # as the service applies a change
    settle(ws)
    [path] = snapshot_files(tmp_path / "snapshots")
    assert path.name.endswith(f"-{version}.snapshot")
    again = started(f"sqlite:///{copy}", tmp_path / "snapshots")
    assert gone.fact not in again.facts and len(again.facts) == len(ws.facts)
