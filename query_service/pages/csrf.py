"""CSRF tokens on the pages' forms, login included.

A session (access.py) is ambient: a browser sends its cookie with any request, so a form posted
from another site could act as the logged-in reader (or, at /login, start a session the attacker
chose). Each session gets a random token, rendered as a hidden field in every POST form
(`csrf_field()`); a POST from a browser without the matching field is refused with 400 and does
nothing. A request that authenticates with an `Authorization` header is not ambient — another site
cannot make a browser send one — so it needs no token.
"""
from __future__ import annotations

import hmac
import secrets

from flask import request, session
from markupsafe import Markup

from . import bp
from .access import sessions_enabled
from .errors import FormRejected
from .i18n import LABELS, choose

FIELD = "csrf_token"
KEY = "csrf"


def token() -> str:
    """This session's token (created on first use; a new login starts a new session and token)."""
    if KEY not in session:
        session[KEY] = secrets.token_urlsafe(32)
    return session[KEY]


@bp.app_template_global("csrf_field")
def csrf_field() -> Markup:
    """The hidden input every POST form carries (nothing when sessions are off: no form can log in)."""
    if not sessions_enabled():
        return Markup("")
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, token())


@bp.before_request
def check() -> None:
    if request.method != "POST" or "Authorization" in request.headers or not sessions_enabled():
        return
    expected = session.get(KEY)
    sent = request.form.get(FIELD, "")
    if not expected or not hmac.compare_digest(sent.encode("utf-8", "replace"), expected.encode("utf-8")):
        lang = choose(request.values.get("lang"))
        raise FormRejected(LABELS[lang].csrf_failed)
