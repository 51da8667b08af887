"""The rule catalogue: every rule of the running knowledge base, grouped by file and law heading."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import request

from kb.language.ast import Rule
from kb.language.diagnostics import did_you_mean
from kb.language.law import cited
from kb.language.knowledge_base import KnowledgeBase, RuleFile
from kb.paths import display_path

from ..api.knowledge import rule_block
from ..state import state
from . import bp
from .access import login_required
from .errors import PageNotFound
from .i18n import LABELS, choose
from .render import render_page


@dataclass
class Section:
    heading: str
    rules: list = field(default_factory=list)


@dataclass
class FileGroup:
    path: str
    title: str
    sections: list

    @property
    def count(self) -> int:
        return sum(len(section.rules) for section in self.sections)

    @property
    def anchor(self) -> str:
        return "file-" + self.path.rsplit("/", 1)[-1].removesuffix(".dl")


def _title(kb: KnowledgeBase, rule_file: RuleFile) -> str:
    """A rule file's title: its first `%` comment line (e.g. "B2–B5, L7, L9 — beroepsgeheim …")."""
    for line in kb.sources.get(rule_file.path, "").splitlines():
        if line.startswith("%") and line.strip("% "):
            return line.strip("% ")
    return ""


def rule_view(kb: KnowledgeBase, rule: Rule) -> dict:
    """What the catalogue shows of one rule: its annotations, legal text and the text as written."""
    first, _, text = rule_block(kb, rule)
    return {"id": rule.id, "source": rule.source, "heading": rule.heading, "choice": rule.choice,
            "alternative": rule.alternative, "statements": cited(rule.source),
            "conditions": [kb.conditions[c] for c in rule.conditions],
            "legal_text": " ".join(rule.legal_text), "readings": {"nl": rule.reading("nl"), "en": rule.reading("en")},
            "concludes": rule.head.predicate, "location": f"{display_path(rule.pos.file)}:{rule.pos.line}",
            "first_line": first, "source_text": text}


def catalogue(kb: KnowledgeBase) -> list[FileGroup]:
    """Files in load order, each with its rules grouped under consecutive law headings."""
    groups = []
    for rule_file in kb.files:
        sections: list[Section] = []
        for rule in rule_file.rules:
            if not sections or sections[-1].heading != rule.heading:
                sections.append(Section(rule.heading))
            sections[-1].rules.append(rule_view(kb, rule))
        groups.append(FileGroup(display_path(rule_file.path), _title(kb, rule_file), sections))
    return groups


@bp.get("/rules")
@login_required
def rules():
    """Every rule, grouped by file and heading."""
    kb = state().workspace.kb
    return render_page("rules.html", choose(request.args.get("lang")), kb=kb, groups=catalogue(kb))


@bp.get("/rules/<rule_id>")
@login_required
def rule(rule_id: str):
    """One rule, with its source text shown."""
    kb = state().workspace.kb
    lang = choose(request.args.get("lang"))
    found = kb.by_id.get(rule_id)
    if found is None:
        raise PageNotFound(LABELS[lang].no_rule.format(id=rule_id, kb=kb.version), did_you_mean(rule_id, kb.by_id))
    return render_page("rule.html", lang, kb=kb, rule=rule_view(kb, found))
