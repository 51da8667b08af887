"""A running Deelwijzer: one checked knowledge base, one fact base, one engine — swapped atomically.

The service and the CLI talk to this. It is the one place that puts rules, facts and an engine
together: the engine is named (kb/engine/registry.py), and a one-off evaluation on other rules or
facts (a try-out's scenario, a logged decision's explanation rebuilt on its own versions) gets a
fresh engine of the same kind through `explain_on`. A rule set that fails `kb check` is refused with all its
errors and the running one stays in use; a fact change is applied to the engine incrementally and
names a new fact-base version.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from .decide import DEFAULT_SETTING, Decision, Question, audience_candidates, decide_in, validate_question
from .decision_table import DecisionTable, DecisionTables
from .engine.base import Engine
from .engine.registry import DEFAULT_ENGINE, engine_factory
from .engine.snapshot import KeepsSnapshots, SnapshotDir
from .explain.explainer import explain
from .facts.model import Fact, FactSet
from .language.knowledge_base import DEFAULT_DIR, KnowledgeBase, load_knowledge_base
from .language.vocabulary import Outcome

log = logging.getLogger("kb.workspace")

DECISION_CACHE = 100_000  # questions remembered per rules-and-facts version


class Workspace:
    """Knowledge base + facts + engine. All public methods are safe to call from many threads."""

    def __init__(self, kb_dir: Path | str = DEFAULT_DIR, facts: FactSet | None = None,
                 engine: str = DEFAULT_ENGINE, snapshot_dir: Path | str | None = None,
                 snapshot_secret: bytes | None = None):
        """Load and check the rules of `kb_dir`; `engine` names a registered engine (UnknownEngine if not).
        With `snapshot_dir`, `load_from_store` keeps the engine's models there between starts, signed
        with `snapshot_secret` (required then: engine/snapshot.py)."""
        if snapshot_dir and not snapshot_secret:
            raise ValueError("model snapshots need a key to sign them with (snapshot_secret)")
        self.kb_dir = Path(kb_dir)
        self.snapshot_dir = Path(snapshot_dir) if snapshot_dir else None
        self.snapshot_secret = snapshot_secret
        self.engine_name = engine
        self._new_engine = engine_factory(engine)
        self._lock = threading.RLock()
        self.kb: KnowledgeBase = load_knowledge_base(self.kb_dir)
        self.facts: FactSet = facts if facts is not None else FactSet()
        self.engine: Engine = self._new_engine()
        self.engine.load(self.kb, self.facts)
        # Decisions without hypothetical facts, for the current rules and facts: asking the same
        # question again costs a dict lookup. Cleared whenever the rules or the facts change.
        self._decided: OrderedDict = OrderedDict()
        self._tables = DecisionTables()

    def reload_rules(self) -> KnowledgeBase:
        """Re-read and check the rules; raise KnowledgeBaseError (keeping the old ones) if they fail."""
        new_kb = load_knowledge_base(self.kb_dir)
        with self._lock:
            self.engine.load(new_kb, self.facts)
            self.kb = new_kb
            self._forget_decisions()
        return new_kb

    def replace_facts(self, facts: FactSet) -> None:
        with self._lock:
            self.engine.load(self.kb, facts)
            self.facts = facts
            self._forget_decisions()

    def load_from_store(self, store) -> None:
        """Take the fact base of `store` (a FactStore) as it is now.

        With a snapshot directory and an engine that keeps snapshots, the model is loaded from the
        newest snapshot of these rules (its MAC checked under the snapshot key, and keyed by the
        store's fact chain); if the store moved on since that snapshot, only the facts added and
        withdrawn since are applied, and a snapshot of the result is written for the next start.
        Without a usable snapshot the facts are read from the store and the model is built on first
        use (and then written)."""
        version = store.version()
        engine = self.engine
        if self.snapshot_dir is not None and isinstance(engine, KeepsSnapshots):
            # A stored fact-base version is a number; its chain hash names its content.
            snapshots = SnapshotDir(self.snapshot_dir, secret=self.snapshot_secret or b"",
                                    identify=lambda v: (store.hash_at(int(v)) if v.isdigit() else None) or "")
            engine.snapshots = snapshots
            at = snapshots.newest(self.kb.version, version)
            facts = engine.restore(self.kb, str(at)) if at is not None else None
            if at is not None and facts is not None:
                with self._lock:
                    self.facts = facts
                    self._forget_decisions()
                if at != version:
                    added, withdrawn = store.changes(at, version)
                    log.info("model snapshot at fact version %s; applying versions %s to %s", at, at + 1, version)
                    self.change_facts([s.fact for s in added], [s.fact for s in withdrawn], str(version))
                    engine.keep_snapshot()
                return
        self.replace_facts(store.fact_set(version))

    def change_facts(self, added: list[Fact], removed: list[Fact], version: str) -> None:
        """Apply an incremental change of the base facts and name the new fact-base version."""
        with self._lock:
            new = self.facts.changed(added, removed, version)
            try:
                if isinstance(self.engine, KeepsSnapshots):  # it names its facts, as snapshots are keyed
                    self.engine.update(added, removed, version)
                else:
                    self.engine.update(added, removed)
            except NotImplementedError:
                self.engine.load(self.kb, new)
            self.facts = new
            self._forget_decisions()

    def prepare_change(self, added: list[Fact], removed: list[Fact], moment) -> Callable[[list[Fact], str], None]:
        """A fact change worked out before it is stored, under the caller's evaluation budget
        (BudgetExceeded, nothing changed, when it costs more); returns `install(added as stored,
        version)`, which makes it the current fact base. Questions are answered on the current one
        meanwhile. An engine that cannot prepare a change applies it on install, unbounded."""
        prepare = getattr(self.engine, "prepare_update", None)
        if prepare is None:
            return lambda stored, version: self.change_facts(stored, removed, version)
        engine_install = prepare(added, removed, moment)

        def install(stored: list[Fact], version: str) -> None:
            with self._lock:
                engine_install(stored, version)
                self.facts = self.facts.changed(stored, removed, version)
                self._forget_decisions()
        return install

    def _forget_decisions(self) -> None:
        self._decided.clear()
        self._tables = DecisionTables()

    def decide(self, question: Question) -> Decision:
        """Decide one question on the current rules and facts (cached when it has no what-if facts)."""
        with self._lock:
            key = None if question.hypothetical else question
            cached = self._decided.get(key) if key is not None else None
            if cached is not None:
                return cached
            kb, facts = self.kb, self.facts
            validate_question(question, kb, facts)
            table = None if key is None else self._tables.get(self.engine, kb, question.at, question.setting)
            if table is not None:
                decision = table.decide(question, facts.version)
            else:
                decision = self.engine.run(question.context(), lambda ev: decide_in(ev, kb, question, facts.version))
            if key is not None:
                self._decided[key] = decision
                if len(self._decided) > DECISION_CACHE:
                    self._decided.popitem(last=False)
            return decision

    def decision_table(self, at, setting: str = DEFAULT_SETTING) -> DecisionTable | None:
        """The decision table of a day and setting, built now if it is not yet (None when the rules
        or the engine allow none). Questions use a table once it is built; the first question of a
        day and setting starts building it in the background."""
        with self._lock:
            tables, engine, kb = self._tables, self.engine, self.kb
        return tables.build(engine, kb, at, setting)

    def audience(self, actor: str, item: str, at, setting: str = DEFAULT_SETTING) -> list[Decision]:
        """Every decision of `actor` about `item` toward someone that is not `forbidden`.

        Only the candidates the decision rules allow are decided (see audience_candidates); for
        everyone else the outcome is `forbidden` without asking."""
        with self._lock:
            kb, facts = self.kb, self.facts
            validate_question(Question(actor, actor, item, at, setting), kb, facts)
            candidates = self.engine.run(Question(actor, actor, item, at, setting).context(),
                                         lambda ev: audience_candidates(ev, kb, actor, item))
            if candidates is None:
                candidates = {p for p in facts.entities(kb.vocabulary).get("person", ()) if p != actor}
            decisions = [self.decide(Question(actor, recipient, item, at, setting))
                         for recipient in sorted(candidates, key=str)]
            return [d for d in decisions if d.outcome != Outcome.FORBIDDEN]

    def explain(self, question: Question, **options) -> dict:
        """The full explanation of `question` on the current rules and facts (explainer options pass through)."""
        with self._lock:
            return explain(self.engine, self.kb, self.facts, question, **options)

    def explain_on(self, kb: KnowledgeBase, facts: FactSet, question: Question, **options) -> dict:
        """Explain `question` on other rules or facts, in a one-off engine of this workspace's kind.

        The running rules and facts are untouched; the engine is closed before returning."""
        engine = self._new_engine()
        try:
            engine.load(kb, facts)
            return explain(engine, kb, facts, question, **options)
        finally:
            engine.close()

    def close(self) -> None:
        self.engine.close()
