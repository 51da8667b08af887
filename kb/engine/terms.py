"""The one term compiler: a rule's term or comparison as a Python closure over a binding.

The demand evaluator binds variables by name (a dict), the set-at-a-time evaluator by slot (a
tuple); both compile terms here, told how to read a variable from their kind of binding.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any

from ..language import builtins
from ..language.ast import Comparison, Constant, FunctionCall, Variable

Reader = Callable[[str], Callable[[object], object]]  # variable name -> (binding -> value)


def by_name(name: str) -> Callable[[dict], object]:
    """Read a variable from a binding keyed by variable name."""
    return lambda env: env[name]


def by_slot(slots: dict[str, int]) -> Reader:
    """Read variables from a binding tuple, at the slot each was given."""
    return lambda name: itemgetter(slots[name])


def compile_term(term, read: Reader) -> Callable[[object], object]:
    """A closure computing `term` (variable, constant or built-in function call) from a binding."""
    if isinstance(term, Variable):
        return read(term.name)
    if isinstance(term, Constant):
        value = term.value
        return lambda binding: value
    if isinstance(term, FunctionCall):
        function = builtins.FUNCTIONS[term.name]
        parts = [compile_term(arg, read) for arg in term.args]
        return lambda binding: function(*(p(binding) for p in parts))
    raise TypeError(term)


def compile_comparison(lit: Comparison, read: Reader) -> Callable[[object], bool]:
    """A closure testing the comparison `lit` on a binding."""
    left, right, op = compile_term(lit.left, read), compile_term(lit.right, read), lit.op
    return lambda binding: builtins.compare(left(binding), op, right(binding))


@functools.lru_cache(maxsize=4096)
def _open_term(term) -> Callable[[Mapping[str, Any]], object]:
    """A term over bindings that may leave variables open: a function of an open value is open."""
    if isinstance(term, FunctionCall):
        function = builtins.FUNCTIONS[term.name]
        parts = [_open_term(arg) for arg in term.args]

        def call(bindings):
            args = [part(bindings) for part in parts]
            return None if any(a is None for a in args) else function(*args)
        return call
    return compile_term(term, lambda name: lambda bindings: bindings.get(name))


def term_value(term, bindings: Mapping[str, Any]) -> Any:
    """The value of `term` under `bindings` (the explanations' rule instances); None when it
    depends on a variable still open."""
    return _open_term(term)(bindings)
