"""Evaluation slots: at most EVALUATION_SLOTS try-outs run at once; one more is refused at once
with 503 `evaluation-busy` and `Retry-After`.

A try-out is the one request whose size has no bound but the body limit (a scenario of any number
of facts, each parsed and evaluated from scratch): CPU-bound Python that, eight at a time in eight
threads, would share the interpreter with `/v1/health` and ordinary decisions until those wait
seconds for their turn. With a slot per core the other threads stay quick, and a refused client
retries later instead of holding a thread while it waits. What-ifs are bounded by the schema (at
most 100 hypothetical facts) and by the evaluation budget, and need no slot.
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
