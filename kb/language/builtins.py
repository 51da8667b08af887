"""The functions and comparisons of the rule language, as plain Python.

Engines and explanations share these so that a comparison means the same thing everywhere.
"""
from __future__ import annotations

import datetime
import operator


def years_between(start: datetime.date, end: datetime.date) -> int:
    """Full years from `start` to `end` (an age on a date). Someone born on 29 February
    turns a year older on 1 March in non-leap years."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


FUNCTIONS = {"years_between": years_between}

COMPARATORS = {
    "=": operator.eq, "!=": operator.ne, "<": operator.lt,
    "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


def compare(left, op: str, right) -> bool:
    """Apply a comparison; values of different kinds are never ordered (only = and != hold)."""
    if type(left) is not type(right) and op not in ("=", "!="):
        return False
    return COMPARATORS[op](left, right)
