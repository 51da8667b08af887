"""Interviews: when the stored facts leave an outcome open, ask the questions that would decide it.

`POST /v1/interviews` decides the question and lists the open questions (kb/explain/interview.py);
`POST /v1/interviews/{id}/answers` takes one answer at a time. A "yes" acts as a hypothetical fact
for this interview only and a "no" leaves the fact absent; neither is ever stored, and nothing is
written to the decision log (a decision worth keeping is asked through /v1/decisions with the
answers as `hypothetical` facts). Interviews live in this process's memory, the oldest dropped
beyond MAX_INTERVIEWS.
"""
from __future__ import annotations

import datetime
import threading
import uuid
from collections import OrderedDict

from flask import current_app, jsonify, url_for

from kb.decide import DecisionError, Question
from kb.explain.interview import answer_fact, open_questions

from ..auth import require
from ..errors import invalid, not_found
from ..state import state
from . import bp
from .decisions import _decision_error, _question
from .inputs import check_schema, json_body, parse_date, raw_fact

MAX_INTERVIEWS = 1000
_KEY = "deelwijzer.interviews"


def _interviews() -> tuple[OrderedDict, threading.Lock]:
    return current_app.extensions.setdefault(_KEY, (OrderedDict(), threading.Lock()))


def _state_of(interview: dict) -> dict:
    """Decide the question with the answers so far, and list the questions still open."""
    st = state()
    base = _question(interview["request"], st.workspace.kb.vocabulary)
    with st.changing():  # one snapshot of rules and facts for all the re-decisions
        ws = st.workspace
        yes = tuple(answer_fact(ws.kb, asked, base) for asked in interview["yes"])
        question = Question(base.actor, base.recipient, base.item, base.at, base.setting, base.hypothetical + yes)

        def decide_with(extra):
            return ws.decide(Question(question.actor, question.recipient, question.item, question.at,
                                      question.setting, question.hypothetical + tuple(extra)))
        try:
            decision = decide_with(())
            answered = {q["id"] for q in interview["yes"]} | set(interview["no"])
            questions = open_questions(ws.kb, ws.facts, question, decide_with, answered)
        except DecisionError as err:
            raise _decision_error(err) from None
    interview["open"] = {q["id"]: q for q in questions}
    return {
        "id": interview["id"], "question": interview["request"], "outcome": decision.outcome,
        "deciding_rules": list(decision.deciding_rules), "kb_version": decision.kb_version,
        "facts_version": decision.facts_version, "questions": questions,
        "answers": [{"question": q["id"], "answer": True, "predicate": q["predicate"], "args": q["args"]}
                    for q in interview["yes"]] + [{"question": qid, "answer": False} for qid in interview["no"]],
        "links": {"self": url_for("api.interview_answers", interview_id=interview["id"])},
    }


@bp.post("/interviews")
@require("query")
def start_interview():
    body = json_body()
    check_schema(body, "InterviewRequest")
    at = parse_date(body["at"], "/at") if "at" in body else None
    request_ = {"actor": body["actor"], "recipient": body["recipient"], "item": body["item"],
                "at": (at or datetime.date.today()).isoformat(), "setting": body.get("setting", "conversation"),
                "hypothetical": body.get("hypothetical", [])}
    vocab = state().workspace.kb.vocabulary
    request_["hypothetical"] = [raw_fact(f) for f in _question(request_, vocab).hypothetical]
    interview = {"id": uuid.uuid4().hex, "request": request_, "yes": [], "no": []}
    out = _state_of(interview)
    store, lock = _interviews()
    with lock:
        store[interview["id"]] = interview
        while len(store) > MAX_INTERVIEWS:
            store.popitem(last=False)
    response = jsonify(out)
    response.status_code = 201
    response.headers["Location"] = out["links"]["self"]
    return response


@bp.post("/interviews/<interview_id>/answers")
@require("query")
def interview_answers(interview_id: str):
    body = json_body()
    check_schema(body, "InterviewAnswer")
    store, lock = _interviews()
    with lock:
        interview = store.get(interview_id)
    if interview is None:
        raise not_found(f"There is no interview {interview_id}.")
    asked = interview.get("open", {}).get(body["question"])
    if asked is None:
        raise invalid(f"Question {body['question']} is not open in this interview.",
                      [{"code": "unknown-question", "pointer": "/question",
                        "message": f"`{body['question']}` is not one of the open questions: "
                                   f"{', '.join(interview.get('open', {})) or 'none'}"}],
                      code="unknown-question")
    updated = {**interview, "yes": list(interview["yes"]), "no": list(interview["no"])}
    if body["answer"]:
        updated["yes"].append(asked)
    else:
        updated["no"].append(asked["id"])
    out = _state_of(updated)  # a failure here leaves the interview as it was
    with lock:
        store[interview_id] = updated
    return jsonify(out)
