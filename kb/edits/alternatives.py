"""`kb alternatives`: apply every documented `@alternative` literally and check that a scenario pins
the reading taken.

A rule's `@choice` is an interpretation; its `@alternative` names the reading not taken and how to
switch to it. The project holds both to two promises: the alternative is complete (applied as
written, the rules still pass the checker and give the other reading) and the choice is pinned
(some scenario decides differently under the alternative). For each alternative this module reads
its instructions (instructions.py), applies them to a copy of the rules in memory — the same way
`kb mutate` swaps a rule (mutation.py) — checks the result as `kb check --strict` would, and runs
every scenario against it. The verdict is one of:

- pinned: at least one scenario fails (its outcome, its deciding rule, its conditions or what a
  reader is withheld change);
- unpinned: every scenario still passes, so nothing pins the choice;
- not-mechanical: the instructions cannot be applied literally ("declare an input predicate …");
- breaks-check: the edited rules fail the checker (an unbound variable, an unreachable rule, …), or
  a backquoted text is not rule language;
- does-not-apply: the instructions name a condition the rule does not have, or a rule that does
  not exist (the alternative went stale when the rule was edited);
- no-alternative: a rule has a `@choice` but no `@alternative` to check it with.

Alternatives are spread over worker processes (fork), each running all the scenarios.
"""
from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import multiprocessing
import os
import time
from dataclasses import dataclass
from pathlib import Path

from ..engine.base import Engine
from ..engine.registry import DEFAULT_ENGINE, engine_factory
from ..language.ast import Annotation, Atom, Literal, Negation, Position, Rule, RuleFile
from ..language.checks import check_rules
from ..language.diagnostics import Diagnostic, did_you_mean
from ..language.knowledge_base import KnowledgeBase
from ..language.parser import parse_text
from ..paths import display_path
from ..scenarios import Scenario
from .instructions import (
    ADD_CONDITIONS,
    ADD_RULE,
    CHANGE_HEAD,
    DELETE_RULES,
    DROP_CONDITION,
    REPLACE_CONDITION,
    THIS_RULE,
    Edit,
    NotMechanical,
    Rules,
    parse_alternative,
)
from .mutants import clause_lines
from .mutation import scenario_fails

PINNED = "pinned"
UNPINNED = "unpinned"
NOT_MECHANICAL = "not-mechanical"
BREAKS_CHECK = "breaks-check"
DOES_NOT_APPLY = "does-not-apply"
NO_ALTERNATIVE = "no-alternative"
STATUSES = (PINNED, UNPINNED, NOT_MECHANICAL, BREAKS_CHECK, DOES_NOT_APPLY, NO_ALTERNATIVE)
_HEAD = "alternative_condition__"  # the head the conditions of an instruction are parsed under


@dataclass(frozen=True)
class Alternative:
    """The `@alternative:` of one rule (or, with `annotation` None, a `@choice` without one)."""

    rule: Rule
    annotation: Annotation | None

    @property
    def text(self) -> str:
        return self.annotation.value if self.annotation is not None else ""

    @property
    def where(self) -> str:
        pos = self.annotation.pos if self.annotation is not None else self.rule.pos
        return f"{display_path(pos.file)}:{pos.line}"


def alternatives_of(kb: KnowledgeBase, rule_prefix: str = "") -> list[Alternative]:
    """Every rule's `@alternative` (and every `@choice` without one), in rule order."""
    found = []
    for rule in kb.rules:
        if not rule.id.startswith(rule_prefix):
            continue
        annotation = rule.annotation("alternative")
        if annotation is not None or rule.choice:
            found.append(Alternative(rule, annotation))
    return found


class DoesNotApply(Exception):
    """An instruction that names a condition or a rule the rules do not have."""


class Unparsable(Exception):
    """Backquoted text of an instruction that is not rule language."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(diagnostics[0].message if diagnostics else "unparsable")
        self.diagnostics = diagnostics


@dataclass
class Applied:
    """The rule files with the alternative's edits made, and each touched rule before and after."""

    files: tuple[RuleFile, ...]
    changes: list[tuple[Rule | None, Rule | None]]

    @property
    def rules(self) -> list[Rule]:
        return [rule for f in self.files for rule in f.rules]

    def diff(self) -> str:
        """Each touched rule before and after, one condition a line, changed lines marked - and +."""
        out = []
        for before, after in self.changes:
            rule = after or before
            assert rule is not None
            label = "added" if before is None else "deleted" if after is None else "edited"
            out.append(f"{label} {rule.id} ({display_path(rule.pos.file)}:{rule.pos.line}):")
            old = clause_lines(before) if before is not None else []
            new = clause_lines(after) if after is not None else []
            out += [line for line in difflib.ndiff(old, new) if line.startswith(("- ", "+ ", "  "))]
        return "\n".join(out)


