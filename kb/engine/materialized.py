"""The production engine: a materialised model per moment, plus demand evaluation per question.

For a moment, every derived predicate that does not depend on the question is computed bottom-up
(bottom_up.py) into indexed relations; the model is cached per moment and shared, read-only, by
concurrent questions. A question is then answered on demand (demand.py) over that model.
Stratification (checked by `kb check`) makes this equal to the stratified model; the differential
tests hold it to pyDatalog's answers. The rules are analysed once per knowledge base (program.py).
"""
from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

from ..facts.model import Fact, FactSet
from ..language.knowledge_base import KnowledgeBase
from . import budget
from .base import Context, Engine, Evaluation, T
from .bottom_up import MomentModel
from .demand import DemandEvaluation
from .many import ManyQuestions
from .program import Program
from .snapshot import SnapshotDir

MODEL_CACHE = 4  # moments kept materialised
_UNNAMED = ""  # the version of a fact base changed without a new name: never written to a snapshot


class MaterializedEngine(Engine):
    """Bottom-up materialisation per moment with on-demand evaluation per question."""

    name = "materialized"

    def __init__(self, cache_size: int = MODEL_CACHE):
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._program: Program | None = None
        self._facts = FactSet()
        self._models: OrderedDict[datetime.date, MomentModel] = OrderedDict()
        self._bounded: tuple[FactSet, list[Fact]] | None = None
        # Where models are kept on disk (snapshot.py); a model built from scratch is written there.
        self.snapshots: SnapshotDir | None = None

    def _program_of(self, kb: KnowledgeBase) -> Program:
        """The analysis of `kb`: the current one when the same rule set is loaded again with other
        facts (a scenario run loads hundreds of small fact sets), so that its join plans, built on
        the first facts' relation sizes, are planned once instead of once per fact set."""
        program = self._program
        return program if program is not None and program.kb is kb else Program(kb)

    def load(self, kb: KnowledgeBase, facts: FactSet) -> None:
        program = self._program_of(kb)
        with self._lock:
            self._program, self._facts = program, facts
            self._models = OrderedDict()

    def restore(self, kb: KnowledgeBase, fact_version: str) -> FactSet | None:
        """Take rules and facts with their models from the snapshot of (kb's version, `fact_version`)
        in `self.snapshots`; None — and nothing changed — when there is no usable one."""
        if self.snapshots is None:
            return None
        program = self._program_of(kb)
        snapshot = self.snapshots.read(program, self.snapshots.key(kb.version, fact_version))
        if snapshot is None:
            return None
        with self._lock:
            self._program, self._facts = program, snapshot.facts
            self._models = OrderedDict(sorted(snapshot.models.items()))
        return snapshot.facts

    def keep_snapshot(self) -> None:
        """Write the current facts and most recently used model to `self.snapshots` (in the
        background), e.g. after catching up with changes since the snapshot that was loaded."""
        with self._lock:
            program, facts = self._program, self._facts
            model = next(reversed(self._models.values()), None)
        if self.snapshots is not None and program is not None and model is not None and facts.version != _UNNAMED:
            self.snapshots.write_later(self.snapshots.key(program.kb.version, facts.version), facts, [model])

    def update(self, added: list[Fact], removed: list[Fact], version: str | None = None) -> None:
        """Apply a fact change, naming the new fact base `version` (else it keeps the old name).
        Each cached moment model is replaced by one that shares every relation the change cannot
        reach and recomputes only the strata that depend on it (models in use by running
        questions are never modified). A snapshot is keyed by that name: a fact base changed
        without a new one is not written (its content would not match the name)."""
        with self._lock, budget.suspended():  # a committed change is applied whole, never cut off
            renamed = version if version is not None else _UNNAMED
            self._facts = self._facts.changed(added, removed, renamed)
            self._models = OrderedDict((moment, model.changed(self._facts, added, removed))
                                       for moment, model in self._models.items())

    def prepare_update(self, added: list[Fact], removed: list[Fact], moment: datetime.date
                       ) -> Callable[[list[Fact], str], None]:
        """What a fact change does to the models, computed now, under the caller's evaluation
        budget and beside the models in use (questions keep being answered meanwhile); returns the
        step that installs it, once the change is stored: `install(added as stored, version)`.
        BudgetExceeded (having changed nothing) when the change costs more than the budget. With no
        model cached, the model of `moment` is built on the changed facts, so that a change whose
        cost would fall on the next question is measured here too."""
        with self._lock:
            program, facts, models = self._program, self._facts, OrderedDict(self._models)
        if program is None:
            raise RuntimeError("no knowledge base loaded")
        trial = facts.changed(added, removed, _UNNAMED)
        if models:
            # Relations hold arguments only, so the models of the trial facts are those of the
            # stored ones (which differ in their origins alone).
            changed = OrderedDict((m, model.changed(trial, added, removed)) for m, model in models.items())
        else:
            changed = OrderedDict([(moment, MomentModel(program, trial, moment))])

        def install(stored: list[Fact], version: str) -> None:
            with self._lock:
                if self._facts is not facts or self._program is not program:
                    raise RuntimeError("the facts or rules changed between preparing a change and installing it")
                self._facts = facts.changed(stored, removed, version)
                self._models = changed
        return install

    def model(self, moment: datetime.date) -> MomentModel:
        """The materialised model of a moment (built once, then shared)."""
        with self._lock:
            program, facts = self._program, self._facts
            model = self._models.get(moment)
            if model is not None:
                self._models.move_to_end(moment)
                return model
            # a new moment starts from the most recently used model of the same facts
            nearest = next(reversed(self._models.values()), None)
        built = nearest.moved(facts, self._bounded_facts(facts), moment) if nearest is not None \
            else MomentModel(program, facts, moment)
        with self._lock:
            if self._program is program and self._facts is facts:
                self._models[moment] = built
                while len(self._models) > self._cache_size:
                    self._models.popitem(last=False)
        if nearest is None and self.snapshots is not None and facts.version != _UNNAMED:
            self.snapshots.write_later(self.snapshots.key(program.kb.version, facts.version), facts, [built])
        return built

    def _bounded_facts(self, facts: FactSet) -> list[Fact]:
        """The facts not valid for all time (the only ones that differ between two moments), once
        per fact set."""
        cached = self._bounded
        if cached is None or cached[0] is not facts:
            cached = (facts, facts.bounded())
            self._bounded = cached
        return cached[1]

    def many(self, moment: datetime.date, setting: str, candidates: Callable[[Evaluation], set[tuple]],
             provenance_of: Iterable[str] = ()) -> ManyQuestions | None:
        program = self._program
        if program is None or program.not_question_local:
            return None
        model = self.model(moment)
        questions = candidates(DemandEvaluation(program, model, Context(moment, setting)))
        return ManyQuestions(program, model, setting, questions, provenance_of)

    def run(self, context: Context, job: Callable[[Evaluation], T]) -> T:
        if self._program is None:
            raise RuntimeError("the engine has no knowledge base loaded")
        model = self.model(context.moment)
        return job(DemandEvaluation(model.program, model, context))
