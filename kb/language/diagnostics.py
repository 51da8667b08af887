"""Errors a legal expert can act on: where, what, under which law heading, and what to do.

Every diagnostic has a stable code (tests and tooling key on it), a position and a message in plain
words. `render` shows the offending line with a caret under the span, like lark and Catala do.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .ast import Position

# Stable codes. Add new ones at the end of their group; never renumber.
CODES = {
    "syntax": "the text is not a well-formed rule",
    "unknown-annotation": "an annotation key the rule language does not know",
    "unknown-predicate": "a predicate that the vocabulary does not declare",
    "arity": "a predicate used with the wrong number of arguments",
    "unknown-function": "a function that the rule language does not provide",
    "unknown-value": "a constant that is not one of the values its type allows",
    "type-mismatch": "a constant or variable of the wrong type",
    "unsafe-head-variable": "a variable in the conclusion that no condition gives a value",
    "unsafe-negation": "a variable in a `not` condition that no positive condition gives a value",
    "unsafe-comparison": "a variable in a comparison that no positive condition gives a value",
    "negation-cycle": "a predicate that depends on its own negation",
    "missing-id": "a rule without an @id",
    "duplicate-id": "two rules with the same @id",
    "missing-source": "a rule without an @source",
    "missing-reading": "a rule without a Dutch (@nl) or English (@en) reading",
    "template-placeholder": "a reading template naming something that is not a variable of the rule",
    "input-defined-by-rule": "a rule concluding an input predicate (facts state those)",
    "context-defined-by-rule": "a rule concluding a context predicate (the question supplies those)",
    "derived-never-defined": "a derived predicate that no rule concludes",
    "unreachable-rule": "a rule that no decision depends on",
    "vocabulary": "an error in the vocabulary file (one without a more specific code below)",
    "conditions": "an error in the conditions file (kb/conditions.yaml)",
    "unknown-condition": "a rule naming a condition that kb/conditions.yaml does not declare",
    "unknown-statement": "a @source citing a statement the law reference (docs/law.md) does not have",
    "fact": "an error in a fact file",
    "vocabulary-yaml": "the vocabulary file is not valid YAML",
    "vocabulary-shape": "a vocabulary section or entry written in the wrong shape "
                        "(a list or text where a mapping belongs)",
    "vocabulary-unknown-type": "a predicate argument or function that names a type the vocabulary does not declare",
    "vocabulary-kind": "a predicate whose kind is not input, derived, context or decision",
    "vocabulary-argument": "a predicate argument that is not written as {Name: type}, or a repeated argument name",
    "vocabulary-reading": "a predicate without a reading, or a reading naming something that is not an argument",
    "vocabulary-remedy": "a wrong brought_about_by or remedy",
    "vocabulary-role": "a role (under `roles:`) that is unknown, or names a predicate of the wrong kind or arity",
    "vocabulary-missing-role": "a role the decision layer needs that the vocabulary's `roles:` does not name",
    "unknown-rule-id": "a reference (in a scenario) to a rule id that no rule has",
    "allow-list": "an entry of the allow-list of equivalent mutants without a key or a reason",
    "query-needs-question": "a query (kb eval, GET /v1/query) on a predicate that holds only for an asked question",
    "missing-comma": "two conditions of a rule with no `,` between them",
    "wrong-negation": "a condition negated with `niet`, `NOT`, `!` or another word or sign instead of `not`",
    "wrong-comparison": "a comparison written with a sign of another language (`<>`, `==`, `=<`) instead of "
                        "`!=`, `=`, `<=`",
    "lowercase-variable": "a variable written with a lower-case first letter, so it reads as a fixed name",
    # Warnings: the rules still load, but the text probably says something the author did not mean.
    # `kb check` exits 0 on warnings unless `--strict`.
    "singleton-variable": "a variable that occurs only once in a rule, so it constrains nothing (often a typo)",
}

# Codes reported as `warning[...]`: the knowledge base loads despite them.
WARNING_CODES = frozenset({"singleton-variable"})
# Codes of a rule file that does not parse: the rules the broken text held are unknown, so the checks
# of the rule set as a whole (unreachable rules, derived predicates no rule concludes) wait for a fix.
PARSE_CODES = frozenset({"syntax", "missing-comma", "wrong-negation", "wrong-comparison"})


@dataclass(frozen=True, order=True)
class Diagnostic:
    pos: Position
    code: str
    message: str
    heading: str = ""
    suggestion: str = ""
    severity: str = "error"

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unregistered diagnostic code {self.code!r}")
        # The severity follows the code, so a warning can never be raised as an error by mistake.
        object.__setattr__(self, "severity", "warning" if self.code in WARNING_CODES else "error")

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_dict(self) -> dict:
        return {
            "file": self.pos.file,
            "line": self.pos.line,
            "column": self.pos.column,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "heading": self.heading,
            "suggestion": self.suggestion,
        }

    def render(self, source_lines: list[str] | None = None) -> str:
        """Human-readable, with the source line and a caret under the span when it is available."""
        out = [f"{self.pos}: {self.severity}[{self.code}]: {self.message}"]
        if self.heading:
            out.append(f"    under: {self.heading}")
        if source_lines and 0 < self.pos.line <= len(source_lines):
            text = source_lines[self.pos.line - 1].rstrip("\n")
            width = 1
            if self.pos.end_line == self.pos.line and self.pos.end_column > self.pos.column:
                width = self.pos.end_column - self.pos.column
            gutter = f"{self.pos.line:>5} | "
            out.append(gutter + text)
            out.append(" " * (len(gutter) - 2) + "| " + " " * (self.pos.column - 1) + "^" * width)
        if self.suggestion:
            out.append(f"    help: {self.suggestion}")
        return "\n".join(out)


def errors_only(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics that stop a knowledge base from loading (warnings left out)."""
    return [d for d in diagnostics if d.is_error]


class KnowledgeBaseError(Exception):
    """Raised with every diagnostic at once when a knowledge base (or fact set) cannot be loaded."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sorted(diagnostics)
        super().__init__(f"{len(self.diagnostics)} error(s); first: {self.diagnostics[0].pos}: "
                         f"{self.diagnostics[0].message}" if self.diagnostics else "no errors")

    def render(self) -> str:
        return render_all(self.diagnostics)


def render_all(diagnostics: Iterable[Diagnostic]) -> str:
    """Render diagnostics sorted by location, reading each source file once."""
    cache: dict[str, list[str] | None] = {}
    blocks = []
    for diag in sorted(diagnostics):
        if diag.pos.file not in cache:
            try:
                cache[diag.pos.file] = Path(diag.pos.file).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):  # an unreadable file is shown without its lines
                cache[diag.pos.file] = None
        blocks.append(diag.render(cache[diag.pos.file]))
    return "\n\n".join(blocks)


def did_you_mean(name: str, candidates: Iterable[str], what: str = "") -> str:
    """A 'did you mean' hint for a misspelled name, or '' when nothing is close."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.7)
    if not close:
        return ""
    return f"did you mean `{close[0]}`{(' ' + what) if what else ''}?"
