#!/usr/bin/env python3
"""Print the README's rule tables, read from the rules themselves (never written by hand).

    python scripts/rule_index.py choices      # "Interpretation choices": every @choice, by rule id
    python scripts/rule_index.py statements   # which rule ids encode each of B1–B14 and L1–L9

A statement counts as encoded by a rule when its number appears in the rule's @source line
(e.g. `@source: B2; … art. 72–74 DIJH (L7)` encodes B2 and L7).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from kb.language.knowledge_base import load_knowledge_base

STATEMENT = re.compile(r"\b([BL]\d+a?)\b")
DOMAIN = Path(__file__).resolve().parent.parent.parent / "shared" / "domain.md"


def statement_key(name: str) -> tuple:
    return (name[0] != "B", int(re.sub(r"\D", "", name)), name)


def statements_in_domain() -> list[str]:
    """The statement numbers domain.md defines (`- B1.`, `- L3.`), if it is at hand."""
    if not DOMAIN.exists():
        return []
    return sorted(set(re.findall(r"^- ([BL]\d+a?)\.", DOMAIN.read_text(encoding="utf-8"), re.M)),
                  key=statement_key)


def choices(kb) -> str:
    lines = ["| Rule | File | Choice |", "|---|---|---|"]
    for rule in kb.rules:
        if rule.choice:
            text = rule.choice.replace("|", "\\|")
            lines.append(f"| `{rule.id}` | `{Path(rule.pos.file).name}` | {text} |")
    return "\n".join(lines)


def statements(kb) -> str:
    encoded: dict[str, list[str]] = {}
    for rule in kb.rules:
        for name in dict.fromkeys(STATEMENT.findall(rule.source)):
            encoded.setdefault(name, []).append(rule.id)
    wanted = statements_in_domain() or sorted(encoded, key=statement_key)
    lines = ["| Statement | Encoded by (rule ids whose @source cites it) |", "|---|---|"]
    for name in sorted(set(wanted) | set(encoded), key=statement_key):
        rules = encoded.get(name)
        lines.append(f"| {name} | " + (", ".join(f"`{r}`" for r in rules) if rules else "**not encoded**") + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    what = argv[0] if argv else ""
    if what not in ("choices", "statements"):
        print(__doc__, file=sys.stderr)
        return 2
    kb = load_knowledge_base()
    print(choices(kb) if what == "choices" else statements(kb))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
