"""Fact fixtures in YAML:

    facts:
      - clb_worker: [ann]
      - circle_member: [tine, lena, care_team]
        from: 2026-09-01
        until: 2027-06-30
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from ..language.ast import Position
from ..language.diagnostics import Diagnostic, KnowledgeBaseError
from ..language.knowledge_base import read_source
from ..language.vocabulary import Vocabulary
from ..language.yamlpos import error_position, load_yaml, pos_of
from ..paths import display_path
from .model import Fact, FactSet
from .validate import build_fact


def facts_from_data(data, vocab: Vocabulary, path: str) -> tuple[list[Fact], list[Diagnostic]]:
    """Check a parsed `facts:` list (PosList from load_yaml) and return facts and problems."""
    top = Position(path, 1, 1)
    if data is None:
        return [], []
    if not isinstance(data, list):
        return [], [Diagnostic(getattr(data, "pos", top), "fact", "`facts:` must be a list of facts")]
    facts, diags = [], []
    shown = display_path(path)
    for i, raw in enumerate(data):
        pos = pos_of(data, i, top)
        fact, problems = build_fact(raw, vocab, pos, f"{shown}:{pos.line}")
        diags += problems
        if fact is not None:
            facts.append(fact)
    return facts, diags


def read_yaml_file(path: str, what: str):
    """The YAML of a fact or scenario file (`what` names which, for the messages): parsed, with
    positions. KnowledgeBaseError naming the file — never a traceback — when it cannot be read, is
    not UTF-8 (with the line and column of the first byte that is not), is empty or is not YAML."""
    try:
        text, problem = read_source(Path(path))
    except OSError as err:
        raise KnowledgeBaseError([Diagnostic(Position(path, 1, 1), "fact",
                                             f"the {what} file cannot be read: {err.strerror}")]) from None
    if problem is not None:
        raise KnowledgeBaseError([problem])
    try:
        data = load_yaml(text, path)
    except yaml.YAMLError as err:
        raise KnowledgeBaseError([Diagnostic(error_position(err, path), "fact",
                                             f"not valid YAML: {getattr(err, 'problem', err)}")]) from None
    if data is None:
        raise KnowledgeBaseError([Diagnostic(Position(path, 1, 1), "fact", f"the {what} file is empty",
                                             suggestion=EXAMPLES[what])])
    return data, text


EXAMPLES = {"fact": "a fact file holds `facts:` followed by a list, e.g. `facts: [{clb_worker: [ann]}]`",
            "scenario": "a scenario file holds name, statement, facts, question and expect (see fixtures/scenarios)"}


def load_fact_file(path: Path | str, vocab: Vocabulary) -> FactSet:
    """Load a YAML fact file; raise KnowledgeBaseError listing every bad fact with its location."""
    path = str(path)
    data, text = read_yaml_file(path, "fact")
    raw = data.get("facts") if isinstance(data, dict) else data
    facts, diags = facts_from_data(raw, vocab, path)
    if diags:
        raise KnowledgeBaseError(diags)
    return FactSet(facts, version=hashlib.sha256(text.encode()).hexdigest()[:16])



