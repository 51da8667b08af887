"""Snapshots of a materialised model on disk, so that a start-up loads instead of recomputing.

A snapshot holds, for one rules version and one fact-base version, the fact base as columns per
predicate and the question-independent relations of one moment's model. It is written after a
model is built (atomically: a temporary file, then a rename) and read at the next start when both
versions match — or, when the store has moved on since, read and then brought up to date through
the engine's incremental path.

Nothing is trusted blindly. The file starts with a header line naming the format, the rules
version, the fact version and the fact base's identity (the store's chain hash at that version, so
a snapshot of another store with the same version numbers is not taken), and an HMAC-SHA-256 over
those and the body under the snapshot key. The key lives neither in the snapshot directory nor in
the database (the service's SNAPSHOT_KEY, or one derived from its SECRET_KEY): whoever can write
the directory, and even read the database, cannot forge a snapshot whose MAC checks — a plain
digest they could simply recompute. A snapshot that is truncated, corrupt, foreign, stale or
forged is refused with a log line, nothing of it is used, and the model is recomputed from the
store (so the file is replaced by one of the recomputed model, never rewritten from what it held).
The body is `marshal` of plain lists, tuples, ints and strings (dates as ordinals), decoded only
once its MAC checks: loading it builds data and can run no code (no pickle).
"""
from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging
import marshal
import os
import re
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from ..facts.model import Columns, FactSet, gc_paused
from .bottom_up import MomentModel
from .program import Program
from .relations import Relation

log = logging.getLogger("kb.snapshot")

FORMAT = 2  # raise when the layout or the engine's meaning of a model changes (2: keyed MAC)
MAGIC = b"DEELWIJZER-MODEL-SNAPSHOT\n"
KEEP = 2  # snapshots kept per directory (the newest): the current one and the one before
SUFFIX = ".snapshot"
_MARSHAL_VERSION = 4  # shares repeated objects (strings, rows) in the file and after loading


class SnapshotRejected(ValueError):
    """A snapshot file that cannot be used; the message says why (for the log)."""


@dataclass(frozen=True)
class Key:
    """What a snapshot must match to be used: rules version, fact version, fact-base identity."""

    rules: str
    facts: str
    identity: str = ""

    def header(self) -> dict:
        return {"format": FORMAT, "rules": self.rules, "facts": self.facts, "identity": self.identity}


@dataclass
class Snapshot:
    """What a snapshot gives back: the fact base and the models, per moment."""

    key: Key
    facts: FactSet
    models: dict[datetime.date, MomentModel]


@runtime_checkable
class KeepsSnapshots(Protocol):
    """An engine that can start from a snapshot and write one (the materialised engine)."""

    snapshots: SnapshotDir | None

    def restore(self, kb, fact_version: str) -> FactSet | None:
        """Take rules, facts and models from the snapshot of (kb's version, fact_version), if usable."""

    def keep_snapshot(self) -> None:
        """Write the current facts and model to `snapshots`."""

    def update(self, added: list, removed: list, version: str | None = None) -> None:
        """Apply a fact change and name the new fact base `version` (the name a snapshot is keyed by)."""


def snapshot_secret(snapshot_key: str | None, secret_key: str | None) -> bytes | None:
    """The key that signs snapshots: SNAPSHOT_KEY if one is configured, else one derived from the
    service's SECRET_KEY (so one configured secret serves both), else None (no key configured)."""
    if snapshot_key:
        return hashlib.sha256(b"deelwijzer snapshot key\n" + snapshot_key.encode("utf-8")).digest()
    if secret_key:
        return hmac.new(secret_key.encode("utf-8"), b"deelwijzer model snapshots", hashlib.sha256).digest()
    return None


