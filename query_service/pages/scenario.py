"""The scenario form's logic, free of Flask: read the form, check it, decide and explain.

Facts are written as in the fixture files and parsed with the same code (`load_yaml` keeps every
fact's line, `facts_from_data` checks it against the vocabulary), so a problem names its line and
column. A try-out never touches the stored fact base or the decision log:

- `scenario` mode decides on the entered facts alone, in an engine of its own that lives for one
  request;
- `stored` mode (or no facts entered) decides on the stored fact base, with the entered facts as
  hypothetical facts, which the engine confines to that one evaluation.
"""
from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from dataclasses import dataclass

import yaml

from kb.decide import DEFAULT_SETTING, DecisionError, Question
from kb.facts.fixtures import facts_from_data
from kb.facts.model import Fact, FactSet
from kb.language.knowledge_base import KnowledgeBase
from kb.language.yamlpos import error_position, load_yaml
from kb.paths import ROOT
from kb.workspace import Workspace

SOURCE = "try-out"  # the "file" name that facts' origins and positions carry
SCENARIO_VERSION = "try-out"
MODES = ("scenario", "stored")
QUESTION_FIELDS = ("actor", "recipient", "item")
EXAMPLE = ROOT / "fixtures" / "scenarios" / "b01_clb_worker_needs_ground_to_tell_teacher.yaml"


@dataclass
class Problem:
    """One thing wrong with the form: the field, the message, and for facts where it was written."""

    field: str
    message: str
    line: int | None = None
    column: int | None = None
    suggestion: str = ""
    code: str = ""  # a label key the page translates (with `values`), else the message is shown as is
    values: dict = dataclasses.field(default_factory=dict)


@dataclass
class TryForm:
    facts: str = ""
    mode: str = "scenario"
    actor: str = ""
    recipient: str = ""
    item: str = ""
    at: str = ""
    setting: str = DEFAULT_SETTING
    problems: list[Problem] = dataclasses.field(default_factory=list)
    parsed: list[Fact] = dataclasses.field(default_factory=list)  # the facts read from `facts`

    @classmethod
    def read(cls, form) -> TryForm:
        """The form's fields as sent (stripped); nothing is checked yet."""
        mode = form.get("mode", "scenario")
        return cls(facts=form.get("facts", ""), mode=mode if mode in MODES else "scenario",
                   **{name: (form.get(name) or "").strip() for name in (*QUESTION_FIELDS, "at", "setting")})

    def source_line(self, line: int | None) -> str:
        """The facts text's line `line` (1-based), to show beside a problem."""
        lines = self.facts.splitlines()
        return lines[line - 1] if line and 0 < line <= len(lines) else ""


def example() -> TryForm:
    """The form filled in with a shipped scenario (B1: a CLB worker needs a ground to tell a teacher)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    lines = text.splitlines()
    start = lines.index("facts:") + 1
    block = []
    for line in lines[start:]:
        if line and not line.startswith(" "):
            break
        block.append(line[2:])
    question = data["question"]
    return TryForm(facts="\n".join(block).strip("\n") + "\n", actor=question["actor"],
                   recipient=question["recipient"], item=question["item"], at=str(question["at"]))


def parse_facts(text: str, kb: KnowledgeBase) -> tuple[list[Fact], list[Problem]]:
    """The facts written in `text` (YAML, fixture form), or the problems with their positions."""
    if not text.strip():
        return [], []
    try:
        data = load_yaml(text, SOURCE)
    except yaml.YAMLError as err:
        pos = error_position(err, SOURCE)
        return [], [Problem("facts", f"not valid YAML: {getattr(err, 'problem', None) or err}", pos.line, pos.column)]
    except TypeError:  # a list or mapping used as a key: `[a]: b` parses but cannot be a dict key
        return [], [Problem("facts", "not a list of facts: a key must be a predicate name", 1, 1)]
    if isinstance(data, dict) and "facts" in data:
        data = data["facts"]
    elif isinstance(data, dict):
        pos = data.pos
        return [], [Problem("facts", "write each fact as a list item that starts with `- `, "
                                     "e.g. `- clb_worker: [ann]`", pos.line, pos.column)]
    facts, diagnostics = facts_from_data(data, kb.vocabulary, SOURCE)
    problems = [Problem("facts", d.message, d.pos.line, d.pos.column, d.suggestion) for d in diagnostics]
    # facts_from_data names each fact's origin after a file path; here it is the form, by line.
    facts = [dataclasses.replace(f, origin=f"{SOURCE}:{f.origin.rsplit(':', 1)[-1]}") for f in facts]
    return facts, problems


def question_of(form: TryForm, kb: KnowledgeBase, facts: list[Fact]) -> tuple[Question | None, list[Problem]]:
    """The question the form asks, or the problems with its fields."""
    problems = [Problem(name, "", code="required", values={"field": name}) for name in QUESTION_FIELDS
                if not getattr(form, name)]
    at = datetime.date.today()
    if form.at:
        try:
            at = datetime.date.fromisoformat(form.at)
        except ValueError:
            problems.append(Problem("at", "", code="bad_date", values={"value": form.at}))
    settings = kb.vocabulary.types["setting"].values or ()
    if form.setting not in settings:
        problems.append(Problem("setting",
                                f"`{form.setting}` is not a setting; the settings are {', '.join(settings)}"))
    if problems:
        return None, problems
    hypothetical = tuple(facts) if form.mode == "stored" else ()
    return Question(form.actor, form.recipient, form.item, at, form.setting, hypothetical), []


def _decision_problem(err: DecisionError) -> Problem:
    return Problem(err.field, err.message, suggestion=err.suggestion)


def try_out(form: TryForm, workspace: Workspace, sync: Callable[[], None]) -> dict | None:
    """Decide and explain the form's question; None when the form has problems (in form.problems).

    `sync` brings the workspace up to the stored fact base first; a scenario is decided in a one-off
    engine of the workspace's kind (Workspace.explain_on)."""
    kb = workspace.kb  # one knowledge base for parsing and deciding, even if the rules are reloaded meanwhile
    facts, form.problems = parse_facts(form.facts, kb)
    form.parsed = facts
    question, question_problems = question_of(form, kb, facts)
    form.problems += question_problems
    if form.problems:
        return None
    try:
        if form.mode == "scenario" and facts:
            return workspace.explain_on(kb, FactSet(facts, SCENARIO_VERSION), question, remedies=True)
        sync()
        return workspace.explain(question, remedies=True)
    except DecisionError as err:
        form.problems.append(_decision_problem(err))
        return None
