"""Parse literate rule files into the AST, with positions, collecting every syntax error.

The grammar lives in `grammar.lark`. Syntax errors are turned into plain-language diagnostics; after
an error the broken clause is blanked out (positions preserved) and parsing resumes, so one run
reports every broken clause of a file, not only the first.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .ast import Annotation, Atom, Comparison, Constant, FunctionCall, Negation, Position, Rule, RuleFile, Variable
from .diagnostics import Diagnostic, did_you_mean
from .slips import diagnose_slip, starts_rule

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
    """Parse one rule file's text. Returns the file's rules and every syntax error found.

    A file with errors is parsed again block by block (`_blocks`): recovering from an error
    re-parses only the block it is in, not the whole file, so a 600 KB file with 60 errors costs
    about one parse of the file instead of sixty. The result is the whole-file recovery's."""
    entries, diagnostics, _ = _recover(text, path, 1)
    if entries is None:
        entries, diagnostics = [], []
        blocks = list(_blocks(text))
        i = 0
        while i < len(blocks):
            first_line, block = blocks[i]
            next_line = blocks[i + 1][1].split("\n", 1)[0] if i + 1 < len(blocks) else ""
            boundary = first_line + block.count("\n")  # the line number of next_line
            # The next block's first line (one heading, legal-text or annotation entry) is parsed
            # with this block, so an unfinished clause meets the same token as in the whole file.
            found, block_diagnostics, work = _recover("\n" * (first_line - 1) + block + next_line, path,
                                                      _MAX_RECOVERIES - len(diagnostics))
            if next_line and (found is None or not work.endswith(next_line)
                              or any(d.pos.line >= boundary for d in block_diagnostics)):
                # The recovery reached into the next block: read the two as one, as the whole file would.
                blocks[i:i + 2] = [(first_line, block + blocks[i + 1][1])]
                continue
            diagnostics += block_diagnostics
            if found is None:
                return RuleFile(path, ()), diagnostics
            entries += [e for e in found if not next_line or _line_of(e) < boundary]
            i += 1
    rule_file, structural = _assemble(entries, path)
    return rule_file, _under_headings(diagnostics, rule_file.headings) + structural


def _under_headings(diagnostics: list[Diagnostic], headings) -> list[Diagnostic]:
    """Syntax errors with the law heading written above them (headings always parse)."""
    out = []
    for diagnostic in diagnostics:
        above = [title for title, pos in headings if pos.line <= diagnostic.pos.line]
        out.append(replace(diagnostic, heading=above[-1]) if above and not diagnostic.heading else diagnostic)
    return out


def _recover(work: str, path: str, attempts: int) -> tuple[list | None, list[Diagnostic], str]:
    """Parse, blanking each broken clause and parsing again, at most `attempts` times:
    (entries, diagnostics, the text as last parsed), entries None when the attempts ran out."""
    diagnostics: list[Diagnostic] = []
    for _ in range(attempts):
        try:
            return _ToAst(path).transform(_parser().parse(work)), diagnostics, work
        except UnexpectedInput as err:
            diagnostic, resume = _diagnose(err, path, work)
            diagnostics.append(diagnostic)
            work = _blank_clause(work, resume)
        except Exception as err:  # lark wraps transformer errors
            inner = getattr(err, "orig_exc", err)
            if not isinstance(inner, _BadDate):
                raise
            tok = inner.token
            diagnostics.append(Diagnostic(
                Position(path, tok.line, tok.column, tok.end_line, tok.end_column), "syntax",
                f"`{tok}` is not a valid date", suggestion="write dates as YYYY-MM-DD, e.g. 2026-09-01"))
            work = _blank_clause(work, tok.start_pos)
    return None, diagnostics, work


_ENTRY_LINE = re.compile(r"[#>@]")


def _blocks(text: str):
    """(first line number, text) of consecutive blocks that parse independently: a block starts at
    a heading, legal-text or annotation line that follows a line ending a clause with `.`, so no
    clause, and none of the text written above a clause, is split between two blocks (when an error
    makes a recovery reach past a block's end anyway, parse_text joins it with the next)."""
    lines = text.split("\n")
    start, previous = 0, ""  # previous: the last line that is neither blank nor a comment
    for number, line in enumerate(lines):
        stripped = line.strip()
        if _ENTRY_LINE.match(line) and previous.endswith(".") and not _ENTRY_LINE.match(previous) and number > start:
            yield start + 1, "\n".join(lines[start:number]) + "\n"
            start = number
        if stripped and not stripped.startswith("%"):
            previous = stripped
    yield start + 1, "\n".join(lines[start:])


def _line_of(entry) -> int:
    """The line an entry starts on."""
    return entry[1].pos.line if entry[0] == "annotation" else entry[-1].line


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
    """The diagnostic of a syntax error, in words a legal expert acts on."""
    return _diagnose(err, path, text)[0]


def _diagnose(err: UnexpectedInput, path: str, text: str) -> tuple[Diagnostic, int]:
    """(the diagnostic, the offset to blank the broken clause from) of a syntax error: a known slip
    (slips.py) when it is one, else what lark found and expected."""
    at = err.pos_in_stream if err.pos_in_stream is not None else len(text)
    slip = diagnose_slip(err, path, text)
    if slip is not None:
        return slip
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
    if at_end:
        suggestion = "the last rule is not finished: every rule ends with `.`"
    return Diagnostic(pos, "syntax", message, suggestion=suggestion), at


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
    # Never blank into the next entry: a heading, legal text or annotation line, or a conclusion
    # followed by `:-`, starts the next rule (the usual case of a missing `.`, noticed only there).
    line_begins = at == 0 or text[at - 1] == "\n"
    if line_begins and (text[at:at + 1] in ("#", ">", "@") or starts_rule(text, at)):
        end = at
    else:
        next_entry = _NEXT_ENTRY.search(text, at)
        if next_entry and next_entry.start() + 1 < end:
            end = next_entry.start() + 1
    if end <= start:
        end = min(len(text), at + 1)
    blanked = "".join(ch if ch == "\n" else " " for ch in text[start:end])
    return text[:start] + blanked + text[end:]
