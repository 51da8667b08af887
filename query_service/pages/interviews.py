"""/interviews: the interview as a page. It asks the open questions one at a time, the most
decisive first, and shows the outcome so far; when an answer changes the outcome it says so and
asks whether to go on. The answers are what-if facts, never stored as facts; an interview belongs
to the token (or the login) that started it."""
from __future__ import annotations

import contextlib

from flask import abort, redirect, request, url_for

from kb.decide import DecisionError

from .. import interviews
from . import bp
from .access import current_owner, login_required
from .ask import FIELDS, read_question, suggestions
from .errors import PageBadRequest, PageNotFound
from .i18n import LABELS, choose
from .render import render_page


def _form(lang: str, form: dict, problems: list, status: int = 200):
    return render_page("interview.html", lang, status=status, interview=None, form=form, problems=problems,
                       **suggestions())


@bp.get("/interviews")
@login_required
def interview_start():
    """The question form (fields may be prefilled from the query string)."""
    lang = choose(request.args.get("lang"))
    form = {name: request.args.get(name, "").strip() for name in FIELDS}
    form["setting"] = form["setting"] or "conversation"
    return _form(lang, form, [])


@bp.post("/interviews")
@login_required
def interview_begin():
    """Start an interview on the posted question; 422 with the form and each problem when it cannot be asked."""
    lang = choose(request.form.get("lang"), request.args.get("lang"))
    form, problems, question = read_question(lang)
    if question is None:
        return _form(lang, form, problems, 422)
    record = {"actor": question.actor, "recipient": question.recipient, "item": question.item,
              "at": question.at.isoformat(), "setting": question.setting, "hypothetical": []}
    try:
        started = interviews.start(record, question, _owner())
    except DecisionError as err:
        raise PageBadRequest(err.message, err.suggestion) from None
    return redirect(url_for("pages.interview", interview_id=started["id"], lang=lang), code=303)


@bp.get("/interviews/<interview_id>")
@login_required
def interview(interview_id: str):
    """The outcome so far, the answers given, and the next question with yes / no — or, when an
    answer was just reached, the question whether to go on."""
    lang = choose(request.args.get("lang"))
    shown = interviews.view(_find(interview_id, lang))
    return render_page("interview.html", lang, interview=shown, form=None, problems=[])


@bp.post("/interviews/<interview_id>")
@login_required
def interview_answer(interview_id: str):
    lang = choose(request.args.get("lang"))
    found = _find(interview_id, lang)
    try:
        interviews.answer(found, request.form.get("question", ""), request.form.get("answer") == "yes")
    except interviews.UnknownQuestion as err:
        raise PageBadRequest(str(err)) from None
    except interviews.InterviewChanged:
        pass  # another answer came first: the page shows the interview as it now is
    return redirect(url_for("pages.interview", interview_id=interview_id, lang=lang), code=303)


@bp.post("/interviews/<interview_id>/next")
@login_required
def interview_go_on(interview_id: str):
    """Go on asking after an answer was reached (`end`: stop here)."""
    lang = choose(request.args.get("lang"))
    found = _find(interview_id, lang)
    with contextlib.suppress(interviews.InterviewChanged):  # another step came first: the page shows it
        (interviews.end if request.form.get("end") else interviews.go_on)(found)
    return redirect(url_for("pages.interview", interview_id=interview_id, lang=lang), code=303)


def _owner() -> str:
    """Who is asking (login_required let only a token through, by header or session)."""
    owner = current_owner()
    if owner is None:
        abort(401)
    return owner


def _find(interview_id: str, lang: str) -> dict:
    found = interviews.find(interview_id, _owner())
    if found is None:
        raise PageNotFound(LABELS[lang].no_interview.format(id=interview_id))
    return found
