"""gunicorn settings for Deelwijzer: `gunicorn -c python:query_service.gunicorn_conf query_service.wsgi:app`.

For several worker processes behind a buffering front (nginx with `proxy_request_buffering on`):
gunicorn's threaded worker reads a request in its thread, so without such a front eight slow
clients hold eight threads. The embedded default (scripts/serve) is waitress (server.py), which
buffers requests itself. The worker class answers gunicorn's own errors as problem+json and never
logs a request line (gunicorn_worker.py).

One worker process with threads by default: each extra worker holds its own engine, model and
copy of the facts (workers keep in step with the stored fact base by its version); the GIL lets one
process use one core for Python work, so DEELWIJZER_WORKERS=2 uses both cores of this machine. No access log: gunicorn's would print query
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
accesslog = None
errorlog = "-"
loglevel = "info"
