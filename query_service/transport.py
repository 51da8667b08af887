"""What every answer says about how it travelled: behind which proxy, over TLS or not, cacheable or not.

Behind a proxy that ends TLS (nginx, deploy/nginx.conf) the service sees plain HTTP from the proxy's
address; only the proxy's `X-Forwarded-Proto` and `X-Forwarded-For` say the client came over HTTPS
and from where. Those headers are believed only from the addresses TRUSTED_PROXIES names
(config.py), and removed from any other request, so a client cannot claim HTTPS or another address
for itself. A request that came over HTTPS — directly or through a trusted proxy — gets `Secure`
session cookies (pages/__init__.py) and `Strict-Transport-Security` on every answer. No answer may
be kept by a shared cache: API answers name people and decisions, so they carry
`Cache-Control: no-store` unless they set their own (the static files do).
"""
from __future__ import annotations

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

HSTS = "max-age=31536000"
FORWARDED = ("HTTP_FORWARDED", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
             "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX")


class TrustedProxies:
    """WSGI middleware: the forwarded scheme and client address of one trusted proxy hop, from the
    configured proxy addresses only; the headers are dropped from everyone else."""

    def __init__(self, app, proxies: frozenset[str]):
        self.app, self.proxies = app, proxies
        self.forwarded = ProxyFix(app, x_for=1, x_proto=1)

    def __call__(self, environ, start_response):
        if environ.get("REMOTE_ADDR") in self.proxies:
            return self.forwarded(environ, start_response)
        for name in FORWARDED:
            environ.pop(name, None)
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    app.wsgi_app = TrustedProxies(app.wsgi_app, app.config["TRUSTED_PROXIES"])  # type: ignore[method-assign]

    @app.after_request
    def _transport_headers(response):
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response
