"""Bearer tokens with scopes, from configuration; and how often a login may fail.

    Authorization: Bearer <token>

`query` reads (decisions, audience, rules, vocabulary, facts); `admin` changes (facts, reloads);
`audit` sees an explanation as the auditor does (everything, what other readers are not shown included).
Tokens are compared in constant time and never logged. The pages' login (pages/login.py) takes
the same tokens; a client address whose logins failed LOGIN_ATTEMPTS times within a minute is
refused (429, with the seconds to wait) until the oldest of those failures is a minute old, so
tokens cannot be guessed through the form. The count is kept per process.
"""
from __future__ import annotations

import hmac
import threading
import time
from collections import OrderedDict, deque
from functools import wraps

from flask import Flask, current_app, g, request

from .errors import ApiProblem

CHALLENGE = 'Bearer realm="deelwijzer"'
LIMITER = "deelwijzer.login_limit"
AUDIT_SCOPE = "audit"  # the auditor's view of an explanation: everything, what others are not shown included


def has_scope(scope: str) -> bool:
    """Whether this request's token (checked by `require`) carries `scope`."""
    return scope in (g.get("scopes") or ())


def token_scopes(token: str) -> tuple[str, ...] | None:
    """The scopes of a configured token, or None when it is not one."""
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
            scopes = token_scopes(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
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


class LoginLimiter:
    """Failed logins per client address within a sliding window; the addresses remembered are
    bounded (the oldest forgotten first), so a flood of addresses costs bounded memory."""

    def __init__(self, attempts: int, window: float = 60.0, addresses: int = 10_000):
        self.attempts, self.window, self.addresses = attempts, window, addresses
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, address: str) -> float:
        """Seconds until `address` may try again (0: now)."""
        now = time.monotonic()
        with self._lock:
            failures = self._recent(address, now)
            if len(failures) < self.attempts:
                return 0.0
            return failures[0] + self.window - now

    def failed(self, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(address, now).append(now)
            self._failures.move_to_end(address)
            while len(self._failures) > self.addresses:
                self._failures.popitem(last=False)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)

    def _recent(self, address: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(address, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures


def init_app(app: Flask) -> None:
    app.extensions[LIMITER] = LoginLimiter(app.config["LOGIN_ATTEMPTS"])


def login_limiter() -> LoginLimiter:
    return current_app.extensions[LIMITER]
