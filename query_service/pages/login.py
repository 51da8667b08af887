"""/login and /logout: a session for the pages, holding the digest of a pasted token."""
from __future__ import annotations

from flask import redirect, request, session, url_for

from . import bp
from .access import SCOPE, SESSION_KEY, digest, safe_next, scopes_of_digest, sessions_enabled
from .i18n import choose
from .render import render_page


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; a good token starts a session and goes on to `next`."""
    lang = choose(request.values.get("lang"))
    next_url = safe_next(request.values.get("next"))
    problem, status = "", 200
    if request.method == "POST":
        token = (request.form.get("token") or "").strip()
        scopes = scopes_of_digest(digest(token)) if token else None
        if not sessions_enabled():
            problem, status = "sessions_off", 400
        elif scopes is None:
            problem, status = "bad_token", 401
        elif SCOPE not in scopes:
            problem, status = "no_scope", 403
        else:
            session.clear()  # a fresh session: nothing from before the login carries over
            session[SESSION_KEY] = digest(token)
            return redirect(next_url)
    elif not sessions_enabled():
        problem = "sessions_off"
    return render_page("login.html", lang, status=status, next_url=next_url, problem=problem,
                       login_needed=request.method == "GET" and "next" in request.args,
                       logged_out=request.args.get("logged_out") == "1")


@bp.post("/logout")
def logout():
    """End the session (POST only, so that a link on another site cannot log anyone out)."""
    session.clear()
    return redirect(url_for("pages.login", lang=choose(request.values.get("lang")), logged_out=1))
