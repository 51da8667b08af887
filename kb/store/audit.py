"""Verify the store: the fact history, the kept rule texts and the decision log, and how they bind.

What is checked (docs/audit.md):
- the fact history is a chain of changes; each change's hash covers the facts it added (their
  content as stored) and the ids of those it withdrew, so editing, deleting or un-withdrawing a
  stored fact breaks the change it belongs to;
- each kept rule version has the SHA-256 of its texts (a missing one is damage);
- each decision's hash covers its request, outcome, trace, the previous decision's hash, the hash
  of its rule texts and the fact chain's hash at its fact-base version — so a decision is bound to
  every fact it could have rested on and to the exact rule texts — and, in the current record
  format, its id (its position: renumbering shows) and whether it is a what-if; a record in an
  older format after a newer one is damage (a downgrade, never a legacy record);
- each chain ends where its head (`audit_heads`, moved in the same transaction as each append)
  says it ends, so removing the last records shows;
- against what was kept outside the database (anchor.py): an anchor's two chain heads, and
  receipts of single decisions, are still in the chains with the same hashes.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from .anchor import Anchor, Receipt
from .chain import DECISIONS, FACTS, GENESIS, chain_hash, change_body, fact_row_digest, has_heads, head
from .db import Database
from .decisions import (
    BOUND,
    FORMAT,
    POSITIONED,
    RECORD_COLUMNS,
    UNBOUND,
    DecisionRecord,
    record_format,
    record_from_row,
)

_SHOWN = 20  # problems listed in full; the rest are counted


@dataclass
class Report:
    """The outcome of a verification: every problem found, and counts for the summary."""
    problems: list[str] = field(default_factory=list)
    decisions: int = 0
    what_ifs: int = 0
    unbound: int = 0  # decisions logged before records were bound to rule and fact hashes
    unnumbered: int = 0  # decisions logged before records were bound to their ids
    fact_changes: int = 0
    rule_versions: int = 0
    last: tuple[int, str] = (0, GENESIS)  # the decision log's last record: (id, hash)
    facts_last: tuple[int, str] = (0, GENESIS)  # the fact history's last change
    confirmed: list[str] = field(default_factory=list)  # anchors and receipts found in the chains
    snapshots: int = 0  # model snapshots checked beside the store (kb/snapshot_audit.py)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def last_hash(self) -> str:
        return self.last[1]

    @property
    def anchor(self) -> Anchor:
        """Both chains' last records: what to keep outside the database (`kb audit anchor`)."""
        return Anchor(self.last, self.facts_last)

    def summary(self) -> str:
        if self.problems:
            shown = self.problems[:_SHOWN]
            more = len(self.problems) - len(shown)
            return "; ".join(shown) + (f"; … and {more} more problem(s)" if more else "")
        text = (f"{self.decisions} decision(s), chain intact ({self.what_ifs} what-if), last decision "
                f"{self.last[0]} hash {self.last[1]}; {self.fact_changes} fact change(s), last hash "
                f"{self.facts_last[1]}, and {self.rule_versions} kept rule version(s) intact")
        if self.unbound:
            text += f"; {self.unbound} decision(s) logged before rule and fact hashes were recorded"
        if self.snapshots:
            text += f"; {self.snapshots} model snapshot(s) match the store"
        if self.unnumbered:
            text += (f"; {self.unnumbered} decision(s) logged before ids were hashed (an anchor taken since "
                     "covers their numbering)")
        return text