class _Editor:
    """The rule set being edited: the files' rules, found by id."""

    def __init__(self, kb: KnowledgeBase, alternative: Alternative):
        self.kb = kb
        self.alternative = alternative
        self.files = [list(f.rules) for f in kb.files]
        self.before: dict[str, Rule | None] = {}  # id -> the rule before the first edit (None: added)
        self.added = 0

    def find(self, rule_id: str) -> tuple[int, int] | None:
        for i, rules in enumerate(self.files):
            for j, rule in enumerate(rules):
                if rule.id == rule_id:
                    return i, j
        return None

    def current(self) -> list[Rule]:
        return [rule for rules in self.files for rule in rules]

    def select(self, ref: Rules) -> list[str]:
        """The ids of the rules a reference names, as the rules stand now."""
        ids = [rule.id for rule in self.current()]
        own = self.alternative.rule.id
        if ref.pattern == THIS_RULE:
            if own not in ids:
                raise DoesNotApply(f"{own} was deleted by an earlier step")
            return [own]
        if ref.count is not None:
            if "." in ref.pattern or "*" in ref.pattern:
                chosen = [i for i in ids if fnmatch.fnmatchcase(i, ref.pattern)]
            else:
                chosen = [r.id for r in self.current() if r.head.predicate == ref.pattern]
            if len(chosen) != ref.count:
                raise DoesNotApply(f"{ref} are {len(chosen)}, not {ref.count}"
                                   + (f": {', '.join(chosen)}" if chosen else ""))
            return chosen
        if "*" in ref.pattern:
            chosen = [i for i in ids if fnmatch.fnmatchcase(i, ref.pattern)]
            if not chosen:
                raise DoesNotApply(f"no rule's id matches `{ref.pattern}`")
            return chosen
        if ref.pattern not in ids:
            hint = did_you_mean(ref.pattern, ids)
            raise DoesNotApply(f"there is no rule {ref.pattern}" + (f" ({hint})" if hint else ""))
        return [ref.pattern]

    def targets(self, edit: Edit) -> list[str]:
        return [rule_id for ref in edit.rules for rule_id in self.select(ref)]

    def replace(self, rule_id: str, new: Rule | None) -> None:
        place = self.find(rule_id)
        assert place is not None
        i, j = place
        self.before.setdefault(rule_id, self.files[i][j])
        if new is None:
            del self.files[i][j]
        else:
            self.files[i][j] = new

    def rule(self, rule_id: str) -> Rule:
        place = self.find(rule_id)
        assert place is not None
        return self.files[place[0]][place[1]]

    def add(self, rule: Rule) -> None:
        own = self.find(self.alternative.rule.id)
        if own is None:  # this rule is gone: the new one goes where it was written
            i = next(n for n, f in enumerate(self.kb.files) if f.path == self.alternative.rule.pos.file)
            self.files[i].append(rule)
        else:
            self.files[own[0]].insert(own[1] + 1, rule)
        self.before[rule.id] = None

    def applied(self) -> Applied:
        files = tuple(dataclasses.replace(f, rules=tuple(rules)) for f, rules in zip(self.kb.files, self.files))
        now = {rule.id: rule for rules in self.files for rule in rules}
        changes = [(before, now.get(rule_id)) for rule_id, before in self.before.items()
                   if before is None or now.get(rule_id) is None or str(now[rule_id]) != str(before)]
        return Applied(files, changes)


def apply_edits(kb: KnowledgeBase, alternative: Alternative, edits: list[Edit]) -> Applied:
    """The rules with the edits made in order; DoesNotApply or Unparsable when they cannot be."""
    editor = _Editor(kb, alternative)
    for edit in edits:
        if edit.kind == DELETE_RULES:
            for rule_id in editor.targets(edit):
                editor.replace(rule_id, None)
        elif edit.kind == ADD_RULE:
            editor.add(_new_rule(alternative, edit.code[0], editor.added))
            editor.added += 1
        elif edit.kind == CHANGE_HEAD:
            head = _parse_clause(alternative, edit.code[0]).head
            for rule_id in editor.targets(edit):
                editor.replace(rule_id, dataclasses.replace(editor.rule(rule_id), head=head))
        else:
            for rule_id in editor.targets(edit):
                editor.replace(rule_id, _edit_body(editor.rule(rule_id), edit, alternative))
    return editor.applied()


