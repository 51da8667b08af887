"""/try: the scenario form. A legal expert enters facts and a question and sees the decision with
its whole explanation, rendered like a decision page — never recorded, never stored."""
from __future__ import annotations

import datetime

from flask import request

from kb.decide import Decision, Question

from ..slots import evaluation_slot
from ..state import state
from . import bp
from .access import login_required
from .i18n import choose
from .render import render_page
from .scenario import SCENARIO_VERSION, TryForm, example, try_out


@bp.get("/try")
@login_required
def try_form():
    """The empty form (or, with ?example=1, one filled in with a shipped scenario)."""
    form = example() if request.args.get("example") else TryForm()
    return _page(choose(request.args.get("lang")), form, None)


@bp.post("/try")
@login_required
def try_decide():
    """Decide the form's question; 422 with every problem (and its line) when it cannot be decided."""
    # The header's language switch resubmits the form with `switch_lang`; else the form's language.
    lang = choose(request.form.get("switch_lang"), request.form.get("lang"), request.args.get("lang"))
    form = TryForm.read(request.form)
    st = state()
    with evaluation_slot():
        explanation = try_out(form, st.workspace, st.sync)
        before = before_what_if(form, explanation, st.workspace)
    return _page(lang, form, explanation, status=422 if form.problems else 200, before=before)


def before_what_if(form: TryForm, explanation: dict | None, workspace) -> Decision | None:
    """For what-if facts over the stored facts: the same question decided on the stored facts alone."""
    if explanation is None or form.mode != "stored" or not form.parsed:
        return None
    q = explanation["question"]
    return workspace.decide(Question(q["actor"], q["recipient"], q["item"], datetime.date.fromisoformat(q["at"]),
                                     q["setting"]))


def _page(lang: str, form: TryForm, explanation: dict | None, status: int = 200, before: Decision | None = None):
    settings = state().workspace.kb.vocabulary.types["setting"].values or ()
    return render_page("try.html", lang, status=status, form=form, explanation=explanation, settings=settings,
                       scenario_version=SCENARIO_VERSION, fact_count=len(form.parsed), before=before)
