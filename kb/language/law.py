"""The project's own law reference (`docs/law.md`): which statements a rule's `@source` may cite.

Every statement of the brochure (B1…), the law beyond it (L1…) and the decision principles (D1…)
has a heading in the reference that starts with its number. `kb check` refuses a `@source` that
cites a number the reference does not have, so every citation resolves inside the project.
"""
from __future__ import annotations

import re
from pathlib import Path

from .ast import Position, Rule
from .diagnostics import Diagnostic, did_you_mean

# A statement number as cited: B1, B13a, L7, D3 (not inside words such as `458bis`).
CITATION = re.compile(r"(?<![\w.])([BLD]\d+a?)(?![\w])")
_HEADING = re.compile(r"^#{2,4}\s+([BLD]\d+a?)\b")
DEFAULT_LAW = Path(__file__).resolve().parents[2] / "docs" / "law.md"


def statements(text: str) -> dict[str, int]:
    """Statement number -> line of its heading in the law reference."""
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = _HEADING.match(line)
        if match:
            found.setdefault(match.group(1), number)
    return found


def statement_texts(text: str) -> dict[str, tuple[str, str]]:
    """Statement number -> (its heading, its text as one paragraph), for pages that show the law."""
    found: dict[str, tuple[str, str]] = {}
    current: str | None = None
    title, body = "", list[str]()  # the heading and lines of the current statement
    for line in text.splitlines() + ["## end"]:
        match = _HEADING.match(line)
        if match or line.startswith("#"):
            if current is not None:
                found[current] = (title, " ".join(body).strip())
            current, body = (match.group(1), []) if match else (None, [])
            title = line.lstrip("# ").strip()
        elif current is not None and line.strip():
            body.append(line.strip())
    return found


def cited(source: str) -> list[str]:
    """The statement numbers a `@source` value cites, in order."""
    return list(dict.fromkeys(CITATION.findall(source)))


def check_citations(rules: list[Rule], law_text: str, law_path: str) -> list[Diagnostic]:
    """A `@source` citing a statement that the law reference lacks is an error."""
    known = statements(law_text)
    diags = []
    for rule in rules:
        ann = rule.annotation("source")
        if ann is None:
            continue
        for number in cited(ann.value):
            if number not in known:
                column = ann.value_column + ann.value.find(number)
                diags.append(Diagnostic(
                    Position(ann.pos.file, ann.pos.line, column, ann.pos.line, column + len(number)),
                    "unknown-statement",
                    f"the source of rule `{rule.id}` cites {number}, which the law reference {law_path} does not have",
                    rule.heading, did_you_mean(number, known)
                    or f"add a heading `### {number} …` to {law_path}, or cite one of its statements"))
    return diags
