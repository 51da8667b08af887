"""Parse literate rule files into the AST, with positions, collecting every syntax error.

The grammar lives in `grammar.lark`. Syntax errors are turned into plain-language diagnostics; after
an error the broken clause is blanked out (positions preserved) and parsing resumes, so one run
reports every broken clause of a file, not only the first.
"""
from __future__ import annotations

import datetime
import re
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .ast import (Annotation, Atom, Comparison, Constant, FunctionCall, Negation, Position, Rule,
                  RuleFile, Variable)
from .diagnostics import Diagnostic, did_you_mean

ANNOTATION_KEYS = ("id", "source", "nl", "en", "choice", "alternative", "condition")
_MAX_RECOVERIES = 50

# What the parser expected, in words a legal expert uses.
_TOKEN_WORDS = {
    "RPAR": "`)`", "LPAR": "`(`", "COMMA": "`,`", "DOT": "`.` at the end of the rule",
    "COMPARATOR": "a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`)", "__ANON_0": "`:-`",
    "VARIABLE": "a variable (starting with a capital)", "NAME": "a name (lower case)",
    "NUMBER": "a number", "DATE": "a date (YYYY-MM-DD)", "STRING": "a quoted text",
    "HEADING": "a heading (#)", "QUOTE": "a legal text line (>)", "ANNOTATION": "an annotation (@key: value)",
    "NOT": "`not`", "$END": "the end of the file",
}


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = (Path(__file__).with_name("grammar.lark")).read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False)


class _ToAst(Transformer):
    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def _pos(self, meta_or_token) -> Position:
        m = meta_or_token
        return Position(self.path, m.line, m.column, getattr(m, "end_line", m.line),
                        getattr(m, "end_column", m.column))

    def variable(self, items):
        (tok,) = items
        return Variable(str(tok), self._pos(tok))

    def symbol(self, items):
        (tok,) = items
        return Constant(str(tok), "symbol", self._pos(tok))

    def number(self, items):
        (tok,) = items
        return Constant(int(tok), "number", self._pos(tok))

    def string(self, items):
        (tok,) = items
        return Constant(str(tok)[1:-1], "string", self._pos(tok))

    def date(self, items):
        (tok,) = items
        try:
            value = datetime.date.fromisoformat(str(tok))
        except ValueError:
            raise _BadDate(tok) from None
        return Constant(value, "date", self._pos(tok))

    @v_args(meta=True)
    def function(self, meta, items):
        name, *args = items
        return FunctionCall(str(name), tuple(args), self._pos(meta))

    @v_args(meta=True)
    def atom(self, meta, items):
        name, *args = items
        return Atom(str(name), tuple(a for a in args if a is not None), self._pos(meta))

    @v_args(meta=True)
    def negation(self, meta, items):
        return Negation(items[-1], self._pos(meta))

    @v_args(meta=True)
    def comparison(self, meta, items):
        left, op, right = items
        return Comparison(left, str(op), right, self._pos(meta))

    def body(self, items):
        return tuple(items)

    @v_args(meta=True)
    def clause(self, meta, items):
        head = items[0]
        body = items[1] if len(items) > 1 else ()
        return ("clause", head, body, self._pos(meta))

    def heading(self, items):
        (tok,) = items
        return ("heading", str(tok).lstrip("#").strip(), self._pos(tok))

    def quote(self, items):
        (tok,) = items
        return ("quote", str(tok)[1:].strip(), self._pos(tok))

    def annotation(self, items):
        (tok,) = items
        text = str(tok)
        key, _, rest = text[1:].partition(":")
        value = rest.strip()
        offset = text.index(":") + 1 + (len(rest) - len(rest.lstrip()))
        pos = self._pos(tok)
        return ("annotation", Annotation(key.strip(), value, pos, pos.column + offset))

    def start(self, items):
        return items


class _BadDate(Exception):
    def __init__(self, token: Token):
        self.token = token


def parse_text(text: str, path: str) -> tuple[RuleFile, list[Diagnostic]]:
    """Parse one rule file's text. Returns the file's rules and every syntax error found."""
    diagnostics: list[Diagnostic] = []
    work = text
    for _ in range(_MAX_RECOVERIES):
        try:
            tree = _parser().parse(work)
            entries = _ToAst(path).transform(tree)
            break
        except UnexpectedInput as err:
            diagnostics.append(_syntax_diagnostic(err, path, work))
            work = _blank_clause(work, err.pos_in_stream if err.pos_in_stream is not None else len(work))
        except Exception as err:  # lark wraps transformer errors
            inner = getattr(err, "orig_exc", err)
            if not isinstance(inner, _BadDate):
                raise
            tok = inner.token
            diagnostics.append(Diagnostic(
                Position(path, tok.line, tok.column, tok.end_line, tok.end_column), "syntax",
                f"`{tok}` is not a valid date", suggestion="write dates as YYYY-MM-DD, e.g. 2026-09-01"))
            work = _blank_clause(work, tok.start_pos)
    else:
        return RuleFile(path, ()), diagnostics
    rule_file, structural = _assemble(entries, path)
    return rule_file, diagnostics + structural


