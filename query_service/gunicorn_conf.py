"""gunicorn settings for Deelwijzer: `gunicorn -c python:query_service.gunicorn_conf query_service.wsgi:app`.

For several worker processes behind a buffering front (nginx with `proxy_request_buffering on`):
gunicorn's threaded worker reads a request in its thread, so without such a front eight slow
clients hold eight threads. The embedded default (scripts/serve) is waitress (server.py), which
buffers requests itself. The worker class answers gunicorn's own errors as problem+json and never
logs a request line (gunicorn_worker.py).

One worker process with threads by default; the GIL lets one process use one core for Python work,
so DEELWIJZER_WORKERS=2 uses both cores of this machine. The app is preloaded (DEELWIJZER_PRELOAD,
default on): the master loads rules and facts and builds the models of DEELWIJZER_PRELOAD_MOMENTS
(default `today`; comma-separated dates) once, then forks the workers, which share those pages
copy-on-write; each worker keeps in step with the stored fact base by its version, and builds the
models of other moments itself. Connections and threads are not carried across the fork
(forking.py). No access log: gunicorn's would print query
strings, which hold names; the app logs method, route template, status and duration instead.
"""
import os

bind = os.environ.get("DEELWIJZER_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("DEELWIJZER_WORKERS", "1"))
worker_class = "query_service.gunicorn_worker.ProblemThreadWorker"
threads = int(os.environ.get("DEELWIJZER_THREADS", "8"))
timeout = 120  # with ENGINE=pydatalog the audience of an item at demo size takes tens of seconds
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Which proxy's X-Forwarded-* headers to believe is the app's decision (TRUSTED_PROXIES,
# query_service/transport.py); gunicorn would believe 127.0.0.1's by default.
forwarded_allow_ips = ""
secure_scheme_headers: dict = {}
accesslog = None
errorlog = "-"
loglevel = "info"
preload_app = os.environ.get("DEELWIJZER_PRELOAD", "true").strip().lower() in ("1", "true", "yes", "on")


def pre_fork(server, worker):
    """In the master, before each worker is forked (forking.py; another app, such as the bench's
    hello floor, is left alone)."""
    from query_service import forking
    forking.before_fork(server, forking.moments(os.environ.get("DEELWIJZER_PRELOAD_MOMENTS", "today")))


def post_fork(server, worker):
    """In each worker, just forked (forking.py)."""
    from query_service import forking
    forking.after_fork(server)
