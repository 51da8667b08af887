"""Service endpoints: health, this API's OpenAPI document, and reloading the rules."""
from __future__ import annotations

import datetime

from flask import current_app, jsonify

from kb.edits.impact import rule_changes
from kb.language.diagnostics import KnowledgeBaseError
from kb.paths import display_path

from .. import openapi
from ..auth import require
from ..config import DEMO_NOTICE
from ..errors import invalid
from ..state import state
from . import bp
from .inputs import check_schema, json_body, parse_date


@bp.get("/health")
def health():
    st = state()
    ws = st.workspace
    out = {"status": "ok", "kb_version": ws.kb.version, "facts_version": ws.facts.version,
           "engine": ws.engine.name, "decisions_logged": st.decisions_logged(),
           "demo": current_app.config["DEMO"]}
    if current_app.config["DEMO"]:
        out["notice"] = DEMO_NOTICE
    return jsonify(out)


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())


@bp.post("/admin/reload")
@require("admin")
def reload_rules():
    """Reload the rules from KB_DIR; with `dry_run`, only report what the reload would change."""
    body = json_body(required=False) or {}
    check_schema(body, "ReloadRequest")
    at = parse_date(body["at"], "/at") if "at" in body else datetime.date.today()
    try:
        if body.get("dry_run"):
            old, new, impact, complete = state().rule_impact(at)
            found = impact.as_dict(body.get("examples", 2))  # an integer: the schema refuses 2.0
            del found["changed_rules"]
            return jsonify({**_reload_answer(old, new, impact.changes), "dry_run": True, "complete": complete,
                            **found})
        old, new = state().reload_rules()
    except KnowledgeBaseError as err:
        errors = [{**d.as_dict(), "file": display_path(d.pos.file)} for d in err.diagnostics]
        raise invalid(f"The rules fail the checks ({len(errors)} error(s)); the running knowledge base "
                      f"{state().workspace.kb.version} stays in use. First: {errors[0]['file']}:"
                      f"{errors[0]['line']}:{errors[0]['column']}: {errors[0]['message']}",
                      errors, code="kb-check-failed") from None
    return jsonify({**_reload_answer(old, new, rule_changes(old, new)), "dry_run": False})


def _reload_answer(old, new, changes) -> dict:
    return {"kb_version": new.version, "previous_kb_version": old.version,
            "changed": new.version != old.version, "rules": len(new.rules),
            "changed_rules": [c.as_dict() for c in changes]}