def _edit_body(rule: Rule, edit: Edit, alternative: Alternative) -> Rule:
    body = list(rule.body)
    written = [str(lit) for lit in body]
    if edit.kind == ADD_CONDITIONS:
        for code in edit.code:
            for literal in _parse_conditions(alternative, code):
                if str(literal) in written:
                    raise DoesNotApply(f"`{literal}` is already a condition of {rule.id}")
                body.append(literal)
                written.append(str(literal))
        return dataclasses.replace(rule, body=tuple(body))
    if edit.kind == DROP_CONDITION:
        for code in edit.code:
            for literal in _parse_conditions(alternative, code):
                if str(literal) not in written:
                    raise DoesNotApply(_not_a_condition(literal, rule))
                index = written.index(str(literal))
                del body[index], written[index]
        return dataclasses.replace(rule, body=tuple(body))
    assert edit.kind == REPLACE_CONDITION, edit.kind
    olds = _parse_conditions(alternative, edit.code[0])
    new = _parse_conditions(alternative, edit.new)
    if len(olds) != 1:
        raise DoesNotApply(f"`{edit.code[0]}` is not one condition to replace")
    old = olds[0]
    if str(old) in written:
        index = written.index(str(old))
        return dataclasses.replace(rule, body=tuple(body[:index] + new + body[index + 1:]))
    atom = new[0] if len(new) == 1 and isinstance(new[0], Atom) else None
    if isinstance(old, Atom) and f"not {old}" in written and atom is not None:
        # `replace `a(X)` by `b(X)`` in a rule that says `not a(X)`: the text is replaced where it is written
        index = written.index(f"not {old}")
        return dataclasses.replace(rule, body=tuple(body[:index] + [Negation(atom, body[index].pos)]
                                                    + body[index + 1:]))
    if str(old) == str(rule.head) and atom is not None:
        return dataclasses.replace(rule, head=atom)
    raise DoesNotApply(_not_a_condition(old, rule))


def _not_a_condition(literal: Literal, rule: Rule) -> str:
    hint = did_you_mean(str(literal), [str(lit) for lit in rule.body])
    return f"`{literal}` is not a condition of {rule.id}" + (f" ({hint})" if hint else "")


def _code_position(alternative: Alternative, code: str) -> tuple[int, int]:
    """(line, column) where the backquoted text is written in the `@alternative:` line."""
    ann = alternative.annotation
    assert ann is not None
    offset = ann.value.find(code)
    return ann.pos.line, ann.value_column + max(offset, 0)


def _parse(alternative: Alternative, text: str, line: int, column: int) -> Rule:
    """Parse `text` (one clause) as if written at line and column of the rule file, so that the
    checker's diagnostics point into the `@alternative:` line."""
    prefix = "\n" * (line - 1) + " " * (column - 1)
    parsed, diagnostics = parse_text(prefix + text, alternative.rule.pos.file)
    if diagnostics:
        raise Unparsable(diagnostics)
    if len(parsed.rules) != 1:
        raise Unparsable([Diagnostic(Position(alternative.rule.pos.file, line, column), "syntax",
                                     f"`{text}` is not one clause")])
    return parsed.rules[0]


def _parse_conditions(alternative: Alternative, code: str) -> list[Literal]:
    """The conditions backquoted in an instruction (`not blocked(A, R, I)`, `GivenOn <= Today`)."""
    line, column = _code_position(alternative, code)
    if line > 1:  # the head on the line above, the conditions where they are written
        prefix = "\n" * (line - 2) + f"{_HEAD}(x) :-\n" + " " * (column - 1)
        parsed, diagnostics = parse_text(prefix + code + ".", alternative.rule.pos.file)
        if diagnostics:
            raise Unparsable(diagnostics)
        return list(parsed.rules[0].body)
    return list(_parse(alternative, f"{_HEAD}(x) :- {code}.", line, column).body)


def _parse_clause(alternative: Alternative, code: str) -> Rule:
    line, column = _code_position(alternative, code)
    return _parse(alternative, code if code.rstrip().endswith(".") else code + ".", line, column)


