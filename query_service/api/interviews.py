"""The interview API: `POST /v1/interviews` and `POST /v1/interviews/{id}/answers`.

The interview itself (query_service/interviews.py) is shared with the pages; here the requests are
checked against the OpenAPI document and failures become problem+json. An interview belongs to the
token that started it: to another token it is a 404, as if it did not exist.
"""
from __future__ import annotations

import datetime

from flask import jsonify, request, url_for

from kb.decide import DEFAULT_SETTING, DecisionError

from .. import interviews
from ..auth import require
from ..errors import ApiProblem, found, invalid
from ..state import state
from . import bp
from .decisions import _decision_error, _question
from .inputs import check_schema, json_body, parse_date, raw_fact


def _json(out: dict) -> dict:
    return {**out, "links": {"self": url_for("api.interview_answers", interview_id=out["id"])}}


def _owner() -> str:
    """The interviews' owner: the bearer token `require` accepted, by its digest."""
    return interviews.owner_of_token(request.headers.get("Authorization", "").partition(" ")[2].strip())


@bp.post("/interviews")
@require("query")
def start_interview():
    body = json_body()
    check_schema(body, "InterviewRequest")
    at = parse_date(body["at"], "/at") if "at" in body else datetime.date.today()
    request_ = {"actor": body["actor"], "recipient": body["recipient"], "item": body["item"],
                "at": at.isoformat(), "setting": body.get("setting", DEFAULT_SETTING),
                "hypothetical": body.get("hypothetical", [])}
    question = _question(request_, state().workspace.kb.vocabulary)
    request_["hypothetical"] = [raw_fact(f) for f in question.hypothetical]
    try:
        out = _json(interviews.start(request_, question, _owner()))
    except DecisionError as err:
        raise _decision_error(err) from None
    response = jsonify(out)
    response.status_code = 201
    response.headers["Location"] = out["links"]["self"]
    return response


@bp.post("/interviews/<interview_id>/answers")
@require("query")
def interview_answers(interview_id: str):
    body = json_body()
    check_schema(body, "InterviewAnswer")
    interview = found(interviews.find(interview_id, _owner()), f"There is no interview {interview_id}.")
    try:
        return jsonify(_json(interviews.answer(interview, body["question"], body["answer"])))
    except interviews.UnknownQuestion as err:
        raise invalid(f"Question {body['question']} is not open in this interview.",
                      [{"code": "unknown-question", "pointer": "/question", "message": str(err)}],
                      code="unknown-question") from None
    except interviews.InterviewChanged:
        raise ApiProblem(409, "interview-changed", "The interview changed",
                         "Another answer to this interview came first, so this one was not applied. "
                         "Read the interview's open questions again and answer one of them.") from None