def _sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fact_chain(db: Database, upto: int | None = None) -> tuple[dict[int, str], list[str]]:
    """Recompute the fact history's chain (up to change `upto`, default all of it).

    Returns the recomputed hash after each change and the problems found; a change whose stored
    facts no longer match its hash gets the recomputed (different) hash, so every decision on that
    fact base or a later one is reported too."""
    limit = upto
    where, params = ("WHERE id <= ?", (limit,)) if limit is not None else ("", ())
    changes = db.query(f"SELECT id, changed_at, kind, note, prev_hash, hash FROM fact_changes {where} ORDER BY id",
                       params)
    fwhere, fparams = ("WHERE added_in <= ? OR withdrawn_in <= ?", (limit, limit)) if limit is not None else ("", ())
    added: dict[int, list[str]] = {}
    withdrawn: dict[int, list[int]] = {}
    for fid, predicate, args, valid_from, valid_until, added_in, withdrawn_in in db.query(
            "SELECT id, predicate, args, valid_from, valid_until, added_in, withdrawn_in FROM stored_facts "
            f"{fwhere} ORDER BY id", fparams):
        if limit is None or added_in <= limit:
            added.setdefault(added_in, []).append(fact_row_digest(fid, predicate, args, valid_from, valid_until))
        if withdrawn_in is not None and (limit is None or withdrawn_in <= limit):
            withdrawn.setdefault(withdrawn_in, []).append(fid)
    problems: list[str] = []
    recomputed: dict[int, str] = {0: GENESIS}
    prev_stored, prev_true = GENESIS, GENESIS
    for cid, changed_at, kind, note, prev_hash, stored_hash in changes:
        body = change_body(cid, changed_at, kind, note, added.get(cid, []), withdrawn.get(cid, []))
        if prev_hash != prev_stored:
            problems.append(f"fact change {cid}: it does not follow the previous change "
                            "(a change was removed or reordered)")
        elif chain_hash(prev_hash, body) != stored_hash:
            problems.append(f"fact change {cid}: it or the facts it added or withdrew do not match its hash "
                            "(a stored fact was changed, removed or added)")
        prev_true = chain_hash(prev_true, body)
        recomputed[cid] = prev_true
        prev_stored = stored_hash
    known = {c[0] for c in changes}
    for cid in sorted((set(added) | set(withdrawn)) - known):
        problems.append(f"fact change {cid}: stored facts name it, but it is not in the fact history")
    return recomputed, problems


def _check_head(db: Database, chain: str, what: str, last: tuple[int, str] | None, problems: list[str]) -> None:
    recorded = head(db, chain) if has_heads(db) else None
    last_id, last_hash = last or (0, GENESIS)
    if recorded is None:
        problems.append(f"the {what} has no head record (audit_heads row '{chain}' was removed)")
    elif recorded[0] > last_id:
        problems.append(f"the {what} ends at {last_id or 'nothing'}, but its head names {recorded[0]}: "
                        "the records after it were removed")
    elif recorded != (last_id, last_hash):
        problems.append(f"the {what} does not end where its head says (head {recorded[0]}, last record {last_id})")


def rule_hashes(db: Database, kb_version: str | None = None) -> tuple[dict[str, str], list[str]]:
    """The SHA-256 of each kept rule version's texts, and the versions whose texts no longer match
    the hash kept beside them."""
    where, params = ("WHERE kb_version = ?", (kb_version,)) if kb_version is not None else ("", ())
    hashes, problems = {}, []
    for version, sources, kept_hash in db.query(f"SELECT kb_version, sources, hash FROM rule_versions {where}", params):
        hashes[version] = _sha256_text(sources)
        if kept_hash is None:
            problems.append(f"rule version {version}: its hash is missing (a kept rule version always has one)")
        elif kept_hash != hashes[version]:
            problems.append(f"rule version {version}: its kept texts do not match their hash (they were changed)")
    return hashes, problems


def _bindings(record, rules: dict[str, str], facts: dict[int, str]) -> list[str]:
    """Problems with what a decision record is bound to (its rule texts and its fact base)."""
    if record.format == UNBOUND:
        return []
    problems = []
    kept = rules.get(record.kb_version)
    if kept is None:
        problems.append(f"decision {record.id}: the rule texts of version {record.kb_version} are no longer kept")
    elif kept != record.rules_hash:
        problems.append(f"decision {record.id}: the kept rule texts of version {record.kb_version} do not match "
                        "the hash it recorded (they were changed)")
    version = int(record.facts_version) if record.facts_version.isdigit() else -1
    if facts.get(version) != record.facts_hash:
        problems.append(f"decision {record.id}: the fact base of version {record.facts_version} does not match the "
                        "hash it recorded (a stored fact it rested on was changed or removed)")
    return problems


@dataclass(frozen=True)
class Place:
    """What a record's place is checked against: the record before it (id, hash, format)."""
    id: int
    hash: str
    format: int


def _link(record: DecisionRecord, before: Place | None) -> list[str]:
    """Problems with a record in its place: its link to the record before it, its own hash, its
    format (known, and no older than the one before) and, in the current format, its id."""
    prev = before.hash if before is not None else GENESIS
    if record.prev_hash != prev:
        return [f"decision {record.id}: it does not follow the previous record (a record was removed or reordered)"]
    problems = []
    if not UNBOUND <= record.format <= FORMAT:
        problems.append(f"decision {record.id}: its record format {record.format} is not one this release knows")
    elif before is not None and record.format < before.format:
        problems.append(f"decision {record.id}: it is in record format {record.format} after a record in format "
                        f"{before.format} (a record was downgraded to an older format)")
    elif record.format >= POSITIONED and record.id != (before.id if before is not None else 0) + 1:
        problems.append(f"decision {record.id}: its id is not the position after "
                        f"{f'decision {before.id}' if before is not None else 'the start of the log'} "
                        "(the records were renumbered)")
    if chain_hash(prev, record.body()) != record.hash:
        problems.append(f"decision {record.id}: its content does not match its hash (it was changed or renumbered)")
    return problems


