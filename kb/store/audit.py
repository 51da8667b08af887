"""Verify the store: the fact history, the kept rule texts and the decision log, and how they bind.

What is checked (README, "The record is whole"):
- the fact history is a chain of changes; each change's hash covers the facts it added (their
  content as stored) and the ids of those it withdrew, so editing, deleting or un-withdrawing a
  stored fact breaks the change it belongs to;
- each kept rule version has the SHA-256 of its texts;
- each decision's hash covers its request, outcome, trace, the previous decision's hash, the hash
  of its rule texts and the fact chain's hash at its fact-base version — so a decision is bound to
  every fact it could have rested on and to the exact rule texts;
- each chain ends where its head (`audit_heads`, moved in the same transaction as each append)
  says it ends, so removing the last records shows.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from .chain import DECISIONS, FACTS, GENESIS, chain_hash, change_body, fact_row_digest, has_heads, head
from .db import Database

_SHOWN = 20  # problems listed in full; the rest are counted


@dataclass
class Report:
    """The outcome of a verification: every problem found, and counts for the summary."""
    problems: list[str] = field(default_factory=list)
    decisions: int = 0
    unbound: int = 0  # decisions logged before records were bound to rule and fact hashes
    fact_changes: int = 0
    rule_versions: int = 0
    last_hash: str = GENESIS

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            shown = self.problems[:_SHOWN]
            more = len(self.problems) - len(shown)
            return "; ".join(shown) + (f"; … and {more} more problem(s)" if more else "")
        text = (f"{self.decisions} decision(s), chain intact, last hash {self.last_hash[:16]}; "
                f"{self.fact_changes} fact change(s) and {self.rule_versions} kept rule version(s) intact")
        if self.unbound:
            text += f"; {self.unbound} decision(s) logged before rule and fact hashes were recorded"
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
            problems.append(f"fact change {cid}: it does not follow the previous change (a change was removed or reordered)")
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
        if kept_hash is not None and kept_hash != hashes[version]:
            problems.append(f"rule version {version}: its kept texts do not match their hash (they were changed)")
    return hashes, problems


def _bindings(record, rules: dict[str, str], facts: dict[int, str]) -> list[str]:
    """Problems with what a decision record is bound to (its rule texts and its fact base)."""
    if record.rules_hash is None and record.facts_hash is None:
        return []
    problems = []
    kept = rules.get(record.kb_version)
    if kept is None:
        problems.append(f"decision {record.id}: the rule texts of version {record.kb_version} are no longer kept")
    elif kept != record.rules_hash:
        problems.append(f"decision {record.id}: the kept rule texts of version {record.kb_version} do not match "
                        "the hash it recorded (they were changed)")
    if facts.get(int(record.facts_version)) != record.facts_hash:
        problems.append(f"decision {record.id}: the fact base of version {record.facts_version} does not match the "
                        "hash it recorded (a stored fact it rested on was changed or removed)")
    return problems


def verify(db: Database) -> Report:
    """Verify the whole store: every chain, every binding, both heads."""
    from .decisions import RECORD_COLUMNS, _record  # the log's record type; imported here to keep one direction
    report = Report()
    facts, report.problems = fact_chain(db)
    report.fact_changes = len(facts) - 1
    changes = db.query("SELECT id, hash FROM fact_changes ORDER BY id DESC LIMIT 1")
    _check_head(db, FACTS, "fact history", (changes[0][0], changes[0][1]) if changes else None, report.problems)
    rules, problems = rule_hashes(db)
    report.rule_versions = len(rules)
    report.problems += problems
    prev = GENESIS
    last = None
    for record in map(_record, db.query(f"SELECT {RECORD_COLUMNS} FROM decisions ORDER BY id")):
        if record.prev_hash != prev:
            report.problems.append(f"decision {record.id}: it does not follow the previous record "
                                   "(a record was removed or reordered)")
        elif chain_hash(prev, record.body()) != record.hash:
            report.problems.append(f"decision {record.id}: its content does not match its hash (it was changed)")
        report.problems += _bindings(record, rules, facts)
        report.unbound += record.rules_hash is None and record.facts_hash is None
        prev = record.hash
        last = (record.id, record.hash)
        report.decisions += 1
    report.last_hash = prev
    _check_head(db, DECISIONS, "decision log", last, report.problems)
    return report


def check_decision(db: Database, record) -> list[str]:
    """The problems with one decision record, before it is shown: its own hash, its link to the
    record before it, its rule texts and its fact base (the fact chain up to its version)."""
    problems = []
    before = db.query("SELECT hash FROM decisions WHERE id < ? ORDER BY id DESC LIMIT 1", (record.id,))
    prev = before[0][0] if before else GENESIS
    if record.prev_hash != prev:
        problems.append(f"decision {record.id}: it does not follow the previous record")
    elif chain_hash(prev, record.body()) != record.hash:
        problems.append(f"decision {record.id}: its content does not match its hash")
    if record.rules_hash is not None or record.facts_hash is not None:
        rules, rule_problems = rule_hashes(db, record.kb_version)
        facts, fact_problems = fact_chain(db, int(record.facts_version))
        problems += rule_problems + fact_problems + _bindings(record, rules, facts)
    return problems

