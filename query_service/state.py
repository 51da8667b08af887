"""The service's shared state, registered in `app.extensions["deelwijzer"]`.

One `Deelwijzer` per app holds the Workspace (knowledge base + facts + engine), the FactStore and
the DecisionLog on one Database. Every change of the facts or rules goes through `changing()`, a
lock that keeps the stored fact base and the engine's fact base on the same version; a question
needs no such lock, because the Workspace answers it atomically on one snapshot.

Several worker processes (gunicorn `--workers N`, or replicas on several machines sharing one
PostgreSQL) each hold a Workspace; `sync()` brings a process whose engine is behind the store
(another process changed the facts) up to the stored version. It runs before every decision and,
with PostgreSQL, whenever another process announces a change (`replication.py`).
"""
from __future__ import annotations

import datetime
import gc
import logging
import secrets
import threading
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app

from kb.engine import budget
from kb.engine.budget import BudgetExceeded
from kb.engine.snapshot import configured_dir
from kb.facts.fixtures import load_fact_file
from kb.facts.model import Fact
from kb.language.knowledge_base import KnowledgeBase
from kb.paths import display_path
from kb.store.db import Database
from kb.store.decisions import DecisionLog
from kb.store.facts import FactStore
from kb.workspace import Workspace

from . import replication

EXTENSION = "deelwijzer"
ANSWER_SHARE = 0.9  # of the budget left, what a fact change or a dry run may use; the rest answers
log = logging.getLogger("query_service")


class FactNotFound(LookupError):
    """No stored fact has this id."""


class AlreadyWithdrawn(LookupError):
    def __init__(self, version: int):
        super().__init__(version)
        self.version = version


class DuplicateFacts(ValueError):
    """Facts identical (with their validity) to stored ones, or repeated within one change.

    Refused because the engine's fact base is a set: two stored copies of one fact could not be
    withdrawn one at a time."""

    def __init__(self, conflicts: list[tuple[int, int | None]]):
        super().__init__(conflicts)
        self.conflicts = conflicts  # (index in the change, stored id or None when repeated in the change)


