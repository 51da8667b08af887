"""Decisions: decide and record, read a record back, replay it; and the audience of an item.

One question is answered by one `Workspace.explain` call: the decision and its whole explanation
come from the same snapshot of rules and facts (the engine's isolated evaluation), so the outcome,
the deciding rules, the versions and the trace can never disagree. The trace is recorded in the
decision log; the response shows as much of it as `explain` asks for.
"""
from __future__ import annotations

import datetime
import time
from functools import lru_cache
from urllib.parse import quote

from flask import current_app, jsonify, request

from kb.audience import readings
from kb.decide import DEFAULT_SETTING, OUTCOMES, STRONGER, DecisionError, Question, validate_question
from kb.explain.model import Explanation, WithheldDecision
from kb.explain.readers import AUDIT_READER, DEFAULT_READER, for_reader
from kb.explain.render import full_text, summary

from ..auth import AUDIT_SCOPE, has_scope, require
from ..config import DEMO_NOTICE
from ..errors import ApiProblem, found, invalid
from ..state import state
from ..traces import (
    RecordDamaged,
    RecordUnrenderable,
    is_explained,
    recorded_decision,
    render_count,
    verified_explanation,
)
from . import bp
from .inputs import check_schema, json_body, parse_date, parse_facts, raise_fact_errors, raw_fact

DEFAULT_EXPLAIN, DEFAULT_LANG = "summary", "en"


def _decision_error(err: DecisionError, parameter: bool = False):
    item = {"code": err.code, "message": err.message,
            **({"parameter": err.field} if parameter else {"pointer": f"/{err.field}"})}
    if err.suggestion:
        item["suggestion"] = err.suggestion
    return invalid(err.message[0].upper() + err.message[1:] + ".", [item], code=err.code, suggestion=err.suggestion)


def _question(stored: dict, vocab) -> Question:
    """The Question of a (stored or fresh) request; 422 for bad hypothetical facts."""
    facts, errors = parse_facts(stored["hypothetical"], vocab, "/hypothetical", "hypothetical")
    raise_fact_errors(errors)
    return Question(stored["actor"], stored["recipient"], stored["item"],
                    datetime.date.fromisoformat(stored["at"]), stored["setting"], tuple(facts))


def read_decision_request(body: dict, vocab) -> tuple[Question, dict]:
    """Check a POST /v1/decisions body; the Question and the request as it will be recorded (`log`
    is an instruction, not part of the question: a logged request never holds it)."""
    check_schema(body, "DecisionRequest")
    at = parse_date(body["at"], "/at") if "at" in body else datetime.date.today()
    stored = {
        "actor": body["actor"], "recipient": body["recipient"], "item": body["item"], "at": at.isoformat(),
        "setting": body.get("setting", DEFAULT_SETTING), "hypothetical": body.get("hypothetical", []),
        "explain": body.get("explain", DEFAULT_EXPLAIN), "lang": body.get("lang", DEFAULT_LANG),
        "max_depth": body.get("max_depth"), "max_proofs": body.get("max_proofs", 1),
        "reader": body.get("reader", DEFAULT_READER),
    }
    check_reader(stored["reader"])
    if body.get("log") is False and not stored["hypothetical"]:
        raise invalid("Only a what-if may go unlogged: a decision about what is the case is always logged. Send "
                      "hypothetical facts, or leave `log` out.",
                      [{"code": "must-be-logged", "pointer": "/log",
                        "message": "`log: false` needs hypothetical facts"}], code="must-be-logged")
    question = _question(stored, vocab)
    stored["hypothetical"] = [raw_fact(f) for f in question.hypothetical]  # recorded in normal form
    return question, stored


def check_reader(reader: str) -> None:
    """The auditor's view shows what other readers may not see: a 403 without the `audit` scope."""
    if reader == AUDIT_READER and not has_scope(AUDIT_SCOPE):
        raise ApiProblem(403, "insufficient-scope", "Forbidden",
                         "The auditor's view of an explanation needs a token with the `audit` scope; ask for "
                         "another `reader` (the default is the professional who asked).",
                         headers={"WWW-Authenticate": f'Bearer realm="deelwijzer", error="insufficient_scope", '
                                                      f'scope="{AUDIT_SCOPE}"'})