def _new_rule(alternative: Alternative, code: str, number: int) -> Rule:
    """The clause an alternative adds, with an id, the source and readings of the rule it belongs to."""
    clause = _parse_clause(alternative, code)
    own = alternative.rule
    ann = alternative.annotation
    assert ann is not None
    rule_id = f"{own.id}.alternative" + (f"{number + 1}" if number else "")
    annotations = tuple(Annotation(key, value, ann.pos, ann.value_column) for key, value in (
        ("id", rule_id), ("source", own.source),
        ("nl", f"(het alternatief van {own.id})"), ("en", f"(the alternative of {own.id})")))
    return dataclasses.replace(clause, annotations=annotations, heading=own.heading,
                               legal_text=own.legal_text)


@dataclass(frozen=True)
class Failure:
    """A scenario that decides differently under the alternative."""

    path: str
    why: str

    @property
    def name(self) -> str:
        return Path(self.path).stem


@dataclass(frozen=True)
class AlternativeResult:
    rule_id: str
    where: str  # file:line of the @alternative (of the rule, for a @choice without one)
    text: str
    status: str
    edits: tuple[str, ...] = ()
    diff: str = ""
    detail: str = ""  # why not mechanical, why it does not apply
    diagnostics: tuple[Diagnostic, ...] = ()
    failures: tuple[Failure, ...] = ()


@dataclass
class Report:
    results: list[AlternativeResult]
    seconds: float
    jobs: int
    scenarios: int = 0

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def not_pinned(self) -> list[AlternativeResult]:
        return [r for r in self.results if r.status != PINNED]


class _Run:
    """What every worker needs, built once in the parent and inherited through fork."""

    def __init__(self, kb: KnowledgeBase, scenarios: list[Scenario], todo: list[Alternative], engine: str):
        self.kb = kb
        self.scenarios = scenarios
        self.todo = todo
        self.engine_name = engine
        self.baseline = set(check_rules(list(kb.rules), kb.vocabulary))
        self.engine: Engine | None = None

    def judge(self, index: int) -> AlternativeResult:
        alternative = self.todo[index]
        base = AlternativeResult(alternative.rule.id, alternative.where, alternative.text, status="")
        if alternative.annotation is None:
            return dataclasses.replace(base, status=NO_ALTERNATIVE,
                                     detail="the rule has a @choice but no @alternative to check it with")
        edits = parse_alternative(alternative.text)
        if isinstance(edits, NotMechanical):
            return dataclasses.replace(base, status=NOT_MECHANICAL, detail=f"{edits.reason}: “{edits.words}”")
        steps = tuple(map(str, edits))
        try:
            applied = apply_edits(self.kb, alternative, edits)
        except DoesNotApply as err:
            return dataclasses.replace(base, status=DOES_NOT_APPLY, edits=steps, detail=str(err))
        except Unparsable as err:
            return dataclasses.replace(base, status=BREAKS_CHECK, edits=steps, diagnostics=tuple(err.diagnostics))
        diagnostics = tuple(d for d in check_rules(applied.rules, self.kb.vocabulary) if d not in self.baseline)
        if any(d.is_error for d in diagnostics):
            return dataclasses.replace(base, status=BREAKS_CHECK, edits=steps, diff=applied.diff(),
                                     diagnostics=diagnostics)
        kb = KnowledgeBase(self.kb.vocabulary, applied.files, f"alternative:{alternative.rule.id}",
                           self.kb.sources, self.kb.conditions)
        if self.engine is None:
            self.engine = engine_factory(self.engine_name)()
        failures = []
        for scenario in self.scenarios:
            why = scenario_fails(scenario, kb, self.engine)
            if why:
                failures.append(Failure(scenario.path, why))
        # With warnings only (`kb check --strict` fails, the rules load) the scenarios still say
        # whether the alternative is pinned, which the report shows beside the warnings.
        status = BREAKS_CHECK if diagnostics else PINNED if failures else UNPINNED
        return dataclasses.replace(base, status=status, edits=steps, diff=applied.diff(),
                                 diagnostics=diagnostics, failures=tuple(failures))


_RUN: _Run | None = None


def _judge(index: int) -> AlternativeResult:
    assert _RUN is not None
    return _RUN.judge(index)


