"""The stored fact base over HTTP: list (at any version, paged, filtered by predicate, by an
argument's value and by validity on a day), read one, add (all or nothing), withdraw.

Every change names a new fact-base version; the engine is updated in the same step, under the
service's change lock, so a decision always names the version of the facts it saw.
"""
from __future__ import annotations

import re

from flask import jsonify, request, url_for

from kb.engine.budget import BudgetExceeded
from kb.explain.terms import jsonable
from kb.store.facts import StoredFact

from ..auth import require
from ..errors import ApiProblem, invalid, not_found
from ..state import AlreadyWithdrawn, DuplicateFacts, FactNotFound, state
from . import bp
from .inputs import check_schema, json_body, parse_date, parse_facts, raise_fact_errors
from .knowledge import known_predicate

DEFAULT_PAGE = 100  # facts per page unless `limit` says otherwise (the demo holds thousands)


def stored_json(stored: StoredFact) -> dict:
    fact = stored.fact
    return {"id": stored.id, "predicate": fact.predicate, "args": [jsonable(a) for a in fact.args],
            **fact.period(), "added_in": stored.added_in, "withdrawn_in": stored.withdrawn_in}


def too_costly(err: BudgetExceeded) -> ApiProblem:
    return ApiProblem(503, "evaluation-budget-exceeded", "Evaluation budget exceeded",
                      f"Working out what this change does to the decisions needs more than the evaluation budget of "
                      f"{err.seconds:g} s, so nothing was stored: a fact base this costly would hold up every "
                      "decision. Check the facts (a long chain or cycle of superiors, for one).")


@bp.get("/facts")
@require("query")
def list_facts():
    st = state()
    latest = st.store.version()
    version = latest
    if "version" in request.args:
        text = request.args["version"]
        # ASCII digits only: str.isdigit() also takes "٣", and int() reads it as 3
        if not re.fullmatch(r"[0-9]{1,18}", text):
            raise invalid(f"`version` must be a fact-base version from 0 to {latest}.",
                          [{"code": "invalid-request", "parameter": "version",
                            "message": f"`{text}` is not a fact-base version (the latest is {latest})"}])
        version = int(text)
        if version > latest:
            raise not_found(f"There is no fact-base version {version} yet; the latest is {latest}.")
    args = request.args
    known_predicate(st.workspace.kb, args.get("predicate"))
    limit = int(args.get("limit", DEFAULT_PAGE))
    valid_on = parse_date(args["valid_on"], "valid_on", parameter=True) if "valid_on" in args else None
    page = st.store.page(version, after_id=int(args.get("cursor", "0")), limit=limit + 1,
                         predicate=args.get("predicate"), valid_on=valid_on, value=args.get("arg"))
    facts = [stored_json(s) for s in page[:limit]]
    out = {"version": version, "count": len(facts), "facts": facts, "next_cursor": None}
    if len(page) > limit:  # one more than asked: there is a next page, starting after the last fact shown
        out["next_cursor"] = str(facts[-1]["id"])
        out["next"] = url_for("api.list_facts", **{**args.to_dict(), "version": str(version),
                                                   "cursor": out["next_cursor"]})
    return jsonify(out)


@bp.get("/facts/<int:fact_id>")
@require("query")
def get_fact(fact_id: int):
    """A current fact; a withdrawn one is gone from the fact base (410), and the answer still
    carries it as the history keeps it (when it was added and withdrawn)."""
    stored = state().store.get(fact_id)
    if stored is None:
        raise not_found(f"There is no stored fact {fact_id}.")
    if stored.withdrawn_in is not None:
        raise ApiProblem(410, "withdrawn", "Fact withdrawn",
                         f"Fact {fact_id} was withdrawn in fact-base version {stored.withdrawn_in}: it is no longer "
                         f"a fact. The history keeps it, as `fact` here and in GET /v1/facts?version="
                         f"{stored.withdrawn_in - 1}.", extra={"fact": stored_json(stored)})
    return jsonify(stored_json(stored))


@bp.post("/facts")
@require("admin")
def add_facts():
    body = json_body()
    check_schema(body, "FactsRequest")
    st = state()
    facts, errors = parse_facts(body["facts"], st.workspace.kb.vocabulary, "/facts", "api")
    raise_fact_errors(errors)
    try:
        version, ids = st.add_facts(facts, body.get("note", ""))
    except BudgetExceeded as err:
        raise too_costly(err) from None
    except DuplicateFacts as dup:
        errors = [{"code": "duplicate-fact", "pointer": f"/facts/{i}",
                   "message": (f"the same fact, with the same validity, is already stored as fact {existing}"
                               if existing else "the same fact appears earlier in this request")}
                  for i, existing in dup.conflicts]
        raise ApiProblem(409, "duplicate-fact", "Fact already stored",
                         f"{len(errors)} fact(s) are already stored; nothing was added. Withdraw the stored "
                         "fact first to change its validity.", errors=errors) from None
    stored = [st.store.get(i) for i in ids]
    response = jsonify({"version": version, "ids": ids, "facts": [stored_json(s) for s in stored]})
    response.status_code = 201
    return response


@bp.delete("/facts/<int:fact_id>")
@require("admin")
def withdraw_fact(fact_id: int):
    st = state()
    try:
        version = st.withdraw_fact(fact_id)
    except BudgetExceeded as err:
        raise too_costly(err) from None
    except FactNotFound:
        raise not_found(f"There is no stored fact {fact_id}.") from None
    except AlreadyWithdrawn as err:
        raise ApiProblem(409, "already-withdrawn", "Fact already withdrawn",
                         f"Fact {fact_id} was already withdrawn in fact-base version {err.version}.") from None
    return jsonify({"version": version, "withdrawn": stored_json(st.store.get(fact_id))})
