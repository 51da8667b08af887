"""Lay a rule file out canonically (`kb fmt`), keeping every comment, legal text and annotation.

The canonical layout:
- a clause is written `head :-` with one condition per line, indented four spaces, `,` after each
  condition and `.` after the last; terms are separated by `, `, comparisons by single spaces;
- headings read `# text`, legal text `> text`, annotations `@key: value`, comments start the line
  (a comment written after code stays after that code, two spaces away);
- one blank line before a heading and after a clause, none inside a rule's block (its legal text,
  annotations and clause), never two blank lines in a row, no trailing blanks, one final newline.

A file that does not parse is left alone (its diagnostics are returned). The result is parsed again
and must hold exactly the same rules, legal text, annotations and headings: a formatting that would
change what the file says is refused, never written.
"""
from __future__ import annotations

from dataclasses import dataclass

from .ast import Rule
from .diagnostics import Diagnostic
from .parser import parse_text

INDENT = "    "


@dataclass(frozen=True)
class _Comment:
    line: int  # 1-based line in the file
    text: str  # from `%` to the end of the line, trailing blanks removed
    trailing: bool  # written after code on its line


class FormatRefused(Exception):
    """The formatted text would not mean the same as the original (a bug in the formatter, never written)."""


def format_text(text: str, path: str) -> tuple[str | None, list[Diagnostic]]:
    """(canonical text, []) for a rule file that parses, or (None, its syntax diagnostics)."""
    rule_file, diagnostics = parse_text(text, path)
    errors = [d for d in diagnostics if d.is_error]
    if errors:
        return None, errors
    items = _items(text, rule_file.rules)
    formatted = _layout(items)
    again, problems = parse_text(formatted, path)
    if [d for d in problems if d.is_error] or _meaning(again.rules) != _meaning(rule_file.rules) \
            or [h for h, _ in again.headings] != [h for h, _ in rule_file.headings]:
        raise FormatRefused(f"{path}: formatting would change what the file says; it was left as it is")
    return formatted, []


def _meaning(rules) -> list:
    return [(str(r), tuple((a.key, a.value) for a in r.annotations), r.legal_text, r.heading) for r in rules]


def _offsets(text: str) -> list[int]:
    """Offset of the start of each line (index 0 is line 1)."""
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts


def _items(text: str, rules: tuple[Rule, ...]) -> list[tuple[str, object]]:
    """The file as a sequence of (kind, content): blank, comment, heading, quote, annotation, clause."""
    starts = _offsets(text)
    items: list[tuple[str, object]] = []
    cursor = 0
    for rule in sorted(rules, key=lambda r: (r.pos.line, r.pos.column)):
        begin = starts[rule.pos.line - 1] + rule.pos.column - 1
        end = starts[rule.pos.end_line - 1] + rule.pos.end_column - 1
        _free(text[cursor:begin], items, after_clause=cursor > 0 and items and items[-1][0] == "clause")
        after = text[end:]
        rest_of_line = after.split("\n", 1)[0]
        comments = _comments(text[begin:end], rule.pos.line)
        consumed = 0
        if rest_of_line.strip().startswith("%"):  # a comment after the clause's `.`
            comments.append(_Comment(rule.pos.end_line, rest_of_line.strip(), True))
            consumed = len(rest_of_line)
        items.append(("clause", _clause_lines(rule, comments)))
        cursor = end + consumed
    _free(text[cursor:], items, after_clause=bool(items) and items[-1][0] == "clause")
    return items


def _free(segment: str, items: list, after_clause: bool) -> None:
    """Classify the lines between clauses (each heading, quote, annotation or comment runs to its line's end)."""
    pieces = segment.split("\n")
    if after_clause:
        pieces = pieces[1:]  # the rest of the clause's last line: blank (a comment there was taken with it)
    for index, piece in enumerate(pieces):
        line = piece.strip()
        last = index == len(pieces) - 1
        if last and not line:
            continue  # the indentation in front of the next clause
        if not line:
            items.append(("blank", ""))
        elif line.startswith("%"):
            items.append(("comment", line))
        elif line.startswith("#"):
            items.append(("heading", ("# " + line[1:].strip()).rstrip()))
        elif line.startswith(">"):
            items.append(("quote", ("> " + line[1:].strip()).rstrip()))
        elif line.startswith("@"):
            key, _, value = line[1:].partition(":")
            items.append(("annotation", f"@{key.strip()}: {value.strip()}".rstrip()))
        else:  # cannot happen in a file that parses; kept verbatim rather than lost
            items.append(("comment", line))


def _comments(span: str, first_line: int) -> list[_Comment]:
    """The comments inside a clause's text, skipping `%` inside quoted text."""
    found, line, code_before, i = [], first_line, False, 0
    while i < len(span):
        ch = span[i]
        if ch == "\n":
            line, code_before = line + 1, False
        elif ch == '"':
            close = span.find('"', i + 1)
            i = close if close != -1 else len(span)
            code_before = True
        elif ch == "%":
            eol = span.find("\n", i)
            eol = len(span) if eol == -1 else eol
            found.append(_Comment(line, span[i:eol].rstrip(), code_before))
            i = eol
            continue
        elif not ch.isspace():
            code_before = True
        i += 1
    return found


def _clause_lines(rule: Rule, comments: list[_Comment]) -> list[str]:
    """The clause laid out, each comment kept beside the condition it was written at."""
    parts = [rule.head] + list(rule.body)
    lines_of = [p.pos.line for p in parts]
    leading: dict[int, list[str]] = {}
    trailing: dict[int, list[str]] = {}
    for comment in comments:
        if comment.trailing:
            at = max(i for i, line in enumerate(lines_of) if line <= comment.line)
            trailing.setdefault(at, []).append(comment.text)
        else:
            later = [i for i, line in enumerate(lines_of) if line > comment.line]
            if later:
                leading.setdefault(later[0], []).append(comment.text)
            else:
                trailing.setdefault(len(parts) - 1, []).append(comment.text)
    out: list[str] = []
    for i, part in enumerate(parts):
        indent = "" if i == 0 else INDENT
        out += [indent + c for c in leading.get(i, [])]
        if i == 0:
            code = f"{part} :-" if rule.body else f"{part}."
        else:
            code = f"{INDENT}{part}" + ("." if i == len(parts) - 1 else ",")
        notes = trailing.get(i, [])
        out.append(code + (f"  {notes[0]}" if notes else ""))
        out += [INDENT + c for c in notes[1:]]
    return out


def _layout(items: list[tuple[str, object]]) -> str:
    """Join the items with the canonical blank lines."""
    block = ("quote", "annotation")
    kept: list[tuple[str, object]] = []
    for kind, content in items:
        if kind == "blank":
            if kept and kept[-1][0] != "blank":
                kept.append((kind, content))
            continue
        if kept and kept[-1][0] == "blank" and len(kept) > 1 and kept[-2][0] in block \
                and kind in block + ("clause",):
            kept.pop()  # no blank line inside a rule's block
        if kept and kept[-1][0] != "blank" and (kind == "heading" or kept[-1][0] in ("clause", "heading")):
            kept.append(("blank", ""))
        kept.append((kind, content))
    while kept and kept[-1][0] == "blank":
        kept.pop()
    lines: list[str] = []
    for kind, content in kept:
        lines += content if kind == "clause" else [content]
    return "\n".join(lines) + "\n" if lines else ""
