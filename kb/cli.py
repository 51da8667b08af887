"""`kb` — check the rules, test the scenarios, decide a question.

    kb [--engine materialized|pydatalog] COMMAND …   (default $DEELWIJZER_ENGINE, else materialized)

    kb --version
    kb check [--dir DIR] [--format text|json] [--strict]
    kb test [PATH ...] [--run PATTERN] [--coverage] [-v] [--format text|json]
    kb golden [PATH ...] [--update]
    kb mutate [PATH ...] [--jobs N] [--sample N --seed S] [--rule PREFIX] [--json] [-v]
    kb alternatives [PATH ...] [--rule PREFIX] [--jobs N] [--json] [-v]
    kb diff OLD_DIR NEW_DIR | --rev A --rev B [--db URL] [--at DATE] [--examples N] [--json]
    kb decide ACTOR RECIPIENT ITEM [--at DATE] [--setting S] [--facts FILE] [--hypothetical FILE]
              [--explain] [--lang nl|en] [--reader R] [--format text|json]
    kb audience ACTOR ITEM [--at DATE] [--setting S] [--facts FILE] [--format text|json]
    kb replay ID [--db URL] [--format text|json]
    kb audit verify [--db URL] [--anchor LINE | --anchor-file FILE] [--receipt ID:HASH ...]
    kb audit anchor [--db URL]
    kb fmt [PATH ...] [--check]
    kb eval QUERY [--at DATE] [--facts FILE] [--format table|json] [--limit N --offset N] [--explain]
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import sys
from pathlib import Path

from .cli_tools import (
    VersionAction,
    add_format,
    decision_error,
    decision_json,
    hypothetical_facts,
    print_json,
    result_json,
)
from .decide import DEFAULT_SETTING, DecisionError, Question
from .decision_table import why_no_table
from .engine.registry import ENGINES, REFERENCE_ENGINE, UnknownEngine, configured_engine, engine_factory
from .explain.readers import READERS, for_reader
from .facts.fixtures import load_fact_file
from .language.diagnostics import PARSE_CODES, KnowledgeBaseError, render_all
from .language.knowledge_base import DEFAULT_DIR, check_directory, load_knowledge_base
from .paths import display_path
from .scenarios import load_scenario, run_scenario, scenario_paths
from .workspace import Workspace

DEMO_FACTS = Path(__file__).resolve().parent.parent / "fixtures" / "demo" / "facts.yaml"
DEFAULT_DB = os.environ.get("DEELWIJZER_DATABASE_URL", "sqlite:///var/deelwijzer.db")


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a date; write YYYY-MM-DD") from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"`{text}` is not a whole number of at least 1")
    return int(text)


def cmd_check(args) -> int:
    """Exit 1 on any error; on warnings only with --strict (what CI runs on the shipped rules)."""
    kb, diagnostics = check_directory(args.dir)
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    if args.format == "json":
        print(json.dumps([d.as_dict() for d in diagnostics], indent=2, ensure_ascii=False))
        return 1 if errors or (warnings and args.strict) else 0
    if diagnostics:
        print(render_all(diagnostics) + "\n")
    counted = _count(warnings, "warning")
    if errors:
        print(f"{_count(errors, 'error')}" + (f", {counted}" if warnings else "")
              + " — the knowledge base was not loaded.")
        if any(d.code in PARSE_CODES for d in diagnostics):
            print("note: a rule file does not parse, so the checks of the rule set as a whole (rules no "
                  "decision depends on, derived predicates no rule concludes) wait until it does.")
        return 1
    loaded = (f"{len(kb.rules)} rules in {len(kb.files)} files, {len(kb.vocabulary.predicates)} predicates, "
              f"version {kb.version}")
    if not warnings:
        print(f"ok: {loaded}")
    elif args.strict:
        print(f"{counted} — `kb check --strict` fails on warnings (without --strict the rules load: {loaded})")
    else:
        print(f"ok, with {counted}: {loaded}\n"
              f"    the rules load, but `kb check --strict` (what scripts/test and CI run) fails until "
              f"{'it is' if warnings == 1 else 'they are'} mended")
    slower = why_no_table(kb)
    if slower:  # not a mistake: every answer stays right, but each question is decided alone
        print(f"note: no decision tables for these rules, so each question is decided alone "
              f"(slower, same answers): {slower}")
    return 1 if warnings and args.strict else 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def cmd_test(args) -> int:
    kb = load_knowledge_base(args.dir)
    engine = engine_factory(args.engine)()
    results, broken = [], []
    try:
        for path in selected_scenarios(scenario_paths(args.paths), args.run):
            try:
                scenario = load_scenario(path, kb)
            except KnowledgeBaseError as err:
                broken.append((path, err))
                continue
            results.append(run_scenario(scenario, kb, engine, coverage=args.coverage))
    finally:
        engine.close()
    if args.format == "json":
        return _test_json(args, kb, results, broken, sum(not r.passed for r in results) + len(broken))
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


def selected_scenarios(paths: list[Path], pattern: str | None) -> list[Path]:
    """The scenario files whose file name or `name:` matches `--run` (a regular expression), all without it."""
    if not pattern:
        return paths
    try:
        regex = re.compile(pattern)
    except re.error as err:
        raise UsageError(f"--run `{pattern}` is not a regular expression: {err}") from None
    chosen = []
    for path in paths:
        name = re.search(r"^name:\s*(.*)$", path.read_text(encoding="utf-8"), re.MULTILINE)
        if regex.search(path.stem) or (name and regex.search(name.group(1))):
            chosen.append(path)
    if not chosen:
        raise UsageError(f"no scenario's file name or name matches --run `{pattern}`")
    return chosen


class UsageError(Exception):
    """A command line that names nothing to do (exit code 2, never a silent empty run)."""


def _test_json(args, kb, results, broken, failed: int) -> int:
    """`kb test --format json`: every result, the scenarios that did not load, and with --coverage
    the rules not fired."""
    out = {"passed": len(results) - failed + len(broken), "failed": failed, "total": len(results) + len(broken),
           "results": [result_json(r) for r in results],
           "errors": [{"path": str(path), "diagnostics": [d.as_dict() for d in err.diagnostics]}
                      for path, err in broken]}
    if args.coverage:
        fired = set().union(*(r.fired for r in results)) if results else set()
        out["not_exercised"] = [{"id": r.id, "location": str(r.pos)} for r in kb.rules if r.id not in fired]
        failed += bool(out["not_exercised"])
    print_json(out)
    return 1 if failed else 0


def _judged_scenarios(paths, kb, what: str):
    """The scenarios a run of edits is judged against, or None (each error printed) if one does not load."""
    scenarios, broken = [], []
    for path in scenario_paths(paths):
        try:
            scenarios.append(load_scenario(path, kb))
        except KnowledgeBaseError as err:
            broken.append(err)
    for err in broken:
        print(err.render(), file=sys.stderr)
    if broken:
        print(f"the scenarios must load before {what} can be judged (`kb test`)", file=sys.stderr)
        return None
    return scenarios


def cmd_mutate(args) -> int:
    """Run the scenarios against every mutant of the rules; exit 1 on an unexplained survivor."""
    from .edits.allowlist import load_allow_list
    from .edits.mutants import mutants
    from .edits.mutation import default_allow_list, render_report, report_json, report_passes, run_mutants
    kb = load_knowledge_base(args.dir)
    allowed = load_allow_list(args.allow_list or default_allow_list(args.dir))
    scenarios = _judged_scenarios(args.paths, kb, "mutants")
    if scenarios is None:
        return 2
    report = run_mutants(kb, scenarios, allowed, jobs=args.jobs, sample=args.sample, seed=args.seed,
                         rule_prefix=args.rule or "")
    if args.json:
        print(json.dumps(report_json(report), indent=2, ensure_ascii=False))
    else:
        print(render_report(report, verbose=args.verbose))
    if args.suggest and report.survivors:
        # the report's mutants came back from the worker processes as copies: take the ones whose
        # `original` is this knowledge base's rule
        by_key = {m.key: m for m in mutants(kb.rules, kb.vocabulary)}
        _write_suggestions(kb, scenarios, [by_key[r.mutant.key] for r in report.survivors], Path(args.suggest),
                           report.jobs, args.suggest_seconds)
    return 0 if report_passes(report) else 1


def _write_suggestions(kb, scenarios, survivors, folder: Path, jobs: int, seconds: float) -> None:
    """`kb mutate --suggest`: a scenario file per survivor the search can kill, for review."""
    from .edits.killers import suggest_killers
    folder.mkdir(parents=True, exist_ok=True)
    found = 0
    for index, suggestion in suggest_killers(kb, scenarios, survivors, jobs, seconds):
        print(f"{survivors[index].key}: {'a scenario found' if suggestion else 'none found'}", file=sys.stderr)
        if suggestion is None:
            continue
        found += 1
        path = folder / f"{index + 1:03d}_{suggestion.mutant.rule_id}.yaml"
        path.write_text(suggestion.as_yaml(), encoding="utf-8")
    print(f"suggested scenarios: {found} of {len(survivors)} survivors in {display_path(folder)}; "
          f"each expects what the rules decide now — confirm it in law before moving it to fixtures/scenarios",
          file=sys.stderr)


def cmd_alternatives(args) -> int:
    """Apply every rule's @alternative literally and run the scenarios; exit 1 unless each is pinned."""
    from .edits.alternatives import render_report, report_json, report_passes, run_alternatives
    kb = load_knowledge_base(args.dir)
    scenarios = _judged_scenarios(args.paths, kb, "alternatives")
    if scenarios is None:
        return 2
    report = run_alternatives(kb, scenarios, jobs=args.jobs, rule_prefix=args.rule or "", engine=args.engine)
    if not report.results:
        raise UsageError(f"no rule whose id starts with `{args.rule}` has a @choice or an @alternative")
    if args.json:
        print(json.dumps(report_json(report), indent=2, ensure_ascii=False))
    else:
        print(render_report(report, verbose=args.verbose))
    return 0 if report_passes(report) else 1


