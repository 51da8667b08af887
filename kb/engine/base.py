"""The engine seam: the one small interface through which everything above evaluates rules.

Nothing above this package knows which engine answers. An engine is loaded once with a checked
knowledge base and a base fact set; each question then runs in an isolated `Evaluation`: the base
facts valid on the question's moment, the question's context (moment, setting, the question
itself) and any hypothetical facts. Hypothetical facts never outlive their evaluation.
"""
from __future__ import annotations

import datetime
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from ..facts.model import Fact, FactSet, Value
from ..language.knowledge_base import KnowledgeBase

T = TypeVar("T")
DEFAULT_SETTING = "conversation"  # the setting of a question that names none (the one constant for it)
Pattern = tuple[Value | None, ...]  # None marks an argument left open
# The context predicates a question supplies (kb/vocabulary.yaml, kind: context).
TODAY, SETTING, QUESTION = "today", "asked_in", "asked"


@dataclass(frozen=True)
class Context:
    """What a question supplies: the moment, the setting, the question and hypothetical facts."""

    moment: datetime.date
    setting: str = DEFAULT_SETTING
    asked: tuple[str, str, str] | None = None  # (actor, recipient, item)
    hypothetical: tuple[Fact, ...] = ()

    def context_facts(self) -> list[tuple[str, tuple[Value, ...]]]:
        facts: list[tuple[str, tuple[Value, ...]]] = [(TODAY, (self.moment,)), (SETTING, (self.setting,))]
        if self.asked is not None:
            facts.append((QUESTION, tuple(self.asked)))
        return facts


class Evaluation(ABC):
    """One isolated model: answers which tuples of a predicate hold, given some bound arguments."""

    context: Context

    @abstractmethod
    def ask(self, predicate: str, pattern: Pattern) -> list[tuple[Value, ...]]:
        """Every tuple of `predicate` matching `pattern` (None = any value), sorted."""

    def holds(self, predicate: str, args: tuple[Value, ...]) -> bool:
        return bool(self.ask(predicate, tuple(args)))

    def deriving_rules(self, predicate: str, args: tuple[Value, ...]) -> tuple[str, ...] | None:
        """The ids of the rules that derive the ground atom predicate(args), in file order, or None
        when this engine cannot tell (callers then find them from the rules, kb/reasoning)."""
        return None


class ManyAnswers(Protocol):
    """Many questions (actor, recipient, item) answered at once (Engine.many), about each question
    itself: whether predicate(actor, recipient, item) holds for it, and by which rules."""

    questions: frozenset[tuple]

    def holds(self, predicate: str, question: tuple) -> bool:
        """Whether predicate(question) holds, for one of the questions."""

    def deriving_rules(self, predicate: str, question: tuple) -> tuple[str, ...]:
        """The rules that derive predicate(question), in file order (empty when it does not hold)."""


class Engine(ABC):
    """Evaluates a knowledge base over facts. Implementations must make `run` isolated."""

    name: str = "engine"

    @abstractmethod
    def load(self, kb: KnowledgeBase, facts: FactSet) -> None:
        """Take a new knowledge base and base fact set (replacing the previous ones atomically)."""

    def update(self, added: list[Fact], removed: list[Fact]) -> None:
        """Apply a change of the base facts. Engines that can do it incrementally override this."""
        raise NotImplementedError

    @abstractmethod
    def run(self, context: Context, job: Callable[[Evaluation], T]) -> T:
        """Run `job` against an evaluation of the base facts under `context`, exclusively.

        Whatever `context.hypothetical` adds is visible to `job` only, and gone when `run` returns.
        """

    def many(self, moment: datetime.date, setting: str, candidates: Callable[[Evaluation], set[tuple]],
             provenance_of: Iterable[str] = ()) -> ManyAnswers | None:
        """Answer every question (actor, recipient, item) of a day and setting that `candidates`
        names — read in an evaluation of that day and setting with no question asked — at once,
        or None when this engine (or these rules) answer one question at a time only. The rules
        deriving a row are known for the question's own predicates and for `provenance_of`."""
        return None

    def close(self) -> None:  # noqa: B027 - optional: most engines hold nothing to release
        """Release resources (threads, processes)."""
