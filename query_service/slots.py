"""Evaluation slots: at most EVALUATION_SLOTS expensive evaluations (try-outs, what-ifs, audiences)
run at once; one more is refused at once with 503 `evaluation-busy` and `Retry-After`.

Evaluation is CPU-bound Python: eight of them in eight threads would share the interpreter with
`/v1/health` and ordinary decisions, which then wait their turn for seconds. With a slot per core,
the threads that are not evaluating stay free and quick, and a refused client retries later
instead of holding a thread while it waits.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

from flask import Flask, current_app

from .errors import ApiProblem

EXTENSION = "deelwijzer.slots"


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = threading.BoundedSemaphore(app.config["EVALUATION_SLOTS"])


class Busy(ApiProblem):
    def __init__(self, slots: int):
        super().__init__(503, "evaluation-busy", "Busy evaluating",
                         f"All {slots} evaluation slot(s) are in use by other expensive requests; retry in a moment.",
                         headers={"Retry-After": "1"})
        self.slots = slots


@contextmanager
def evaluation_slot():
    """Hold one slot while evaluating; Busy (503) when none is free."""
    slots: threading.BoundedSemaphore = current_app.extensions[EXTENSION]
    if not slots.acquire(blocking=False):
        raise Busy(current_app.config["EVALUATION_SLOTS"])
    try:
        yield
    finally:
        slots.release()