class SnapshotDir:
    """A directory of snapshots, signed with `secret`. `identify(fact_version)` names the content of
    a fact-base version (a store gives its chain hash); without it the version alone identifies
    the facts."""

    def __init__(self, path: Path | str, identify: Callable[[str], str] | None = None, *, secret: bytes):
        if not secret:
            raise ValueError("a snapshot directory needs a key to sign its snapshots with")
        self.path = Path(path)
        self.secret = secret
        self.identify = identify or (lambda version: "")
        self._writing = threading.Lock()
        self._pending: list[threading.Thread] = []

    def key(self, rules: str, facts: str) -> Key:
        return Key(rules, facts, self.identify(facts) or "")

    def file(self, key: Key) -> Path:
        return self.path / f"model-{_name(key.rules)}-{_name(key.facts)}{SUFFIX}"

    def newest(self, rules: str, at_most: int) -> int | None:
        """The highest numbered fact version ≤ `at_most` that has a snapshot for `rules` here."""
        prefix = f"model-{_name(rules)}-"
        found = [int(p.name[len(prefix):-len(SUFFIX)]) for p in self._files()
                 if p.name.startswith(prefix) and p.name[len(prefix):-len(SUFFIX)].isdigit()]
        found = [v for v in found if v <= at_most]
        return max(found) if found else None

    def read(self, program: Program, key: Key) -> Snapshot | None:
        """The snapshot for `key`, checked; None (and a log line saying why) when there is none
        or it cannot be used."""
        path = self.file(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            log.info("no model snapshot for rules %s, facts %s", key.rules[:12], key.facts)
            return None
        except OSError as exc:
            log.warning("model snapshot %s ignored: unreadable (%s); recomputing", path.name, exc.strerror)
            return None
        try:
            with gc_paused():
                snapshot = decode(data, program, key, self.secret)
        except SnapshotRejected as exc:
            log.warning("model snapshot %s refused: %s; nothing of it is used, the model is recomputed from the "
                        "store", path.name, exc)
            return None
        log.info("model snapshot %s loaded (%d facts, %d moment(s))", path.name, len(snapshot.facts),
                 len(snapshot.models))
        return snapshot

    def write(self, key: Key, facts: FactSet, models: list[MomentModel]) -> Path | None:
        """Write the snapshot of `key` (atomically) and drop the oldest beyond KEEP; None, with a
        log line, when it cannot be written (the running model is unaffected)."""
        with self._writing:
            try:
                parts = encode(key, facts, models, self.secret)
                self.path.mkdir(parents=True, exist_ok=True)
                target = self.file(key)
                fd, temp = tempfile.mkstemp(dir=self.path, prefix=".writing-", suffix=SUFFIX)
                try:
                    with os.fdopen(fd, "wb") as fh:
                        fh.writelines(parts)
                        fh.flush()
                        os.fsync(fh.fileno())
                    os.replace(temp, target)
                except BaseException:
                    Path(temp).unlink(missing_ok=True)
                    raise
            except (OSError, ValueError, TypeError, AttributeError) as exc:
                log.warning("model snapshot for facts %s not written: %s", key.facts, exc)
                return None
            self._prune(keep=target)
            log.info("model snapshot %s written (%d bytes)", target.name, sum(map(len, parts)))
            return target

    def write_later(self, key: Key, facts: FactSet, models: list[MomentModel]) -> None:
        """Write in a background thread: the caller (a first question) does not wait for the disk."""
        thread = threading.Thread(target=self.write, args=(key, facts, models), name="model-snapshot",
                                  daemon=True)
        self._pending = [t for t in self._pending if t.is_alive()] + [thread]
        thread.start()

    def wait(self) -> None:
        """Wait for the writes started by `write_later` (tests, benchmarks, an orderly stop)."""
        for thread in list(self._pending):
            thread.join()

    def _files(self) -> list[Path]:
        try:
            return [p for p in self.path.iterdir() if p.name.startswith("model-") and p.name.endswith(SUFFIX)]
        except OSError:
            return []

    def _prune(self, keep: Path) -> None:
        def age(p: Path) -> float:
            try:
                return p.stat().st_mtime
            except OSError:
                return 0.0
        older = sorted((p for p in self._files() if p != keep), key=age, reverse=True)
        for path in older[KEEP - 1:]:
            path.unlink(missing_ok=True)
        # A write cut off by the end of its process leaves its temporary file; one an hour old is
        # not being written any more.
        for path in self.path.glob(".writing-*" + SUFFIX):
            if age(path) < age(keep) - 3600:
                path.unlink(missing_ok=True)


def _name(text: str) -> str:
    """A version as a file-name part: itself when plain, else a digest of it."""
    return text if re.fullmatch(r"[A-Za-z0-9_.]{1,64}", text) and not text.startswith(".") \
        else hashlib.sha256(text.encode()).hexdigest()[:32]


# -- the file ------------------------------------------------------------------------------------------
def _mac(header: dict, body: bytes | memoryview, secret: bytes) -> str:
    mac = hmac.new(secret, json.dumps(header, sort_keys=True).encode(), hashlib.sha256)
    mac.update(body)
    return mac.hexdigest()


def encode(key: Key, facts: FactSet, models: list[MomentModel], secret: bytes) -> list[bytes]:
    """The snapshot file's parts, to be written one after the other: magic line, header line
    (JSON, with the MAC under `secret`), marshal body (not joined: the body can be a hundred
    megabytes)."""
    vocab = models[0].program.kb.vocabulary if models else None
    dated = _date_positions(vocab) if vocab is not None else {}
    fact_part = []
    for predicate in facts.predicates():
        args, starts, ends, origins = facts.columns(predicate)
        fact_part.append((predicate, _encode_rows(args, dated.get(predicate, ())), _ordinals(starts),
                          _ordinals(ends), list(origins)))
    model_part = []
    for model in models:
        relations = [(name, rel.arity, _encode_rows(rel.rows, dated.get(name, ())))
                     for name, rel in model.relations.items()]
        model_part.append((model.moment.toordinal(), relations))
    body = marshal.dumps((fact_part, model_part), _MARSHAL_VERSION)
    header = key.header() | {"moments": [m.moment.isoformat() for m in models], "bytes": len(body)}
    header["hmac_sha256"] = _mac(header, body, secret)
    return [MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n", body]


def read_header(data: bytes) -> tuple[dict, str, memoryview]:
    """A snapshot file's header (without its MAC), its claimed MAC and its body, unchecked;
    SnapshotRejected when the file is not a whole snapshot of this format."""
    if not data.startswith(MAGIC):
        raise SnapshotRejected("not a model snapshot")
    end = data.find(b"\n", len(MAGIC))
    if end < 0:
        raise SnapshotRejected("truncated header")
    try:
        header = json.loads(data[len(MAGIC):end])
        claimed, size = header.pop("hmac_sha256"), header["bytes"]
        if header["format"] != FORMAT or not isinstance(claimed, str):
            raise KeyError("format")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise SnapshotRejected(f"unreadable header (not a format {FORMAT} snapshot)") from None
    body = memoryview(data)[end + 1:]
    if len(body) != size:
        raise SnapshotRejected(f"truncated ({len(body)} of {size} body bytes)")
    return header, claimed, body


def check_mac(header: dict, claimed: str, body: memoryview, secret: bytes) -> None:
    """SnapshotRejected unless the MAC under `secret` is the one the header claims."""
    if not hmac.compare_digest(_mac(header, body, secret), claimed):
        raise SnapshotRejected("its MAC does not check (forged, damaged, or signed under another snapshot key)")


def decode(data: bytes, program: Program, key: Key, secret: bytes) -> Snapshot:
    """Check and decode a snapshot file's bytes; SnapshotRejected says why it cannot be used.
    Nothing of a body whose MAC does not check is decoded."""
    header, claimed, body = read_header(data)
    found = {k: header.get(k) for k in key.header()}
    if found != key.header():
        what = [k for k in ("format", "rules", "facts", "identity") if found[k] != key.header()[k]]
        raise SnapshotRejected(f"made for another {'/'.join(what)} (stale or foreign)")
    check_mac(header, claimed, body, secret)
    return _decoded(key, program, body)


def contents(data: bytes, program: Program) -> Snapshot:
    """What a snapshot file holds, decoded WITHOUT checking its MAC: for an audit that compares it
    with the store and a recomputed model (`kb audit verify`), never for serving from it."""
    header, _, body = read_header(data)
    return _decoded(Key(str(header.get("rules")), str(header.get("facts")), str(header.get("identity"))), program,
                    body)


def _decoded(key: Key, program: Program, body: memoryview) -> Snapshot:
    try:
        fact_part, model_part = marshal.loads(body)
        return _rebuild(key, program, fact_part, model_part)
    except SnapshotRejected:
        raise
    except (ValueError, TypeError, KeyError, IndexError, EOFError, OverflowError) as exc:
        raise SnapshotRejected(f"does not decode ({type(exc).__name__})") from None


def _rebuild(key: Key, program: Program, fact_part, model_part) -> Snapshot:
    dated = _date_positions(program.kb.vocabulary)
    days = _Days()
    columns: dict[str, Columns] = {}
    for predicate, args, starts, ends, origins in fact_part:
        if program.kind.get(predicate) != "input":
            raise SnapshotRejected(f"facts of {predicate!r}, not an input predicate of these rules")
        if not len(args) == len(starts) == len(ends) == len(origins):
            raise SnapshotRejected(f"columns of {predicate!r} differ in length")
        columns[predicate] = (_decode_rows(args, dated.get(predicate, ()), days),
                              list(map(days.__getitem__, starts)), list(map(days.__getitem__, ends)), origins)
    facts = FactSet.of_columns(columns, key.facts)
    models: dict[datetime.date, MomentModel] = {}
    for moment, relations in model_part:
        rels: dict[str, Relation] = {}
        for name, arity, rows in relations:
            if name != "today" and program.arity.get(name) != arity:
                raise SnapshotRejected(f"relation {name!r} does not fit these rules")
            rels[name] = Relation(arity, _decode_rows(rows, dated.get(name, ()), days))
        expected = {n for n, kind in program.kind.items() if kind == "input"} | {"today"} | \
            {n for stratum in program.strata if not stratum & program.question_dependent for n in stratum}
        if not expected <= rels.keys():
            raise SnapshotRejected("relations missing")
        models[days[moment]] = MomentModel.of_relations(program, days[moment], rels)
    return Snapshot(key, facts, models)


def _date_positions(vocab) -> dict[str, tuple[int, ...]]:
    """Per predicate, the argument positions that hold dates (written as ordinals)."""
    found = {name: tuple(i for i, a in enumerate(p.args) if a.type == "date") for name, p in vocab.predicates.items()}
    found["today"] = (0,)
    return {name: positions for name, positions in found.items() if positions}


def _ordinals(days: list[datetime.date]) -> list[int]:
    # One int object per distinct day: a million validity bounds are mostly the same few days.
    ordinal = {day: day.toordinal() for day in set(days)}
    return list(map(ordinal.__getitem__, days))


class _Days(dict):
    """Ordinal -> date, each date made once and then shared."""

    def __missing__(self, ordinal: int) -> datetime.date:
        day = self[ordinal] = datetime.date.fromordinal(ordinal)
        return day


def _encode_rows(rows, positions: tuple[int, ...]) -> list:
    # Column-wise, so the per-value work runs in C: transpose, convert the date columns, transpose back.
    rows = list(rows)
    if not positions or not rows:
        return rows
    columns: list = list(zip(*rows))
    for i in positions:
        columns[i] = map(datetime.date.toordinal, columns[i])  # a non-date fails: the snapshot is not written
    return list(zip(*columns))


def _decode_rows(rows: list, positions: tuple[int, ...], days: _Days) -> list:
    if not positions or not rows:
        return rows
    columns: list = list(zip(*rows))
    for i in positions:
        columns[i] = map(days.__getitem__, columns[i])
    return list(zip(*columns))


def configured_dir(setting: str | None, database_url: str) -> Path | None:
    """The snapshot directory a setting names: `auto` — a `snapshots` folder beside a SQLite
    store's file (none for an in-memory or PostgreSQL store); empty or None — no snapshots;
    anything else — that directory."""
    if setting != "auto":
        return Path(setting) if setting else None
    if not database_url.startswith("sqlite://"):
        return None
    path = database_url[len("sqlite://"):].lstrip("/")  # as kb/store/db.py reads the URL
    if not path or path == ":memory:":
        return None
    return Path("/" + path if database_url.startswith("sqlite:////") else path).parent / "snapshots"
