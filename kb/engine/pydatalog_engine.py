"""The reference engine: pyDatalog, driven through its engine objects, never through source text.

pyDatalog keeps its whole state per thread (`Logic` in a `threading.local`), and that state is
mutable and shared by every query on the thread. So this adapter owns one dedicated worker thread:
the knowledge base and the base facts live there, every job runs there one at a time, and a job's
context and hypothetical facts are asserted before it and retracted after it, in a `finally`.
No other thread ever touches pyDatalog, so no request can see another's facts.

Validity periods: each input predicate `p/n` is stored as facts `p__valid/n+2` carrying the period,
and a generated clause `p(X…) :- today(T), p__valid(X…, F, U), F <= T, T <= U` makes `p` hold only
on the moment asked about. Rules then use `p` as written.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

from pyDatalog import pyEngine
from pyDatalog.Logic import Logic

from ..facts.model import Fact, FactSet
from ..language import builtins
from ..language.ast import Atom, Comparison, Constant, FunctionCall, Negation, Rule, Variable
from ..language.knowledge_base import KnowledgeBase
from .base import Context, Engine, Evaluation, Pattern, T

_STORED = "{}__valid"
_COMPARATOR = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _const(value) -> pyEngine.Term:
    return pyEngine.Term_of(value)


class _Compiler:
    """Translate AST rules into pyEngine clauses."""

    def __init__(self) -> None:
        self.vars: dict[str, pyEngine.Var] = {}

    def term(self, term):
        if isinstance(term, Variable):
            return self.vars.setdefault(term.name, pyEngine.Var(term.name))
        if isinstance(term, Constant):
            return _const(term.value)
        if isinstance(term, FunctionCall):
            function = builtins.FUNCTIONS[term.name]
            return pyEngine.Operation(_const(None), function,
                                      pyEngine.VarTuple([self.term(arg) for arg in term.args]))
        raise TypeError(term)

    def literal(self, lit):
        if isinstance(lit, Atom):
            return pyEngine.Literal(lit.predicate, [self.term(a) for a in lit.args])
        if isinstance(lit, Negation):
            return pyEngine.Literal("~" + lit.atom.predicate, [self.term(a) for a in lit.atom.args])
        if isinstance(lit, Comparison):
            return pyEngine.Literal(_COMPARATOR[lit.op], [self.term(lit.left), self.term(lit.right)])
        raise TypeError(lit)

    @classmethod
    def rule(cls, rule: Rule):
        compiler = cls()
        # pyDatalog evaluates left to right: conditions that bind variables go first, then the
        # comparisons and negations that need them bound (the checker guarantees they are).
        ordered = ([l for l in rule.body if isinstance(l, Atom)]
                   + [l for l in rule.body if isinstance(l, Comparison)]
                   + [l for l in rule.body if isinstance(l, Negation)])
        head = compiler.literal(rule.head)
        return pyEngine.Clause(head, [compiler.literal(l) for l in ordered])


def _validity_clause(predicate: str, arity: int):
    args = [pyEngine.Var(f"X{i}") for i in range(arity)]
    today, start, end = pyEngine.Var("T"), pyEngine.Var("F"), pyEngine.Var("U")
    return pyEngine.Clause(pyEngine.Literal(predicate, args), [
        pyEngine.Literal("today", [today]),
        pyEngine.Literal(_STORED.format(predicate), args + [start, end]),
        pyEngine.Literal("<=", [start, today]),
        pyEngine.Literal("<=", [today, end]),
    ])


def _fact_clause(fact: Fact):
    terms = [_const(v) for v in fact.args] + [_const(fact.valid_from), _const(fact.valid_until)]
    return pyEngine.Clause(pyEngine.Literal(_STORED.format(fact.predicate), terms), [])


def _context_clause(predicate: str, args):
    return pyEngine.Clause(pyEngine.Literal(predicate, [_const(v) for v in args]), [])


class _PyDatalogEvaluation(Evaluation):
    def __init__(self, context: Context, arities: dict[str, int]):
        self.context = context
        self._arities = arities

    def ask(self, predicate: str, pattern: Pattern):
        if self._arities.get(predicate) != len(pattern):
            raise KeyError(f"{predicate}/{len(pattern)} is not in the vocabulary")
        terms = [pyEngine.Var(f"Q{i}") if v is None else _const(v) for i, v in enumerate(pattern)]
        answer = pyEngine.Literal(predicate, terms).ask()
        if answer is True:
            return [tuple(pattern)]
        return sorted(set(answer or ()), key=repr)


class PyDatalogEngine(Engine):
    """pyDatalog behind the engine interface, confined to one worker thread."""

    name = "pydatalog"

    def __init__(self) -> None:
        self._jobs: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._serve, name="pydatalog-engine", daemon=True)
        self._thread.start()
        self._arities: dict[str, int] = {}
        self._base: FactSet = FactSet()
        self._closed = False

    # -- the worker thread ------------------------------------------------------------------------
    def _serve(self) -> None:
        Logic()  # a fresh pyDatalog state, owned by this thread alone
        while True:
            item = self._jobs.get()
            if item is None:
                self._fail_pending()
                return
            function, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(function())
            except BaseException as err:  # noqa: BLE001 - handed to the caller's thread
                future.set_exception(err)

    def _fail_pending(self) -> None:
        while True:
            try:
                item = self._jobs.get_nowait()
            except queue.Empty:
                return
            if item is not None:
                item[1].set_exception(RuntimeError("the engine was closed"))

    def _submit(self, function: Callable[[], T]) -> T:
        if threading.current_thread() is self._thread:
            return function()
        if self._closed:
            raise RuntimeError("the engine was closed")
        future: Future = Future()
        self._jobs.put((function, future))
        return future.result()

    # -- the interface ------------------------------------------------------------------------------
    def load(self, kb: KnowledgeBase, facts: FactSet) -> None:
        inputs = [p for p in kb.vocabulary.predicates.values() if p.kind == "input"]
        arities = {p.name: p.arity for p in kb.vocabulary.predicates.values()}

        def install() -> None:
            # Even building a clause object touches pyDatalog state (predicates are interned in the
            # current thread's registry), so compilation happens here, on the worker, after reset.
            Logic()  # start from nothing: the previous knowledge base is dropped whole
            clauses = [_Compiler.rule(rule) for rule in kb.rules]
            clauses += [_validity_clause(p.name, p.arity) for p in inputs]
            clauses += [_fact_clause(f) for f in facts]
            for clause in clauses:
                pyEngine.assert_(clause)
            self._arities, self._base = arities, facts

        self._submit(install)

    def update(self, added: list[Fact], removed: list[Fact]) -> None:
        """Assert and retract base facts in place (no reload of the rules)."""
        def change() -> None:
            for fact in removed:
                pyEngine.retract(_fact_clause(fact))
            for fact in added:
                pyEngine.assert_(_fact_clause(fact))
            removed_set = set(removed)
            self._base = FactSet([f for f in self._base if f not in removed_set] + list(added),
                                 self._base.version)

        self._submit(change)

    def run(self, context: Context, job: Callable[[Evaluation], T]) -> T:
        def isolated() -> T:
            extra = [_context_clause(p, args) for p, args in context.context_facts()]
            # A hypothetical fact identical to a base fact must not be asserted: retracting it
            # afterwards would remove the base fact too.
            extra += [_fact_clause(f) for f in context.hypothetical if f not in self._base]
            evaluation = _PyDatalogEvaluation(context, self._arities)
            asserted = []
            try:
                for clause in extra:
                    pyEngine.assert_(clause)
                    asserted.append(clause)
                return job(evaluation)
            finally:
                for clause in asserted:
                    pyEngine.retract(clause)

        return self._submit(isolated)

    def close(self) -> None:
        self._closed = True
        self._jobs.put(None)
        self._thread.join(timeout=5)