def _decided(question: Question, stored: dict) -> tuple[dict, dict | None]:
    """Decide (and, unless `explain` is none, explain) the question: (the trace a log record
    keeps, the explanation — None when not explained)."""
    st = state()
    st.sync()
    if stored["explain"] == "none":
        try:
            decision = st.workspace.decide(question)
        except DecisionError as err:
            raise _decision_error(err) from None
        return recorded_decision(question, decision), None
    options = {"max_proofs": stored["max_proofs"], "remedies": True}
    if stored.get("max_depth") is not None:
        options["max_depth"] = stored["max_depth"]
    try:
        explanation = st.workspace.explain(question, **options)
    except DecisionError as err:
        raise _decision_error(err) from None
    return explanation, explanation


def decide_and_record(question: Question, stored: dict):
    """Decide the question, keep its rule version, append it to the log (a what-if when it has
    hypothetical facts): (record, explanation — None when not explained)."""
    trace, explanation = _decided(question, stored)
    return _recorded(stored, trace), explanation


def _recorded(stored: dict, trace: dict):
    st = state()
    st.keep_rule_version(trace["kb_version"])
    return st.log.append(stored, trace["kb_version"], trace["facts_version"], trace["outcome"],
                         list(trace["deciding_rules"]), trace)


def answer_and_record(question: Question, stored: dict):
    """Decide the question and write the answer for its reader, then log it: (record, answer). The
    answer is written first, so a view that cannot be written leaves no record behind (a retry
    would otherwise log the decision again)."""
    trace, explanation = _decided(question, stored)
    answer = _answer_json(trace, explanation, stored["explain"], stored["lang"], stored["reader"], False)
    record = _recorded(stored, trace)
    return record, {**answer, "what_if": record.what_if}


def _links(decision_id: int, deciding_rules, lang: str) -> dict:
    # Built from one prefix rather than by url_for per link (a route lookup each, ~5 % of a decision);
    # tests/service/test_decisions.py holds them equal to url_for's.
    api = request.script_root + bp.url_prefix
    decision = f"{api}/decisions/{decision_id}"
    return {
        "self": decision,
        "replay": f"{decision}/replay",
        "page": page_url(decision_id, lang),
        "rules": {rule: f"{api}/rules/{_segment(rule)}" for rule in dict.fromkeys(deciding_rules)},
    }


@lru_cache(maxsize=1024)
def _segment(value: str) -> str:
    """A value quoted as one path segment, as werkzeug's default converter quotes it in url_for."""
    return quote(value, safe=_SEGMENT_SAFE)


_SEGMENT_SAFE = "!$&'()*+,/:;=@"  # werkzeug.routing.converters.BaseConverter.to_url


def page_url(decision_id: int, lang: str) -> str:
    """The explanation page of a decision (served by the pages blueprint)."""
    return f"/decisions/{decision_id}?lang={lang}"


def why_not_top(explanation: dict, lang: str) -> list[dict]:
    """For each stronger outcome, the candidate rule that came closest and the conditions it lacks."""
    out = []
    for outcome, tree in zip(STRONGER[explanation["outcome"]], explanation["why_not"]):
        for candidate in tree["candidates"][:1]:
            out.append({
                "outcome": str(outcome), "rule": candidate["rule"]["id"],
                "source": candidate["rule"]["source"], "distance": candidate["distance"],
                # A failed condition reads as what is missing (its negative reading).
                "failed": [{"kind": f["kind"], "condition": f["condition"],
                            "reading": (f.get("negation") or f.get("reading") or {}).get(lang)}
                           for f in candidate["failed"]],
            })
    return out


def conditions_in(trace: dict, lang: str) -> list[dict]:
    """The conditions a trace carries, worded in `lang` (traces logged before conditions: none)."""
    return [{"id": c["id"], "text": c[lang], "source": c["source"]} for c in trace.get("conditions", [])]


def explanation_view(shown, level: str, lang: str) -> dict:
    """The explanation at `level` (summary or full) in `lang`, already redacted for its reader. The
    remedies are left out: a response carries them once, as the decision's own `remedies`. A
    decision its reader may not be shown at all has only its summary: the standard notice."""
    if isinstance(shown, WithheldDecision):
        return {"level": "summary", "lang": lang, "text": summary(shown, lang), "why_not_top": [],
                "shown": shown.SHOWN}
    if level == "summary":
        return {"level": "summary", "lang": lang, "text": summary(shown, lang),
                "why_not_top": why_not_top(shown.to_json(), lang)}
    full = {key: value for key, value in shown.to_json().items() if key != "remedies"}
    return {**full, "level": "full", "lang": lang, "text": full_text(shown, lang)}


