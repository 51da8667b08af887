"""The errors a server answers itself, before the app sees the request, as problem+json too.

A malformed request line, headers or a body past the limit never reach Flask: waitress and gunicorn
answer them with their own plain-text or HTML pages. Both servers are given these bodies instead
(server.py, gunicorn_worker.py), so every error a client sees is a problem with a stable `code`,
and nothing of the request (its line, its headers) is echoed or logged.
"""
from __future__ import annotations

import json

from .errors import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE

_CODES = {
    400: ("malformed-request", "Malformed request", "The request line or headers are not valid HTTP/1.1."),
    403: ("forbidden", "Forbidden", "This request is not allowed."),
    413: ("body-too-large", "Request body too large", "The request body is larger than this service accepts."),
    414: ("uri-too-long", "URI too long", "The request line is longer than this service accepts."),
    417: ("expectation-failed", "Expectation failed", "The Expect header cannot be met."),
    431: ("headers-too-large", "Request header fields too large",
          "The request headers are larger than this service accepts."),
    500: ("internal-error", "Internal error",
          "The service failed while answering this request. The failure was logged."),
    501: ("not-implemented", "Not implemented", "The request uses an HTTP feature this service does not support."),
    503: ("too-many-connections", "Too many connections",
          "Every connection this service holds is answering a request; try again in a moment."),
}
REASONS = {400: "Bad Request", 403: "Forbidden", 413: "Request Entity Too Large", 414: "URI Too Long",
           417: "Expectation Failed", 431: "Request Header Fields Too Large", 500: "Internal Server Error",
           501: "Not Implemented", 503: "Service Unavailable"}


def problem_body(status: int) -> bytes:
    """The problem+json body for a status the server answers itself (no `instance`: the request
    line may be what was malformed)."""
    code, title, detail = _CODES.get(status, _CODES[400 if status < 500 else 500])
    return json.dumps({"type": PROBLEM_TYPE.format(code=code), "title": title, "status": status,
                       "detail": detail, "code": code}).encode("utf-8")


def problem_headers(body: bytes) -> list[tuple[str, str]]:
    return [("Content-Type", PROBLEM_MEDIA_TYPE), ("Content-Length", str(len(body))), ("Connection", "close")]