def verify(db: Database, anchors: Sequence[Anchor] = (), receipts: Sequence[Receipt] = ()) -> Report:
    """Verify the whole store: every chain, every binding, both heads; and that each anchor and
    receipt kept outside the database is still in the chains."""
    report = Report()
    facts, report.problems = fact_chain(db)
    report.fact_changes = len(facts) - 1
    changes = db.query("SELECT id, hash FROM fact_changes ORDER BY id DESC LIMIT 1")
    report.facts_last = (changes[0][0], changes[0][1]) if changes else (0, GENESIS)
    _check_head(db, FACTS, "fact history", report.facts_last if changes else None, report.problems)
    rules, problems = rule_hashes(db)
    report.rule_versions = len(rules)
    report.problems += problems
    wanted = {a.decisions[0] for a in anchors} | {r.id for r in receipts}
    hashes: dict[int, str] = {0: GENESIS}  # the decisions anchors and receipts name
    before = None
    for record in map(record_from_row, db.query(f"SELECT {RECORD_COLUMNS} FROM decisions ORDER BY id")):
        report.problems += _link(record, Place(before.id, before.hash, before.format) if before is not None else None)
        report.problems += _bindings(record, rules, facts)
        report.unbound += record.format == UNBOUND
        report.unnumbered += record.format in (UNBOUND, BOUND)
        report.what_ifs += record.what_if
        if record.id in wanted:
            hashes[record.id] = record.hash
        before = record
        report.decisions += 1
    report.last = (before.id, before.hash) if before is not None else (0, GENESIS)
    _check_head(db, DECISIONS, "decision log", report.last if before is not None else None, report.problems)
    for anchor in anchors:
        _check_anchor(anchor, hashes, facts, report)
    for receipt in receipts:
        _check_receipt(receipt, hashes, report)
    return report


def _check_anchor(anchor: Anchor, decisions: dict[int, str], facts: dict[int, str], report: Report) -> None:
    found = []
    for what, (last_id, last_hash), chain in (("decision log", anchor.decisions, decisions),
                                              ("fact history", anchor.facts, facts)):
        held = chain.get(last_id)
        if held is None:
            found.append(f"the {what} no longer holds record {last_id} that the anchor names (records were removed "
                         "or renumbered)")
        elif held != last_hash:
            found.append(f"the {what} no longer extends the anchor: record {last_id} has hash {held}, the anchor "
                         f"says {last_hash} (the chain was rewritten)")
    if found:
        report.problems += [f"anchor {anchor.text()}: {problem}" for problem in found]
    else:
        report.confirmed.append(f"anchor confirmed: both chains still extend {anchor.text()}")


def _check_receipt(receipt: Receipt, decisions: dict[int, str], report: Report) -> None:
    held = decisions.get(receipt.id)
    if held is None:
        report.problems.append(f"receipt {receipt.id}:{receipt.hash}: the log holds no decision {receipt.id}")
    elif held != receipt.hash:
        report.problems.append(f"receipt {receipt.id}:{receipt.hash}: decision {receipt.id} in the log has hash "
                               f"{held} (the record or the chain before it was rewritten)")
    else:
        report.confirmed.append(f"receipt confirmed: decision {receipt.id} is in the log with hash {receipt.hash}")


def check_decision(db: Database, record: DecisionRecord) -> list[str]:
    """The problems with one decision record, before it is shown: its own hash, its place after the
    record before it (link, format, id), its rule texts and its fact base (the fact chain up to
    its version)."""
    rows = db.query("SELECT id, hash, format, rules_hash, facts_hash FROM decisions WHERE id < ? "
                    "ORDER BY id DESC LIMIT 1", (record.id,))
    problems = _link(record, Place(rows[0][0], rows[0][1], record_format(*rows[0][2:])) if rows else None)
    if record.format != UNBOUND:
        rules, rule_problems = rule_hashes(db, record.kb_version)
        facts, fact_problems = fact_chain(db, int(record.facts_version) if record.facts_version.isdigit() else 0)
        problems += rule_problems + fact_problems + _bindings(record, rules, facts)
    return problems
