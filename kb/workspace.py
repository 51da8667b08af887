"""A running Deelwijzer: one checked knowledge base, one fact base, one engine — swapped atomically.

The service and the CLI talk to this. A rule set that fails `kb check` is refused with all its
errors and the running one stays in use; a fact change is applied to the engine incrementally and
names a new fact-base version.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from .decide import Decision, Question, decide_in, validate_question
from .engine.base import Engine
from .engine.pydatalog_engine import PyDatalogEngine
from .explain.explainer import explain
from .facts.model import Fact, FactSet
from .language.knowledge_base import DEFAULT_DIR, KnowledgeBase, load_knowledge_base


class Workspace:
    """Knowledge base + facts + engine. All public methods are safe to call from many threads."""

    def __init__(self, kb_dir: Path | str = DEFAULT_DIR, facts: FactSet | None = None,
                 engine_factory: Callable[[], Engine] = PyDatalogEngine):
        self.kb_dir = Path(kb_dir)
        self._lock = threading.RLock()
        self.kb: KnowledgeBase = load_knowledge_base(self.kb_dir)
        self.facts: FactSet = facts if facts is not None else FactSet()
        self.engine = engine_factory()
        self.engine.load(self.kb, self.facts)

    def reload_rules(self) -> KnowledgeBase:
        """Re-read and check the rules; raise KnowledgeBaseError (keeping the old ones) if they fail."""
        new_kb = load_knowledge_base(self.kb_dir)
        with self._lock:
            self.engine.load(new_kb, self.facts)
            self.kb = new_kb
        return new_kb

    def replace_facts(self, facts: FactSet) -> None:
        with self._lock:
            self.engine.load(self.kb, facts)
            self.facts = facts

    def change_facts(self, added: list[Fact], removed: list[Fact], version: str) -> None:
        """Apply an incremental change of the base facts and name the new fact-base version."""
        with self._lock:
            removed_set = set(removed)
            new = FactSet([f for f in self.facts if f not in removed_set] + list(added), version)
            try:
                self.engine.update(added, removed)
            except NotImplementedError:
                self.engine.load(self.kb, new)
            self.facts = new

    def decide(self, question: Question) -> Decision:
        with self._lock:
            kb, facts = self.kb, self.facts
            validate_question(question, kb, facts)
            return self.engine.run(question.context(), lambda ev: decide_in(ev, kb, question, facts.version))

    def explain(self, question: Question, **options) -> dict:
        with self._lock:
            return explain(self.engine, self.kb, self.facts, question, **options)

    def close(self) -> None:
        self.engine.close()
