"""`kb mutate`: run every scenario against every mutant of the rules, and report the survivors.

A mutant is killed by the checker (it no longer passes `kb check --strict`: an error or a
warning) or by a scenario (some scenario decides differently, or names a deciding rule that is
gone). A mutant no scenario kills survives: either a scenario is missing, or the mutant decides
exactly as the rules do and belongs, with its reason, in the allow-list of equivalent mutants.

The scenarios are read once and the rules are checked once; each mutant then only swaps one rule
and runs the scenarios on the materialised engine, the scenarios that exercise the mutated rule
first, stopping at the first that fails. Mutants are spread over worker processes (fork: the
workers inherit the loaded state instead of reading it again).
"""
from __future__ import annotations

import dataclasses
import multiprocessing
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.base import Engine
from ..engine.materialized import MaterializedEngine
from ..language.checks import check_rules
from ..language.knowledge_base import KnowledgeBase
from ..language.vocabulary import Outcome
from ..scenarios import WITHHELD, Scenario, run_scenario
from .allowlist import Allowed
from .exercise import scenarios_exercising
from .mutants import Mutant, mutants

KILLED_BY_CHECKER = "killed-by-checker"
KILLED_BY_SCENARIO = "killed-by-scenario"
SURVIVED = "survived"
EQUIVALENT = "equivalent"


@dataclass(frozen=True)
class MutantResult:
    mutant: Mutant
    status: str
    detail: str = ""  # the checker's codes, or the scenario that killed it


@dataclass
class Report:
    results: list[MutantResult]
    seconds: float
    jobs: int
    stale_allowed: list[str] = field(default_factory=list)  # allow-listed keys matching no mutant
    killed_allowed: list[MutantResult] = field(default_factory=list)  # allow-listed, yet a scenario kills it

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def killed(self) -> int:
        return self.count(KILLED_BY_CHECKER) + self.count(KILLED_BY_SCENARIO)

    @property
    def survivors(self) -> list[MutantResult]:
        return [r for r in self.results if r.status == SURVIVED]

    @property
    def score(self) -> float:
        """Killed / (all − equivalent): the share of the mutants that matter that something catches."""
        relevant = len(self.results) - self.count(EQUIVALENT)
        return self.killed / relevant if relevant else 1.0


def mutated_knowledge_base(kb: KnowledgeBase, mutant: Mutant) -> KnowledgeBase:
    """The knowledge base with the mutant's rule replaced (or left out), sharing everything else."""
    files = []
    for rule_file in kb.files:
        rules = []
        for rule in rule_file.rules:
            if rule is mutant.original:
                if mutant.mutated is not None:
                    rules.append(mutant.mutated)
            else:
                rules.append(rule)
        files.append(dataclasses.replace(rule_file, rules=tuple(rules)))
    return KnowledgeBase(kb.vocabulary, tuple(files), f"mutant:{mutant.key}", kb.sources, kb.conditions)


def scenario_fails(scenario: Scenario, kb: KnowledgeBase, engine: Engine) -> str:
    """Why the scenario fails on these rules ('' when it passes), judged exactly as `kb test` judges
    it. An engine error (a mutant may make the decision rules give two outcomes) counts as failing."""
    try:
        result = run_scenario(scenario, kb, engine)
    except Exception as err:
        return f"{type(err).__name__}: {err}"
    if result.passed:
        return ""
    if result.error:
        return f"error {result.error}"
    decision = result.decision
    if WITHHELD in scenario.expect and decision.extra.get(WITHHELD) != sorted(
            map(list, scenario.expect[WITHHELD])):
        return f"withheld_from {decision.extra.get(WITHHELD)}"
    return (f"{decision.outcome} by {', '.join(decision.deciding_rules)}"
            + (f"; conditions {', '.join(c.id for c in decision.conditions)}" if decision.conditions else "")
            + ("" if decision.may_disclose == (decision.outcome != Outcome.FORBIDDEN) else "; may_disclose disagrees"))


class _Run:
    """What every worker needs, built once in the parent and inherited through fork."""

    def __init__(self, kb: KnowledgeBase, scenarios: list[Scenario], todo: list[Mutant]):
        self.kb = kb
        self.scenarios = scenarios
        self.todo = todo
        self.exercising = scenarios_exercising(kb, scenarios)
        self.engine: MaterializedEngine | None = None

    def order(self, mutant: Mutant) -> list[Scenario]:
        """The scenarios that exercise the mutated rule first: they are the likeliest to kill it."""
        first = self.exercising.get(mutant.rule_id, [])
        chosen = set(id(s) for s in first)
        return first + [s for s in self.scenarios if id(s) not in chosen]

    def judge(self, index: int) -> MutantResult:
        mutant = self.todo[index]
        rules = [r for r in self.kb.rules if r is not mutant.original]
        if mutant.mutated is not None:
            rules.append(mutant.mutated)
        diagnostics = check_rules(rules, self.kb.vocabulary)
        if diagnostics:
            codes = sorted({f"{d.severity}[{d.code}]" for d in diagnostics})
            return MutantResult(mutant, KILLED_BY_CHECKER, ", ".join(codes))
        if self.engine is None:
            self.engine = MaterializedEngine(cache_size=1)
        kb = mutated_knowledge_base(self.kb, mutant)
        for scenario in self.order(mutant):
            why = scenario_fails(scenario, kb, self.engine)
            if why:
                return MutantResult(mutant, KILLED_BY_SCENARIO, f"{scenario.path}: {why}")
        return MutantResult(mutant, SURVIVED)


