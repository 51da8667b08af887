"""Many questions of one day and setting answered at once, set-at-a-time.

A question's own predicates are normally derived top-down for that one question (demand.py). When
the rules are question-local (locality.py), they can instead be derived bottom-up for a whole set
of questions in one pass — `asked` holding all of them — and the rows that agree with a question
on the places they carry are exactly that question's. What is kept is, per question, which rules
derive it — for the question's own predicates and for the materialised ones named in
`provenance_of` (their rules run over the model once) — as one bit per rule: the relations built
on the way are dropped, so a region's table costs tens of megabytes, not hundreds.
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
        by_rule: dict[str, set[tuple]] = {}
        for stratum in program.strata:
            if stratum & program.question_dependent:
                (name,) = stratum  # question-local rules are not recursive here (locality.py)
                relations[name] = Relation(program.arity[name])
                derived = _derive(program, name, relations)
                by_rule.update(derived)
                for rows in derived.values():
                    relations[name].add_all(rows)
        kept = sorted(program.question_dependent | {name for name in provenance_of if name in program.rules})
        for name in kept:
            if name not in program.question_dependent:
                by_rule.update(_derive(program, name, relations))
        # per predicate kept: (rule id, its bit); per question: the bits of the rules deriving it
        self._bits = {name: tuple((rule.id, 1 << n) for n, rule in enumerate(program.rules.get(name, ()), start=offset))
                      for name, offset in zip(kept, _offsets(program, kept))}
        signatures: dict[tuple, int] = {}
        for name in kept:
            for rule_id, bit in self._bits[name]:
                for row in by_rule[rule_id]:
                    if row in self.questions:
                        signatures[row] = signatures.get(row, 0) | bit
        # keyed by the questions' own tuples, each distinct signature once: the rows are let go
        distinct: dict[int, int] = {}
        self._signatures = {q: distinct.setdefault(signatures[q], signatures[q])
                            for q in self.questions if q in signatures}

    def holds(self, predicate: str, question: tuple) -> bool:
        """Whether predicate(question) holds, for one of the questions."""
        bits = self._bits.get(predicate)
        if bits is None:
            return question in self.model.relations[predicate].rows
        signature = self._signatures.get(question, 0)
        return any(signature & bit for _, bit in bits)

    def deriving_rules(self, predicate: str, question: tuple) -> tuple[str, ...]:
        """The rules that derive predicate(question), in file order, for one of the questions."""
        signature = self._signatures.get(question, 0)
        return tuple(rule_id for rule_id, bit in self._bits[predicate] if signature & bit)


def _offsets(program: Program, names: list[str]) -> list[int]:
    """Where each predicate's rules start among all the rules kept (one bit each)."""
    offsets, n = [], 0
    for name in names:
        offsets.append(n)
        n += len(program.rules.get(name, ()))
    return offsets


def _derive(program: Program, predicate: str, relations: dict[str, Relation]) -> dict[str, set[tuple]]:
    """Run each rule of `predicate` over `relations`; each rule's rows."""
    size: Callable[[str], int] = lambda name: len(relations[name]) if name in relations else 1  # noqa: E731

    def negated(name: str, args: tuple) -> bool:
        return relations[name].contains(args)

    derived = {}
    for rule in program.rules.get(predicate, ()):
        budget.check()
        derived[rule.id] = program.batch_plan(rule, size).run(relations.__getitem__, negated)
    return derived