def cmd_diff(args) -> int:
    """Which rules changed between two rule sets, and which decisions flip; exit 1 if one fails its checks."""
    from .edits.impact import ImpactRun
    from .edits.sources import checked_directory, checked_revision, log_questions
    if args.rev and (len(args.rev) != 2 or args.dirs):
        print("error: give two rule directories, or --rev A --rev B (two git revisions of kb/)", file=sys.stderr)
        return 2
    if not args.rev and len(args.dirs) != 2:
        print("error: give two rule directories OLD NEW, or --rev A --rev B", file=sys.stderr)
        return 2
    if args.db and args.db.startswith("sqlite:///") and not Path(args.db[len("sqlite:///"):]).is_file():
        print(f"error: no decision log at {args.db} (kb diff never creates one)", file=sys.stderr)
        return 2
    kbs, failed = [], False
    for label in (args.rev or args.dirs):
        try:
            kbs.append(checked_revision(Path(args.repo), label) if args.rev else checked_directory(label))
        except KnowledgeBaseError as err:
            failed = True
            print(f"{label}: the rules fail their checks; nothing is compared\n{err.render()}", file=sys.stderr)
    if failed:
        return 1
    old, new = kbs
    run = ImpactRun(old, new, engine=args.engine)
    broken = [] if args.no_scenarios else run.scenarios(scenario_paths(args.scenarios or None))
    if not args.no_population:
        from .edits.impact import DEMO_DATE
        run.population(load_fact_file(args.facts, new.vocabulary), args.at or DEMO_DATE)
    if args.db:
        run.log(log_questions(args.db, new.vocabulary))
    if args.json:
        print(json.dumps({**run.impact.as_dict(args.examples), "old_kb_version": old.version,
                          "new_kb_version": new.version, "unreadable_scenarios": [path for path, _ in broken]},
                         indent=2, ensure_ascii=False))
    else:
        for path, err in broken:
            print(f"skipped {path}: it loads against neither rule set\n{err.render()}\n")
        print(run.impact.render(args.examples))
    return 0


