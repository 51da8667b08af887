"""The stored fact base: facts added and withdrawn over time, every change a new version.

A version is a monotonically increasing number. The fact base *as of* version N is every fact
added at or before N and not withdrawn at or before N, so a decision that names the version it
saw can always be shown again on exactly those facts.
"""
from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from ..facts.model import BEGINNING, END, Fact, FactSet
from .db import Database

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS fact_changes (
        id {serial} PRIMARY KEY,
        changed_at TEXT NOT NULL,
        kind TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT ''
    )""",
    """CREATE TABLE IF NOT EXISTS stored_facts (
        id {serial} PRIMARY KEY,
        predicate TEXT NOT NULL,
        args TEXT NOT NULL,
        valid_from TEXT NOT NULL,
        valid_until TEXT NOT NULL,
        added_in INTEGER NOT NULL,
        withdrawn_in INTEGER
    )""",
    "CREATE INDEX IF NOT EXISTS stored_facts_versions ON stored_facts (added_in, withdrawn_in)",
]


def _encode(value) -> object:
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    return value


def _decode(value) -> object:
    if isinstance(value, dict) and "date" in value:
        return datetime.date.fromisoformat(value["date"])
    return value


@dataclass(frozen=True)
class StoredFact:
    id: int
    fact: Fact
    added_in: int
    withdrawn_in: int | None


class FactStore:
    """Versioned facts in a Database (SQLite or PostgreSQL)."""

    def __init__(self, db: Database):
        self.db = db
        serial = "BIGSERIAL" if db.dialect == "postgresql" else "INTEGER"
        with db.transaction() as cur:
            for statement in SCHEMA:
                cur.execute(statement.format(serial=serial))

    def version(self) -> int:
        rows = self.db.query("SELECT MAX(id) FROM fact_changes")
        return rows[0][0] or 0

    def _change(self, cur, kind: str, note: str) -> int:
        now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        return cur.insert("INSERT INTO fact_changes (changed_at, kind, note) VALUES (?, ?, ?)", (now, kind, note))

    def add(self, facts: list[Fact], note: str = "") -> tuple[int, list[int]]:
        """Add facts in one change. Returns the new version and the stored ids."""
        with self.db.transaction() as cur:
            version = self._change(cur, "add", note)
            ids = [cur.insert(
                "INSERT INTO stored_facts (predicate, args, valid_from, valid_until, added_in) VALUES (?, ?, ?, ?, ?)",
                (f.predicate, json.dumps([_encode(a) for a in f.args]), f.valid_from.isoformat(),
                 f.valid_until.isoformat(), version)) for f in facts]
        return version, ids

    def withdraw(self, fact_id: int, note: str = "") -> int:
        """Withdraw a stored fact (it stays in history). Raises KeyError if it is not current."""
        with self.db.transaction() as cur:
            row = cur.execute("SELECT withdrawn_in FROM stored_facts WHERE id = ?", (fact_id,)).fetchone()
            if row is None or row[0] is not None:
                raise KeyError(fact_id)
            version = self._change(cur, "withdraw", note)
            cur.execute("UPDATE stored_facts SET withdrawn_in = ? WHERE id = ?", (version, fact_id))
        return version

    def stored(self, version: int | None = None) -> list[StoredFact]:
        """The facts current at `version` (default: now), oldest first."""
        version = self.version() if version is None else version
        rows = self.db.query(
            "SELECT id, predicate, args, valid_from, valid_until, added_in, withdrawn_in FROM stored_facts "
            "WHERE added_in <= ? AND (withdrawn_in IS NULL OR withdrawn_in > ?) ORDER BY id", (version, version))
        return [StoredFact(r[0], Fact(r[1], tuple(_decode(a) for a in json.loads(r[2])),
                                      datetime.date.fromisoformat(r[3]), datetime.date.fromisoformat(r[4]),
                                      f"store:{r[0]}"), r[5], r[6]) for r in rows]

    def get(self, fact_id: int) -> StoredFact | None:
        rows = self.db.query(
            "SELECT id, predicate, args, valid_from, valid_until, added_in, withdrawn_in FROM stored_facts "
            "WHERE id = ?", (fact_id,))
        if not rows:
            return None
        r = rows[0]
        return StoredFact(r[0], Fact(r[1], tuple(_decode(a) for a in json.loads(r[2])),
                                     datetime.date.fromisoformat(r[3]), datetime.date.fromisoformat(r[4]),
                                     f"store:{r[0]}"), r[5], r[6])

    def fact_set(self, version: int | None = None) -> FactSet:
        """The fact base as of `version`, named by that version."""
        version = self.version() if version is None else version
        return FactSet([s.fact for s in self.stored(version)], version=str(version))


__all__ = ["FactStore", "StoredFact", "BEGINNING", "END"]
