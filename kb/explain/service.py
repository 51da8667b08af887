"""Convenience entry point used by the CLI: explain a question given as plain values."""
from __future__ import annotations

import datetime

from ..decide import Question
from ..engine.base import Engine
from ..facts.model import Fact, FactSet
from ..language.knowledge_base import KnowledgeBase
from .explainer import explain


def explain_question(engine: Engine, kb: KnowledgeBase, facts: FactSet, actor: str, recipient: str,
                     item: str, at: datetime.date | None = None, setting: str = "conversation",
                     hypothetical: tuple[Fact, ...] = (), **options) -> dict:
    """Explain `actor` telling `recipient` about `item`; `at` defaults to today."""
    question = Question(actor, recipient, item, at or datetime.date.today(), setting, tuple(hypothetical))
    return explain(engine, kb, facts, question, **options)
