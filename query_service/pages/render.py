"""Rendering a page: the template plus what every page shows (language, labels, demo notice, login)."""
from __future__ import annotations

from flask import current_app, render_template, request, url_for

from kb.explain.render import full_lines, sections_of, summary_lines
from kb.explain.terms import date_words

from .access import current_scopes, sessions_enabled
from .i18n import FAILURE_WORD, LABELS, LANG_NAMES, LANGS


def switch_url(lang: str) -> str:
    """This page in another language: the same view and arguments, `lang` replaced."""
    if request.endpoint is None:
        return url_for("pages.home", lang=lang)
    args = {**(request.view_args or {}), **request.args.to_dict(), "lang": lang}
    return url_for(request.endpoint, **args)


def switch_view(view: str) -> str:
    """This page in another view of its explanation (summary or full)."""
    args = {**(request.view_args or {}), **request.args.to_dict(), "view": view}
    return url_for(request.endpoint, **args) if request.endpoint else "#"


def decided_day(decided_at: str, lang: str) -> str:
    """The day a record was decided (its UTC timestamp), as a letter writes a date."""
    return date_words(decided_at[:10], lang)


def render_page(template: str, lang: str, status: int = 200, **context):
    """Render `template` in `lang` with the common page context; (body, status)."""
    common = {
        "lang": lang, "t": LABELS[lang], "langs": LANGS, "lang_names": LANG_NAMES,
        "switch_url": switch_url, "failure_word": FAILURE_WORD,
        "demo": current_app.config["DEMO"],
        # A session login can be ended with a button; a bearer header is the client's own business.
        "bearer": "Authorization" in request.headers,
        "logged_in": "Authorization" not in request.headers and current_scopes() is not None,
        "sessions": sessions_enabled(),
        "summary_lines": summary_lines, "full_lines": full_lines, "sections_of": sections_of,
        "switch_view": switch_view, "decided_day": decided_day,
    }
    return render_template(template, **common, **context), status
