"""The JSON API blueprint, mounted at /v1. Its routes live in the modules imported below."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/v1")

from . import decisions, facts, interviews, knowledge, query, service  # noqa: E402,F401  (they register routes on bp)


@bp.before_request
def _documented_query_parameters_only() -> None:
    """422 for a query parameter the OpenAPI document does not name, or whose value does not fit
    its documented schema: what the schema rejects, the service rejects (a misspelt `?verison=`
    would otherwise be silently ignored)."""
    from flask import request

    from ..errors import invalid
    from ..openapi import query_parameters, query_value_problem
    if request.url_rule is None or not request.query_string:  # no parameters: nothing to refuse
        return
    documented = query_parameters(request.url_rule.rule, request.method)
    if documented is None:
        return
    errors = [{"code": "invalid-request", "parameter": name, "message": f"`{name}` is not a parameter here"}
              for name in sorted(set(request.args) - set(documented))]
    for name, schema in documented.items():
        for text in request.args.getlist(name):
            problem = query_value_problem(schema, text)
            if problem:
                errors.append({"code": "invalid-request", "parameter": name, "message": f"`{name}` {problem}"})
    if errors:
        known = ", ".join(sorted(documented)) or "none"
        raise invalid(f"{len(errors)} problem(s) with the query; this operation takes {known}; first: "
                      f"{errors[0]['message']}", errors)
