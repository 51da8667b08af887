"""/interviews: the interview as a page. It asks the open questions one at a time, the most
decisive first, and shows the outcome so far; the answers are hypothetical facts, never stored."""
from __future__ import annotations

import datetime

from flask import redirect, request, url_for

from kb.decide import DecisionError, Question

from .. import interviews
from ..state import state
from . import bp
from .access import login_required
from .errors import PageBadRequest, PageNotFound
from .i18n import LABELS, choose
from .render import render_page

_FIELDS = ("actor", "recipient", "item", "at")


@bp.get("/interviews")
@login_required
def interview_start():
    """The question form; with actor, recipient and item filled in, start the interview."""
    lang = choose(request.args.get("lang"))
    args = {name: request.args.get(name, "").strip() for name in _FIELDS}
    if not (args["actor"] and args["recipient"] and args["item"]):
        return render_page("interview.html", lang, interview=None, form=args)
    try:
        at = datetime.date.fromisoformat(args["at"]) if args["at"] else datetime.date.today()
    except ValueError:
        raise PageBadRequest(LABELS[lang].bad_date.format(value=args["at"])) from None
    setting = request.args.get("setting") or "conversation"
    question = Question(args["actor"], args["recipient"], args["item"], at, setting)
    record = {"actor": question.actor, "recipient": question.recipient, "item": question.item,
              "at": at.isoformat(), "setting": setting, "hypothetical": []}
    try:
        started = interviews.start(record, question)
    except DecisionError as err:
        raise PageBadRequest(err.message, err.suggestion) from None
    return redirect(url_for("pages.interview", interview_id=started["id"], lang=lang), code=303)


@bp.get("/interviews/<interview_id>")
@login_required
def interview(interview_id: str):
    """The outcome so far, the answers given, and the next question with yes / no."""
    lang = choose(request.args.get("lang"))
    found = _find(interview_id, lang)
    shown = interviews.view(found)
    setting = state().workspace.kb.vocabulary.types["setting"]
    return render_page("interview.html", lang, interview=shown, form=None,
                       setting_label=setting.label(shown["question"]["setting"], lang) or shown["question"]["setting"])


@bp.post("/interviews/<interview_id>")
@login_required
def interview_answer(interview_id: str):
    lang = choose(request.args.get("lang"))
    found = _find(interview_id, lang)
    try:
        interviews.answer(found, request.form.get("question", ""), request.form.get("answer") == "yes")
    except interviews.UnknownQuestion as err:
        raise PageBadRequest(str(err)) from None
    return redirect(url_for("pages.interview", interview_id=interview_id, lang=lang), code=303)


def _find(interview_id: str, lang: str) -> dict:
    found = interviews.find(interview_id)
    if found is None:
        raise PageNotFound(LABELS[lang].no_interview.format(id=interview_id))
    return found
