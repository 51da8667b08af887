"""The knowledge base as data: the rule catalogue, one rule with its source text, the vocabulary,
and the kept texts of past rule versions that recorded decisions refer to."""
from __future__ import annotations

from pathlib import Path

from flask import jsonify, request, url_for

from kb.language.ast import Rule
from kb.language.diagnostics import did_you_mean
from kb.language.knowledge_base import KnowledgeBase
from kb.paths import display_path

from ..auth import require
from ..errors import invalid, not_found
from ..state import state
from . import bp


def _summary(rule: Rule) -> dict:
    return {"id": rule.id, "source": rule.source, "heading": rule.heading, "concludes": rule.head.predicate,
            "location": f"{display_path(rule.pos.file)}:{rule.pos.line}",
            "readings": {"nl": rule.reading("nl"), "en": rule.reading("en")}, "choice": rule.choice,
            "alternative": rule.alternative, "conditions": list(rule.conditions),
            "href": url_for("api.get_rule", rule_id=rule.id)}


def rule_block(kb: KnowledgeBase, rule: Rule) -> tuple[int, int, str]:
    """(first line, last line, text) of the rule as written: its quoted legal text, annotations and clause."""
    text = kb.sources.get(rule.pos.file)
    if text is None:
        text = Path(rule.pos.file).read_text(encoding="utf-8")
    lines = text.splitlines()
    first = min([rule.pos.line] + [a.pos.line for a in rule.annotations])
    while first > 1 and lines[first - 2].lstrip().startswith(">"):
        first -= 1  # the quoted law right above the annotations belongs to the rule
    last = max(rule.pos.end_line or rule.pos.line, rule.pos.line)
    return first, last, "\n".join(lines[first - 1:last]) + "\n"


def known_predicate(kb: KnowledgeBase, predicate: str | None) -> None:
    """422 `unknown-predicate`, with a did-you-mean, for a filter naming a predicate the vocabulary lacks."""
    if predicate is None or predicate in kb.vocabulary.predicates:
        return
    hint = did_you_mean(predicate, kb.vocabulary.predicates)
    raise invalid(f"There is no predicate `{predicate}` in the vocabulary." + (f" {hint}" if hint else ""),
                  [{"code": "unknown-predicate", "parameter": "predicate",
                    "message": f"unknown predicate `{predicate}`",
                    **({"suggestion": hint} if hint else {})}], code="unknown-predicate", suggestion=hint)


@bp.get("/rules")
@require("query")
def list_rules():
    kb = state().workspace.kb
    predicate = request.args.get("predicate")
    known_predicate(kb, predicate)
    rules = [_summary(r) for r in kb.rules if predicate is None or r.head.predicate == predicate]
    return jsonify({"kb_version": kb.version, "count": len(rules), "rules": rules})


@bp.get("/rules/<rule_id>")
@require("query")
def get_rule(rule_id: str):
    kb = state().workspace.kb
    rule = kb.by_id.get(rule_id)
    if rule is None:
        hint = did_you_mean(rule_id, kb.by_id)
        raise not_found(f"There is no rule `{rule_id}` in knowledge base {kb.version}." + (f" {hint}" if hint else ""))
    first, last, text = rule_block(kb, rule)
    return jsonify({**_summary(rule), "kb_version": kb.version, "legal_text": " ".join(rule.legal_text),
                    "file": display_path(rule.pos.file), "line": first, "end_line": last,
                    "clause": str(rule), "source_text": text})


@bp.get("/kb-versions/<version>")
@require("query")
def get_kb_version(version: str):
    sources = state().log.rule_version(version)
    if sources is None:
        hint = did_you_mean(version, state().log.rule_versions())
        raise not_found(f"No decision refers to knowledge-base version `{version}`, so its texts were not kept."
                        + (f" {hint}" if hint else ""))
    return jsonify({"kb_version": version, "sources": sources})


@bp.get("/vocabulary")
@require("query")
def vocabulary():
    kb = state().workspace.kb
    vocab = kb.vocabulary
    return jsonify({
        "kb_version": kb.version,
        "types": {name: {"readings": dict(t.readings), "values": list(t.values) if t.values is not None else None}
                  for name, t in vocab.types.items()},
        "functions": {name: {"args": list(f.arg_types), "returns": f.returns, "readings": dict(f.readings)}
                      for name, f in vocab.functions.items()},
        "predicates": {name: {"kind": p.kind, "arity": p.arity,
                              "args": [{"name": a.name, "type": a.type} for a in p.args],
                              "readings": dict(p.readings), "brought_about_by": p.brought_about_by,
                              "remedy": p.remedy}
                       for name, p in vocab.predicates.items()},
    })
