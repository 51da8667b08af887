"""The reviewed allow-list of equivalent mutants (`kb/equivalent_mutants.yaml`).

An equivalent mutant changes the text of a rule but no decision any fact set could reach, so no
scenario can kill it. Each entry names the mutant by its stable key and says in one sentence why
it is equivalent; a reviewer accepts the sentence like any change of the law:

    - key: "B4.toward_everyone:drop-condition:asked(_Actor, Recipient, Item)"
      reason: "`blocked` is only ever asked for the question's own recipient, so the condition adds nothing."
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ..language.ast import Position
from ..language.diagnostics import Diagnostic, KnowledgeBaseError
from ..language.yamlpos import error_position, load_yaml, pos_of


@dataclass(frozen=True)
class Allowed:
    """Allow-listed keys and their reasons."""

    reasons: dict[str, str]
    path: str = ""

    def reason(self, key: str) -> str:
        return self.reasons.get(key, "")

    def keys(self) -> list[str]:
        return list(self.reasons)


def load_allow_list(path: Path | str) -> Allowed:
    """Read the allow-list; a missing file is an empty list. Raise KnowledgeBaseError on bad entries."""
    path = Path(path)
    if not path.exists():
        return Allowed({}, str(path))
    name = str(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), name)
    except yaml.YAMLError as err:
        raise KnowledgeBaseError([Diagnostic(error_position(err, name), "allow-list",
                                             f"not valid YAML: {err}")]) from None
    top = Position(name, 1, 1)
    if data is None:
        return Allowed({}, name)
    if not isinstance(data, list):
        raise KnowledgeBaseError([Diagnostic(top, "allow-list", "the allow-list is a list of {key, reason}")])
    reasons: dict[str, str] = {}
    problems = []
    for i, entry in enumerate(data):
        where = pos_of(data, i, top)
        if not (isinstance(entry, dict) and isinstance(entry.get("key"), str)
                and isinstance(entry.get("reason"), str) and entry["reason"].strip()):
            problems.append(Diagnostic(where, "allow-list", "each entry needs a `key` and a one-sentence `reason`"))
        elif entry["key"] in reasons:
            problems.append(Diagnostic(where, "allow-list", f"`{entry['key']}` is listed twice"))
        else:
            reasons[entry["key"]] = entry["reason"].strip()
    if problems:
        raise KnowledgeBaseError(problems)
    return Allowed(reasons, name)
