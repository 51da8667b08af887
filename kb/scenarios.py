"""Scenario files: a fact set, a question, and the decision and rule expected — run like `opa test`.

    name: B2 — a CLB worker may tell an involved colleague
    statement: B2
    facts: [...]
    question: {actor: ann, recipient: bert, item: i1, at: 2026-11-02, setting: conversation}
    hypothetical: [...]           # optional what-if facts
    expect: {outcome: permitted, rule: B2.shared_secrecy, conditions: [L7.need_to_know, L7.client_agreement]}
    # or:   expect: {error: unknown-person}
    # `conditions` is optional; when given, the decision must carry exactly those conditions.

`rule:` names a rule that decided: one of the deciding rules (the decision rule and the rules of
its reason), or a rule behind them — one proving a condition they rest on, or a block that kept a
stronger outcome from holding (`expect: {outcome: forbidden, rule: B4.confidentiality}` when the
confidentiality request blocks the only ground; kb/decide.py `rules_behind`).
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from .decide import DEFAULT_SETTING, Decision, DecisionError, Question, decide_in, rules_behind, validate_question
from .engine.base import Engine
from .facts.fixtures import EXAMPLES, facts_from_data, read_yaml_file
from .facts.model import FactSet
from .language.ast import Position
from .language.diagnostics import Diagnostic, KnowledgeBaseError, did_you_mean
from .language.knowledge_base import KnowledgeBase
from .language.vocabulary import OUTCOMES, Outcome
from .language.yamlpos import pos_of
from .reasoning.instances import instances

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"
WITHHELD = "withheld_from"  # the scenario key: the parts of an item's explanation each reader is not shown


@dataclass
class Scenario:
    path: str
    name: str
    statement: str
    facts: FactSet
    question: Question
    expect: dict


@dataclass
class Result:
    scenario: Scenario
    passed: bool
    decision: Decision | None = None
    error: str = ""
    fired: set[str] = field(default_factory=set)
    behind: set[str] = field(default_factory=set)  # the rules behind the deciding ones (when asked for)

    def diff(self) -> str:
        expect = self.scenario.expect
        want = (f"error {expect['error']}" if "error" in expect
                else f"{expect.get('outcome')} (decided by {expect.get('rule')})")
        got = (f"error {self.error}" if self.error else
               f"{self.decision.outcome} (decided by {', '.join(self.decision.deciding_rules)}"
               + (f"; behind them: {', '.join(sorted(self.behind - set(self.decision.deciding_rules)))}"
                  if self.behind - set(self.decision.deciding_rules) else "") + ")")
        if "conditions" in expect:
            want += f" with conditions [{', '.join(expect['conditions'])}]"
            if self.decision is not None:
                got += f" with conditions [{', '.join(c.id for c in self.decision.conditions)}]"
        if WITHHELD in expect:
            want += f", withheld from readers {sorted(map(list, expect[WITHHELD]))}"
            if self.decision is not None:
                got += f", withheld from readers {self.decision.extra.get(WITHHELD)}"
        return f"    - expected: {want}\n    + actual:   {got}"


def load_scenario(path: Path | str, kb: KnowledgeBase) -> Scenario:
    """Read and check one scenario file; raise KnowledgeBaseError with every problem in it."""
    path = str(path)
    data, _ = read_yaml_file(path, "scenario")
    top = Position(path, 1, 1)
    if not isinstance(data, dict):
        raise KnowledgeBaseError([Diagnostic(getattr(data, "pos", top), "fact",
                                             f"a scenario file is a mapping, not "
                                             f"{'a list' if isinstance(data, list) else 'a single value'}",
                                             suggestion=EXAMPLES["scenario"])])
    diags: list[Diagnostic] = []
    facts, problems = facts_from_data(data.get("facts"), kb.vocabulary, path)
    hypothetical, more = facts_from_data(data.get("hypothetical"), kb.vocabulary, path)
    diags += problems + more
    q = data.get("question") or {}
    expect = data.get("expect") or {}
    for key, value in (("question", q), ("expect", expect)):
        if not isinstance(value, dict):
            diags.append(Diagnostic(pos_of(data, key, top), "fact", f"`{key}:` must be a mapping"))
    if diags and not (isinstance(q, dict) and isinstance(expect, dict)):
        raise KnowledgeBaseError(diags)
    missing = [k for k in ("actor", "recipient", "item", "at") if k not in q]
    if missing:
        diags.append(Diagnostic(getattr(q, "pos", top), "fact", f"the question lacks {', '.join(missing)}"))
    if "error" not in expect and (expect.get("outcome") not in OUTCOMES or not expect.get("rule")):
        diags.append(Diagnostic(getattr(expect, "pos", top), "fact",
                                "`expect:` needs an outcome (one of " + ", ".join(OUTCOMES) +
                                ") and the rule expected to decide it, or an error code"))
    elif "rule" in expect and str(expect["rule"]) not in kb.by_id:
        diags.append(Diagnostic(pos_of(expect, "rule", getattr(expect, "pos", top)), "unknown-rule-id",
                                f"no rule has the id `{expect['rule']}`",
                                suggestion=did_you_mean(str(expect["rule"]), kb.by_id)
                                or "`kb check` lists the rules; use the `@id` written above the rule"))
    conditions = expect.get("conditions", [])
    if not isinstance(conditions, list) or any(not isinstance(c, str) or c not in kb.conditions for c in conditions):
        diags.append(Diagnostic(getattr(expect, "pos", top), "fact",
                                "`conditions:` must list condition ids declared in kb/conditions.yaml"))
    withheld = expect.get(WITHHELD)
    if withheld is not None and not (isinstance(withheld, list) and all(
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str) for v in pair) for pair in withheld)):
        diags.append(Diagnostic(pos_of(expect, WITHHELD, getattr(expect, "pos", top)), "fact",
                                "`withheld_from:` lists every [reader, part] withheld for the question's item, "
                                "e.g. [[greet, revealed]]"))
    at = q.get("at")
    if not isinstance(at, datetime.date) and not missing:
        diags.append(Diagnostic(getattr(q, "pos", top), "fact", f"`at: {at}` is not a date (YYYY-MM-DD)"))
    if diags:
        raise KnowledgeBaseError(diags)
    question = Question(str(q["actor"]), str(q["recipient"]), str(q["item"]), at,
                        str(q.get("setting", DEFAULT_SETTING)), tuple(hypothetical))
    return Scenario(path, str(data.get("name", Path(path).stem)), str(data.get("statement", "")),
                    FactSet(facts), question, dict(expect))


def scenario_paths(paths: list[str] | None = None) -> list[Path]:
    found: list[Path] = []
    for p in (paths or [str(DEFAULT_DIR)]):
        path = Path(p)
        found += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    return found


def fired_rules(ev, kb: KnowledgeBase) -> set[str]:
    """Every rule that has at least one instance in this evaluation's model."""
    fired = set()
    for predicate, rules in kb.by_head.items():
        arity = kb.vocabulary.predicates[predicate].arity
        for row in ev.ask(predicate, (None,) * arity):
            for rule, _ in instances(ev, kb, predicate, row):
                fired.add(rule.id)
            if all(r.id in fired for r in rules):
                break
    return fired


