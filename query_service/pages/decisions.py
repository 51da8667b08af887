"""The decision page: one recorded decision, rendered from the decision log exactly as decided.

Everything shown comes from the stored record — its trace is the explanation computed when it was
decided, or, for a decision asked without one, the explanation rebuilt from the rule and fact
versions the record names (traces.py) — never from today's rules or facts, so the page of a
contested decision stays the same after they change. Only a notice compares the record's rules
version with today's.
"""
from __future__ import annotations

from flask import request

from kb.explain.readers import AUDIT_READER, DEFAULT_READER, READERS, for_reader

from ..auth import AUDIT_SCOPE
from ..state import state
from ..traces import RecordDamaged, RecordUnrenderable, verified_explanation
from . import bp
from .access import current_scopes, login_required
from .errors import PageBadRequest, PageForbidden, PageNotFound, RecordDamagedPage
from .i18n import LABELS, choose
from .render import render_page


@bp.get("/decisions/<int:decision_id>")
@login_required
def decision(decision_id: int):
    """A recorded decision for a reader: the one-page summary, or with ?view=full the whole proof.
    Written for the professional who asked unless another reader is chosen; the auditor's view
    (everything, the record of what others are not shown included) needs the `audit` scope."""
    st = state()
    record = st.log.get(decision_id)
    if record is None:
        lang = choose(request.args.get("lang"))
        raise PageNotFound(LABELS[lang].no_decision.format(id=decision_id))
    # The language asked for, else the one the decision was asked in.
    lang = choose(request.args.get("lang"), record.request.get("lang"))
    reader = request.args.get("reader") or DEFAULT_READER
    if reader not in READERS:
        raise PageBadRequest(LABELS[lang].unknown_reader.format(reader=reader, readers=", ".join(READERS)))
    auditing = AUDIT_SCOPE in (current_scopes() or ())
    if reader == AUDIT_READER and not auditing:
        raise PageForbidden(LABELS[lang].audit_needed)
    try:
        explanation = for_reader(verified_explanation(st, record), reader).to_json()
    except RecordDamaged:
        raise RecordDamagedPage(LABELS[lang].record_damaged.format(id=decision_id)) from None
    except RecordUnrenderable as err:
        raise RecordDamagedPage(LABELS[lang].record_unrenderable.format(id=decision_id, reason=err.reason)) from None
    current_kb = st.workspace.kb.version
    view = "full" if request.args.get("view") == "full" else "summary"
    readers = [r for r in READERS if r != AUDIT_READER or auditing]
    return render_page("decision.html", lang, record=record, explanation=explanation, view=view, reader=reader,
                       readers=readers, current_kb=current_kb, rules_changed=current_kb != record.kb_version)
