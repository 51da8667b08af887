"""Golden explanations: each scenario's full explanation text in Dutch and English, kept in
`fixtures/golden/` and reviewed as diffs (Catala's reset-flag style).

`kb golden` compares; `kb golden --update` rewrites the files after a deliberate change. The texts
leave the rules' version out (it is shown as `*`): it changes with every edit of any rule, so it
would make every text differ, where a one-rule edit should show only the texts it changes.
"""
from __future__ import annotations

import difflib
from pathlib import Path

from .engine.base import Engine
from .explain.explainer import explain
from .explain.render import render_text
from .language.knowledge_base import KnowledgeBase
from .paths import ROOT
from .scenarios import Scenario, load_scenario, scenario_paths

GOLDEN_DIR = ROOT / "fixtures" / "golden"
LANGS = ("nl", "en")
ANY_VERSION = "*"  # the rules' version as the golden texts show it


def golden_texts(scenario: Scenario, kb: KnowledgeBase, engine: Engine) -> dict[str, str]:
    """The explanation texts of one scenario, per language."""
    engine.load(kb, scenario.facts)
    explanation = {**explain(engine, kb, scenario.facts, scenario.question), "kb_version": ANY_VERSION}
    return {lang: render_text(explanation, lang) for lang in LANGS}


def golden_path(scenario: Scenario, lang: str, directory: Path = GOLDEN_DIR) -> Path:
    return directory / f"{Path(scenario.path).stem}.{lang}.txt"


def compare_or_update(kb: KnowledgeBase, engine: Engine, paths=None, update: bool = False,
                      directory: Path = GOLDEN_DIR) -> list[str]:
    """Diffs between the golden files and the current explanations ([] when all match).

    With `update`, the files are rewritten instead and the list names the files that changed.
    """
    problems = []
    directory.mkdir(parents=True, exist_ok=True)
    for path in scenario_paths(paths):
        scenario = load_scenario(path, kb)
        if "error" in scenario.expect:
            continue
        targets = [golden_path(scenario, lang, directory) for lang in LANGS]
        if not update and not any(target.exists() for target in targets):
            # A new scenario: two diffs against nothing would only repeat its whole explanation.
            problems.append(f"{path}: no golden text yet — `kb golden --update` writes it")
            continue
        for lang, text in golden_texts(scenario, kb, engine).items():
            target = golden_path(scenario, lang, directory)
            if not update and not target.exists():
                problems.append(f"{path}: no {lang} golden text yet — `kb golden --update` writes it")
                continue
            old = target.read_text(encoding="utf-8") if target.exists() else ""
            if old == text:
                continue
            if update:
                target.write_text(text, encoding="utf-8")
                problems.append(f"updated {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
            else:
                diff = difflib.unified_diff(old.splitlines(), text.splitlines(), str(target), "current", lineterm="")
                problems.append("\n".join(diff))
    return problems
