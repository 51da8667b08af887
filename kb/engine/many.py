"""Many questions of one day and setting answered at once, set-at-a-time.

A question's own predicates are normally derived top-down for that one question (demand.py). When
the rules are question-local (locality.py), they can instead be derived bottom-up for a whole set
of questions in one pass — `asked` holding all of them — and the rows that agree with a question
on the places they carry are exactly that question's. Each rule's rows are kept apart (and only
they: the relations built on the way are dropped), so the rules that derive a row are known
without proving it again; so are those of the materialised predicates named in `provenance_of`,
by running each of their rules over the model once.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from . import budget
from .base import QUESTION, SETTING, TODAY
from .bottom_up import MomentModel
from .program import Program
from .relations import Relation


class ManyQuestions:
    """The question-dependent predicates for a set of questions (actor, recipient, item)."""

    def __init__(self, program: Program, model: MomentModel, setting: str, questions: Iterable[tuple],
                 provenance_of: Iterable[str] = ()):
        if program.not_question_local:
            raise ValueError(f"the rules are not question-local: {program.not_question_local}")
        self.program, self.model = program, model
        self.questions = frozenset(questions)
        relations: dict[str, Relation] = dict(model.relations)
        for name, kind in program.kind.items():
            if kind == "context" and name != TODAY:
                relations[name] = Relation(program.arity[name])
        relations[QUESTION].add_all(set(self.questions))
        relations[SETTING].add((setting,))
        self._by_rule: dict[str, set[tuple]] = {}
        for stratum in program.strata:
            if stratum & program.question_dependent:
                (name,) = stratum  # question-local rules are not recursive here (locality.py)
                relations[name] = Relation(program.arity[name])
                for rows in self._derive(name, relations).values():
                    relations[name].add_all(rows)
        for name in provenance_of:
            if name not in program.question_dependent:
                self._derive(name, relations)

    def holds(self, predicate: str, row: tuple) -> bool:
        if predicate in self.program.question_dependent:
            return any(row in self._by_rule[rule.id] for rule in self.program.rules.get(predicate, ()))
        return row in self.model.relations[predicate].rows

    def deriving_rules(self, predicate: str, row: tuple) -> tuple[str, ...]:
        return tuple(rule.id for rule in self.program.rules.get(predicate, ()) if row in self._by_rule[rule.id])

    def _derive(self, predicate: str, relations: dict[str, Relation]) -> dict[str, set[tuple]]:
        """Run each rule of `predicate` over `relations`; keep each rule's rows."""
        size: Callable[[str], int] = lambda name: len(relations[name]) if name in relations else 1  # noqa: E731

        def negated(name: str, args: tuple) -> bool:
            return relations[name].contains(args)

        derived = {}
        for rule in self.program.rules.get(predicate, ()):
            budget.check()
            derived[rule.id] = self.program.batch_plan(rule, size).run(relations.__getitem__, negated)
        self._by_rule.update(derived)
        return derived
