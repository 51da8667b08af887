"""The stored fact base: facts added and withdrawn over time, every change a new version.

A version is a monotonically increasing number. The fact base *as of* version N is every fact
added at or before N and not withdrawn at or before N, so a decision that names the version it
saw can always be shown again on exactly those facts.
"""
from __future__ import annotations

import datetime
import functools
import json
from dataclasses import dataclass

from ..facts.model import BEGINNING, END, Columns, Fact, FactSet, gc_paused
from .chain import FACTS, GENESIS, chain_hash, change_body, claim_head, fact_row_digest, move_head
from .db import MAX_ID, Database
from .schema import prepare

COLUMNS = "id, predicate, args, valid_from, valid_until, added_in, withdrawn_in"


def _encode(value) -> object:
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    return value


def _date_hook(obj: dict):
    return datetime.date.fromisoformat(obj["date"]) if "date" in obj else obj


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
        prepare(db)

    def version(self) -> int:
        rows = self.db.query("SELECT MAX(id) FROM fact_changes")
        return rows[0][0] or 0

    def _serialise_writers(self, cur) -> None:
        """In PostgreSQL, one fact change at a time across processes, held until commit.

        Versions come from a sequence: without this lock two writers could commit out of order
        (version 6 before 5), and a reader that saw 6 would name a fact base that later gains 5's
        facts — a version would no longer mean one fact base. Readers are not blocked."""
        if self.db.dialect == "postgresql":
            cur.execute("LOCK TABLE fact_changes IN EXCLUSIVE MODE")

    def _change(self, cur, kind: str, note: str) -> tuple[int, str]:
        """Insert a change row (its hash follows once its facts are written): (version, changed_at)."""
        now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        return cur.insert("INSERT INTO fact_changes (changed_at, kind, note) VALUES (?, ?, ?)", (now, kind, note)), now

    def _seal_change(self, cur, version: int, changed_at: str, kind: str, note: str,
                     added: list[str], withdrawn: list[int]) -> None:
        """Chain the change onto the fact history and move the head, in the change's transaction."""
        _, prev = claim_head(cur, FACTS)
        digest = chain_hash(prev, change_body(version, changed_at, kind, note, added, withdrawn))
        cur.execute("UPDATE fact_changes SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, version))
        move_head(cur, FACTS, version, digest)

    def add(self, facts: list[Fact], note: str = "") -> tuple[int, list[int]]:
        """Add facts in one change. Returns the new version and the stored ids."""
        with self.db.transaction() as cur:
            self._serialise_writers(cur)
            claim_head(cur, FACTS)  # the write lock first: versions and the chain keep one order
            version, changed_at = self._change(cur, "add", note)
            ids, digests = [], []
            for f in facts:
                args = json.dumps([_encode(a) for a in f.args])
                row = (f.predicate, args, f.valid_from.isoformat(), f.valid_until.isoformat())
                ids.append(cur.insert(
                    "INSERT INTO stored_facts (predicate, args, valid_from, valid_until, added_in) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (*row, version)))
                digests.append(fact_row_digest(ids[-1], *row))
            self._seal_change(cur, version, changed_at, "add", note, digests, [])
        return version, ids

    def withdraw(self, fact_id: int, note: str = "") -> int:
        """Withdraw a stored fact (it stays in history). Raises KeyError if it is not current."""
        with self.db.transaction() as cur:
            self._serialise_writers(cur)
            row = cur.execute("SELECT withdrawn_in FROM stored_facts WHERE id = ?", (fact_id,)).fetchone()
            if row is None or row[0] is not None:
                raise KeyError(fact_id)
            claim_head(cur, FACTS)
            version, changed_at = self._change(cur, "withdraw", note)
            cur.execute("UPDATE stored_facts SET withdrawn_in = ? WHERE id = ?", (version, fact_id))
            self._seal_change(cur, version, changed_at, "withdraw", note, [], [fact_id])
        return version

    def hash_at(self, version: int) -> str | None:
        """The fact chain's hash at `version` (what a decision on that fact base records)."""
        if version == 0:
            return GENESIS
        rows = self.db.query("SELECT hash FROM fact_changes WHERE id = ?", (version,))
        return rows[0][0] if rows else None

    def stored(self, version: int | None = None) -> list[StoredFact]:
        """The facts current at `version` (default: now), oldest first."""
        version = self.version() if version is None else version
        rows = self.db.query(
            f"SELECT {COLUMNS} FROM stored_facts "
            "WHERE added_in <= ? AND (withdrawn_in IS NULL OR withdrawn_in > ?) ORDER BY id", (version, version))
        return [_stored(r) for r in rows]

    def page(self, version: int, *, after_id: int = 0, limit: int = 100, predicate: str | None = None,
             valid_on: datetime.date | None = None, value: str | None = None) -> list[StoredFact]:
        """Up to `limit` facts current at `version` with an id above `after_id`, oldest first: of one
        predicate, valid on a day, having `value` as one of their arguments (written as text; a date
        as YYYY-MM-DD). The argument filter runs here, not in SQL (arguments are stored as JSON),
        reading rows in batches until the page is full."""
        where = ["added_in <= ?", "(withdrawn_in IS NULL OR withdrawn_in > ?)", "id > ?"]
        params: list = [version, version, after_id]
        if predicate is not None:
            where.append("predicate = ?")
            params.append(predicate)
        if valid_on is not None:
            where += ["valid_from <= ?", "valid_until >= ?"]
            params += [valid_on.isoformat(), valid_on.isoformat()]
        batch = limit if value is None else max(limit, 500)
        found: list[StoredFact] = []
        while len(found) < limit:
            rows = self.db.query(f"SELECT {COLUMNS} FROM stored_facts WHERE {' AND '.join(where)} "
                                 f"ORDER BY id LIMIT {int(batch)}", tuple(params))
            found += [s for s in map(_stored, rows) if value is None or value in map(_text, s.fact.args)]
            if len(rows) < batch:
                break
            params[2] = rows[-1][0]  # read on after the last row of this batch
        return found[:limit]

    def changes(self, since: int, until: int) -> tuple[list[StoredFact], list[StoredFact]]:
        """(added, withdrawn): what turns the fact base as of `since` into the one as of `until`.

        Exact for any two versions, so a reader that is several versions behind catches up in one
        step; a fact both added and withdrawn in between appears in neither list."""
        added = self.db.query(
            f"SELECT {COLUMNS} FROM stored_facts WHERE added_in > ? AND added_in <= ? "
            "AND (withdrawn_in IS NULL OR withdrawn_in > ?) ORDER BY id", (since, until, until))
        withdrawn = self.db.query(
            f"SELECT {COLUMNS} FROM stored_facts WHERE withdrawn_in > ? AND withdrawn_in <= ? "
            "AND added_in <= ? ORDER BY id", (since, until, since))
        return [_stored(r) for r in added], [_stored(r) for r in withdrawn]

    def get(self, fact_id: int) -> StoredFact | None:
        if not 0 < fact_id <= MAX_ID:  # no such row, and the database could not even compare it
            return None
        rows = self.db.query(f"SELECT {COLUMNS} FROM stored_facts WHERE id = ?", (fact_id,))
        return _stored(rows[0]) if rows else None

    def fact_set(self, version: int | None = None) -> FactSet:
        """The fact base as of `version`, named by that version.

        Built for start-up at scale: the argument lists of all rows are decoded by one JSON parse
        (dates through an object hook) instead of one parse per row, into columns per predicate
        (FactSet.of_columns: no `Fact` object is made until a predicate's facts are asked for),
        with the garbage collector held meanwhile."""
        version = self.version() if version is None else version
        with gc_paused():
            rows = self.db.query(
                "SELECT id, predicate, args, valid_from, valid_until FROM stored_facts "
                "WHERE added_in <= ? AND (withdrawn_in IS NULL OR withdrawn_in > ?) ORDER BY id",
                (version, version))
            all_args = json.loads("[" + ",".join(r[2] for r in rows) + "]", object_hook=_date_hook)
            day = functools.lru_cache(maxsize=None)(datetime.date.fromisoformat)
            columns: dict[str, Columns] = {}
            for r, args in zip(rows, all_args):
                cols = columns.get(r[1])
                if cols is None:
                    cols = columns[r[1]] = ([], [], [], [])
                cols[0].append(tuple(args))
                cols[1].append(day(r[3]))
                cols[2].append(day(r[4]))
                cols[3].append(r[0])
            del rows, all_args
            return FactSet.of_columns(columns, version=str(version))


def _text(value) -> str:
    """An argument as a query writes it: a date as YYYY-MM-DD, a number in digits."""
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def _stored(row) -> StoredFact:
    """A StoredFact from a row of COLUMNS."""
    return StoredFact(row[0], Fact(row[1], tuple(_decode(a) for a in json.loads(row[2])),
                                   datetime.date.fromisoformat(row[3]), datetime.date.fromisoformat(row[4]),
                                   f"store:{row[0]}"), row[5], row[6])


__all__ = ["FactStore", "StoredFact", "BEGINNING", "END"]
