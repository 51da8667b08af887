"""/ask: ask a question of the stored data — actor, recipient, item, day, setting — with names
suggested from the stored facts (datalists: no script needed). The decision is recorded in the
decision log, as `POST /v1/decisions` records it, and its page is shown."""
from __future__ import annotations

import datetime

from flask import redirect, request, url_for

from kb.decide import DecisionError, Question, validate_question
from kb.explain.readers import DEFAULT_READER

from ..api.decisions import decide_and_record
from ..state import state
from . import bp
from .access import login_required
from .i18n import LABELS, choose
from .render import render_page

FIELDS = ("actor", "recipient", "item", "at", "setting")
MAX_SUGGESTIONS = 2000  # names offered per list; the demo knows about a thousand people


def suggestions() -> dict:
    """The persons and items of the stored facts, and the settings with their labels in each language."""
    ws = state().workspace
    known = ws.facts.entities(ws.kb.vocabulary)
    setting = ws.kb.vocabulary.types["setting"]
    return {"persons": sorted(map(str, known.get("person", ())))[:MAX_SUGGESTIONS],
            "items": sorted(map(str, known.get("item", ())))[:MAX_SUGGESTIONS],
            "settings": [(value, {lang: setting.label(value, lang) or value for lang in ("nl", "en")})
                         for value in setting.values or ()]}


def _form(lang: str, form: dict, problems: list, status: int = 200):
    return render_page("ask.html", lang, status=status, form=form, problems=problems, **suggestions())


@bp.get("/ask")
@login_required
def ask_form():
    """The empty question form (fields may be prefilled from the query string)."""
    lang = choose(request.args.get("lang"))
    form = {name: request.args.get(name, "").strip() for name in FIELDS}
    form["setting"] = form["setting"] or "conversation"
    return _form(lang, form, [])


def read_question(lang: str) -> tuple[dict, list, Question | None]:
    """The question of a posted form: (the form's values, the problems found, the Question when
    there are none). Each problem names its field: (field, message, suggestion)."""
    form = {name: request.form.get(name, "").strip() for name in FIELDS}
    form["setting"] = form["setting"] or "conversation"
    labels = LABELS[lang]
    problems = [(name, labels.required.format(field=labels[{"item": "item_label"}.get(name, name)]), "")
                for name in ("actor", "recipient", "item") if not form[name]]
    at: datetime.date | None = datetime.date.today()
    if form["at"]:
        try:
            at = datetime.date.fromisoformat(form["at"]) if len(form["at"]) == 10 else None
        except ValueError:
            at = None
        if at is None:
            problems.append(("at", labels.bad_date.format(value=form["at"]), ""))
    if problems or at is None:
        return form, problems, None
    question = Question(form["actor"], form["recipient"], form["item"], at, form["setting"])
    ws = state().workspace
    try:
        validate_question(question, ws.kb, ws.facts)
    except DecisionError as err:
        field = {"unknown-item": "item", "unknown-setting": "setting"}.get(err.code, "actor")
        if err.code == "unknown-person" and "the recipient" in err.message:
            field = "recipient"
        return form, [(field, err.message, err.suggestion)], None
    return form, [], question


@bp.post("/ask")
@login_required
def ask():
    """Decide and record the question; 422 with the form and each problem when it cannot be decided.
    The page shown is written for the professional who asked."""
    lang = choose(request.form.get("lang"), request.args.get("lang"))
    form, problems, question = read_question(lang)
    if question is None:
        return _form(lang, form, problems, 422)
    stored = {"actor": question.actor, "recipient": question.recipient, "item": question.item,
              "at": question.at.isoformat(), "setting": question.setting, "hypothetical": [], "explain": "summary",
              "lang": lang, "max_depth": None, "max_proofs": 1, "reader": DEFAULT_READER}
    record, _ = decide_and_record(question, stored)
    return redirect(url_for("pages.decision", decision_id=record.id, lang=lang), code=303)
