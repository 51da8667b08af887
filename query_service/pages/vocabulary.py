"""/vocabulary: every predicate with its kind, arguments, reading and an example — what a legal
expert needs to write a fact or a what-if without knowing the vocabulary file by heart."""
from __future__ import annotations

from flask import request

from kb.language.vocabulary import Predicate, Vocabulary

from ..state import state
from . import bp
from .access import login_required
from .i18n import choose
from .render import render_page

KINDS = ("input", "derived", "context", "decision")


def _show(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def predicate_view(vocab: Vocabulary, pred: Predicate, lang: str, example=None, rules=()) -> dict:
    """One predicate as the page shows it: arguments, the reading template, a fact line, an example."""
    args = [(a.name, a.type, vocab.types[a.type].readings.get(lang, a.type) if a.type in vocab.types else a.type)
            for a in pred.args]
    view = {"name": pred.name, "kind": pred.kind, "args": args,
            "reading": pred.readings.get(lang, ""),
            "as_fact": f"- {pred.name}: [{', '.join(a.name for a in pred.args)}]",
            "rules": list(rules), "example": None}
    if example is not None:
        view["example"] = {"fact": f"- {pred.name}: [{', '.join(_show(v) for v in example.args)}]",
                           "reading": pred.reading(lang, example.args)}
    return view


@bp.get("/vocabulary")
@login_required
def vocabulary():
    """The vocabulary in the page's language; `kind` and `q` narrow it."""
    lang = choose(request.args.get("lang"))
    st = state()
    kb = st.workspace.kb
    vocab = kb.vocabulary
    kind = request.args.get("kind", "")
    words = request.args.get("q", "").strip().casefold()[:200]
    version = st.store.version()
    shown = []
    def order(p):
        return (KINDS.index(p.kind) if p.kind in KINDS else 9, p.name)

    for pred in sorted(vocab.predicates.values(), key=order):
        if kind and pred.kind != kind:
            continue
        if words and words not in (pred.name + " " + pred.readings.get(lang, "")).casefold():
            continue
        example = None
        if pred.kind == "input":
            found = st.store.page(version, predicate=pred.name, limit=1)
            example = found[0].fact if found else None
        shown.append(predicate_view(vocab, pred, lang, example, (r.id for r in kb.by_head.get(pred.name, ()))))
    types = [(name, t.readings.get(lang, name), [(v, t.label(v, lang) or v) for v in (t.values or ())])
             for name, t in vocab.types.items() if t.values]
    return render_page("vocabulary.html", lang, predicates=shown, kinds=KINDS, kind=kind, q=words, types=types,
                       total=len(vocab.predicates))
