"""The decision log: every decision, append-only, each record chained to the previous by hash.

A record holds the request, its hypothetical facts, the knowledge-base version (a hash of rules and
vocabulary), the fact-base version, the outcome, the deciding rules and the full trace. Its hash
covers all of that, its id (its position in the chain), whether it is a what-if, the previous
record's hash, the hash of the kept rule texts and the fact chain's hash at its fact-base version,
so changing, renumbering or removing any record, or a fact or rule text it rested on, shows
(kb/store/audit.py; the head in audit_heads catches a removed tail). The texts of every rule-set
version that a decision refers to are kept too, so a decision can be shown exactly as decided after
the rules changed.

Record formats (the `format` column; what `body()` hashes):
  1  logged before records were bound: request, versions, outcome, rules, trace
  2  and the kept rule texts' hash and the fact chain's hash (`rules_hash`, `facts_hash`)
  3  and the record's id, `format` and `what_if` — what every record is written in now
Records of formats 1 and 2 keep verifying as they were hashed (their id is not in their hash; the
external anchor of docs/audit.md covers them). Along the chain a format never goes down: a record
in an older format after a newer one is damage, never a legacy record.

Appends are group-committed: records that arrive while another append is being written wait for
it, then go together in one transaction (one head claim, one commit), each chained in arrival
order. Every caller returns only after the transaction holding its record committed, so an
acknowledged decision is durable (tests/test_group_commit.py kills a writer with SIGKILL).
"""
from __future__ import annotations

import datetime
import hashlib
import json
import threading
from dataclasses import dataclass, replace

from .chain import DECISIONS, GENESIS, canonical, chain_hash, claim_head, digest, move_head
from .db import MAX_ID, Database
from .schema import prepare

UNBOUND, BOUND, POSITIONED = 1, 2, 3  # the record formats (module docstring)
FORMAT = POSITIONED  # the format of every record written now


class StoreDamaged(LookupError):
    """What a new record must be bound to is missing from the store (its kept rule texts, or its
    fact-base version): the store was changed behind the service's back; nothing is logged."""


def record_hash(prev_hash: str, body: dict) -> str:
    return chain_hash(prev_hash, body)


def body_text(record: DecisionRecord, texts: dict[str, str]) -> str:
    """`canonical(record.body())`, with the canonical texts of some members given (those stored as
    they are): canonical JSON of an object is its sorted members' canonical texts joined, so each
    member, the trace above all, is serialised once per append instead of twice.
    `record_hash(prev, body) == sha256(prev + body_text(...))` (tests/test_group_commit.py)."""
    return "{" + ",".join(f"{canonical(key)}:{texts[key] if key in texts else canonical(value)}"
                          for key, value in sorted(record.body().items())) + "}"


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
    rules_hash: str | None = None  # SHA-256 of the kept rule texts (None: logged before bindings)
    facts_hash: str | None = None  # the fact chain's hash at facts_version
    format: int = FORMAT
    what_if: bool = False  # asked with hypothetical facts: not a decision about what is the case

    def body(self) -> dict:
        """What the hash covers, as the record's format defines it (module docstring)."""
        body = {"decided_at": self.decided_at, "request": self.request, "kb_version": self.kb_version,
                "facts_version": self.facts_version, "outcome": self.outcome,
                "deciding_rules": self.deciding_rules, "trace": self.trace}
        if self.format >= BOUND:
            body["rules_hash"], body["facts_hash"] = self.rules_hash, self.facts_hash
        if self.format >= POSITIONED:
            body["id"], body["format"], body["what_if"] = self.id, self.format, self.what_if
        return body

    def as_dict(self) -> dict:
        """The record as the API shows it: every hashed field, and `format` and `what_if` for every
        format (an older record is a what-if when its request holds hypothetical facts)."""
        return {"id": self.id, **self.body(), "format": self.format, "what_if": self.what_if,
                "prev_hash": self.prev_hash, "hash": self.hash}

    @property
    def receipt(self) -> str:
        """`ID:HASH`, what a client keeps to have the record confirmed later (`kb audit verify --receipt`)."""
        return f"{self.id}:{self.hash}"


