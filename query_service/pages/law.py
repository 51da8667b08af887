"""The law reference page: every statement of docs/law.md, with the rules that cite it."""
from __future__ import annotations

from flask import request

from kb.language.law import DEFAULT_LAW, cited, statement_texts

from ..state import state
from . import bp
from .access import login_required
from .i18n import choose
from .render import render_page


@bp.get("/law")
@login_required
def law():
    """Each statement (B…, L…, D…) in the project's own words, and the rules whose @source cites it."""
    kb = state().workspace.kb
    statements = [{"number": number, "title": title, "text": text,
                   "rules": [rule.id for rule in kb.rules if number in cited(rule.source)]}
                  for number, (title, text) in statement_texts(DEFAULT_LAW.read_text(encoding="utf-8")).items()]
    return render_page("law.html", choose(request.args.get("lang")), kb=kb, statements=statements)
