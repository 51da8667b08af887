"""Where the two rule sets of `kb diff` and the questions of a decision log come from.

A rule set is a knowledge-base directory or a git revision of one (`git show REV:kb/...`); either
way it is checked like `kb check` before anything is compared. The questions of a decision log are
read with the fact base each was decided on, so a replay asks exactly what was asked then.
"""
from __future__ import annotations

import datetime
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

from ..decide import DEFAULT_SETTING, Question
from ..facts.model import FactSet
from ..facts.validate import build_fact
from ..language.ast import Position
from ..language.conditions import CONDITIONS_FILE
from ..language.diagnostics import Diagnostic, KnowledgeBaseError
from ..language.knowledge_base import DEFAULT_DIR, KnowledgeBase, check_directory, check_texts
from ..language.vocabulary import Vocabulary, load_vocabulary


def checked_directory(directory: Path | str) -> KnowledgeBase:
    """The checked knowledge base of a directory; KnowledgeBaseError with every error otherwise."""
    directory = Path(directory)
    if not (directory / "vocabulary.yaml").is_file():
        raise KnowledgeBaseError([Diagnostic(Position(str(directory), 1, 1), "vocabulary-shape",
                                             f"{directory} holds no vocabulary.yaml (a knowledge-base "
                                             f"directory holds vocabulary.yaml and rules/)")])
    kb, diagnostics = check_directory(directory)
    if kb is None:
        raise KnowledgeBaseError(diagnostics)
    return kb


def checked_revision(repo: Path | str, revision: str, kb_path: str = "kb") -> KnowledgeBase:
    """The checked knowledge base of `kb_path` at a git revision, read with `git show` (no checkout)."""
    if not revision or revision.startswith("-"):  # never let a revision be read as a git option
        raise KnowledgeBaseError([Diagnostic(Position(f"{revision}:{kb_path}", 1, 1), "vocabulary-shape",
                                             f"`{revision}` is not a git revision")])

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
        if done.returncode != 0:
            last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
            raise KnowledgeBaseError([Diagnostic(Position(f"{revision}:{kb_path}", 1, 1), "vocabulary-shape",
                                                 f"git cannot read {kb_path} at `{revision}`: {last}")])
        return done.stdout

    sources = {f"{revision}:{kb_path}/vocabulary.yaml": git("show", f"{revision}:{kb_path}/vocabulary.yaml")}
    present = set(git("ls-tree", "--name-only", f"{revision}:{kb_path}").split())
    if CONDITIONS_FILE in present:
        sources[f"{revision}:{kb_path}/{CONDITIONS_FILE}"] = git("show", f"{revision}:{kb_path}/{CONDITIONS_FILE}")
    for name in git("ls-tree", "--name-only", f"{revision}:{kb_path}/rules").split():
        if name.endswith(".dl"):
            sources[f"{revision}:{kb_path}/rules/{name}"] = git("show", f"{revision}:{kb_path}/rules/{name}")
    law = None  # the law reference of that revision, when it has one
    if "law.md" in git("ls-tree", "--name-only", f"{revision}:docs").split():
        law = (f"{revision}:docs/law.md", git("show", f"{revision}:docs/law.md"))
    # A revision from before `roles:` was declared takes the shipped vocabulary's roles.
    kb, diagnostics = check_texts(sources, law, roles=load_vocabulary(DEFAULT_DIR / "vocabulary.yaml").roles)
    if kb is None:
        raise KnowledgeBaseError(diagnostics)
    return kb


def log_questions(db_url: str, vocab: Vocabulary) -> list[tuple[str, Question, FactSet]]:
    """Every question in the decision log at `db_url`, with the stored facts of its fact-base version."""
    from ..store.db import Database
    db = Database(db_url)
    try:
        return list(questions_in_log(db, vocab))
    finally:
        db.close()


def questions_in_log(db, vocab: Vocabulary) -> Iterator[tuple[str, Question, FactSet]]:
    """The questions of the decision log in an open database, each with the facts it was decided on;
    read one at a time (requests only, not traces), so a caller with a budget can stop between them."""
    from ..store.facts import FactStore
    store = FactStore(db)
    by_version: dict[str, FactSet] = {}
    for decision_id, request_text, facts_version in db.query(
            "SELECT id, request, facts_version FROM decisions ORDER BY id"):
        request = json.loads(request_text)
        hypothetical = []
        for raw in request.get("hypothetical", []):
            fact, _ = build_fact(raw, vocab, Position("decision-log", 1, 1), "hypothetical")
            if fact is not None:
                hypothetical.append(fact)
        if facts_version not in by_version:
            version = int(facts_version) if facts_version.isdigit() else None
            by_version[facts_version] = store.fact_set(version)
        question = Question(request["actor"], request["recipient"], request["item"],
                            datetime.date.fromisoformat(request["at"]),
                            request.get("setting", DEFAULT_SETTING), tuple(hypothetical))
        yield f"decision {decision_id}", question, by_version[facts_version]
