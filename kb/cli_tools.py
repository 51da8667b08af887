"""The `kb` commands added for people who know `opa`: `kb audience`, `kb replay`, `kb --version`,
and the shared pieces of `--format json` (one JSON shape per thing, the same in every command).

Kept apart from kb/cli.py so that the commands can change independently; `register` adds the
subcommands to the `kb` parser.
"""
from __future__ import annotations

import argparse
import datetime
import json
import sys
from importlib import metadata
from pathlib import Path

from .audience import readings
from .decide import OUTCOMES, Decision, DecisionError, decide
from .engine.registry import engine_factory
from .facts.fixtures import load_fact_file
from .facts.model import Fact
from .language.diagnostics import KnowledgeBaseError
from .language.knowledge_base import load_knowledge_base
from .scenarios import Result


def add_format(parser: argparse.ArgumentParser, legacy_json: bool = False) -> None:
    """`--format text|json` (and, where it existed before, `--json` as its short form)."""
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text for people (default) or json for tools")
    if legacy_json:
        parser.add_argument("--json", dest="format", action="store_const", const="json",
                            help="the same as --format json")


def print_json(data) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=_jsonable))


def _jsonable(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def fact_json(fact: Fact) -> dict:
    """A fact in the shape the service echoes and accepts: {predicate, args, from, until}."""
    return {"predicate": fact.predicate, "args": [_jsonable(a) if isinstance(a, datetime.date) else a
                                                 for a in fact.args], **fact.period()}


def decision_json(decision: Decision, lang: str) -> dict:
    """A decision as `kb decide --format json` prints it."""
    q = decision.question
    return {"question": {"actor": q.actor, "recipient": q.recipient, "item": q.item, "at": q.at.isoformat(),
                         "setting": q.setting, "hypothetical": [fact_json(f) for f in q.hypothetical]},
            "outcome": decision.outcome, "deciding_rules": list(decision.deciding_rules),
            "may_disclose": decision.may_disclose,
            "conditions": [{"id": c.id, "text": c.text(lang), "source": c.source} for c in decision.conditions],
            "kb_version": decision.kb_version, "facts_version": decision.facts_version}


def result_json(result: Result) -> dict:
    """One scenario's result as `kb test --format json` prints it."""
    s = result.scenario
    out = {"path": s.path, "name": s.name, "statement": s.statement, "passed": result.passed,
           "expected": dict(s.expect)}
    if result.decision is not None:
        out["actual"] = {"outcome": result.decision.outcome, "deciding_rules": list(result.decision.deciding_rules),
                         "conditions": [c.id for c in result.decision.conditions]}
    if result.error:
        out["actual"] = {"error": result.error}
    return out


def decision_error(err: DecisionError) -> int:
    """Print an unknown person, item or setting as `kb decide` does; exit code 2."""
    print(f"error[{err.code}]: {err.message}" + (f"\n    help: {err.suggestion}" if err.suggestion else ""),
          file=sys.stderr)
    return 2


def hypothetical_facts(path: str | None, kb) -> tuple[Fact, ...]:
    """The facts of a `--hypothetical` file (the fact-file format), for one question only."""
    if path is None:
        return ()
    return tuple(load_fact_file(path, kb.vocabulary))


class VersionAction(argparse.Action):
    """`kb --version`: the package's version and the version of the rules in `--dir` (read when asked)."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the package's version and the rules' version, then exit")

    def __call__(self, parser, namespace, values, option_string=None):
        try:
            package = metadata.version("deelwijzer")
        except metadata.PackageNotFoundError:  # run from a checkout that was never installed
            package = "unknown (not installed)"
        directory = getattr(namespace, "dir", None) or parser.get_default("dir")
        try:
            kb = load_knowledge_base(directory)
            rules = f"rules {kb.version} ({len(kb.rules)} rules in {Path(directory)})"
        except KnowledgeBaseError as err:
            rules = f"rules in {directory} fail their checks ({len(err.diagnostics)} error(s); run `kb check`)"
        print(f"kb {package}; {rules}")
        parser.exit(0)


def cmd_audience(args) -> int:
    """Everyone the actor may or must tell about the item on a day (what GET /v1/audience lists)."""
    from .workspace import Workspace
    kb = load_knowledge_base(args.dir)
    facts = load_fact_file(args.facts, kb.vocabulary)
    at = args.at or datetime.date.today()
    workspace = Workspace(args.dir, facts)
    try:
        decisions = workspace.audience(args.actor, args.item, at, args.setting)
        decisions.sort(key=lambda d: (OUTCOMES.index(d.outcome), str(d.question.recipient)))
        read = {d.question.recipient: readings(workspace.engine, workspace.kb, d).get(args.lang, "")
                for d in decisions}
    except DecisionError as err:
        return decision_error(err)
    finally:
        workspace.close()
    if args.format == "json":
        print_json({"actor": args.actor, "item": args.item, "at": at.isoformat(), "setting": args.setting,
                    "kb_version": kb.version, "facts_version": facts.version,
                    "audience": [{"recipient": d.question.recipient, "outcome": d.outcome,
                                  "deciding_rules": list(d.deciding_rules),
                                  "reading": read[d.question.recipient]} for d in decisions]})
        return 0
    if not decisions:
        print(f"nobody: {args.actor} may tell no one about {args.item} on {at.isoformat()}")
    for d in decisions:
        print(f"{d.question.recipient}: {d.outcome} — {', '.join(d.deciding_rules)}")
        if read[d.question.recipient]:
            print(f"    {read[d.question.recipient]}")
    return 0


def cmd_replay(args) -> int:
    """Decide a logged question again on the current rules and the store's latest facts; show what changed.
    Reads only: nothing is appended to the log."""
    from .edits.sources import questions_in_log
    from .store.db import Database
    from .store.decisions import DecisionLog
    from .store.facts import FactStore
    if args.db.startswith("sqlite:///") and not Path(args.db[len("sqlite:///"):]).is_file():
        print(f"error: no decision log at {args.db} (kb replay never creates one)", file=sys.stderr)
        return 2
    kb = load_knowledge_base(args.dir)
    db = Database(args.db)
    try:
        record = DecisionLog(db).get(args.id)
        if record is None:
            last = DecisionLog(db).records()
            print(f"error[not-found]: there is no decision {args.id} in the log"
                  + (f" (ids 1 to {last[-1].id})" if last else " (the log is empty)"), file=sys.stderr)
            return 2
        logged = next(q for label, q, _ in questions_in_log(db, kb.vocabulary) if label == f"decision {args.id}")
        facts = FactStore(db).fact_set()
    finally:
        db.close()
    engine = engine_factory(args.engine)()  # the one engine setting (kb --engine, DEELWIJZER_ENGINE)
    try:
        engine.load(kb, facts)
        now = decide(engine, kb, facts, logged.actor, logged.recipient, logged.item, logged.at, logged.setting,
                     logged.hypothetical)
    except DecisionError as err:
        return decision_error(err)
    finally:
        engine.close()
    changed = now.outcome != record.outcome or list(now.deciding_rules) != list(record.deciding_rules)
    if args.format == "json":
        print_json({"id": record.id, "changed": changed,
                    "before": {"outcome": record.outcome, "deciding_rules": list(record.deciding_rules),
                               "kb_version": record.kb_version, "facts_version": record.facts_version},
                    "after": decision_json(now, args.lang)})
        return 0
    print(f"decision {record.id}: {logged.actor} → {logged.recipient} about {logged.item} on {logged.at.isoformat()}"
          f" ({logged.setting})")
    print(f"  logged: {record.outcome} — {', '.join(record.deciding_rules)} "
          f"(rules {record.kb_version}, facts {record.facts_version})")
    print(f"  now:    {now.outcome} — {', '.join(now.deciding_rules)} "
          f"(rules {now.kb_version}, facts {now.facts_version})")
    print("  changed" if changed else "  unchanged")
    return 0


def register(sub, common, date_type, demo_facts: str, default_db: str) -> None:
    """Add `kb audience` and `kb replay` to the subcommands of the `kb` parser."""
    aud = sub.add_parser("audience", parents=[common], help="everyone the actor may or must tell about the item")
    aud.add_argument("actor", help="the person who holds the item")
    aud.add_argument("item", help="the information item")
    aud.add_argument("--at", type=date_type, default=None, help="the day (YYYY-MM-DD); default today")
    aud.add_argument("--setting", default="conversation", help="the setting of the telling (default conversation)")
    aud.add_argument("--facts", default=demo_facts, help="the fact file (YAML; default: the demo data)")
    aud.add_argument("--lang", choices=("nl", "en"), default="en", help="language of the readings (default en)")
    add_format(aud)
    aud.set_defaults(func=cmd_audience)
    rep = sub.add_parser("replay", parents=[common],
                         help="decide a logged question again on the current rules; show what changed")
    rep.add_argument("id", type=int, help="the decision's id in the log")
    rep.add_argument("--db", default=default_db, help="the decision log's database URL: sqlite:///path or "
                                                      "postgresql://… (default $DEELWIJZER_DATABASE_URL or "
                                                      "sqlite:///var/deelwijzer.db)")
    rep.add_argument("--lang", choices=("nl", "en"), default="en", help="language of the conditions (default en)")
    add_format(rep)
    rep.set_defaults(func=cmd_replay)

