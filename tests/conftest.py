"""Shared fixtures: the shipped knowledge base (loaded once) and a fresh pyDatalog engine per test."""
from __future__ import annotations

from pathlib import Path

import pytest

from kb.engine.pydatalog_engine import PyDatalogEngine
from kb.language.knowledge_base import load_knowledge_base

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def kb():
    return load_knowledge_base()


@pytest.fixture()
def engine():
    engine = PyDatalogEngine()
    yield engine
    engine.close()
