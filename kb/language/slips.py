"""The usual slips behind a syntax error, named in the words of the person who made them.

lark says where it got stuck and what it expected there; that is rarely where the mistake is, nor
what it is. These functions read the text around the place for the common causes, each with its
own diagnostic code: a rule missing its final `.` (reported where the rule starts), a `,` missing
between two conditions, `niet`, `NOT` or `!` written for `not`, and `<>`, `==` or `=<` written for
`!=`, `=` or `<=`. Each returns the diagnostic and the offset from which the parser blanks the
broken clause to read on, or None when the error is none of these.
"""
from __future__ import annotations

import re

from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from .ast import Position
from .diagnostics import Diagnostic

# Words and signs other languages negate with; `not` itself only when it is not in lower case.
_NEGATION_WORDS = frozenset({"niet", "not", "geen", "non", "no"})
_NEGATION_SIGNS = ("\\+", "¬", "~", "!")
# Comparison signs of other languages, and the sign the rule language writes for each.
_COMPARISONS = {"<>": "!=", "==": "=", "===": "=", "=<": "<=", "=>": ">=", "!==": "!=", "=/=": "!=",
                "/=": "!=", "\\=": "!=", "≠": "!=", "≤": "<=", "≥": ">="}
_SIGN_WORDS = {"!=": "differs from", "=": "equals", "<=": "is at most", ">=": "is at least"}
_OPERATOR_CHARS = frozenset("<>=!/\\≠≤≥")
_ENTRY_MARKS = ("#", ">", "@")
_LITERAL_STARTS = frozenset({"NAME", "VARIABLE", "NOT"})
_CONDITION = re.compile(r"[a-z][a-z0-9_]*\([^()\n]*\)")


def diagnose_slip(err: UnexpectedInput, path: str, text: str) -> tuple[Diagnostic, int] | None:
    """(diagnostic, offset to blank the broken clause from) for a known slip, else None."""
    return (_negation(err, path, text) or _comparison(err, path, text)
            or _runs_into_entry(err, path, text) or _missing_separator(err, path, text))


def _position(path: str, text: str, offset: int, width: int = 1) -> Position:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Position(path, line, column, line, column + width)


def _negation(err, path: str, text: str) -> tuple[Diagnostic, int] | None:
    at = err.pos_in_stream
    if at is None:
        return None
    if isinstance(err, UnexpectedCharacters):
        sign = next((s for s in _NEGATION_SIGNS if text.startswith(s, at)), None)
        if sign is None or text.startswith("!=", at):
            return None
        start, written, condition_at = at, sign, at + len(sign)
    elif isinstance(err, UnexpectedToken) and err.token.type == "NAME":
        before = re.search(r"([A-Za-z]+)[ \t]+$", text[:at])
        if before is None or before.group(1).lower() not in _NEGATION_WORDS or before.group(1) == "not":
            return None
        start, written, condition_at = before.start(1), before.group(1), at
    else:
        return None
    condition = _CONDITION.match(text, condition_at)
    shown = condition.group(0) if condition else "…"
    return Diagnostic(
        _position(path, text, start, len(written)), "wrong-negation",
        f"`{written}` does not make a condition negative in the rule language; `not` does",
        suggestion=f"write `not {shown}` (the word `not`, in lower case) for a condition that must not hold"), at


def _comparison(err, path: str, text: str) -> tuple[Diagnostic, int] | None:
    at = err.pos_in_stream
    if at is None or at >= len(text) or text[at] not in _OPERATOR_CHARS:
        return None
    start, end = at, at
    while start > 0 and text[start - 1] in _OPERATOR_CHARS:
        start -= 1
    while end < len(text) and text[end] in _OPERATOR_CHARS:
        end += 1
    written = text[start:end]
    meant = _COMPARISONS.get(written)
    if meant is None:
        return None
    return Diagnostic(
        _position(path, text, start, len(written)), "wrong-comparison",
        f"`{written}` is not a comparison of the rule language: write `{meant}` ({_SIGN_WORDS[meant]})",
        suggestion="the comparisons are `=`, `!=` (differs from), `<`, `<=`, `>` and `>=`"), at


