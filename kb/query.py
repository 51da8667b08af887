"""Ask any predicate over the facts valid on one day: `kb eval` and `GET /v1/query`.

A query is one atom with variables (kb/language/query.py parses and checks it). Its answers are the
values of the variables that make the atom hold in the model of that day, sorted, and read a page
at a time: a query with many answers is paged, never refused. One answer's proof is the same proof
tree an explanation shows (kb/explain/why.py).
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from .engine.base import Context, Engine, Evaluation
from .explain.terms import jsonable
from .explain.why import Prover
from .facts.model import FactSet
from .language.ast import Atom, Variable
from .language.checks import dependency_graph
from .language.diagnostics import Diagnostic
from .language.knowledge_base import KnowledgeBase
from .language.query import QueryError, open_variables, parse_query, pattern

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Answer:
    """One way the query holds: the values of its variables and the whole atom."""

    bindings: dict
    args: tuple

    def as_dict(self) -> dict:
        return {"bindings": {name: jsonable(v) for name, v in self.bindings.items()},
                "args": [jsonable(v) for v in self.args]}


@dataclass(frozen=True)
class Page:
    """A page of a query's answers: `offset` is where it starts among all `total` answers."""

    query: str
    predicate: str
    variables: tuple[str, ...]
    at: datetime.date
    answers: tuple[Answer, ...]
    total: int
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        end = self.offset + len(self.answers)
        return end if end < self.total else None


def needs_question(kb: KnowledgeBase, predicate: str) -> bool:
    """Whether the predicate can only hold for an asked question (it depends on `asked`)."""
    graph = dependency_graph(kb.rules)
    seen, todo = set(), [predicate]
    while todo:
        name = todo.pop()
        if name == "asked":
            return True
        if name not in seen:
            seen.add(name)
            todo += [dep for dep, _ in graph.get(name, ())]
    return False


def read_query(text: str, kb: KnowledgeBase) -> Atom:
    """The checked atom of `text`; QueryError (diagnostics with a caret) when it cannot be asked."""
    atom = parse_query(text, kb.vocabulary)
    if needs_question(kb, atom.predicate):
        raise QueryError([Diagnostic(
            atom.pos, "query-needs-question",
            f"`{atom.predicate}` holds only for a question that was asked (actor, recipient, item), so a query "
            "over the facts has no answers",
            suggestion="decide the question instead: `kb decide ACTOR RECIPIENT ITEM` or POST /v1/decisions")],
            text)
    return atom


def answers_in(ev: Evaluation, atom: Atom) -> list[Answer]:
    """Every answer of `atom` in one evaluation, sorted; a variable written twice must match itself."""
    names = open_variables(atom)
    found: dict[tuple, Answer] = {}
    named = [(i, term.name) for i, term in enumerate(atom.args) if isinstance(term, Variable) and term.name != "_"]
    for row in ev.ask(atom.predicate, pattern(atom)):
        bindings: dict = {}  # a bare `_` matches anything, each time; a name written twice must match itself
        if any(bindings.setdefault(name, row[i]) != row[i] for i, name in named):
            continue
        key = tuple(bindings[n] for n in names)
        found.setdefault(key, Answer({n: bindings[n] for n in names}, tuple(row)))
    return [found[key] for key in sorted(found, key=lambda k: tuple(map(str, k)))]


def evaluate(engine: Engine, kb: KnowledgeBase, atom: Atom, at: datetime.date, *, text: str = "",
             setting: str = "conversation", offset: int = 0, limit: int = DEFAULT_LIMIT) -> Page:
    """One page of the answers of `atom` over the facts valid on `at` (the engine's loaded facts)."""
    limit = max(1, min(limit, MAX_LIMIT))
    everything = engine.run(Context(at, setting), lambda ev: answers_in(ev, atom))
    return Page(text or str(atom), atom.predicate, tuple(open_variables(atom)), at,
                tuple(everything[offset:offset + limit]), len(everything), offset, limit)


def prove_answer(engine: Engine, kb: KnowledgeBase, facts: FactSet, answer: Answer, predicate: str,
                 at: datetime.date, setting: str = "conversation") -> dict | None:
    """The shortest proof of one answer (the explanation's proof-tree shape), None if it no longer holds."""
    return engine.run(Context(at, setting), lambda ev: Prover(ev, kb, facts).prove(predicate, answer.args))


def proof_lines(node: dict, lang: str, depth: int = 0) -> list[str]:
    """A proof tree as indented lines: each conclusion with the rule that drew it, each fact with its origin."""
    pad = "  " * depth
    kind = node["kind"]
    reading = node.get("negation" if kind == "absent" else "reading", {}).get(lang) or node.get("condition", "")
    if kind == "rule":
        lines = [f"{pad}✔ {reading}  [{node['rule']['id']}]"]
        for child in node.get("children", ()):
            lines += proof_lines(child, lang, depth + 1)
        return lines
    if kind == "fact":
        origins = "; ".join(f.get("origin") or "" for f in node.get("facts", ()))
        return [f"{pad}• {reading}  ({origins})"]
    if kind == "absent":
        return [f"{pad}○ {reading}"]
    if kind == "comparison":
        return [f"{pad}= {reading}"]
    return [f"{pad}· {reading}"]

