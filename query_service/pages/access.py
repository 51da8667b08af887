"""Who may see the pages: the API's bearer tokens, sent as a header or kept in a session.

/login (login.py) takes a pasted token and starts a login kept on the server (sessions.py); Flask's
signed session cookie holds only that login's random id (and the form token), nothing derived from
the token. Every request looks the login up again and checks its token against the configured
ones, so logging out, the login's end, or removing the token from the configuration ends it. A page
needs the `query` scope, as the API's reads do. Nothing here logs a token or a name.
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, request, session, url_for

from ..auth import token_scopes
from ..interviews import owner_of_token
from ..sessions import sessions

SESSION_KEY = "login"  # the server-side login's id, in the cookie
SCOPE = "query"


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_scopes() -> tuple[str, ...] | None:
    """The scopes of this request: from its bearer header if it sends one, else from its session."""
    header = request.headers.get("Authorization")
    if header is not None:
        token = _bearer_token()
        return token_scopes(token) if token else None
    login = session.get(SESSION_KEY) if sessions_enabled() else None
    return sessions().scopes(login, current_app.config["TOKENS"]) if isinstance(login, str) else None


def current_owner() -> str | None:
    """Whom what this request opens (an interview) belongs to: its token, whether it came as a
    bearer header or through the login; None when there is neither."""
    if request.headers.get("Authorization") is not None:
        token = _bearer_token()
    else:
        login = session.get(SESSION_KEY) if sessions_enabled() else None
        token = sessions().token(login, current_app.config["TOKENS"]) if isinstance(login, str) else None
    return owner_of_token(token) if token else None


def sessions_enabled() -> bool:
    """Session login needs a key to sign the cookie with (config SECRET_KEY)."""
    return bool(current_app.secret_key)


def login_required(view):
    """Decorate a page: it needs the `query` scope, by bearer header or by session login.

    Without any credentials the browser is sent to /login and back; a bad header gets 401 and a
    token without the scope 403, as in the API."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        scopes = current_scopes()
        if scopes is None:
            if "Authorization" in request.headers:
                abort(401)
            return redirect(url_for("pages.login", next=request.full_path.rstrip("?"), lang=request.args.get("lang")))
        if SCOPE not in scopes:
            abort(403)
        return view(*args, **kwargs)
    return wrapper


def safe_next(target: str | None) -> str:
    """Only a path on this site: a `next` that names another host would make /login an open redirect."""
    if not target:
        return url_for("pages.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("pages.home")
    return target
