"""The JSON API blueprint, mounted at /v1. Its routes live in the modules imported below."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/v1")

from . import decisions, facts, interviews, knowledge, service  # noqa: E402,F401  (they register routes on bp)