class Deelwijzer:
    def __init__(self, config: dict):
        self.db = Database(config["DATABASE_URL"])
        self.store = FactStore(self.db)
        self.log = DecisionLog(self.db)
        snapshots = configured_dir(config.get("SNAPSHOT_DIR", "auto"), config["DATABASE_URL"])
        secret = config.get("SNAPSHOT_SECRET")
        if snapshots is not None and secret is None:
            log.warning("no SNAPSHOT_KEY or SECRET_KEY configured: model snapshots are signed with a key of this "
                        "process only, so the next start recomputes the model")
            secret = secrets.token_bytes(32)
        self.workspace = Workspace(config["KB_DIR"], engine=config["ENGINE"], snapshot_dir=snapshots,
                                   snapshot_secret=secret)
        self._changing = threading.RLock()
        self._kbs: dict[str, KnowledgeBase] = {}
        self._kept: set[str] = set()
        self.seeded_from = ""
        self.scenarios_dir = config.get("SCENARIOS_DIR", "")
        self.dry_run_budget = config.get("DRY_RUN_BUDGET")
        self.replication = None  # set by init_app when the store is shared (replication.py)
        self._remember(self.workspace.kb)
        seed = config.get("SEED_FACTS")
        if seed and self.store.version() == 0:
            if Path(seed).is_file():
                facts = load_fact_file(seed, self.workspace.kb.vocabulary)
                self.store.add(list(facts), note=f"seed: {display_path(seed)}")
                self.seeded_from = display_path(seed)
            else:
                log.warning("seed fact file %s does not exist; starting with an empty fact base", seed)
        self.workspace.load_from_store(self.store)  # from a model snapshot when there is one

    # -- versions ------------------------------------------------------------------------------------
    def _remember(self, kb: KnowledgeBase) -> None:
        self._kbs[kb.version] = kb

    def keep_rule_version(self, kb_version: str) -> None:
        """Store the texts of a rule-set version a decision refers to (once per version)."""
        if kb_version in self._kept:
            return
        kb = self._kbs[kb_version]
        self.log.keep_rule_version(kb_version, {display_path(p): text for p, text in kb.sources.items()})
        self._kept.add(kb_version)

    def facts_version(self) -> str:
        return self.workspace.facts.version

    # -- changes -------------------------------------------------------------------------------------
    @contextmanager
    def changing(self):
        """Hold while changing facts or rules, or while answering many questions on one snapshot."""
        with self._changing:
            self.sync()
            yield

    def sync(self) -> None:
        """Bring the engine up to the stored fact base if another process changed it.

        Applies only the facts added and withdrawn since the engine's version; the whole fact base
        is loaded again only when the store is behind the engine (it was reset or restored)."""
        if str(self.store.version()) == self.workspace.facts.version:
            return
        with self._changing:
            stored, own = self.store.version(), int(self.workspace.facts.version)
            if stored > own:
                added, withdrawn = self.store.changes(own, stored)
                log.info("fact base changed elsewhere; applying versions %s to %s", own + 1, stored)
                self.workspace.change_facts([s.fact for s in added], [s.fact for s in withdrawn], str(stored))
            elif stored < own:
                log.warning("the store is at version %s, behind this engine's %s; reloading it", stored, own)
                self.workspace.replace_facts(self.store.fact_set(stored))

    def add_facts(self, facts: list[Fact], note: str = "") -> tuple[int, list[int]]:
        """Store facts in one change and apply it to the engine; DuplicateFacts changes nothing.

        What the change does to the engine's models is worked out first, within the request's
        evaluation budget and while questions are still answered on the current facts: a change
        that costs more raises BudgetExceeded before anything is stored (a committed change is
        then installed whole, never cut off)."""
        with self.changing():
            conflicts, seen = [], set()
            for i, fact in enumerate(facts):
                if fact in self.workspace.facts:
                    conflicts.append((i, next(s.id for s in self.store.stored() if s.fact == fact)))
                elif fact in seen:
                    conflicts.append((i, None))
                seen.add(fact)
            if conflicts:
                raise DuplicateFacts(conflicts)
            with budget.share(ANSWER_SHARE):  # the rest of the budget answers, even a refusal
                install = self.workspace.prepare_change(facts, [], datetime.date.today())
            before = int(self.workspace.facts.version)
            version, ids = self.store.add(facts, note)
            install([Fact(f.predicate, f.args, f.valid_from, f.valid_until, f"store:{i}") for f, i in zip(facts, ids)],
                    str(version))
            self._take_between(before, version)
            return version, ids

    def withdraw_fact(self, fact_id: int, note: str = "") -> int:
        """Withdraw a stored fact and apply it to the engine; FactNotFound / AlreadyWithdrawn change nothing."""
        with self.changing():
            stored = self.store.get(fact_id)
            if stored is None:
                raise FactNotFound(fact_id)
            if stored.withdrawn_in is not None:
                raise AlreadyWithdrawn(stored.withdrawn_in)
            with budget.share(ANSWER_SHARE):
                install = self.workspace.prepare_change([], [stored.fact], datetime.date.today())
            before = int(self.workspace.facts.version)
            try:
                version = self.store.withdraw(fact_id, note)
            except KeyError:  # another replica withdrew it between our read and our write
                raise AlreadyWithdrawn(self.store.get(fact_id).withdrawn_in) from None
            install([], str(version))
            self._take_between(before, version)
            return version

    def _take_between(self, before: int, version: int) -> None:
        """After storing change `version` on an engine at `before`: the changes another process
        stored in between (versions before+1 … version-1) are applied too, so that the engine's
        fact base is the store's as of `version`, as its name says."""
        if version > before + 1:
            added, withdrawn = self.store.changes(before, version - 1)
            self.workspace.change_facts([s.fact for s in added], [s.fact for s in withdrawn], str(version))

    def reload_rules(self, announce: bool = True) -> tuple[KnowledgeBase, KnowledgeBase]:
        """(old, new); raises KnowledgeBaseError and keeps the running rules when the new ones fail.

        With `announce`, other replicas sharing the store are told to reload theirs too."""
        with self.changing():
            old = self.workspace.kb
            new = self.workspace.reload_rules()
            self._remember(new)
        if announce and self.replication is not None and new.version != old.version:
            self.replication.announce_rules(new.version)
        return old, new

    def rule_impact(self, at):
        """(running, candidate, impact, complete) of reloading the rules, without swapping anything:
        the changed rules and the decisions that change over the scenarios (SCENARIOS_DIR), the
        current facts' population on `at` and the questions in the decision log. Raises
        KnowledgeBaseError when the files fail.

        A dry run decides every scenario, the population and the log on two rule sets, which takes
        longer than any one question may, so it has a budget of its own (DRY_RUN_BUDGET), not the
        request's: when ANSWER_SHARE of it is used up, it answers with the changes found so far and
        `complete` False."""
        from kb.edits.impact import ImpactRun
        from kb.edits.sources import checked_directory, questions_in_log
        from kb.scenarios import scenario_paths
        candidate = checked_directory(self.workspace.kb_dir)
        with self.changing():
            running, facts = self.workspace.kb, self.workspace.facts
        run = ImpactRun(running, candidate)
        scenarios = Path(self.scenarios_dir) if self.scenarios_dir else None
        try:
            with budget.own(self.dry_run_budget), budget.share(ANSWER_SHARE):
                run.scenarios(scenario_paths([str(scenarios)]) if scenarios is not None and scenarios.is_dir() else [])
                run.population(facts, at)
                run.log(questions_in_log(self.db, candidate.vocabulary))
            complete = True
        except BudgetExceeded:
            complete = False
        return running, candidate, run.impact, complete

    # -- a preloaded master and its forked workers (forking.py) --------------------------------------
    def before_fork(self, moments) -> None:
        """In gunicorn's master, before a fork: build the models of `moments` and their decision
        tables in the default setting (so the workers share them instead of each building its own
        while serving), stop the replication listener and close this thread's database connection.
        Idempotent."""
        engine = self.workspace.engine
        if not hasattr(engine, "model"):
            raise RuntimeError(f"the {engine.name} engine cannot be preloaded (its state does not survive a "
                               "fork); set DEELWIJZER_PRELOAD=false")
        for moment in moments:
            engine.model(moment)
            self.workspace.decision_table(moment)
        # What the master built is kept for the workers' lifetime: the collector need not walk it
        # again in each of them (a full collection of a region's model takes seconds).
        gc.freeze()
        snapshots = getattr(engine, "snapshots", None)
        if snapshots is not None:  # a model snapshot being written: its thread and lock must not cross the fork
            snapshots.wait()
        if self.replication is not None:
            self.replication.stop()
            self.replication = None
        if self.db.dialect == "postgresql" or self.db.url[len("sqlite://"):].lstrip("/"):
            self.db.close()  # not an in-memory store, which would be lost: each worker keeps a copy of that

    def after_fork(self, config: dict) -> None:
        """In a forked worker: start its own replication listener (connections open on first use)."""
        self.replication = replication.start(self, config)

    def decisions_logged(self) -> int:
        return self.db.query("SELECT COUNT(*) FROM decisions")[0][0]

    def close(self) -> None:
        if self.replication is not None:
            self.replication.stop()
        self.workspace.close()
        self.db.close()


def init_app(app: Flask) -> Deelwijzer:
    state = Deelwijzer(app.config)
    state.replication = replication.start(state, app.config)
    app.extensions[EXTENSION] = state
    return state


def state() -> Deelwijzer:
    return current_app.extensions[EXTENSION]
