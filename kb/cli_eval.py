"""`kb eval QUERY`: ask any predicate over the facts valid on one day (like `opa eval`).

    kb eval 'in_circle(P, lena_017, care_team)' --at 2026-11-28
    kb eval 'guides(W, P)' --format json --limit 10 --offset 10
    kb eval 'holds_professional_secrecy(A, item_00009)' --explain

Kept apart from kb/cli.py so that the commands can change independently; `register` adds the
subcommand to the `kb` parser.
"""
from __future__ import annotations

import argparse
import datetime
import json
import sys

from .engine.registry import engine_factory
from .facts.fixtures import load_fact_file
from .language.knowledge_base import load_knowledge_base
from .language.query import QueryError
from .query import DEFAULT_LIMIT, MAX_LIMIT, Page, evaluate, proof_lines, prove_answer, read_query


def cmd_eval(args) -> int:
    """Print one page of the query's answers (table or JSON); exit 2 on a query that cannot be asked."""
    kb = load_knowledge_base(args.dir)
    try:
        atom = read_query(args.query, kb)
    except QueryError as err:
        print(err.render(), file=sys.stderr)
        return 2
    facts = load_fact_file(args.facts, kb.vocabulary)
    at = args.at or datetime.date.today()
    engine = engine_factory(args.engine)()  # the one engine setting (kb --engine, DEELWIJZER_ENGINE)
    try:
        engine.load(kb, facts)
        page = evaluate(engine, kb, atom, at, text=args.query, setting=args.setting, offset=args.offset,
                        limit=args.limit)
        proof = None
        if args.explain and page.answers:
            proof = prove_answer(engine, kb, facts, page.answers[0], atom.predicate, at, args.setting)
    finally:
        engine.close()
    if args.format == "json":
        print(json.dumps(page_json(page, kb.version, facts.version, proof), indent=2, ensure_ascii=False))
    else:
        print(page_table(page))
        if proof is not None:
            print(f"\nwhy {_atom_text(page.predicate, page.answers[0].args)}:")
            print("\n".join(proof_lines(proof, args.lang)))
    return 0


def page_json(page: Page, kb_version: str, facts_version: str, proof: dict | None = None) -> dict:
    """The JSON of a page, as `GET /v1/query` gives it (without the links)."""
    data = {"query": page.query, "predicate": page.predicate, "variables": list(page.variables),
            "at": page.at.isoformat(), "kb_version": kb_version, "facts_version": facts_version,
            "total": page.total, "offset": page.offset, "limit": page.limit, "next_offset": page.next_offset,
            "answers": [a.as_dict() for a in page.answers]}
    if proof is not None:
        data["proof"] = proof
    return data


def page_table(page: Page) -> str:
    """The answers as an aligned table with a header, then how many there are and how to read on."""
    if not page.total:
        return f"no answers on {page.at.isoformat()}"
    if not page.variables:
        lines = [f"yes: `{page.query}` holds on {page.at.isoformat()}"]
    else:
        rows = [[_show(a.bindings[v]) for v in page.variables] for a in page.answers]
        widths = [max(len(v), *(len(r[i]) for r in rows)) if rows else len(v) for i, v in enumerate(page.variables)]
        lines = ["  ".join(v.ljust(w) for v, w in zip(page.variables, widths)).rstrip(),
                 "  ".join("-" * w for w in widths)]
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    shown = f"{page.offset + 1}–{page.offset + len(page.answers)}" if page.answers else "none"
    lines.append(f"({page.total} answer(s) on {page.at.isoformat()}; shown {shown}"
                 + (f"; next page: --offset {page.next_offset}" if page.next_offset is not None else "") + ")")
    return "\n".join(lines)


def _show(value) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def _atom_text(predicate: str, args) -> str:
    return f"{predicate}({', '.join(map(_show, args))})"


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a whole number") from None
    if not 1 <= value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"the limit is from 1 to {MAX_LIMIT}")
    return value


def _offset(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("the offset is 0 or more")
    return value


def register(sub, common, date_type, demo_facts: str) -> None:
    """Add `kb eval` to the subcommands of the `kb` parser."""
    ev = sub.add_parser("eval", parents=[common], help="ask any predicate over the facts valid on one day",
                        description="Answer one atom with variables, e.g. 'in_circle(P, lena_017, care_team)', "
                                    "written as a condition of a rule. Each answer gives the variables' values.")
    ev.add_argument("query", help="one atom, e.g. 'guides(W, lena_017)'; quote it for the shell")
    ev.add_argument("--at", type=date_type, default=None, help="the day (YYYY-MM-DD) whose facts count; default today")
    ev.add_argument("--setting", default="conversation", help="the setting a context rule may ask about "
                                                              "(default conversation)")
    ev.add_argument("--facts", default=demo_facts, help="the fact file (YAML; default: the demo data)")
    ev.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")
    ev.add_argument("--limit", type=_limit, default=DEFAULT_LIMIT,
                    help=f"answers per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})")
    ev.add_argument("--offset", type=_offset, default=0, help="skip this many answers (the next page's offset)")
    ev.add_argument("--explain", action="store_true", help="also print the proof of the page's first answer")
    ev.add_argument("--lang", choices=("nl", "en"), default="en", help="language of the proof (default en)")
    ev.set_defaults(func=cmd_eval)