class _Pending:
    """One append waiting for its group commit: its record's fields, then its result or error."""

    __slots__ = ("args", "done", "result", "error")

    def __init__(self, args: tuple):
        self.args, self.done, self.result, self.error = args, False, None, None


class DecisionLog:
    def __init__(self, db: Database):
        self.db = db
        prepare(db)
        self._queue: list[_Pending] = []
        self._queue_lock = threading.Lock()  # guards the queue only (held for a list swap)
        self._commit_lock = threading.Lock()  # held by the leader while it writes a batch
        self.transactions = 0  # append transactions committed (a batch counts once)

    def keep_rule_version(self, kb_version: str, sources: dict[str, str]) -> None:
        """Store the rule and vocabulary texts of a knowledge-base version (once, whichever of several
        processes sharing the store gets there first: two gunicorn workers deciding their first
        questions together both find it missing, and the second insert must not fail)."""
        with self.db.transaction() as cur:
            if cur.execute("SELECT 1 FROM rule_versions WHERE kb_version = ?", (kb_version,)).fetchone():
                return
            now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
            cur.execute("INSERT INTO rule_versions (kb_version, sources, first_seen, hash) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (kb_version) DO NOTHING",
                        (kb_version, canonical(sources), now, digest(sources)))

    def rule_version(self, kb_version: str) -> dict[str, str] | None:
        rows = self.db.query("SELECT sources FROM rule_versions WHERE kb_version = ?", (kb_version,))
        return json.loads(rows[0][0]) if rows else None

    def rule_versions(self) -> list[str]:
        """The knowledge-base versions whose texts are kept (for a did-you-mean on an unknown one)."""
        return [row[0] for row in self.db.query("SELECT kb_version FROM rule_versions ORDER BY first_seen")]

    def append(self, request: dict, kb_version: str, facts_version: str, outcome: str,
               deciding_rules: list, trace: dict) -> DecisionRecord:
        """Append one decision, chained to the last record, numbered by its position, bound to the
        hashes of its kept rule texts and of its fact base (the fact chain at its version) and
        marked a what-if when its request holds hypothetical facts. Serialised by the head;
        group-committed with the appends that arrive meanwhile (see the module docstring)."""
        pending = _Pending((request, kb_version, str(facts_version), outcome, list(deciding_rules), trace))
        with self._queue_lock:
            self._queue.append(pending)
        with self._commit_lock:  # one leader at a time; whoever finds its record unwritten leads
            if not pending.done:
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                self._commit(batch)
        if pending.error is not None:
            raise pending.error
        return pending.result

    def _commit(self, batch: list[_Pending]) -> None:
        """Write a batch in one transaction; if that fails, each record alone (so that one bad
        record — a rule version not kept — fails only its own request)."""
        try:
            results = self._write([p.args for p in batch])
        except Exception as err:  # noqa: BLE001 - handed to the waiting callers, or retried alone
            if len(batch) == 1:
                batch[0].error, batch[0].done = err, True
                return
            for pending in batch:
                self._commit([pending])
            return
        for pending, result in zip(batch, results):
            pending.result, pending.done = result, True

    def _write(self, batch: list[tuple]) -> list[DecisionRecord]:
        out: list[DecisionRecord] = []
        with self.db.transaction() as cur:
            last_id, prev = claim_head(cur, DECISIONS)
            top = cur.execute("SELECT MAX(id) FROM decisions").fetchone()[0] or 0
            if top != last_id:  # the next id would not be the next position: refuse to log
                raise StoreDamaged(f"the decision log's head names record {last_id}, its last record is {top}")
            kept_hash: dict[str, str] = {}
            facts_hash: dict[str, str] = {}
            for request, kb_version, facts_version, outcome, deciding_rules, trace in batch:
                if kb_version not in kept_hash:
                    kept = cur.execute("SELECT hash FROM rule_versions WHERE kb_version = ?",
                                       (kb_version,)).fetchone()
                    if kept is None:
                        raise StoreDamaged(f"rule version {kb_version} is not kept; keep it before logging a decision")
                    if kept[0] is None:
                        raise StoreDamaged(f"rule version {kb_version} is kept without its hash")
                    kept_hash[kb_version] = kept[0]
                if facts_version not in facts_hash:
                    version = int(facts_version)
                    facts = cur.execute("SELECT hash FROM fact_changes WHERE id = ?", (version,)).fetchone() \
                        if version else (GENESIS,)
                    if facts is None:
                        raise StoreDamaged(f"fact base version {facts_version} is not in the store")
                    facts_hash[facts_version] = facts[0]
                decided_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="microseconds")
                last_id += 1
                record = DecisionRecord(last_id, decided_at, request, kb_version, facts_version, outcome,
                                        deciding_rules, trace, prev, "", kept_hash[kb_version],
                                        facts_hash[facts_version], FORMAT, bool(request.get("hypothetical")))
                texts = {"request": canonical(request), "deciding_rules": canonical(deciding_rules),
                         "trace": canonical(trace)}
                digest_ = hashlib.sha256((prev + body_text(record, texts)).encode("utf-8")).hexdigest()
                cur.execute(
                    "INSERT INTO decisions (id, decided_at, request, kb_version, facts_version, outcome, "
                    "deciding_rules, trace, prev_hash, hash, rules_hash, facts_hash, format, what_if) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (last_id, decided_at, texts["request"], kb_version, facts_version, outcome,
                     texts["deciding_rules"], texts["trace"], prev, digest_, record.rules_hash,
                     record.facts_hash, FORMAT, int(record.what_if)))
                out.append(replace(record, hash=digest_))
                prev = digest_
            move_head(cur, DECISIONS, last_id, prev)
            if self.db.dialect == "postgresql":  # ids are positions now; keep the serial past them
                cur.execute("SELECT setval(pg_get_serial_sequence('decisions', 'id'), ?)", (last_id,))
        self.transactions += 1
        return out

    def get(self, decision_id: int) -> DecisionRecord | None:
        if not 0 < decision_id <= MAX_ID:  # no such row, and the database could not even compare it
            return None
        rows = self.db.query(
            f"SELECT {RECORD_COLUMNS} FROM decisions WHERE id = ?", (decision_id,))
        return record_from_row(rows[0]) if rows else None

    def records(self) -> list[DecisionRecord]:
        rows = self.db.query(
            f"SELECT {RECORD_COLUMNS} FROM decisions ORDER BY id")
        return [record_from_row(r) for r in rows]

    def verify(self) -> tuple[bool, str]:
        """Verify the whole store (kb/store/audit.py): (True, summary) when intact, else (False, the problems)."""
        from .audit import verify
        report = verify(self.db)
        return report.ok, report.summary()


RECORD_COLUMNS = ("id, decided_at, request, kb_version, facts_version, outcome, deciding_rules, trace, prev_hash, "
                  "hash, rules_hash, facts_hash, format, what_if")


def record_from_row(row) -> DecisionRecord:
    """A record from a row of RECORD_COLUMNS. A row written before the `format` column has its
    format by its bindings, and is a what-if when its request holds hypothetical facts."""
    request = json.loads(row[2])
    what_if = bool(row[13]) if row[13] is not None else bool(request.get("hypothetical"))
    return DecisionRecord(row[0], row[1], request, row[3], row[4], row[5], json.loads(row[6]),
                          json.loads(row[7]), row[8], row[9], row[10], row[11], record_format(row[12], *row[10:12]),
                          what_if)


def record_format(stored, rules_hash: str | None, facts_hash: str | None) -> int:
    """A row's record format: its `format` column, or for a row written before that column, by its
    bindings; 0 when the column holds something no release writes."""
    if stored is None:
        return BOUND if rules_hash is not None or facts_hash is not None else UNBOUND
    return stored if isinstance(stored, int) else 0
