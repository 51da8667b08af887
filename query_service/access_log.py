"""One access-log line per request with no personal data: method, route template, status, duration.

Never the query string, the body, the concrete path (it may hold ids) or any header (tokens).
"""
from __future__ import annotations

import logging
import time

from flask import Flask, g, request

log = logging.getLogger("query_service.access")


def init_app(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _log(response):
        started = g.get("started")
        duration = (time.perf_counter() - started) * 1000 if started is not None else 0.0
        route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
        log.info("%s %s %d %.1fms", request.method, route, response.status_code, duration)
        return response
