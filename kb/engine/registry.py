"""The engines by name: the one place that knows which engines exist and which one is the default.

Everything that needs an engine — the `kb` CLI (`--engine`, DEELWIJZER_ENGINE), the service
(config ENGINE, read from the same DEELWIJZER_ENGINE), the try-out page, rebuilding a logged
decision's explanation, `kb diff`'s replay and the benchmarks — chooses it here by name, so one
setting changes the engine for all of them.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from .base import Engine

DEFAULT_ENGINE = "materialized"
# The engine the golden explanation texts (fixtures/golden) are written with. Explanations are not
# yet engine-independent: a remedy's date can differ (l09_general_consent_* scenarios), so the golden
# texts are held to the reference engine whatever DEELWIJZER_ENGINE says.
REFERENCE_ENGINE = "pydatalog"
ENV_VAR = "DEELWIJZER_ENGINE"  # the same variable the service's config reads for ENGINE


def _materialized() -> Engine:
    from .materialized import MaterializedEngine  # imported on demand: pyDatalog users need not load it
    return MaterializedEngine()


def _pydatalog() -> Engine:
    from .pydatalog_engine import PyDatalogEngine
    return PyDatalogEngine()


ENGINES: dict[str, Callable[[], Engine]] = {"materialized": _materialized, "pydatalog": _pydatalog}


class UnknownEngine(ValueError):
    """An engine name that is not registered."""

    def __init__(self, name: str):
        super().__init__(f"unknown engine {name!r}; choose one of {', '.join(sorted(ENGINES))}")
        self.name = name


def engine_factory(name: str) -> Callable[[], Engine]:
    """The factory registered under `name`; UnknownEngine when there is none."""
    try:
        return ENGINES[name]
    except KeyError:
        raise UnknownEngine(name) from None


def configured_engine(environ: Mapping[str, str] = os.environ) -> str:
    """The engine named by DEELWIJZER_ENGINE, or the default."""
    return environ.get(ENV_VAR) or DEFAULT_ENGINE
