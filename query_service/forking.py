"""A preloaded app forked into gunicorn workers: what must not cross the fork, and the model that should.

With `preload_app` (query_service/gunicorn_conf.py) the master builds the app once — rules, facts,
engine, and the materialised model of the moments named — and each worker is forked from it, so
the workers share those pages copy-on-write instead of each building its own.

Connections and threads must not be shared that way: a database connection used by two processes
corrupts its session, and a thread does not exist in the child at all. So before the master forks,
`before_fork` closes its database connection and stops the replication listener; in each worker,
`after_fork` starts the listener again (connections are opened per thread on first use). The access
log starts its writer thread per process by itself (access_log.py).
"""
from __future__ import annotations

import datetime
import logging
import os

from flask import Flask

from .state import EXTENSION, Deelwijzer

log = logging.getLogger("query_service")


def preloaded(server) -> Flask | None:
    """The Deelwijzer app gunicorn's master preloaded (None: not preloaded, or another app)."""
    if not server.cfg.preload_app:
        return None
    app = getattr(server.app, "callable", None)  # gunicorn keeps the app it loaded here
    return app if isinstance(app, Flask) and EXTENSION in app.extensions else None


def before_fork(server, moments: list[datetime.date]) -> None:
    """In the master, before each fork: the models of `moments` built (once), the process-bound
    resources released."""
    app = preloaded(server)
    if app is not None:
        state: Deelwijzer = app.extensions[EXTENSION]
        state.before_fork(moments)


def after_fork(server) -> None:
    """In a new worker: the process-bound resources started again."""
    app = preloaded(server)
    if app is not None:
        state: Deelwijzer = app.extensions[EXTENSION]
        state.after_fork(app.config)
        log.info("worker %d forked from the preloaded app", os.getpid())


def moments(text: str) -> list[datetime.date]:
    """The moments to build in the master: comma-separated YYYY-MM-DD dates, or `today`."""
    out = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        out.append(datetime.date.today() if part == "today" else datetime.date.fromisoformat(part))
    return out
