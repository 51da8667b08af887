"""Parse and check a query: one atom, with variables, read by the rule grammar (never as code).

`in_circle(P, lena, care_team)` asks for every value of `P` that makes the atom hold. The text is
parsed by the grammar of the rule files (start symbol `atom`), so a query is written exactly as a
condition in a rule is; a trailing `.` or `?` is allowed. A syntax error, an unknown predicate (with a
did-you-mean), a wrong number of arguments or a constant of the wrong type is a Diagnostic that
points into the query text, as `kb check` points into a rule file.
"""
from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path

from lark import Lark
from lark.exceptions import UnexpectedInput, VisitError

from .ast import Atom, Constant, Position, Rule, Variable
from .checks import check_names_and_types
from .diagnostics import Diagnostic, KnowledgeBaseError
from .parser import _BadDate, _syntax_diagnostic, _ToAst  # the rule files' own transformer and wording
from .vocabulary import Vocabulary

QUERY_PATH = "<query>"
MAX_QUERY_LENGTH = 1000


class QueryError(KnowledgeBaseError):
    """A query that cannot be asked; `render()` shows each diagnostic under the query text with a caret."""

    def __init__(self, diagnostics, text: str):
        super().__init__(diagnostics)
        self.text = text

    def render(self) -> str:
        return "\n\n".join(d.render([self.text]) for d in self.diagnostics)


@lru_cache(maxsize=1)
def _atom_parser() -> Lark:
    grammar = (Path(__file__).with_name("grammar.lark")).read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", start="atom", propagate_positions=True, maybe_placeholders=False)


def parse_query(text: str, vocab: Vocabulary, path: str = QUERY_PATH) -> Atom:
    """The checked atom of a query; raise QueryError with every problem found."""
    if "\n" in text or "\r" in text:
        raise QueryError([Diagnostic(Position(path, 1, 1, 1, 2), "syntax",
                                     "a query is one line: a single condition such as `guides(P, lena)`")], text)
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError([Diagnostic(Position(path, 1, MAX_QUERY_LENGTH + 1), "syntax",
                                     f"a query is at most {MAX_QUERY_LENGTH} characters")], text)
    body = text.rstrip()
    if body.endswith((".", "?")):
        body = body[:-1]  # written as a rule's condition or a question: the mark means nothing here
    if not body.strip():
        raise QueryError([Diagnostic(Position(path, 1, 1, 1, 2), "syntax", "the query is empty",
                                     suggestion="write one condition, e.g. `guides(P, lena)`")], text)
    try:
        atom = _ToAst(path).transform(_atom_parser().parse(body))
    except UnexpectedInput as err:
        diagnostic = _syntax_diagnostic(err, path, body)
        if diagnostic.message.startswith("the file ends"):  # the rule files' words, said of a query
            diagnostic = dataclasses.replace(diagnostic, message="the query ends before it is finished",
                                             suggestion="close every `(` with `)`")
        raise QueryError([diagnostic], text) from None
    except VisitError as err:
        inner = err.orig_exc
        if not isinstance(inner, _BadDate):
            raise
        tok = inner.token
        raise QueryError([Diagnostic(Position(path, tok.line, tok.column, tok.end_line, tok.end_column), "syntax",
                                     f"`{tok}` is not a valid date",
                                     suggestion="write dates as YYYY-MM-DD, e.g. 2026-09-01")], text) from None
    problems = [d for d in check_names_and_types(Rule(atom, (), atom.pos), vocab) if d.is_error]
    if problems:
        raise QueryError(problems, text)
    return atom


def open_variables(atom: Atom) -> list[str]:
    """The variables an answer gives a value to, in order of appearance (`_`-names are left out)."""
    names: dict[str, None] = {}
    for term in atom.args:
        if isinstance(term, Variable) and not term.name.startswith("_"):
            names.setdefault(term.name)
    return list(names)


def pattern(atom: Atom) -> tuple:
    """The atom as an engine pattern: constants fixed, every variable open (None)."""
    return tuple(term.value if isinstance(term, Constant) else None for term in atom.args)
