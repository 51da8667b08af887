"""Bearer tokens with scopes, from configuration.

    Authorization: Bearer <token>

`query` reads (decisions, audience, rules, vocabulary, facts); `admin` changes (facts, reloads);
`audit` sees an explanation as the auditor does (everything, what other readers are not shown included).
Tokens are compared in constant time and never logged.
"""
from __future__ import annotations

import hmac
from functools import wraps

from flask import current_app, g, request

from .errors import ApiProblem

CHALLENGE = 'Bearer realm="deelwijzer"'
AUDIT_SCOPE = "audit"  # the auditor's view of an explanation: everything, what others are not shown included


def has_scope(scope: str) -> bool:
    """Whether this request's token (checked by `require`) carries `scope`."""
    return scope in (g.get("scopes") or ())


def _token_scopes(token: str) -> tuple[str, ...] | None:
    found = None
    for known, scopes in current_app.config["TOKENS"].items():
        # Compare against every token so the time taken says nothing about which one came close.
        if hmac.compare_digest(known.encode(), token.encode()):
            found = scopes
    return found


def require(scope: str):
    """Decorate a view: it needs a valid bearer token carrying `scope`."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if not header:
                raise ApiProblem(401, "missing-token", "Unauthorized",
                                 "This call needs a bearer token: send `Authorization: Bearer <token>`.",
                                 headers={"WWW-Authenticate": CHALLENGE})
            scopes = _token_scopes(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
            if scopes is None:
                raise ApiProblem(401, "invalid-token", "Unauthorized",
                                 "The bearer token is not valid for this service.",
                                 headers={"WWW-Authenticate": CHALLENGE + ', error="invalid_token"'})
            if scope not in scopes:
                raise ApiProblem(403, "insufficient-scope", "Forbidden",
                                 f"This call needs a token with the `{scope}` scope; yours has "
                                 f"{', '.join(scopes) or 'none'}.",
                                 headers={"WWW-Authenticate": CHALLENGE + f', error="insufficient_scope", '
                                                                          f'scope="{scope}"'})
            g.scopes = scopes
            return view(*args, **kwargs)
        return wrapper
    return decorate
