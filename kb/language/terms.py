"""The one term compiler: a rule's term (variable, constant, built-in function call) turned into a
function of whatever holds a rule instance's bindings.

Each evaluator keeps its bindings its own way — the materialised engine's batch joins in tuples by
slot, its on-demand plans in dicts by name, the explanations in dicts with open variables — so the
caller says how to read a variable; constants and function calls are compiled here, once.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any

from . import builtins
from .ast import Constant, FunctionCall, Term, Value, Variable

Reader = Callable[[Any], Value]


def compile_term(term: Term, variable: Callable[[str], Reader]) -> Reader:
    """A function computing `term` from bindings; `variable(name)` gives the reader of one variable."""
    if isinstance(term, Variable):
        return variable(term.name)
    if isinstance(term, Constant):
        value = term.value
        return lambda _: value
    if isinstance(term, FunctionCall):
        function: Callable[..., Value] = builtins.FUNCTIONS[term.name]
        parts = [compile_term(arg, variable) for arg in term.args]
        return lambda bindings: function(*(part(bindings) for part in parts))
    raise TypeError(term)


def _open_variable(name: str) -> Reader:
    return lambda bindings: bindings.get(name)


@functools.lru_cache(maxsize=4096)
def _open_term(term: Term) -> Reader:
    """A term over bindings that may leave variables open: a function of an open value is open."""
    if isinstance(term, FunctionCall):
        function: Callable[..., Value] = builtins.FUNCTIONS[term.name]
        parts = [_open_term(arg) for arg in term.args]

        def call(bindings):
            args = [part(bindings) for part in parts]
            return None if any(a is None for a in args) else function(*args)
        return call
    return compile_term(term, _open_variable)


def term_value(term: Term, bindings: Mapping[str, Any]) -> Value | None:
    """The value of `term` under `bindings`; None when it depends on a variable still open."""
    return _open_term(term)(bindings)


def by_name(name: str) -> Reader:
    """Read a variable from a dict of bindings by name (the on-demand plans)."""
    return itemgetter(name)