def _answer_json(trace: dict, explanation: dict | None, level: str, lang: str, reader: str,
                 what_if: bool) -> dict:
    """What every answer to a question carries, logged or not. The decision's fields (outcome,
    deciding rules, question, versions) are the caller's; the explanation, its conditions and its
    remedies are written for `reader` (the log keeps the full trace)."""
    shown = for_reader(explanation, reader) if explanation is not None else None
    visible = shown.to_json() if isinstance(shown, Explanation) else None
    out = {
        "outcome": trace["outcome"], "deciding_rules": list(trace["deciding_rules"]),
        "kb_version": trace["kb_version"], "facts_version": trace["facts_version"], "question": trace["question"],
        # A decision its reader may not be shown at all (WithheldDecision) has neither conditions nor
        # remedies for them: those would tell what is withheld.
        # Not explained: the trace's conditions, for the professional and the auditor only (what is
        # withheld from anyone else is known from an explanation alone).
        "conditions": (conditions_in(trace, lang) if reader in (DEFAULT_READER, AUDIT_READER) else [])
        if shown is None else conditions_in(visible, lang) if visible else [],
        "remedies": visible["remedies"] if visible else [], "what_if": what_if,
    }
    if "may_disclose" in trace:
        out["may_disclose"] = trace["may_disclose"]
    if shown is not None and level in ("summary", "full"):
        out["explanation"] = explanation_view(shown, level, lang)
    if current_app.config["DEMO"]:
        out["notice"] = DEMO_NOTICE
    return out


def decision_json(record, explanation: dict | None, level: str, lang: str, reader: str = DEFAULT_READER,
                  answer: dict | None = None) -> dict:
    """The response for a recorded decision, with its receipt (id and hash) to keep (`answer`:
    already written for its reader by answer_and_record)."""
    if answer is None:
        answer = _answer_json(record.trace, explanation, level, lang, reader, record.what_if)
    return {"id": record.id, "decided_at": record.decided_at, "logged": True, **answer,
            "hash": record.hash, "receipt": record.receipt, "url": page_url(record.id, lang),
            "links": _links(record.id, record.deciding_rules, lang)}


def _created(body: dict, location: str):
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = location
    return response


@bp.post("/decisions")
@require("query")
def decide():
    body = json_body()
    question, stored = read_decision_request(body, state().workspace.kb.vocabulary)
    if body.get("log") is False:  # a what-if the caller asked not to log: no record, no id
        trace, explanation = _decided(question, stored)
        answer = _answer_json(trace, explanation, stored["explain"], stored["lang"], stored["reader"], True)
        return jsonify({"logged": False, **answer})
    record, answer = answer_and_record(question, stored)
    decision = decision_json(record, None, stored["explain"], stored["lang"], stored["reader"], answer=answer)
    return _created(decision, decision["links"]["self"])


@bp.get("/decisions/<int:decision_id>")
@require("query")
def get_decision(decision_id: int):
    record = _logged(decision_id)
    explanation = _verified(record)  # before anything of the record is shown
    # Read back at the level, language and reader asked for now, or else those it was asked with.
    level = request.args.get("explain", record.request.get("explain", DEFAULT_EXPLAIN))
    lang = request.args.get("lang", record.request.get("lang", DEFAULT_LANG))
    reader = request.args.get("reader") or _default_reader(record)
    check_reader(reader)
    out = {**record.as_dict(), "receipt": record.receipt, "url": page_url(record.id, lang),
           "links": _links(record.id, record.deciding_rules, lang)}
    if not has_scope(AUDIT_SCOPE):
        # The stored trace holds what other readers are not shown: the auditor's alone.
        del out["trace"]
    elif not is_explained(record):
        out["explanation"] = explanation
    if level in ("summary", "full"):
        out["view"] = explanation_view(for_reader(explanation, reader), level, lang)
    return jsonify(out)


def _default_reader(record) -> str:
    """The reader a record was asked for, unless that is the auditor and this caller may not audit
    (records logged when the auditor was the default): then the professional who asked."""
    asked = record.request.get("reader", DEFAULT_READER)
    return DEFAULT_READER if asked == AUDIT_READER and not has_scope(AUDIT_SCOPE) else asked


def _logged(decision_id: int):
    """The logged decision with this id; 404 when there is none."""
    return found(state().log.get(decision_id), f"There is no decision {decision_id} in the log.")


def _verified(record) -> dict:
    """The record's explanation once the record verifies; a 409 `record-damaged` problem otherwise,
    and a 409 `record-unrenderable` one when it verifies but cannot be explained here."""
    try:
        return verified_explanation(state(), record)
    except RecordDamaged as err:
        raise damaged(err) from None
    except RecordUnrenderable as err:
        raise unrenderable(err) from None


