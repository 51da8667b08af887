"""Deelwijzer's HTTP service: `create_app(config)` builds a Flask app with the JSON API at /v1.

    app = create_app({"DATABASE_URL": "sqlite://", "TOKENS": {"secret": ["query"]}})

See `config.py` for every setting (and its DEELWIJZER_* environment variable), `state.py` for
the shared state in `app.extensions["deelwijzer"]`, and `openapi.yaml` for the API.
"""
from __future__ import annotations

from flask import Flask

from . import access_log, auth, errors, sessions, slots, state, transport
from .config import DEMO_NOTICE, load_config


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(load_config(config))
    app.json.sort_keys = False
    deelwijzer = state.init_app(app)
    sessions.init_app(app, deelwijzer.db)
    auth.init_app(app)
    transport.init_app(app)
    errors.init_app(app)
    slots.init_app(app)
    access_log.init_app(app)

    from . import openapi
    # The document and the request validators are built at start (once per process), not by the
    # first request, which would pay ~0.4 s of it inside its evaluation budget.
    openapi.warm()
    from .api import bp as api
    app.register_blueprint(api)
    from .pages import bp as pages
    app.register_blueprint(pages)

    if app.config["DEMO"]:
        app.logger.warning(DEMO_NOTICE)

        @app.after_request
        def _demo_notice(response):
            response.headers["Deelwijzer-Notice"] = DEMO_NOTICE.replace("`", "")
            return response

    @app.cli.command("openapi")
    def print_openapi():
        """Print the OpenAPI document (JSON) that the service serves at /v1/openapi.json."""
        import json

        from . import openapi
        print(json.dumps(openapi.document(), indent=2, ensure_ascii=False))

    return app


__all__ = ["create_app"]
