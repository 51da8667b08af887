"""The HTML pages: a home page, decision pages, the rule catalogue, a scenario form, and login.

Server-rendered with Jinja2 (autoescaped) from query_service/templates, in Dutch or English
(`?lang=nl|en`). A decision page and a try-out render the same explanation structure as the API's
JSON and the text renderer: one proof structure, several views. Every page but the home page and
/login needs a token with the `query` scope (access.py).
"""
from __future__ import annotations

import re

from flask import Blueprint, Flask, current_app, request
from flask.sessions import SecureCookieSessionInterface
from markupsafe import Markup, escape

bp = Blueprint("pages", __name__)

# No inline script or style anywhere, so the pages can forbid both: text that slipped through
# escaping still could not run.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
_PLACEHOLDER = re.compile(r"\{([A-Z][A-Za-z0-9_]*)\}")


class HttpsAwareSessions(SecureCookieSessionInterface):
    """The session cookie is `Secure` whenever the request came over HTTPS (or the configuration
    says so): a login made over HTTPS is never sent back over plain HTTP. Behind a proxy that ends
    TLS, TRUSTED_PROXIES names it (transport.py)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


@bp.record_once
def _setup(state) -> None:
    app: Flask = state.app
    app.session_interface = HttpsAwareSessions()
    # The session cookie carries a login: never sent along with requests started by other sites.
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"


@bp.after_request
def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for browsers without CSP 3
    response.headers.setdefault("Referrer-Policy", "no-referrer")  # page URLs name decisions
    return response  # Cache-Control and HSTS: transport.py, for every answer


@bp.app_template_filter("placeholders")
def placeholders(text: str) -> Markup:
    """A rule's reading template with its {Variable} placeholders marked up (escaped first)."""
    return Markup(_PLACEHOLDER.sub(lambda m: f'<var>{m.group(1)}</var>', str(escape(text))))


@bp.app_template_global("max_content_length")
def max_content_length() -> int:
    return current_app.config.get("MAX_CONTENT_LENGTH") or 0


from . import ask, csrf, decisions, errors, home, interviews, law, login, rules, tryout, vocabulary  # noqa: E402,F401  (they register on bp)
