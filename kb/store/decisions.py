"""The decision log: every decision, append-only, each record chained to the previous by hash.

A record holds the request, its hypothetical facts, the knowledge-base version (a hash of rules and
vocabulary), the fact-base version, the outcome, the deciding rules and the full trace. Its hash
covers all of that and the previous record's hash, so changing or removing any record breaks the
chain from there on — `verify` finds the first break. The texts of every rule-set version that a
decision refers to are kept too, so a decision can be shown exactly as decided after the rules
changed.
"""
from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass

from .db import Database

GENESIS = "0" * 64
SCHEMA = [
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
        hash TEXT NOT NULL UNIQUE
    )""",
    """CREATE TABLE IF NOT EXISTS rule_versions (
        kb_version TEXT PRIMARY KEY,
        sources TEXT NOT NULL,
        first_seen TEXT NOT NULL
    )""",
]


def canonical(value) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 kept — the hashed form of a record."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(prev_hash: str, body: dict) -> str:
    return hashlib.sha256((prev_hash + canonical(body)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DecisionRecord:
    id: int
    decided_at: str
    request: dict
    kb_version: str
    facts_version: str
    outcome: str
    deciding_rules: list
    trace: dict
    prev_hash: str
    hash: str

    def body(self) -> dict:
        """What the hash covers."""
        return {"decided_at": self.decided_at, "request": self.request, "kb_version": self.kb_version,
                "facts_version": self.facts_version, "outcome": self.outcome,
                "deciding_rules": self.deciding_rules, "trace": self.trace}

    def as_dict(self) -> dict:
        return {"id": self.id, **self.body(), "prev_hash": self.prev_hash, "hash": self.hash}


class DecisionLog:
    def __init__(self, db: Database):
        self.db = db
        db.create_schema(SCHEMA)

    def keep_rule_version(self, kb_version: str, sources: dict[str, str]) -> None:
        """Store the rule and vocabulary texts of a knowledge-base version (once)."""
        with self.db.transaction() as cur:
            if cur.execute("SELECT 1 FROM rule_versions WHERE kb_version = ?", (kb_version,)).fetchone():
                return
            now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
            cur.execute("INSERT INTO rule_versions (kb_version, sources, first_seen) VALUES (?, ?, ?)",
                        (kb_version, canonical(sources), now))

    def rule_version(self, kb_version: str) -> dict[str, str] | None:
        rows = self.db.query("SELECT sources FROM rule_versions WHERE kb_version = ?", (kb_version,))
        return json.loads(rows[0][0]) if rows else None

    def append(self, request: dict, kb_version: str, facts_version: str, outcome: str,
               deciding_rules: list, trace: dict) -> DecisionRecord:
        """Append one decision, chained to the last record. Serialised by the transaction."""
        decided_at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds")
        body = {"decided_at": decided_at, "request": request, "kb_version": kb_version,
                "facts_version": str(facts_version), "outcome": outcome,
                "deciding_rules": list(deciding_rules), "trace": trace}
        with self.db.transaction() as cur:
            if self.db.dialect == "postgresql":
                # One appender at a time across processes, so the chain never forks.
                cur.execute("LOCK TABLE decisions IN EXCLUSIVE MODE")
            row = cur.execute("SELECT hash FROM decisions ORDER BY id DESC LIMIT 1").fetchone()
            prev = row[0] if row else GENESIS
            digest = record_hash(prev, body)
            new_id = cur.insert(
                "INSERT INTO decisions (decided_at, request, kb_version, facts_version, outcome, deciding_rules, "
                "trace, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (decided_at, canonical(request), kb_version, str(facts_version), outcome,
                 canonical(list(deciding_rules)), canonical(trace), prev, digest))
        return DecisionRecord(new_id, decided_at, request, kb_version, str(facts_version), outcome,
                              list(deciding_rules), trace, prev, digest)

    def get(self, decision_id: int) -> DecisionRecord | None:
        rows = self.db.query(
            "SELECT id, decided_at, request, kb_version, facts_version, outcome, deciding_rules, trace, prev_hash, "
            "hash FROM decisions WHERE id = ?", (decision_id,))
        return _record(rows[0]) if rows else None

    def records(self) -> list[DecisionRecord]:
        rows = self.db.query(
            "SELECT id, decided_at, request, kb_version, facts_version, outcome, deciding_rules, trace, prev_hash, "
            "hash FROM decisions ORDER BY id")
        return [_record(r) for r in rows]

    def verify(self) -> tuple[bool, str]:
        """Walk the chain. (True, summary) when intact, else (False, where it first breaks)."""
        prev = GENESIS
        count = 0
        for record in self.records():
            if record.prev_hash != prev:
                return False, f"decision {record.id}: it does not follow the previous record (a record was removed or reordered)"
            if record_hash(prev, record.body()) != record.hash:
                return False, f"decision {record.id}: its content does not match its hash (it was changed)"
            prev = record.hash
            count += 1
        return True, f"{count} decision(s), chain intact, last hash {prev[:16]}"


def _record(row) -> DecisionRecord:
    return DecisionRecord(row[0], row[1], json.loads(row[2]), row[3], row[4], row[5], json.loads(row[6]),
                          json.loads(row[7]), row[8], row[9])
