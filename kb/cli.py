"""`kb` — check the rules, test the scenarios, decide a question.

    kb check [--dir DIR] [--json]
    kb test [PATH ...] [--coverage] [-v]
    kb golden [PATH ...] [--update]
    kb decide ACTOR RECIPIENT ITEM [--at DATE] [--setting S] [--facts FILE] [--explain] [--lang nl|en]
    kb audit verify [--db URL]
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

from .decide import DecisionError, decide
from .engine.pydatalog_engine import PyDatalogEngine
from .facts.fixtures import load_fact_file
from .language.diagnostics import KnowledgeBaseError, render_all
from .language.knowledge_base import DEFAULT_DIR, check_directory, load_knowledge_base
from .scenarios import load_scenario, run_scenario, scenario_paths

DEMO_FACTS = Path(__file__).resolve().parent.parent / "fixtures" / "demo" / "facts.yaml"


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a date; write YYYY-MM-DD") from None


def cmd_check(args) -> int:
    kb, diagnostics = check_directory(args.dir)
    if args.json:
        print(json.dumps([d.as_dict() for d in diagnostics], indent=2, ensure_ascii=False))
    elif diagnostics:
        print(render_all(diagnostics))
        print(f"\n{len(diagnostics)} error(s) — the knowledge base was not loaded.")
    else:
        print(f"ok: {len(kb.rules)} rules in {len(kb.files)} files, "
              f"{len(kb.vocabulary.predicates)} predicates, version {kb.version}")
    return 1 if diagnostics else 0


def cmd_test(args) -> int:
    kb = load_knowledge_base(args.dir)
    engine = PyDatalogEngine()
    results, broken = [], []
    try:
        for path in scenario_paths(args.paths):
            try:
                scenario = load_scenario(path, kb)
            except KnowledgeBaseError as err:
                broken.append((path, err))
                continue
            results.append(run_scenario(scenario, kb, engine, coverage=args.coverage))
    finally:
        engine.close()
    for result in results:
        if args.verbose or not result.passed:
            status = "PASS" if result.passed else "FAIL"
            print(f"{status}: {result.scenario.path}: {result.scenario.name}")
            if not result.passed:
                print(result.diff())
    for path, err in broken:
        print(f"ERROR: {path}\n{err.render()}")
    failed = sum(not r.passed for r in results) + len(broken)
    print("-" * 60)
    print(f"PASS: {len(results) - failed + len(broken)}/{len(results) + len(broken)}"
          + (f"\nFAIL: {failed}/{len(results) + len(broken)}" if failed else ""))
    if args.coverage:
        fired = set().union(*(r.fired for r in results)) if results else set()
        deciding = {rule for r in results if r.decision for rule in r.decision.deciding_rules}
        missing = [rule for rule in kb.rules if rule.id not in fired]
        print(f"coverage: {len(kb.rules) - len(missing)}/{len(kb.rules)} rules fired in some scenario; "
              f"{len(deciding)} rules decided one")
        for rule in missing:
            print(f"  not exercised: {rule.id} ({rule.pos})")
        if missing:
            failed += 1
    return 1 if failed else 0


def cmd_decide(args) -> int:
    kb = load_knowledge_base(args.dir)
    facts = load_fact_file(args.facts, kb.vocabulary)
    engine = PyDatalogEngine()
    try:
        engine.load(kb, facts)
        if args.explain:
            from .explain.service import explain_question
            from .explain.render import render_text
            explanation = explain_question(engine, kb, facts, args.actor, args.recipient, args.item,
                                           at=args.at, setting=args.setting)
            print(render_text(explanation, args.lang))
            return 0
        decision = decide(engine, kb, facts, args.actor, args.recipient, args.item, at=args.at,
                          setting=args.setting)
    except DecisionError as err:
        print(f"error[{err.code}]: {err.message}" + (f"\n    help: {err.suggestion}" if err.suggestion else ""),
              file=sys.stderr)
        return 2
    finally:
        engine.close()
    print(f"{decision.outcome} — decided by {', '.join(decision.deciding_rules)} "
          f"(rules {decision.kb_version}, facts {decision.facts_version})")
    print(f"may_disclose: {'yes' if decision.may_disclose else 'no'}")
    for condition in decision.conditions:
        print(f"condition [{condition.id}]: {condition.text(args.lang)} ({condition.source})")
    return 0


def cmd_golden(args) -> int:
    from .golden import compare_or_update
    kb = load_knowledge_base(args.dir)
    engine = PyDatalogEngine()
    try:
        problems = compare_or_update(kb, engine, args.paths or None, update=args.update)
    finally:
        engine.close()
    for problem in problems:
        print(problem)
    if args.update:
        print(f"{len(problems)} golden file(s) rewritten; review them with `git diff fixtures/golden`.")
        return 0
    print("golden explanations match" if not problems else
          f"{len(problems)} golden file(s) differ; if the change is intended run `kb golden --update`")
    return 1 if problems else 0


def cmd_audit_verify(args) -> int:
    """Walk the decision log's hash chain; exit 1 naming the first record that breaks it."""
    from .store.db import Database
    from .store.decisions import DecisionLog
    if args.db.startswith("sqlite://"):
        path = args.db[len("sqlite://"):]
        path = "/" + path.lstrip("/") if args.db.startswith("sqlite:////") else path.lstrip("/")
        if not path or not Path(path).is_file():
            print(f"error: no decision log at {args.db} (an SQLite file must exist to be verified)", file=sys.stderr)
            return 2
    db = Database(args.db)
    try:
        ok, message = DecisionLog(db).verify()
    finally:
        db.close()
    print(("ok: " if ok else "BROKEN: ") + message)
    return 0 if ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb", description="Deelwijzer knowledge base tools")
    parser.add_argument("--dir", default=str(DEFAULT_DIR), help="knowledge-base directory (vocabulary.yaml, rules/)")
    # `--dir` is accepted after the subcommand too (`kb check --dir DIR`); SUPPRESS keeps the
    # top-level value when it is not repeated there.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dir", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", parents=[common], help="check the rules and vocabulary; every error at once")
    check.add_argument("--json", action="store_true", help="print the errors as JSON")
    check.set_defaults(func=cmd_check)
    test = sub.add_parser("test", parents=[common], help="run scenario files")
    test.add_argument("paths", nargs="*", help="scenario files or folders (default fixtures/scenarios)")
    test.add_argument("--coverage", action="store_true", help="list rules no scenario exercised")
    test.add_argument("-v", "--verbose", action="store_true", help="show passing scenarios too")
    test.set_defaults(func=cmd_test)
    golden = sub.add_parser("golden", parents=[common], help="compare (or --update) the golden explanation texts")
    golden.add_argument("paths", nargs="*", help="scenario files or folders (default fixtures/scenarios)")
    golden.add_argument("--update", action="store_true", help="rewrite the golden files")
    golden.set_defaults(func=cmd_golden)
    dec = sub.add_parser("decide", parents=[common], help="decide one question on a fact file")
    dec.add_argument("actor")
    dec.add_argument("recipient")
    dec.add_argument("item")
    dec.add_argument("--at", type=_date, default=None, help="the moment (YYYY-MM-DD), default today")
    dec.add_argument("--setting", default="conversation")
    dec.add_argument("--facts", default=str(DEMO_FACTS))
    dec.add_argument("--explain", action="store_true", help="print the full explanation")
    dec.add_argument("--lang", choices=("nl", "en"), default="en")
    dec.set_defaults(func=cmd_decide)
    audit = sub.add_parser("audit", parents=[common], help="check the decision log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", parents=[common], help="verify the decision log's hash chain (exit 1 if broken)")
    verify.add_argument("--db", default=os.environ.get("DEELWIJZER_DATABASE_URL", "sqlite:///var/deelwijzer.db"),
                        help="database URL: sqlite:///path or postgresql://… (default $DEELWIJZER_DATABASE_URL "
                             "or the service's default sqlite:///var/deelwijzer.db)")
    verify.set_defaults(func=cmd_audit_verify)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KnowledgeBaseError as err:
        print(err.render(), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
