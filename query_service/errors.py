"""Every error as `application/problem+json` (RFC 9457), through one error handler.

A problem has the RFC's members (type, title, status, detail, instance) plus a stable `code` that
clients key on and, where it helps, `errors` (each field or diagnostic that is wrong) and a
`suggestion`. Unexpected exceptions become a 500 problem that says nothing about the internals;
the log gets the exception's type and where it was raised, never its message (which may quote a
request's names).
"""
from __future__ import annotations

import logging
import traceback
from typing import TypeVar

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException

from kb.engine.budget import BudgetExceeded
from kb.store.decisions import StoreDamaged

PROBLEM_TYPE = "https://deelwijzer.example/problems/{code}"
PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("query_service.errors")
T = TypeVar("T")

# Codes for the HTTP errors that Flask and Werkzeug raise themselves.
_HTTP_CODES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    413: ("body-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
}


class ApiProblem(Exception):
    """An error a client can act on. Raise it anywhere below a view; the handler renders it."""

    def __init__(self, status: int, code: str, title: str, detail: str, *, errors: list | None = None,
                 suggestion: str = "", headers: dict | None = None, extra: dict | None = None):
        super().__init__(detail)
        self.status, self.code, self.title, self.detail = status, code, title, detail
        self.errors, self.suggestion, self.headers = errors, suggestion, headers or {}
        self.extra = extra or {}  # members of this problem type (RFC 9457 §3.2), e.g. a withdrawn fact

    def body(self) -> dict:
        out = {"type": PROBLEM_TYPE.format(code=self.code), "title": self.title, "status": self.status,
               "detail": self.detail, "instance": request.path, "code": self.code}
        if self.errors:
            out["errors"] = self.errors
        if self.suggestion:
            out["suggestion"] = self.suggestion
        return {**self.extra, **out}


def invalid(detail: str, errors: list | None = None, code: str = "invalid-request",
            suggestion: str = "") -> ApiProblem:
    """A 422: the request was understood but names something wrong."""
    return ApiProblem(422, code, "The request cannot be processed as sent", detail, errors=errors,
                      suggestion=suggestion)


def not_found(detail: str) -> ApiProblem:
    return ApiProblem(404, "not-found", "Not found", detail)


def found(value: T | None, detail: str) -> T:
    """`value`, or a 404 problem saying `detail` when a look-up found nothing (None)."""
    if value is None:
        raise not_found(detail)
    return value


def problem_response(problem: ApiProblem) -> Response:
    response = Response(json.dumps(problem.body()), status=problem.status, mimetype=PROBLEM_MEDIA_TYPE)
    for name, value in problem.headers.items():
        response.headers[name] = value
    return response


def _from_http(err: HTTPException) -> ApiProblem:
    code, title = _HTTP_CODES.get(err.code or 500, ("http-error", err.name))
    detail = {
        404: "There is no such resource; the API lives under /v1 (see /v1/openapi.json).",
        405: f"{request.method} is not allowed here.",
        413: f"The request body is larger than the {_limit()} bytes this service accepts; "
             "send fewer facts per request.",
    }.get(err.code or 0, err.description or title)
    headers = {k: v for k, v in err.get_headers() if k.lower() == "allow"}
    if err.code == 405 and "Allow" in headers:
        detail += f" Allowed: {headers['Allow']}."
    return ApiProblem(err.code or 500, code, title, detail, headers=headers)


def over_budget(err: BudgetExceeded) -> ApiProblem:
    """503: the evaluation was stopped at its budget and its thread freed."""
    return ApiProblem(503, "evaluation-budget-exceeded", "Evaluation budget exceeded",
                      f"Answering this request needed more than its evaluation budget of {err.seconds:g} s, so it "
                      "was stopped. Ask about fewer or smaller facts (a long chain or cycle of superiors, for one).")


def _limit() -> int:
    from flask import current_app
    return current_app.config.get("MAX_CONTENT_LENGTH") or 0


def handle_error(err: Exception) -> Response:
    if isinstance(err, ApiProblem):
        return problem_response(err)
    if isinstance(err, HTTPException):
        return problem_response(_from_http(err))
    if isinstance(err, BudgetExceeded):
        return problem_response(over_budget(err))
    if isinstance(err, StoreDamaged):
        log.error("the store is damaged: %s", err)  # versions only, no request data
        return problem_response(ApiProblem(
            503, "store-damaged", "The store is damaged",
            "The decision cannot be logged: what it must be bound to is missing from the store. "
            "Run `kb audit verify` and restore the store from a backup."))
    frames = traceback.extract_tb(err.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
    log.error("unexpected %s at %s while serving %s %s", type(err).__name__, where, request.method,
              request.url_rule.rule if request.url_rule else "<unmatched>")
    return problem_response(ApiProblem(
        500, "internal-error", "Internal error",
        "The service failed while answering this request. The failure was logged."))


def init_app(app: Flask) -> None:
    app.register_error_handler(Exception, handle_error)

    from kb.engine import budget

    @app.before_request
    def _start_budget() -> None:
        budget.start(app.config["EVALUATION_BUDGET"])

    @app.teardown_request
    def _clear_budget(_exc) -> None:
        budget.clear()
