"""The store's tables, created (and brought up to date) in one place for every part that uses them.

The fact store, the decision log and `kb audit verify` share one database and verify across
tables (a decision names the fact-chain hash of its fact base), so they are prepared together.
"""
from __future__ import annotations

import hashlib

from .chain import (
    DECISIONS,
    FACTS,
    GENESIS,
    HEADS_SCHEMA,
    add_missing_columns,
    chain_hash,
    change_body,
    fact_row_digest,
    has_heads,
)
from .db import Database

FACT_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS fact_changes (
        id {serial} PRIMARY KEY,
        changed_at TEXT NOT NULL,
        kind TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        prev_hash TEXT,
        hash TEXT
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
    # `changes` finds the facts withdrawn between two versions without scanning every older fact.
    "CREATE INDEX IF NOT EXISTS stored_facts_withdrawn ON stored_facts (withdrawn_in)",
]
DECISION_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS decisions (
        id {serial} PRIMARY KEY,
        decided_at TEXT NOT NULL,
        request TEXT NOT NULL,
        kb_version TEXT NOT NULL,
        facts_version TEXT NOT NULL,
        outcome TEXT NOT NULL,
        deciding_rules TEXT NOT NULL,
        trace TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        rules_hash TEXT,
        facts_hash TEXT,
        format INTEGER,
        what_if INTEGER
    )""",
    """CREATE TABLE IF NOT EXISTS rule_versions (
        kb_version TEXT PRIMARY KEY,
        sources TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        hash TEXT
    )""",
]


def prepare(db: Database) -> None:
    """Create or update every table of the store, once per Database object.

    A store from before the fact chain and the heads is sealed as it stands when it is first
    opened by this release: its fact changes are hashed and both heads are set. Records made
    before that carry no binding to rule or fact hashes, and `verify` says how many there are.
    A store from before record formats (decisions.py) gets the hash of every kept rule version
    that has none, once, when the `format` column is added: from then on a missing hash is damage."""
    if getattr(db, "_prepared", False):
        return
    db.create_schema(FACT_SCHEMA + DECISION_SCHEMA)
    older_release = bool(add_missing_columns(db, "fact_changes", {"prev_hash": "TEXT", "hash": "TEXT"}))
    add_missing_columns(db, "decisions", {"rules_hash": "TEXT", "facts_hash": "TEXT"})
    add_missing_columns(db, "rule_versions", {"hash": "TEXT"})
    if add_missing_columns(db, "decisions", {"format": "INTEGER", "what_if": "INTEGER"}):
        _hash_kept_rules(db)
    if not has_heads(db):
        empty = not db.query("SELECT 1 FROM fact_changes LIMIT 1") and not db.query("SELECT 1 FROM decisions LIMIT 1")
        if older_release or empty:
            _seal(db)
        else:  # the heads of a store that had them were removed: leave that for `kb audit verify` to report
            db.create_schema([HEADS_SCHEMA])
    db._prepared = True


def _hash_kept_rules(db: Database) -> None:
    """Give each kept rule version that has no hash the SHA-256 of its texts (a store upgraded by
    a release that added the column without filling it)."""
    with db.transaction() as cur:
        missing = cur.execute("SELECT kb_version, sources FROM rule_versions WHERE hash IS NULL").fetchall()
        for version, sources in missing:
            cur.execute("UPDATE rule_versions SET hash = ? WHERE kb_version = ?",
                        (hashlib.sha256(sources.encode("utf-8")).hexdigest(), version))


def _seal(db: Database) -> None:
    """Hash the unhashed fact changes of an older store and start both heads, in one transaction."""
    with db.transaction() as cur:
        if db.dialect == "postgresql":  # replicas upgrading together: one seals, the others wait
            cur.execute("LOCK TABLE fact_changes IN EXCLUSIVE MODE")
        cur.execute(HEADS_SCHEMA)
        if cur.execute("SELECT 1 FROM audit_heads").fetchone():
            return  # another process sealed it first
        prev, last_id = GENESIS, 0
        changes = cur.execute("SELECT id, changed_at, kind, note, hash FROM fact_changes ORDER BY id").fetchall()
        if changes:
            added: dict[int, list[str]] = {}
            withdrawn: dict[int, list[int]] = {}
            for fid, predicate, args, valid_from, valid_until, added_in, withdrawn_in in cur.execute(
                    "SELECT id, predicate, args, valid_from, valid_until, added_in, withdrawn_in "
                    "FROM stored_facts ORDER BY id").fetchall():
                added.setdefault(added_in, []).append(fact_row_digest(fid, predicate, args, valid_from, valid_until))
                if withdrawn_in is not None:
                    withdrawn.setdefault(withdrawn_in, []).append(fid)
            for cid, changed_at, kind, note, _ in changes:
                body = change_body(cid, changed_at, kind, note, added.get(cid, []), withdrawn.get(cid, []))
                new = chain_hash(prev, body)
                cur.execute("UPDATE fact_changes SET prev_hash = ?, hash = ? WHERE id = ?", (prev, new, cid))
                prev, last_id = new, cid
        cur.execute("INSERT INTO audit_heads (chain, last_id, hash) VALUES (?, ?, ?)", (FACTS, last_id, prev))
        row = cur.execute("SELECT id, hash FROM decisions ORDER BY id DESC LIMIT 1").fetchone()
        cur.execute("INSERT INTO audit_heads (chain, last_id, hash) VALUES (?, ?, ?)",
                    (DECISIONS, row[0] if row else 0, row[1] if row else GENESIS))