def damaged(err: RecordDamaged) -> ApiProblem:
    return ApiProblem(409, "record-damaged", "The decision record is damaged",
                      f"Decision {err.decision_id} does not verify against the log, its kept rule texts or its fact "
                      "base, so it is not shown. Run `kb audit verify` and restore the store from a backup.",
                      errors=[{"code": "record-damaged", "message": p} for p in err.problems])


def unrenderable(err: RecordUnrenderable) -> ApiProblem:
    return ApiProblem(409, "record-unrenderable", "The decision record cannot be shown",
                      f"Decision {err.decision_id} verifies, but this service cannot show it: {err.reason}.")


@bp.post("/decisions/<int:decision_id>/replay")
@require("query")
def replay_decision(decision_id: int):
    body = json_body(required=False) or {}
    check_schema(body, "ReplayRequest")
    before = _logged(decision_id)
    _verified(before)  # a damaged record cannot be the "before" of a comparison
    old = before.request
    stored = {
        "actor": old["actor"], "recipient": old["recipient"], "item": old["item"], "at": old["at"],
        "setting": old["setting"], "hypothetical": old["hypothetical"],
        "explain": body.get("explain", old.get("explain", DEFAULT_EXPLAIN)),
        "lang": body.get("lang", old.get("lang", DEFAULT_LANG)),
        # as the record was explained (a count an older release logged as 1.0 is asked as 1)
        "max_depth": _count(before, "max_depth", 1, 30), "max_proofs": _count(before, "max_proofs", 1, 10) or 1,
        "replay_of": decision_id,
        "reader": _default_reader(before),
    }
    question = _question(stored, state().workspace.kb.vocabulary)
    record, answer = answer_and_record(question, stored)

    def compare(before_value, after_value) -> dict:
        return {"before": before_value, "after": after_value, "same": before_value == after_value}

    changes = {
        "outcome": compare(before.outcome, record.outcome),
        "deciding_rules": compare(list(before.deciding_rules), list(record.deciding_rules)),
        "kb_version": compare(before.kb_version, record.kb_version),
        "facts_version": compare(before.facts_version, record.facts_version),
    }
    changes["changed"] = not (changes["outcome"]["same"] and changes["deciding_rules"]["same"])
    decision = decision_json(record, None, stored["explain"], stored["lang"], stored["reader"], answer=answer)
    decision["replay_of"] = decision_id
    return _created({"replay_of": decision_id, "decision": decision, "changes": changes}, decision["links"]["self"])


def _count(record, name: str, low: int, high: int) -> int | None:
    try:
        return render_count(record, name, low, high)
    except RecordUnrenderable as err:
        raise unrenderable(err) from None


@bp.get("/audience")
@require("query")
def audience():
    args = request.args
    errors = [{"code": "invalid-request", "parameter": name, "message": f"`{name}` is required"}
              for name in ("actor", "item") if not args.get(name)]
    if errors:
        raise invalid("Name the actor and the item: /v1/audience?actor=…&item=…", errors)
    at = parse_date(args["at"], "at", parameter=True) if "at" in args else datetime.date.today()
    setting = args.get("setting") or DEFAULT_SETTING
    lang = args.get("lang", DEFAULT_LANG)
    actor, item = args["actor"], args["item"]
    st = state()
    started = time.perf_counter()
    with st.changing():  # one snapshot: no fact change or reload in between
        ws = st.workspace
        kb, facts = ws.kb, ws.facts
        try:
            validate_question(Question(actor, actor, item, at, setting), kb, facts)
        except DecisionError as err:
            raise _decision_error(err, parameter=True) from None
        persons = [p for p in facts.entities(kb.vocabulary).get("person", ()) if p != actor]
        listed = [{"recipient": d.question.recipient, "outcome": d.outcome, "deciding_rules": list(d.deciding_rules),
                   "reading": readings(ws.engine, kb, d).get(lang, "")}
                  for d in ws.audience(actor, item, at, setting)]
    listed.sort(key=lambda d: (OUTCOMES.index(d["outcome"]), d["recipient"]))
    out = {"actor": actor, "item": item, "at": at.isoformat(), "setting": setting, "lang": lang,
           "kb_version": kb.version,
           "facts_version": facts.version, "considered": len(persons),
           "elapsed_ms": round((time.perf_counter() - started) * 1000, 1), "audience": listed}
    if current_app.config["DEMO"]:
        out["notice"] = DEMO_NOTICE
    return jsonify(out)