_RUN: _Run | None = None


def _judge(index: int) -> MutantResult:
    return _RUN.judge(index)


def run_mutants(kb: KnowledgeBase, scenarios: list[Scenario], allowed: Allowed, *, jobs: int | None = None,
                sample: int | None = None, seed: int = 0, rule_prefix: str = "") -> Report:
    """Judge every mutant (or a seeded sample of them, or those of rules whose id starts with
    `rule_prefix`); allow-listed equivalent mutants are only reported as such when they survive."""
    global _RUN
    every = mutants(kb.rules, kb.vocabulary)
    todo = [m for m in every if m.rule_id.startswith(rule_prefix)]
    if sample is not None and sample < len(todo):
        todo = sorted(random.Random(seed).sample(todo, sample), key=todo.index)
    jobs = max(1, jobs or os.cpu_count() or 1)
    started = time.perf_counter()
    _RUN = _Run(kb, scenarios, todo)
    try:
        if jobs == 1 or len(todo) < 2:
            results = [_RUN.judge(i) for i in range(len(todo))]
        else:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                results = pool.map(_judge, range(len(todo)), chunksize=4)
    finally:
        _RUN = None
    killed_allowed = [r for r in results if r.status != SURVIVED and allowed.reason(r.mutant.key)]
    results = [dataclasses.replace(r, status=EQUIVALENT, detail=allowed.reason(r.mutant.key))
               if r.status == SURVIVED and allowed.reason(r.mutant.key) else r for r in results]
    keys = {m.key for m in every}
    stale = sorted(key for key in allowed.keys() if key not in keys)  # noqa: SIM118 - an AllowList, not a dict
    return Report(results, time.perf_counter() - started, jobs, stale, killed_allowed)


def default_allow_list(kb_dir: Path | str) -> Path:
    return Path(kb_dir) / "equivalent_mutants.yaml"


def render_report(report: Report, verbose: bool = False) -> str:
    """Each survivor as a diff with file:line and rule id, then the counts and the score."""
    out = []
    shown = report.results if verbose else report.survivors
    for result in shown:
        mutant = result.mutant
        out.append(f"{result.status.upper()}: {mutant.key}\n"
                   f"    {mutant.where}: rule {mutant.rule_id} ({mutant.kind})"
                   + (f"\n    {result.detail}" if result.detail else ""))
        if result.status == SURVIVED:
            out.append("\n".join("    " + line for line in mutant.diff().splitlines()))
    for key in report.stale_allowed:
        out.append(f"STALE: `{key}` is allow-listed but no mutant has that key any more; remove it")
    for result in report.killed_allowed:
        out.append(f"NOT EQUIVALENT: `{result.mutant.key}` is allow-listed but {result.status}: {result.detail}")
    total = len(report.results)
    equivalent = report.count(EQUIVALENT)
    out.append("-" * 60)
    out.append(f"mutants: {total} — killed {report.killed} (checker {report.count(KILLED_BY_CHECKER)}, "
               f"scenarios {report.count(KILLED_BY_SCENARIO)}), allow-listed equivalent {equivalent}, "
               f"survived {len(report.survivors)}")
    out.append(f"score: {report.killed}/{total - equivalent} = {100 * report.score:.1f}% "
               f"(killed / (total − equivalent)); {report.seconds:.1f} s on {report.jobs} process(es)")
    return "\n".join(out)


def report_json(report: Report) -> dict:
    return {
        "total": len(report.results), "killed": report.killed,
        "killed_by_checker": report.count(KILLED_BY_CHECKER),
        "killed_by_scenario": report.count(KILLED_BY_SCENARIO),
        "equivalent": report.count(EQUIVALENT), "survived": len(report.survivors),
        "score": round(report.score, 4), "seconds": round(report.seconds, 2), "jobs": report.jobs,
        "stale_allowed": report.stale_allowed,
        "not_equivalent": [r.mutant.key for r in report.killed_allowed],
        "mutants": [{"key": r.mutant.key, "rule": r.mutant.rule_id, "kind": r.mutant.kind,
                     "where": r.mutant.where, "status": r.status, "detail": r.detail,
                     **({"diff": r.mutant.diff()} if r.status == SURVIVED else {})}
                    for r in report.results],
    }


def report_passes(report: Report) -> bool:
    """No unexplained survivor, and the allow-list names only equivalent mutants that exist."""
    return not report.survivors and not report.stale_allowed and not report.killed_allowed
