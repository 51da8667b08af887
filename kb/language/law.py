"""The project's own law reference (`docs/law.md`): which statements a rule's `@source` may cite.

Every statement of the brochure (B1…), the law beyond it (L1…) and the decision principles (D1…)
has a heading in the reference that starts with its number. `kb check` refuses a `@source` that
cites a number the reference does not have, so every citation resolves inside the project.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..paths import display_path
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
    shown = display_path(law_path)
    diags = []
    for rule in rules:
        ann = rule.annotation("source")
        if ann is None:
            continue
        for number in cited(ann.value):
            if number not in known:
                column = ann.value_column + ann.value.find(number)
                close = did_you_mean(number, known)
                diags.append(Diagnostic(
                    Position(ann.pos.file, ann.pos.line, column, ann.pos.line, column + len(number)),
                    "unknown-statement",
                    f"the source of rule `{rule.id}` cites {number}, which the law reference {shown} does not have",
                    rule.heading,
                    f"if {number} is law the reference lacks, add the statement to {shown} (a heading "
                    f"`### {number} …` with its text and source); otherwise cite one of its statements: "
                    f"{statement_ranges(known)}" + (f" — {close}" if close else "")))
    return diags


def statement_ranges(numbers) -> str:
    """Statement numbers as runs per letter, letters in the reference's order: `D1–D6, B1–B14, B13a, L1–L11`."""
    letters: dict[str, list[str]] = {}
    for number in numbers:
        letters.setdefault(number[0], []).append(number)
    parts = []
    for letter, found in letters.items():
        plain = sorted(int(n[1:]) for n in found if n[1:].isdigit())
        runs: list[list[int]] = []
        for value in plain:
            if runs and value == runs[-1][-1] + 1:
                runs[-1].append(value)
            else:
                runs.append([value])
        parts += [f"{letter}{run[0]}" if len(run) == 1 else f"{letter}{run[0]}–{letter}{run[-1]}" for run in runs]
        parts += [n for n in found if not n[1:].isdigit()]  # B13a: a statement inserted between two
    return ", ".join(parts)