def cmd_decide(args) -> int:
    workspace = Workspace(args.dir, engine=args.engine)
    try:
        workspace.replace_facts(load_fact_file(args.facts, workspace.kb.vocabulary))
        hypothetical = hypothetical_facts(args.hypothetical, workspace.kb)
        question = Question(args.actor, args.recipient, args.item, args.at or datetime.date.today(), args.setting,
                            tuple(hypothetical))
        if args.explain:
            from .explain.render import render_text
            explanation = workspace.explain(question)
            if args.reader:
                explanation = for_reader(explanation, args.reader).to_json()
            if args.format == "json":
                print_json(explanation)
            else:
                print(render_text(explanation, args.lang))
            return 0
        decision = workspace.decide(question)
    except DecisionError as err:
        return decision_error(err)
    finally:
        workspace.close()
    if args.format == "json":
        print_json(decision_json(decision, args.lang))
        return 0
    print(f"{decision.outcome} — decided by {', '.join(decision.deciding_rules)} "
          f"(rules {decision.kb_version}, facts {decision.facts_version})")
    print(f"may_disclose: {'yes' if decision.may_disclose else 'no'}")
    for fact in hypothetical:
        print(f"what-if (this question only): {fact}")
    for condition in decision.conditions:
        print(f"condition [{condition.id}]: {condition.text(args.lang)} ({condition.source})")
    return 0