def run_alternatives(kb: KnowledgeBase, scenarios: list[Scenario], *, jobs: int | None = None,
                     rule_prefix: str = "", engine: str = DEFAULT_ENGINE) -> Report:
    """Judge the alternative of every rule whose id starts with `rule_prefix`."""
    global _RUN
    todo = alternatives_of(kb, rule_prefix)
    jobs = max(1, jobs or os.cpu_count() or 1)
    started = time.perf_counter()
    _RUN = _Run(kb, scenarios, todo, engine)
    try:
        if jobs == 1 or len(todo) < 2:
            results = [_RUN.judge(i) for i in range(len(todo))]
        else:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                results = pool.map(_judge, range(len(todo)), chunksize=1)
    finally:
        _RUN = None
    return Report(results, time.perf_counter() - started, jobs, len(scenarios))


_SHOWN_NAMES = 3


def verdict(result: AlternativeResult) -> str:
    """The one line said about an alternative, after its place and rule id."""
    if result.status == PINNED:
        names = [f.name for f in result.failures]
        return (f"pinned by {len(names)} scenario(s): {', '.join(names[:_SHOWN_NAMES])}"
                + (", …" if len(names) > _SHOWN_NAMES else ""))
    if result.status == UNPINNED:
        return "UNPINNED: every scenario passes with the alternative applied; add one that pins the choice"
    if result.status == NOT_MECHANICAL:
        return f"NOT MECHANICAL: {result.text}"
    if result.status == DOES_NOT_APPLY:
        return f"DOES NOT APPLY: {result.detail}"
    if result.status == NO_ALTERNATIVE:
        return f"NO ALTERNATIVE: {result.detail}"
    first = result.diagnostics[0]
    more = len(result.diagnostics) - 1
    line = f"BREAKS CHECK: {first.severity}[{first.code}]: {first.message}" + (f" (and {more} more)" if more else "")
    if not any(d.is_error for d in result.diagnostics):  # warnings only: the scenarios were run
        line += ("; with the warnings ignored, " + (f"pinned by {len(result.failures)} scenario(s)"
                                                    if result.failures else "UNPINNED"))
    return line


def _indented(text: str) -> list[str]:
    return ["    " + line for line in text.splitlines()]


def render_report(report: Report, verbose: bool = False) -> str:
    """One line per alternative; under those not pinned (under every one with `verbose`) what to look at."""
    out = []
    for result in report.results:
        out.append(f"{result.where}: {result.rule_id}: {verdict(result)}")
        if result.status == PINNED and not verbose:
            continue
        if verbose or result.status in (NOT_MECHANICAL, DOES_NOT_APPLY):
            if result.status == NOT_MECHANICAL:
                out.append(f"    {result.detail}")
            elif result.edits:
                out += [f"    step: {step}" for step in result.edits]
        if result.diff and result.status in (UNPINNED, BREAKS_CHECK) or (verbose and result.diff):
            out += _indented(result.diff)
        if result.diagnostics:
            out += _indented("\n".join(_shown(d) for d in result.diagnostics))
        if verbose:
            out += [f"    fails {f.path}: {f.why}" for f in result.failures]
    out.append("-" * 60)
    total = len(report.results)
    counts = ", ".join(f"{status.replace('-', ' ')} {report.count(status)}" for status in STATUSES
                       if report.count(status) or status in (PINNED, UNPINNED, NOT_MECHANICAL, BREAKS_CHECK))
    out.append(f"alternatives: {total} — {counts}")
    out.append(f"{report.scenarios} scenarios against each; {report.seconds:.1f} s on {report.jobs} process(es)")
    return "\n".join(out)



def _shown(diagnostic: Diagnostic) -> str:
    """The diagnostic with its source line, the file named as in the one-line verdicts."""
    pos = dataclasses.replace(diagnostic.pos, file=display_path(diagnostic.pos.file))
    return dataclasses.replace(diagnostic, pos=pos).render(_source_lines(diagnostic.pos.file))


def _source_lines(path: str) -> list[str] | None:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None


def report_json(report: Report) -> dict:
    return {
        "total": len(report.results),
        **{status.replace("-", "_"): report.count(status) for status in STATUSES},
        "scenarios": report.scenarios, "seconds": round(report.seconds, 2), "jobs": report.jobs,
        "alternatives": [{"rule": r.rule_id, "where": r.where, "text": r.text, "status": r.status,
                          "edits": list(r.edits), "detail": r.detail, "diff": r.diff,
                          "diagnostics": [d.as_dict() for d in r.diagnostics],
                          "failing_scenarios": [{"path": f.path, "why": f.why} for f in r.failures]}
                         for r in report.results],
    }


def report_passes(report: Report) -> bool:
    """Every alternative applies literally, passes the checker and is pinned by a scenario."""
    return not report.not_pinned