def run_scenario(scenario: Scenario, kb: KnowledgeBase, engine: Engine, coverage: bool = False) -> Result:
    """Decide the scenario's question on its own facts and compare with what it expects."""
    engine.load(kb, scenario.facts)
    expect = scenario.expect
    try:
        validate_question(scenario.question, kb, scenario.facts)
    except DecisionError as err:
        return Result(scenario, expect.get("error") == err.code, error=err.code)

    def job(ev):
        decision = decide_in(ev, kb, scenario.question, scenario.facts.version)
        if WITHHELD in expect:  # what each reader of the explanation is not shown (80_inzage.dl)
            decision.extra[WITHHELD] = sorted(
                [reader, part]
                for reader, _, part in ev.ask(kb.roles.withheld_from, (None, scenario.question.item, None)))
        # A rule behind the deciding ones is looked for only when the scenario names one.
        behind = (rules_behind(ev, kb, decision) if "error" not in expect
                  and expect["rule"] not in decision.deciding_rules else set())
        return decision, (fired_rules(ev, kb) if coverage else set()), behind

    decision, fired, behind = engine.run(scenario.question.context(), job)
    passed = ("error" not in expect and decision.outcome == expect["outcome"]
              and (WITHHELD not in expect
                   or decision.extra[WITHHELD] == sorted(map(list, expect[WITHHELD])))
              and (expect["rule"] in decision.deciding_rules or expect["rule"] in behind)
              and ("conditions" not in expect
                   or sorted(expect["conditions"]) == sorted(c.id for c in decision.conditions))
              # D6: "may X tell Y about I?" is yes for every outcome but forbidden (issue 9: without
              # this a scenario could not notice a D6 rule dropped or garbled)
              and (kb.roles.may_disclose not in kb.by_head
                   or decision.may_disclose == (decision.outcome != Outcome.FORBIDDEN)))
    return Result(scenario, passed, decision, fired=fired, behind=behind)
