"""The JSON API blueprint, mounted at /v1. Its routes live in the modules imported below."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/v1")

from . import decisions, facts, knowledge, service  # noqa: E402,F401  (they register routes on bp)


@bp.before_request
def _documented_query_parameters_only() -> None:
    """422 for a query parameter the OpenAPI document does not name: what the schema rejects, the
    service rejects (a misspelt `?verison=` would otherwise be silently ignored)."""
    from flask import request

    from ..errors import invalid
    from ..openapi import query_parameters
    if request.url_rule is None:
        return
    allowed = query_parameters(request.url_rule.rule, request.method)
    unknown = sorted(set(request.args) - allowed) if allowed is not None else []
    if unknown:
        known = ", ".join(sorted(allowed)) or "none"
        raise invalid(f"Unknown query parameter(s): {', '.join(map(repr, unknown))}; this operation takes {known}.",
                      [{"code": "invalid-request", "parameter": name, "message": f"`{name}` is not a parameter here"}
                       for name in unknown])
