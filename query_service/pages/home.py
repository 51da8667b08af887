"""The home page: what the pages are, the service's versions, and a way to open a decision."""
from __future__ import annotations

from flask import redirect, request, url_for

from ..state import state
from . import bp
from .i18n import choose
from .render import render_page


@bp.get("/")
def home():
    """Links to the pages and the service's health; public, like /v1/health (it names no one)."""
    st = state()
    ws = st.workspace
    health = {"kb_version": ws.kb.version, "facts_version": ws.facts.version, "engine": ws.engine.name,
              "decisions_logged": st.decisions_logged(), "rules": len(ws.kb.rules)}
    return render_page("home.html", choose(request.args.get("lang")), health=health)


@bp.get("/decisions")
def open_decision():
    """The home page's "open decision number" form: on to that decision's page."""
    lang = choose(request.args.get("lang"))
    number = request.args.get("id", "").strip().lstrip("#")
    if not number.isdigit():
        return redirect(url_for("pages.home", lang=lang))
    return redirect(url_for("pages.decision", decision_id=int(number), lang=lang))
