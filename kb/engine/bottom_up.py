"""Bottom-up evaluation: the question-independent model of one moment, stratum by stratum
(semi-naive within recursive strata), set-at-a-time; and how a model follows a fact change or
another moment by recomputing only the strata that can differ.
"""
from __future__ import annotations

import datetime

from ..facts.model import Fact, FactSet, gc_paused
from ..language.ast import Atom
from . import budget
from .indexes import build_read_indexes
from .program import DELTA, Program
from .relations import Relation


class MomentModel:
    """All question-independent relations on one day, computed bottom-up."""

    def __init__(self, program: Program, facts: FactSet, moment: datetime.date):
        self.program, self.moment = program, moment
        self.relations: dict[str, Relation] = {}
        with gc_paused():  # millions of rows, all kept: collections while building them are wasted
            for name, arity in program.arity.items():
                if program.kind[name] == "input":
                    self.relations[name] = Relation(arity, facts.valid_args(name, moment))
            self.relations["today"] = Relation(1, [(moment,)])
            for stratum in program.strata:
                if stratum & program.question_dependent:
                    continue
                evaluate_stratum(program, stratum, self.relations)
        build_read_indexes(self)

    @classmethod
    def of_relations(cls, program: Program, moment: datetime.date, relations: dict[str, Relation]) -> MomentModel:
        """A model whose relations were computed before (a snapshot's), for `program` on `moment`."""
        model = cls.__new__(cls)
        model.program, model.moment, model.relations = program, moment, relations
        build_read_indexes(model)
        return model

    def size(self, name: str) -> int:
        rel = self.relations.get(name)
        return len(rel) if rel is not None else 1

    def changed(self, facts: FactSet, added: list[Fact], removed: list[Fact]) -> MomentModel:
        """A new model for the changed facts: untouched relations are shared with this one."""
        program, moment = self.program, self.moment
        touched = {f.predicate for f in list(added) + list(removed)}
        model = MomentModel.__new__(MomentModel)
        model.program, model.moment = program, moment
        model.relations = dict(self.relations)
        for name in touched:
            model.relations[name] = Relation(program.arity[name], facts.valid_args(name, moment))
        dirty = program.depending_on(touched)
        for stratum in program.strata:
            if stratum & dirty and not stratum & program.question_dependent:
                evaluate_stratum(program, stratum, model.relations)
        build_read_indexes(model)
        return model


    def moved(self, facts: FactSet, bounded: list[Fact], moment: datetime.date) -> MomentModel:
        """The model of another moment, derived from this one: only the facts whose validity
        differs between the two days (among `bounded`, the facts valid for less than all time) and
        the strata that depend on them or on `today` are computed again."""
        program = self.program
        touched = {f.predicate for f in bounded if f.valid_on(self.moment) != f.valid_on(moment)}
        model = MomentModel.__new__(MomentModel)
        model.program, model.moment = program, moment
        model.relations = dict(self.relations)
        model.relations["today"] = Relation(1, [(moment,)])
        for name in touched:
            model.relations[name] = Relation(program.arity[name], facts.valid_args(name, moment))
        dirty = program.depending_on(touched | {"today"})
        for stratum in program.strata:
            if stratum & dirty and not stratum & program.question_dependent:
                evaluate_stratum(program, stratum, model.relations)
        build_read_indexes(model)
        return model


def evaluate_stratum(program: Program, stratum: set[str], relations: dict) -> None:
    """Compute the predicates of one stratum into `relations` (semi-naive if recursive)."""
    size = lambda name: len(relations[name]) if name in relations else 1  # noqa: E731
    for name in stratum:
        relations[name] = Relation(program.arity[name])

    def negated(name: str, args: tuple) -> bool:
        return relations[name].contains(args)

    rules = [rule for name in sorted(stratum) for rule in program.rules.get(name, ())]
    delta: dict[str, Relation] = {name: Relation(program.arity[name]) for name in stratum}
    for rule in rules:  # first round: every rule over the full relations of lower strata
        budget.check()
        new = relations[rule.head.predicate].add_all(program.batch_plan(rule, size).run(relations.__getitem__, negated))
        delta[rule.head.predicate].add_all(new)
    if not (stratum & program.recursive):
        return
    delta_plans = [(rule, delta_name, program.delta_plan(rule, position, size))
                   for rule in rules for position, delta_name in _recursive_occurrences(rule, stratum)]
    while any(len(d) for d in delta.values()):
        new = {name: Relation(program.arity[name]) for name in stratum}

        def source(name: str):
            # Δp is last round's new rows of p; everything else is read whole.
            return delta[name[1:]] if name.startswith(DELTA) else relations[name]  # noqa: B023 - used this round

        for rule, delta_name, batch in delta_plans:
            if not len(delta[delta_name]):
                continue
            budget.check()
            new[rule.head.predicate].add_all(batch.run(source, negated) - relations[rule.head.predicate].rows)
        for name in stratum:
            relations[name].add_all(new[name].rows)
        delta = new


def _recursive_occurrences(rule, stratum: set[str]) -> list[tuple[int, str]]:
    return [(position, lit.predicate) for position, lit in enumerate(rule.body)
            if isinstance(lit, Atom) and lit.predicate in stratum]
