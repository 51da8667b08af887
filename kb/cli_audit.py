"""`kb audit verify` and `kb audit anchor`: check the store, and print what to keep outside it.

    kb audit verify [--db URL] [--anchor LINE | --anchor-file FILE] [--receipt ID:HASH ...]
                    [--snapshots DIR]
    kb audit anchor [--db URL]

Both read only: a damaged store is never repaired here (docs/audit.md). `verify` also checks the
model snapshots beside the store (snapshot_audit.py), `anchor` verifies first and prints the line
to keep elsewhere only for an intact store.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .engine.snapshot import configured_dir, snapshot_secret
from .snapshot_audit import check_snapshots
from .store.anchor import Anchor, Receipt
from .store.audit import Report, verify
from .store.db import Database


class _Unusable(Exception):
    """The command cannot run (no such store, an anchor or receipt that is not one): exit 2."""


def _verified(url: str, anchors: Sequence[Anchor] = (), receipts: Sequence[Receipt] = (),
              snapshots: tuple[Path, Path | str] | None = None) -> tuple[Report, list[str]] | None:
    """The verification report and its notes, or None (after saying why) when the store cannot be
    read at all. With `snapshots` (directory, rules directory), the snapshots there are checked too."""
    if url.startswith("sqlite://"):
        path = url[len("sqlite://"):]
        path = "/" + path.lstrip("/") if url.startswith("sqlite:////") else path.lstrip("/")
        if not path or not Path(path).is_file():
            raise _Unusable(f"no decision log at {url} (an SQLite file must exist to be verified)")
    db = Database(url)
    try:
        report = verify(db, anchors, receipts)
        notes: list[str] = []
        if snapshots is not None:
            secret = snapshot_secret(os.environ.get("DEELWIJZER_SNAPSHOT_KEY"), os.environ.get("DEELWIJZER_SECRET_KEY"))
            report.snapshots, problems, notes = check_snapshots(snapshots[0], db, snapshots[1], secret)
            report.problems += problems
        return report, notes
    except Exception as err:  # noqa: BLE001 - a store too damaged to read (a table dropped) is a finding
        print(f"BROKEN: the store cannot be read as a decision log of this release ({type(err).__name__}): a table "
              "or column is missing. A store from an older release is sealed when the service first opens it; "
              "otherwise the store was damaged.")
        return None
    finally:
        db.close()


def _anchors(args) -> list[Anchor]:
    lines = list(args.anchor or [])
    if args.anchor_file:
        try:
            text = Path(args.anchor_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise _Unusable(f"{args.anchor_file}: cannot be read as an anchor file ({type(err).__name__})") from None
        lines += [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    try:
        return [Anchor.parse(line) for line in lines]
    except ValueError as err:
        raise _Unusable(str(err)) from None


def cmd_verify(args) -> int:
    """Verify the store (kb/store/audit.py); exit 1 naming every problem, 0 when intact and every
    anchor and receipt given is still in the chains."""
    directory = Path(args.snapshots) if args.snapshots else configured_dir("auto", args.db)
    try:
        receipts = [Receipt.parse(text) for text in args.receipt or []]
        verified = _verified(args.db, _anchors(args), receipts, (directory, args.dir) if directory else None)
    except (_Unusable, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if verified is None:
        return 1
    report, notes = verified
    print(("ok: " if report.ok else "BROKEN: ") + report.summary())
    for line in report.confirmed + notes:
        print(line)
    return 0 if report.ok else 1


def cmd_anchor(args) -> int:
    """Print the anchor line of an intact store (both chains' last records with their whole
    hashes); exit 1, printing no anchor, when the store does not verify."""
    try:
        verified = _verified(args.db)
    except _Unusable as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if verified is None:
        return 1
    report = verified[0]
    if not report.ok:
        print("BROKEN: " + report.summary(), file=sys.stderr)
        print("no anchor printed: an anchor of a damaged store would vouch for the damage", file=sys.stderr)
        return 1
    print(report.anchor.text())
    return 0


def register(sub, common, default_db: str) -> None:
    """Add `kb audit verify` and `kb audit anchor` to the subcommands of the `kb` parser."""
    db_help = ("database URL: sqlite:///path or postgresql://… (default $DEELWIJZER_DATABASE_URL or the "
               "service's default sqlite:///var/deelwijzer.db)")
    audit = sub.add_parser("audit", parents=[common], help="check the decision log and the fact history")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    check = audit_sub.add_parser("verify", parents=[common],
                                 help="verify both hash chains, their bindings and heads (exit 1 if broken)")
    check.add_argument("--db", default=default_db, help=db_help)
    check.add_argument("--anchor", action="append", metavar="LINE",
                       help="an anchor line printed earlier by `kb audit anchor`: both chains must still extend it")
    check.add_argument("--anchor-file", metavar="FILE", help="a file of anchor lines (as appended by a cron job)")
    check.add_argument("--receipt", action="append", metavar="ID:HASH", type=str,
                       help="a decision's receipt (its id and hash, as its answer gave them): the log must still "
                            "hold it")
    check.add_argument("--snapshots", metavar="DIR",
                       help="the model snapshots to check against the store (default: the `snapshots` folder beside "
                            "an SQLite store, as the service keeps them); their MACs are checked when "
                            "DEELWIJZER_SNAPSHOT_KEY or DEELWIJZER_SECRET_KEY is set")
    check.set_defaults(func=cmd_verify)
    anchor = audit_sub.add_parser("anchor", parents=[common],
                                  help="print the line that anchors both chains, to keep outside the database")
    anchor.add_argument("--db", default=default_db, help=db_help)
    anchor.set_defaults(func=cmd_anchor)

