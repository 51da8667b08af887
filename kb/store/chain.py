"""Hash chains and their heads: the pieces the fact history and the decision log share.

A chain is a table whose rows each carry `prev_hash` and `hash`, the hash covering the row's
content and the previous row's hash. Changing or removing a row in the middle breaks the chain
from there on. Removing the *last* rows leaves a shorter chain that is still whole, so each chain
also has a head row in `audit_heads` (its last id and hash), updated in the same transaction as
every append: a truncated chain no longer ends where its head says it ends.
"""
from __future__ import annotations

import hashlib
import json

GENESIS = "0" * 64
FACTS, DECISIONS = "facts", "decisions"  # the chains, by their name in audit_heads

HEADS_SCHEMA = """CREATE TABLE IF NOT EXISTS audit_heads (
    chain TEXT PRIMARY KEY,
    last_id BIGINT NOT NULL,
    hash TEXT NOT NULL
)"""


def canonical(value) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 kept — the hashed form of a record."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(value) -> str:
    """SHA-256 of a value's canonical JSON."""
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


def chain_hash(prev_hash: str, body: dict) -> str:
    """The hash of a chained record: its previous record's hash followed by its canonical body."""
    return hashlib.sha256((prev_hash + canonical(body)).encode("utf-8")).hexdigest()


def has_heads(db) -> bool:
    """Whether `audit_heads` exists (a store from before heads has none yet)."""
    if db.dialect == "postgresql":
        rows = db.query("SELECT to_regclass('audit_heads') IS NOT NULL")
        return bool(rows[0][0])
    return bool(db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_heads'"))


def claim_head(cur, chain: str) -> tuple[int, str]:
    """Lock a chain's head for this transaction and return its (last id, hash).

    The UPDATE takes the write lock before the read (in SQLite it starts the write transaction,
    in PostgreSQL it locks the row), so two appenders, even in two processes, never chain onto
    the same record."""
    cur.execute("UPDATE audit_heads SET hash = hash WHERE chain = ?", (chain,))
    row = cur.execute("SELECT last_id, hash FROM audit_heads WHERE chain = ?", (chain,)).fetchone()
    if row is None:
        raise RuntimeError(f"the {chain} chain has no head row in audit_heads: run `kb audit verify`")
    return int(row[0]), row[1]


def move_head(cur, chain: str, last_id: int, last_hash: str) -> None:
    cur.execute("UPDATE audit_heads SET last_id = ?, hash = ? WHERE chain = ?", (last_id, last_hash, chain))


def head(db, chain: str) -> tuple[int, str] | None:
    """A chain's recorded head, or None when its row is missing."""
    rows = db.query("SELECT last_id, hash FROM audit_heads WHERE chain = ?", (chain,))
    return (int(rows[0][0]), rows[0][1]) if rows else None


def add_missing_columns(db, table: str, columns: dict[str, str]) -> list[str]:
    """Add columns a store from an older release lacks; the names of those added."""
    if db.dialect == "postgresql":
        present = {r[0] for r in db.query(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = current_schema()",
            (table,))}
    else:
        present = {r[1] for r in db.query(f"PRAGMA table_info({table})")}
    added = [name for name in columns if name not in present]
    if added:
        with db.transaction() as cur:
            for name in added:
                cur.execute(f"ALTER TABLE {table} ADD COLUMN {name} {columns[name]}")
    return added


# -- the fact history's chain ----------------------------------------------------------------------
def fact_row_digest(fact_id: int, predicate: str, args_text: str, valid_from: str, valid_until: str) -> str:
    """The hash of one stored fact as written (its arguments as their stored JSON text).

    Fields joined by U+001F, which JSON text never holds unescaped and names and dates never hold:
    unambiguous, and several times cheaper than canonical JSON for the thousands of rows a
    verification reads."""
    text = f"{fact_id}\x1f{predicate}\x1f{args_text}\x1f{valid_from}\x1f{valid_until}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def change_body(change_id: int, changed_at: str, kind: str, note: str, added: list[str], withdrawn: list[int]) -> dict:
    """What a fact change's hash covers: the change, the hashes of the facts it added and the ids of
    those it withdrew — so editing, removing or un-withdrawing a stored fact breaks its change."""
    return {"id": change_id, "changed_at": changed_at, "kind": kind, "note": note,
            "added": added, "withdrawn": withdrawn}
