"""Conditions the law attaches to a permission or a duty, judged by the professional when telling.

Some limits cannot be stored as facts before the moment of telling: "only what is necessary for the
guidance" (L7), "as far as possible according to the agreements" (B13a), "with the pupil's interest
as guide" (B7). Presuming them false for lack of a fact would turn the brochure's "yes" into "no";
so a rule names them with `@condition: <id>`, and every decision that rule supports carries them.
They are declared once, with a source and a Dutch and English text, in `kb/conditions.yaml`.
"""
from __future__ import annotations

from dataclasses import dataclass

import yaml

from .ast import Position, Rule
from .diagnostics import Diagnostic, KnowledgeBaseError, did_you_mean
from .yamlpos import PosDict, error_position, load_yaml, pos_of

CONDITIONS_FILE = "conditions.yaml"


@dataclass(frozen=True)
class Condition:
    """One condition: what the professional must judge, in both languages, and where the law says so."""

    id: str
    source: str
    nl: str
    en: str

    def text(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en


def conditions_from_text(text: str, path: str) -> dict[str, Condition]:
    """Read the conditions catalogue; raise KnowledgeBaseError with every problem in it."""
    try:
        data = load_yaml(text, path)
    except yaml.YAMLError as err:
        raise KnowledgeBaseError([Diagnostic(error_position(err, path), "conditions",
                                             "the conditions file is not valid YAML: "
                                             f"{getattr(err, 'problem', err)}")]) from None
    top = Position(path, 1, 1)
    entries = data.get("conditions") if isinstance(data, PosDict) else None
    if not isinstance(entries, PosDict):
        raise KnowledgeBaseError([Diagnostic(top, "conditions", "the conditions file needs a `conditions:` mapping",
                                             suggestion="write `conditions:` and under it one entry per condition id")])
    found: dict[str, Condition] = {}
    diags: list[Diagnostic] = []
    for cid, spec in entries.items():
        pos = pos_of(entries, cid, top)
        missing = [k for k in ("source", "nl", "en") if not (isinstance(spec, dict) and isinstance(spec.get(k), str)
                                                             and spec.get(k).strip())]
        if missing:
            diags.append(Diagnostic(pos, "conditions", f"condition `{cid}` has no {', '.join(missing)}",
                                    suggestion="every condition needs `source:`, `nl:` and `en:` texts"))
            continue
        found[str(cid)] = Condition(str(cid), spec["source"].strip(), spec["nl"].strip(), spec["en"].strip())
    if diags:
        raise KnowledgeBaseError(diags)
    return found


def check_condition_references(rules: list[Rule], conditions: dict[str, Condition]) -> list[Diagnostic]:
    """Every `@condition:` names a declared condition."""
    diags = []
    for rule in rules:
        ann = rule.annotation("condition")
        for cid in rule.conditions:
            if cid not in conditions:
                diags.append(Diagnostic(ann.pos if ann else rule.pos, "unknown-condition",
                                        f"rule `{rule.id}` names the condition `{cid}`, "
                                        "which kb/conditions.yaml does not declare",
                                        rule.heading, did_you_mean(cid, conditions)
                                        or "declare it in kb/conditions.yaml with a source and a Dutch and "
                                           "English text"))
    return diags