def cmd_golden(args) -> int:
    from .golden import compare_or_update
    kb = load_knowledge_base(args.dir)
    engine = engine_factory(REFERENCE_ENGINE)()  # the golden texts are the reference engine's (registry.py)
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
          f"{len(problems)} golden file(s) differ: the explanation texts above changed (a reading, a rule or a "
          f"label was edited). If the change is intended, run `kb golden --update` and commit the rewritten "
          f"files with the edit.")
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb", description="Deelwijzer knowledge base tools")
    parser.add_argument("--dir", default=str(DEFAULT_DIR), help="knowledge-base directory (vocabulary.yaml, rules/)")
    parser.add_argument("--version", action=VersionAction)
    # `--dir` is accepted after the subcommand too (`kb check --dir DIR`); SUPPRESS keeps the
    # top-level value when it is not repeated there.
    parser.add_argument("--engine", choices=sorted(ENGINES), default=configured_engine(),
                        help="the engine that decides (default $DEELWIJZER_ENGINE, else %(default)s)")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dir", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("--engine", choices=sorted(ENGINES), default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", parents=[common], help="check the rules and vocabulary; every error at once")
    add_format(check, legacy_json=True)
    check.add_argument("--strict", action="store_true", help="fail (exit 1) on warnings too")
    check.set_defaults(func=cmd_check)
    test = sub.add_parser("test", parents=[common], help="run scenario files")
    test.add_argument("paths", nargs="*", help="scenario files or folders (default fixtures/scenarios)")
    test.add_argument("--coverage", action="store_true", help="list rules no scenario exercised")
    test.add_argument("-v", "--verbose", action="store_true", help="show passing scenarios too")
    test.add_argument("--run", metavar="PATTERN", default=None,
                      help="only scenarios whose file name or name matches this regular expression")
    add_format(test)
    test.set_defaults(func=cmd_test)
    golden = sub.add_parser("golden", parents=[common], help="compare (or --update) the golden explanation texts")
    golden.add_argument("paths", nargs="*", help="scenario files or folders (default fixtures/scenarios)")
    golden.add_argument("--update", action="store_true", help="rewrite the golden files")
    golden.set_defaults(func=cmd_golden)
    mutate = sub.add_parser("mutate", parents=[common],
                            help="run the scenarios against every small edit of the rules; list survivors")
    mutate.add_argument("paths", nargs="*", help="scenario files or folders (default fixtures/scenarios)")
    mutate.add_argument("--jobs", type=int, default=None, help="worker processes (default: every core)")
    mutate.add_argument("--sample", type=int, default=None, help="judge only N mutants, chosen by --seed")
    mutate.add_argument("--seed", type=int, default=0, help="the seed choosing the --sample (default 0)")
    mutate.add_argument("--rule", default="", help="only mutants of rules whose id starts with this")
    mutate.add_argument("--allow-list", default=None,
                        help="equivalent mutants (default DIR/equivalent_mutants.yaml)")
    mutate.add_argument("--json", action="store_true", help="print the report as JSON")
    mutate.add_argument("-v", "--verbose", action="store_true", help="list killed mutants too")
    mutate.add_argument("--suggest", metavar="DIR", default=None,
                        help="search a scenario that kills each survivor and write it to DIR, for review")
    mutate.add_argument("--suggest-seconds", type=float, default=30.0, metavar="S",
                        help="how long the search may take per survivor (default 30)")
    mutate.set_defaults(func=cmd_mutate)
    alternatives = sub.add_parser("alternatives", parents=[common],
                                  help="apply every @alternative literally; list those no scenario pins")
    alternatives.add_argument("paths", nargs="*", help="scenario files or folders (default fixtures/scenarios)")
    alternatives.add_argument("--rule", default="", help="only alternatives of rules whose id starts with this")
    alternatives.add_argument("--jobs", type=_positive, default=None, help="worker processes (default: every core)")
    alternatives.add_argument("--json", action="store_true", help="print the report as JSON")
    alternatives.add_argument("-v", "--verbose", action="store_true",
                              help="show the edits and the failing scenarios of pinned alternatives too")
    alternatives.set_defaults(func=cmd_alternatives)
    diff = sub.add_parser("diff", parents=[common],
                          help="the rules that changed between two rule sets and the decisions that flip")
    diff.add_argument("dirs", nargs="*", metavar="DIR", help="OLD and NEW knowledge-base directories")
    diff.add_argument("--rev", action="append", default=[], help="a git revision of kb/ (give two)")
    diff.add_argument("--repo", default=str(DEFAULT_DIR.parent), help="the git repository for --rev")
    diff.add_argument("--scenarios", action="append", default=[], help="scenario files or folders "
                                                                       "(default fixtures/scenarios)")
    diff.add_argument("--no-scenarios", action="store_true", help="do not compare over the scenarios")
    diff.add_argument("--facts", default=str(DEMO_FACTS), help="the population's facts (default: the demo)")
    diff.add_argument("--at", type=_date, default=None, help="the population's day (default: the demo date)")
    diff.add_argument("--no-population", action="store_true", help="do not compare over the demo population")
    diff.add_argument("--db", default=None, help="also replay the questions of this decision log (URL)")
    diff.add_argument("--examples", type=_positive, default=2, metavar="N",
                      help="examples shown under each group of changed decisions (default 2)")
    diff.add_argument("--json", action="store_true", help="print the impact as JSON")
    diff.set_defaults(func=cmd_diff)
    dec = sub.add_parser("decide", parents=[common], help="decide one question on a fact file")
    dec.add_argument("actor", help="the person who would tell")
    dec.add_argument("recipient", help="the person (or body) who would be told")
    dec.add_argument("item", help="the information item")
    dec.add_argument("--at", type=_date, default=None, help="the moment (YYYY-MM-DD), default today")
    dec.add_argument("--setting", default=DEFAULT_SETTING,
                     help="where it is told: conversation (default), class_council, care_team, guidance_cell, "
                          "mdo, court_testimony, police_statement, report")
    dec.add_argument("--facts", default=str(DEMO_FACTS), help="the fact file (YAML; default: the demo data)")
    dec.add_argument("--hypothetical", metavar="FILE", default=None,
                     help="a fact file of what-if facts added for this question only")
    dec.add_argument("--explain", action="store_true", help="print the full explanation")
    dec.add_argument("--lang", choices=("nl", "en"), default="en", help="language of the text (default en)")
    dec.add_argument("--reader", choices=READERS,
                     help="with --explain: the explanation as this reader may see it (default: the whole trace)")
    add_format(dec)
    dec.set_defaults(func=cmd_decide)
    from . import cli_audit, cli_eval, cli_fmt, cli_tools
    cli_audit.register(sub, common, DEFAULT_DB)
    cli_eval.register(sub, common, _date, str(DEMO_FACTS))
    cli_fmt.register(sub, common)
    cli_tools.register(sub, common, _date, str(DEMO_FACTS), DEFAULT_DB)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KnowledgeBaseError as err:
        print(err.render(), file=sys.stderr)
        return 1
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except UnknownEngine as err:  # a $DEELWIJZER_ENGINE that names no engine (--engine is checked by argparse)
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
