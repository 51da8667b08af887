"""Who may see the pages: the API's bearer tokens, sent as a header or kept in a session.

/login (login.py) takes a pasted token and keeps its SHA-256 digest — not the token — in Flask's signed
session cookie; every request checks the digest against the configured tokens again, so removing
a token from the configuration ends its sessions too. A page needs the `query` scope, as the API's
reads do. Nothing here logs a token or a name.
"""
from __future__ import annotations

import hashlib
import hmac
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, request, session, url_for

from ..interviews import owner_of

SESSION_KEY = "token_sha256"
SCOPE = "query"


def digest(token: str) -> str:
    """The SHA-256 of a token, hex: what a session keeps instead of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def scopes_of_digest(token_digest: str) -> tuple[str, ...] | None:
    """The scopes of the configured token with this digest, or None when there is none."""
    found = None
    for known, scopes in current_app.config["TOKENS"].items():
        # Compare against every token, so the time taken says nothing about which one came close.
        if hmac.compare_digest(digest(known), token_digest):
            found = scopes
    return found


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_scopes() -> tuple[str, ...] | None:
    """The scopes of this request: from its bearer header if it sends one, else from its session."""
    header = request.headers.get("Authorization")
    if header is not None:
        token = _bearer_token()
        return scopes_of_digest(digest(token)) if token else None
    stored = session.get(SESSION_KEY) if sessions_enabled() else None
    return scopes_of_digest(stored) if isinstance(stored, str) else None


def current_owner() -> str | None:
    """Whom what this request opens (an interview) belongs to: its token, by the bearer header or
    the session's digest of it; None when it has neither."""
    if request.headers.get("Authorization") is not None:
        token = _bearer_token()
        return owner_of(digest(token)) if token else None
    stored = session.get(SESSION_KEY) if sessions_enabled() else None
    return owner_of(stored) if isinstance(stored, str) else None


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