def _runs_into_entry(err, path: str, text: str) -> tuple[Diagnostic, int] | None:
    """An error inside a heading, legal-text or annotation line: the rule above it was not closed
    (a legal-text line's `>` even reads as a comparison, so lark stops only further on)."""
    at = err.pos_in_stream
    if at is None or not isinstance(err, UnexpectedInput):
        return None
    line_start = text.rfind("\n", 0, at) + 1
    mark = line_start + len(text[line_start:at]) - len(text[line_start:at].lstrip())
    if mark >= at or not text.startswith(_ENTRY_MARKS, mark):
        return None
    return _unfinished(path, text, mark), mark


def _missing_separator(err, path: str, text: str) -> tuple[Diagnostic, int] | None:
    """lark expected `,` or `.` after a condition: a new entry or rule there means the `.` is
    missing; another condition means the `,` is."""
    if not isinstance(err, UnexpectedToken) or err.token.type == "$END" or "DOT" not in (err.expected or ()):
        return None
    at = err.token.start_pos
    if err.token.type not in _LITERAL_STARTS or starts_rule(text, at):
        if not _starts_line(text, at) and err.token.type not in _LITERAL_STARTS:
            return None
        return _unfinished(path, text, at), at
    end = _last_code_char(text, at)
    previous = _previous_condition(text, end, _clause_start(text, at))
    following = text[at:].split("\n", 1)[0].split("%", 1)[0].strip().rstrip(",.").strip()
    line = text.count("\n", 0, at) + 1
    return Diagnostic(
        _position(path, text, end + 1), "missing-comma",
        f"a `,` is missing after `{previous}`: the conditions of a rule are separated by commas",
        suggestion=f"write `{previous},` — without the comma the next condition (`{_shorten(following)}` "
                   f"at line {line}) cannot be read"), at


def _unfinished(path: str, text: str, at: int) -> Diagnostic:
    """A rule not closed by `.` before offset `at`, reported where the rule starts."""
    line = text.count("\n", 0, at) + 1
    clause = _clause_start(text, at)
    end = _last_code_char(text, at)
    last = _previous_condition(text, end, clause) if end >= clause else ""
    found = text[at:].split("\n", 1)[0].strip()
    return Diagnostic(
        _position(path, text, clause), "syntax",
        f"the rule that starts here is not finished: it has no `.` before line {line}",
        suggestion=f"end the rule with `.` after `{last}` (line {text.count(chr(10), 0, max(end, 0)) + 1}); "
                   f"the next line (`{_shorten(found)}`) was read as part of it")


def _shorten(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _starts_line(text: str, offset: int) -> bool:
    """Whether only blanks stand before `offset` on its line."""
    return text[text.rfind("\n", 0, offset) + 1:offset].strip() == ""


def starts_rule(text: str, offset: int) -> bool:
    """Whether the text from `offset` reads as the start of a new rule: a conclusion, then `:-`."""
    return re.match(r"[a-z][a-z0-9_]*\([^()]*\)[ \t]*:-", text[offset:offset + 400]) is not None


def _last_code_char(text: str, before: int) -> int:
    """Offset of the last character before `before` that is neither blank nor in a `%` comment (-1: none)."""
    line_end = before
    while True:
        line_start = text.rfind("\n", 0, line_end) + 1
        code = text[line_start:line_end].split("%", 1)[0].rstrip()
        if code:
            return line_start + len(code) - 1
        if line_start == 0:
            return -1
        line_end = line_start - 1


def _previous_condition(text: str, end: int, floor: int) -> str:
    """The condition (or the conclusion) that ends at offset `end`, as written, looking no further
    back than `floor` (where the clause starts)."""
    depth, start = 0, end
    while start > floor:
        ch = text[start]
        if ch == ")":
            depth += 1
        elif ch == "(":
            depth -= 1
        elif depth == 0 and (ch == "," or text.startswith(":-", start)):
            start += 2 if ch == ":" else 1
            break
        start -= 1
    return " ".join(text[start:end + 1].split())


def _clause_start(text: str, offset: int) -> int:
    """Offset where the clause running into `offset` begins: the first code line after the previous
    entry (a heading, legal text, annotation) or the previous clause's final `.`; `offset` itself
    when nothing of the clause stands above it."""
    start = offset
    line_end = offset  # the line of `offset` counts with what stands before it on that line
    while True:
        line_start = text.rfind("\n", 0, line_end) + 1
        line = text[line_start:line_end]
        code = line.split("%", 1)[0].strip()
        if code:
            if code.startswith(_ENTRY_MARKS) or code.endswith("."):
                return start
            start = line_start + len(line) - len(line.lstrip())
        if line_start == 0:
            return start
        line_end = line_start - 1
