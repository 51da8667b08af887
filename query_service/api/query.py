"""`GET /v1/query`: any predicate over the stored facts valid on one day, a page at a time (`kb eval`).

The query is parsed by the rule grammar (kb/language/query.py), never run as code. A query that cannot
be asked is a 422 whose `detail` shows the checker's diagnostic with a caret under the query text.
"""
from __future__ import annotations

import datetime

from flask import jsonify, request, url_for

from kb.language.query import QueryError
from kb.query import DEFAULT_LIMIT, evaluate, prove_answer, read_query

from ..auth import require
from ..errors import invalid
from ..state import state
from . import bp
from .inputs import parse_date


def _query_problem(err: QueryError):
    first = err.diagnostics[0]
    errors = [{"code": d.code, "parameter": "q", "message": d.message, "column": d.pos.column,
               **({"suggestion": d.suggestion} if d.suggestion else {})} for d in err.diagnostics]
    return invalid(err.render(), errors, code=first.code, suggestion=first.suggestion)


@bp.get("/query")
@require("query")
def query():
    args = request.args
    text = args.get("q", "")
    at = parse_date(args["at"], "at", parameter=True) if "at" in args else datetime.date.today()
    setting = args.get("setting", "conversation")
    offset = int(args.get("cursor", "0"))
    limit = int(args.get("limit", DEFAULT_LIMIT))
    st = state()
    with st.changing():  # the answers and their proof from one snapshot of the rules and facts
        ws = st.workspace
        kb, facts = ws.kb, ws.facts
        try:
            atom = read_query(text, kb)
        except QueryError as err:
            raise _query_problem(err) from None
        page = evaluate(ws.engine, kb, atom, at, text=text, setting=setting, offset=offset, limit=limit)
        proof = None
        if args.get("explain") == "true" and page.answers:
            proof = prove_answer(ws.engine, kb, facts, page.answers[0], atom.predicate, at, setting)
    out = {"query": text, "predicate": page.predicate, "variables": list(page.variables), "at": at.isoformat(),
           "setting": setting, "kb_version": kb.version, "facts_version": facts.version, "total": page.total,
           "limit": page.limit, "answers": [a.as_dict() for a in page.answers], "next_cursor": None}
    if page.next_offset is not None:
        out["next_cursor"] = str(page.next_offset)
        out["next"] = url_for("api.query", **{**args.to_dict(), "cursor": str(page.next_offset)})
    if proof is not None:
        out["proof"] = proof
    return jsonify(out)
