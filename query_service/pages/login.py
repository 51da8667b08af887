"""/login and /logout: a login for the pages, kept on the server (sessions.py), started with a
pasted token; failed logins are limited per client address (auth.LoginLimiter)."""
from __future__ import annotations

import math

from flask import redirect, request, session, url_for

from ..auth import login_limiter, token_scopes
from ..sessions import sessions
from . import bp
from .access import SCOPE, SESSION_KEY, safe_next, sessions_enabled
from .i18n import choose
from .render import render_page


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; a good token starts a session and goes on to `next`."""
    lang = choose(request.values.get("lang"))
    next_url = safe_next(request.values.get("next"))
    problem, status, headers = "", 200, {}
    limiter, address = login_limiter(), request.remote_addr or ""
    if request.method == "POST":
        token = (request.form.get("token") or "").strip()
        wait = limiter.wait(address)
        scopes = token_scopes(token) if token and not wait else None
        if not sessions_enabled():
            problem, status = "sessions_off", 400
        elif wait:
            problem, status, headers = "too_many_logins", 429, {"Retry-After": str(math.ceil(wait))}
        elif scopes is None:
            limiter.failed(address)
            problem, status = "bad_token", 401
        elif SCOPE not in scopes:
            limiter.failed(address)
            problem, status = "no_scope", 403
        else:
            limiter.succeeded(address)
            _end_login()
            session.clear()  # a fresh session: nothing from before the login carries over
            session[SESSION_KEY] = sessions().start(token)
            return redirect(next_url)
    elif not sessions_enabled():
        problem = "sessions_off"
    body, status = render_page("login.html", lang, status=status, next_url=next_url, problem=problem,
                               login_needed=request.method == "GET" and "next" in request.args,
                               logged_out=request.args.get("logged_out") == "1")
    return body, status, headers


@bp.post("/logout")
def logout():
    """End the login on the server and the session (POST only, so that a link on another site cannot
    log anyone out)."""
    _end_login()
    session.clear()
    return redirect(url_for("pages.login", lang=choose(request.values.get("lang")), logged_out=1))


def _end_login() -> None:
    login = session.get(SESSION_KEY)
    if isinstance(login, str):
        sessions().end(login)
