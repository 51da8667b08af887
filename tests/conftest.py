"""Shared fixtures: the shipped knowledge base (loaded once) and a fresh pyDatalog engine per test."""
from __future__ import annotations

from pathlib import Path

import pytest

from kb.engine.pydatalog_engine import PyDatalogEngine
from kb.language.knowledge_base import copy_knowledge_base, load_knowledge_base

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def kb():
    return load_knowledge_base()


@pytest.fixture()
def kb_copy(tmp_path):
    """A writable copy of the shipped knowledge base (vocabulary, conditions, rules)."""
    return copy_knowledge_base(tmp_path / "kb")


@pytest.fixture()
def engine():
    engine = PyDatalogEngine()
    yield engine
    engine.close()
