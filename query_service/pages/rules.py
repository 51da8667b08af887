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


def _title(kb: KnowledgeBase, rule_file: RuleFile, lang: str = "nl") -> str:
    """A rule file's title in `lang`, from its first `%` comment lines: "B2–B5 — beroepsgeheim / professional
    secrecy", or the Dutch title on the first line and the English one on the second."""
    lines = [line.strip("% ") for line in kb.sources.get(rule_file.path, "").splitlines()[:2] if line.startswith("%")]
    if not lines or not lines[0]:
        return ""
    first = lines[0]
    if " / " in first:
        dutch, english = first.split(" / ", 1)
    else:
        dutch, english = first, lines[1] if len(lines) > 1 and lines[1] else ""
    if lang == "nl" or not english:
        return dutch
    statements = dutch.split(" — ", 1)[0] if " — " in dutch else ""
    return f"{statements} — {english}" if statements else english


def rule_view(kb: KnowledgeBase, rule: Rule) -> dict:
    """What the catalogue shows of one rule: its annotations, legal text and the text as written."""
    first, _, text = rule_block(kb, rule)
    return {"id": rule.id, "source": rule.source, "heading": rule.heading, "choice": rule.choice,
            "alternative": rule.alternative, "statements": cited(rule.source),
            "conditions": [kb.conditions[c] for c in rule.conditions],
            "legal_text": " ".join(rule.legal_text), "readings": {"nl": rule.reading("nl"), "en": rule.reading("en")},
            "concludes": rule.head.predicate, "location": f"{display_path(rule.pos.file)}:{rule.pos.line}",
            "first_line": first, "source_text": text}


@dataclass(frozen=True)
class Filters:
    """The catalogue's search words, statement and file (empty: no filter)."""

    q: str = ""
    statement: str = ""
    file: str = ""

    def __bool__(self) -> bool:
        return bool(self.q or self.statement or self.file)

    def keeps(self, rule: Rule, anchor: str, lang: str) -> bool:
        if self.statement and self.statement not in cited(rule.source):
            return False
        if self.file and anchor != "file-" + self.file:
            return False
        if self.q:
            text = " ".join((rule.id, rule.source, rule.heading, " ".join(rule.legal_text), rule.reading(lang),
                             rule.head.predicate, rule.choice)).casefold()
            return all(word in text for word in self.q.casefold().split())
        return True


def catalogue(kb: KnowledgeBase, filters: Filters = Filters(), lang: str = "nl") -> list[FileGroup]:
    """Files in load order, each with its rules (those the filters keep) under consecutive law headings;
    a file none of whose rules is kept is left out."""
    groups = []
    for rule_file in kb.files:
        path = display_path(rule_file.path)
        group = FileGroup(path, _title(kb, rule_file, lang), [])
        for rule in rule_file.rules:
            if not filters.keeps(rule, group.anchor, lang):
                continue
            if not group.sections or group.sections[-1].heading != rule.heading:
                group.sections.append(Section(rule.heading))
            group.sections[-1].rules.append(rule_view(kb, rule))
        if group.sections or not filters:
            groups.append(group)
    return groups


def filter_options(kb: KnowledgeBase, lang: str) -> dict:
    """What the filters offer: every statement cited, every rule file (stem and title)."""
    statements = sorted({s for rule in kb.rules for s in cited(rule.source)},
                        key=lambda s: (s[0], int("".join(c for c in s[1:] if c.isdigit()) or 0), s))
    files = [(display_path(f.path).rsplit("/", 1)[-1].removesuffix(".dl"), _title(kb, f, lang)) for f in kb.files]
    return {"statements": statements, "files": files}


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
    """Every rule, grouped by file and heading; `q` searches, `statement` and `file` filter."""
    kb = state().workspace.kb
    lang = choose(request.args.get("lang"))
    filters = Filters(request.args.get("q", "").strip()[:200], request.args.get("statement", ""),
                      request.args.get("file", ""))
    groups = catalogue(kb, filters, lang)
    shown = sum(group.count for group in groups)
    return render_page("rules.html", lang, kb=kb, groups=groups, filters=filters, shown=shown,
                       options=filter_options(kb, lang))


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
