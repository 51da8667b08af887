"""The WSGI entry point: `gunicorn -c python:query_service.gunicorn_conf query_service.wsgi:app`.

Configured by DEELWIJZER_* environment variables (see query_service/config.py); with none set it
serves the demo data from an SQLite file under ./var with the public demo token.
"""
import logging

from . import create_app

if not logging.getLogger().handlers:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

app = create_app()
