"""An evaluation budget per thread: a deadline that long evaluations check and stop at.

The service gives each request a budget (`budget.start(seconds)` before, `budget.clear()` after);
the materialised engine calls `check()` in its semi-naive loop, per rule and per demanded pattern,
so an expensive what-if or try-out (a 1,500-fact recursive cycle) raises BudgetExceeded within a
few milliseconds of its deadline and frees its thread. Nothing half-computed is kept: a model
whose build is interrupted is never cached. Code that runs without a budget (the CLI, tests of the
engine) is never interrupted.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager

_local = threading.local()


class BudgetExceeded(RuntimeError):
    """The evaluation ran past its budget (seconds)."""

    def __init__(self, seconds: float):
        super().__init__(f"evaluation exceeded its budget of {seconds:g} s")
        self.seconds = seconds


def start(seconds: float | None) -> None:
    """Give this thread's next evaluations `seconds` in all (None: no limit)."""
    _local.deadline = None if seconds is None else time.monotonic() + seconds
    _local.seconds = seconds


def clear() -> None:
    _local.deadline = None


def check() -> None:
    """Raise BudgetExceeded when this thread's deadline has passed."""
    deadline = getattr(_local, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        raise BudgetExceeded(_local.seconds)


@contextmanager
def own(seconds: float | None):
    """Inside, a budget of `seconds` from now instead of this thread's (None: no limit): for work
    that is measured on a scale of its own (a dry-run reload decides thousands of questions)."""
    saved_deadline, saved_seconds = getattr(_local, "deadline", None), getattr(_local, "seconds", None)
    start(seconds)
    try:
        yield
    finally:
        _local.deadline, _local.seconds = saved_deadline, saved_seconds


@contextmanager
def share(fraction: float):
    """Inside, `fraction` of what is left of this thread's budget: work that must leave time to
    answer once it stops (a fact change refused, a dry run cut short) stops that much earlier."""
    saved = getattr(_local, "deadline", None)
    if saved is not None:
        _local.deadline = time.monotonic() + max(saved - time.monotonic(), 0.0) * fraction
    try:
        yield
    finally:
        _local.deadline = saved


@contextmanager
def suspended():
    """No deadline inside: for work that must finish once begun (applying a committed fact change
    to the engine's models), even when a request with a budget triggers it."""
    saved = getattr(_local, "deadline", None)
    _local.deadline = None
    try:
        yield
    finally:
        _local.deadline = saved
