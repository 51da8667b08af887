"""Errors on the pages as pages, not as the API's problem+json.

Blueprint error handlers come before the app's, so a failure inside a page view gets an HTML page
in the reader's language; unexpected exceptions still go through the API's handler first, which
logs them without any request data.
"""
from __future__ import annotations

from flask import request
from werkzeug.exceptions import HTTPException

from kb.engine.budget import BudgetExceeded

from .. import errors as api_errors
from ..slots import Busy
from . import bp
from .i18n import LABELS, choose
from .render import render_page

_SHOWN = (401, 403, 404, 409, 413)


class PageNotFound(HTTPException):
    """A 404 with a message that names what is missing (a decision id, a rule id)."""

    code = 404

    def __init__(self, message: str, suggestion: str = ""):
        super().__init__(message)
        self.message, self.suggestion = message, suggestion


class RecordDamagedPage(PageNotFound):
    """A 409: the decision record failed verification, so none of it is shown."""

    code = 409


class FormRejected(PageNotFound):
    """A 400: a POST form without this session's CSRF token (csrf.py)."""

    code = 400


class PageForbidden(PageNotFound):
    """A 403 with a message that names the scope the page needs (the auditor's view)."""

    code = 403


class PageBadRequest(PageNotFound):
    """A 400 with a message that names the bad value (an unknown reader)."""

    code = 400


@bp.errorhandler(HTTPException)
def http_error(err: HTTPException):
    lang = choose(request.args.get("lang"))
    status = err.code if err.code in _SHOWN else 400 if (err.code or 500) < 500 else 500
    response = render_page("error.html", lang, status=status, code=status,
                           message=getattr(err, "message", ""), suggestion=getattr(err, "suggestion", ""))
    if status == 401:
        response = (*response, {"WWW-Authenticate": 'Bearer realm="deelwijzer"'})
    return response


@bp.errorhandler(BudgetExceeded)
def over_budget(err: BudgetExceeded):
    lang = choose(request.args.get("lang"))
    return render_page("error.html", lang, status=503, code=503,
                       message=LABELS[lang].over_budget.format(seconds=f"{err.seconds:g}"), suggestion="")


@bp.errorhandler(Busy)
def busy(err: Busy):
    lang = choose(request.args.get("lang"))
    body, status = render_page("error.html", lang, status=503, code=503, message=LABELS[lang].busy, suggestion="")
    return body, status, {"Retry-After": "1"}


@bp.errorhandler(Exception)
def unexpected(err: Exception):
    api_errors.handle_error(err)  # logs the exception's type and place only; its JSON body is not used
    return render_page("error.html", choose(request.args.get("lang")), status=500, code=500, message="",
                       suggestion="")