def parse_file(path: Path | str) -> tuple[RuleFile, list[Diagnostic]]:
    """Parse a rule file from disk."""
    path = Path(path)
    return parse_text(path.read_text(encoding="utf-8"), str(path))


def _assemble(entries, path: str) -> tuple[RuleFile, list[Diagnostic]]:
    """Attach the legal text and annotations written above each clause to that clause."""
    diagnostics: list[Diagnostic] = []
    rules: list[Rule] = []
    headings: list[tuple[str, Position]] = []
    heading = ""
    quotes: list[str] = []
    annotations: list[Annotation] = []
    for entry in entries:
        kind = entry[0]
        if kind == "heading":
            heading = entry[1]
            headings.append((entry[1], entry[2]))
            quotes, annotations = [], []
        elif kind == "quote":
            if annotations:  # legal text after annotations starts the next rule's block
                quotes, annotations = [], []
            quotes.append(entry[1])
        elif kind == "annotation":
            ann: Annotation = entry[1]
            if ann.key not in ANNOTATION_KEYS:
                diagnostics.append(Diagnostic(
                    ann.pos, "unknown-annotation", f"unknown annotation `@{ann.key}`", heading,
                    did_you_mean(ann.key, ANNOTATION_KEYS)
                    or f"the annotations are {', '.join('@' + k for k in ANNOTATION_KEYS)}"))
            annotations.append(ann)
        else:
            _, head, body, pos = entry
            rules.append(Rule(head, body, pos, tuple(annotations), tuple(quotes), heading))
            quotes, annotations = [], []
    return RuleFile(path, tuple(rules), tuple(headings)), diagnostics


def _syntax_diagnostic(err: UnexpectedInput, path: str, text: str) -> Diagnostic:
    line, column = err.line, err.column
    at_end = isinstance(err, UnexpectedEOF) or (isinstance(err, UnexpectedToken) and err.token.type == "$END")
    if at_end or line is None or line < 0:
        # Point just after the last character written (lark gives $END the last token's position).
        body = text.rstrip()
        line = body.count("\n") + 1
        column = len(body) - (body.rfind("\n") + 1) + 1
    pos = Position(path, line, column, line, column + 1)
    expected = sorted({_TOKEN_WORDS.get(t, t) for t in (getattr(err, "expected", None) or [])
                       if not t.startswith("__ANON") or t in _TOKEN_WORDS})
    if isinstance(err, UnexpectedCharacters):
        found = f"the character `{text[err.pos_in_stream]}`"
    elif isinstance(err, UnexpectedToken):
        found = None if err.token.type == "$END" else f"`{err.token}`"
    else:
        found = None
    message = "the file ends before the rule is finished" if found is None else f"unexpected {found}"
    suggestion = ""
    if expected:
        suggestion = "expected " + (", ".join(expected[:-1]) + " or " + expected[-1]
                                    if len(expected) > 1 else expected[0])
    if isinstance(err, UnexpectedToken) and err.token.type == "$END" or isinstance(err, UnexpectedEOF):
        suggestion = "the last rule is not finished: every rule ends with `.`"
    return Diagnostic(pos, "syntax", message, suggestion=suggestion)


_CLAUSE_END = re.compile(r"\.(?=\s|$|%)")
_NEXT_ENTRY = re.compile(r"\n[ \t]*[#>@]")


def _blank_clause(text: str, at: int) -> str:
    """Replace the clause around offset `at` by spaces (newlines kept) so parsing can resume after it."""
    start = max(text.rfind(".", 0, at) + 1, 0)
    line_start = text.rfind("\n", 0, at) + 1
    # An entry line (#, >, @) ends the previous entry: never blank above the line the clause starts on.
    for marker in ("\n#", "\n>", "\n@"):
        idx = text.rfind(marker, 0, at)
        if idx != -1:
            eol = text.find("\n", idx + 1)
            start = max(start, (eol if eol != -1 else len(text)))
    start = min(start, line_start) if text[line_start:at].strip() == "" else start
    # The legal text and annotations written just above a broken clause belong to it: blank them too,
    # so they do not attach to the next rule.
    start = text.rfind("\n", 0, start) + 1 if text[text.rfind("\n", 0, start) + 1:start].strip() == "" else start
    while start > 0:
        prev_start = text.rfind("\n", 0, start - 1) + 1
        if text[prev_start:start].lstrip().startswith(("@", ">")):
            start = prev_start
        else:
            break
    match = _CLAUSE_END.search(text, at)
    end = match.end() if match else len(text)
    # Never blank into the next entry: a heading, legal text or annotation line starts the next rule
    # (the usual case of a missing `.`, noticed only at the next rule's first annotation).
    line_begins = at == 0 or text[at - 1] == "\n"
    if line_begins and text[at:at + 1] in ("#", ">", "@"):
        end = at
    else:
        next_entry = _NEXT_ENTRY.search(text, at)
        if next_entry and next_entry.start() + 1 < end:
            end = next_entry.start() + 1
    if end <= start:
        end = min(len(text), at + 1)
    blanked = "".join(ch if ch == "\n" else " " for ch in text[start:end])
    return text[:start] + blanked + text[end:]
