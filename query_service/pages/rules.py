"""The rule catalogue: every rule of the running knowledge base, grouped by file and law heading."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from flask import request

from kb.edits.exercise import scenarios_exercising
from kb.edits.impact import dependents
from kb.language.ast import Rule
from kb.language.diagnostics import KnowledgeBaseError, did_you_mean
from kb.language.knowledge_base import KnowledgeBase, RuleFile
from kb.language.law import cited
from kb.paths import display_path
from kb.scenarios import load_scenario, scenario_paths

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


_exercised: dict[str, dict] = {}  # kb version -> rule id -> [(scenario file, name)]
_exercised_lock = threading.Lock()


def exercised_by(kb: KnowledgeBase) -> dict[str, list[tuple[str, str]]]:
    """The scenarios that exercise each rule of this rule version (computed once per version)."""
    with _exercised_lock:
        known = _exercised.get(kb.version)
        if known is None:
            scenarios = []
            for path in scenario_paths():
                try:
                    scenarios.append(load_scenario(path, kb))
                except KnowledgeBaseError:  # a scenario these rules do not accept exercises nothing
                    continue
            known = {rule_id: [(display_path(s.path), s.name) for s in found]
                     for rule_id, found in scenarios_exercising(kb, scenarios).items()}
            _exercised.clear()  # only the running version is asked for
            _exercised[kb.version] = known
        return known


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
    return render_page("rule.html", lang, kb=kb, rule=rule_view(kb, found),
                       scenarios=exercised_by(kb).get(rule_id, []), dependents=dependents(kb, rule_id))
