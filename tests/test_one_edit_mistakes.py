"""One-edit mistakes a legal expert can make in the shipped rules, each of which must be caught.

Issue 9 began with `guides(Colleague, Pupil)` typed as `guides(Colleague, Pupl)` in B2: every check
was green while decisions flipped. Each case below copies the shipped knowledge base, makes one
such edit in one rule file, and asserts it is caught: by a checker diagnostic (an error, or a
warning that `kb check --strict` fails on) at the place of the edit, or by a scenario that now
decides differently.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from kb.cli import main
from kb.edits.mutation import scenario_fails
from kb.engine.materialized import MaterializedEngine
from kb.language.knowledge_base import DEFAULT_DIR, check_directory, copy_knowledge_base
from kb.scenarios import load_scenario, scenario_paths


@dataclass(frozen=True)
class Mistake:
    name: str
    file: str  # under kb/rules
    old: str  # must occur exactly once in the file
    new: str
    code: str = ""  # the diagnostic that catches it; "" = a scenario must catch it
    help: str = ""  # text the diagnostic's suggestion must contain
    at: str = ""  # the diagnostic is on the line where this text first occurs in the edited file


MISTAKES = [
    Mistake("issue-9 typo: guides(Colleague, Pupl)", "20_beroepsgeheim.dl",
            "    guides(Colleague, Pupil).", "    guides(Colleague, Pupl).",
            "singleton-variable", "did you mean `Pupil`", "guides(Colleague, Pupl)"),
    Mistake("typo in a variable of a negated condition", "10_hulpverleners.dl",
            "    not void_trusted_person(Holder, Pupil).", "    not void_trusted_person(Holder, Pupl).",
            "unsafe-negation", "", "not void_trusted_person(Holder, Pupl"),
    Mistake("typo in a head variable", "70_bekwaamheid.dl",
            "incapable_on(Pupil, Day) :-\n    capacity_day(Pupil, Day),\n    judged_incapable(Pupil).",
            "incapable_on(Pupl, Day) :-\n    capacity_day(Pupil, Day),\n    judged_incapable(Pupil).",
            "unsafe-head-variable", "", "incapable_on(Pupl"),
    Mistake("misspelled predicate", "10_hulpverleners.dl",
            "    not void_trusted_person(Holder, Pupil).", "    not void_trusted_persn(Holder, Pupil).",
            "unknown-predicate", "did you mean `void_trusted_person/2`", "not void_trusted_persn"),
    Mistake("misspelled constant", "10_hulpverleners.dl",
            "    learned(Holder, Item, From, school_staff).", "    learned(Holder, Item, From, school_staf).",
            "unknown-value", "did you mean `school_staff`", "school_staf)"),
    Mistake("a missing period", "70_bekwaamheid.dl",
            "    not judged_incapable(Pupil).\n\n> Jonger", "    not judged_incapable(Pupil)\n\n> Jonger",
            "syntax", "end the rule with `.`", "capable_on(Pupil, Day) :-"),
    Mistake("a deleted @source line", "70_bekwaamheid.dl",
            "@id: L3.judged_capable\n@source: L3; art. 4 DRM\n", "@id: L3.judged_capable\n",
            "missing-source", "rule `L3.judged_capable`",
            "capable_on(Pupil, Day) :-\n    capacity_day(Pupil, Day),\n    judged_capable"),
    Mistake("age limit 12 typed as 21", "70_bekwaamheid.dl",
            "years_between(Born, Day) >= 12,", "years_between(Born, Day) >= 21,"),
    Mistake("comparison turned round", "20_beroepsgeheim.dl",
            "    GivenOn > RequestedOn,\n    Client != Recipient.", "    GivenOn < RequestedOn,\n    Client != Recipient."),
    Mistake("a `not` lost", "00_beslissing.dl",
            "    not blocked(Actor, Recipient, Item),", "    blocked(Actor, Recipient, Item),"),
    Mistake("two arguments swapped", "20_beroepsgeheim.dl",
            "    guides(Colleague, Pupil).", "    guides(Pupil, Colleague)."),
    Mistake("the danger dropped from B6's exception", "30_uitzonderingen.dl",
            "    holds_professional_secrecy(Actor, Item),\n    secrecy_lapses(Item),\n    can_help_avert(Recipient, Item).",
            "    holds_professional_secrecy(Actor, Item),\n    can_help_avert(Recipient, Item)."),
    Mistake("a condition dropped from B2's colleague (leaves B1.care_provider unused)", "20_beroepsgeheim.dl",
            "    care_provider(Colleague),\n    guides(Colleague, Pupil).",
            "    guides(Colleague, Pupil).", "unreachable-rule", "remove it", "@elsewhere"),
]


def edited_copy(mistake: Mistake, directory: Path) -> Path:
    """The shipped knowledge base in `directory` with the mistake made. Returns the edited file."""
    copy_knowledge_base(directory)
    target = directory / "rules" / mistake.file
    text = target.read_text(encoding="utf-8")
    assert text.count(mistake.old) == 1, f"the shipped {mistake.file} no longer reads {mistake.old!r}"
    target.write_text(text.replace(mistake.old, mistake.new), encoding="utf-8")
    return target


def line_of(target: Path, fragment: str) -> int:
    text = target.read_text(encoding="utf-8")
    assert fragment in text, fragment
    return text.count("\n", 0, text.index(fragment)) + 1


@pytest.mark.parametrize("mistake", [m for m in MISTAKES if m.code], ids=lambda m: m.name)
def test_a_one_edit_mistake_is_reported_by_the_checker_at_its_rule(mistake, tmp_path):
    target = edited_copy(mistake, tmp_path)
    _, diagnostics = check_directory(tmp_path)
    found = [d for d in diagnostics if d.code == mistake.code]
    assert found, [f"{d.code} at {d.pos}" for d in diagnostics]
    diagnostic = found[0]
    if mistake.at != "@elsewhere":  # a mistake can make other rules wrong (here: unused)
        assert len(found) == 1 and diagnostic.pos.file == str(target)
        assert diagnostic.pos.line == line_of(target, mistake.at), diagnostic.pos
    assert mistake.help in diagnostic.suggestion + " " + diagnostic.message
    # Every such mistake fails CI: errors always, warnings under --strict.
    assert main(["--dir", str(tmp_path), "check", "--strict"]) == 1


@pytest.fixture(scope="module")
def scenario_files():
    return scenario_paths()


@pytest.mark.parametrize("mistake", [m for m in MISTAKES if not m.code], ids=lambda m: m.name)
def test_a_one_edit_mistake_the_checker_accepts_is_caught_by_a_scenario(mistake, tmp_path, scenario_files):
    from kb.language.knowledge_base import load_knowledge_base
    edited_copy(mistake, tmp_path)
    _, diagnostics = check_directory(tmp_path)
    assert diagnostics == [], "this mistake is meant to pass the checker"
    kb = load_knowledge_base(tmp_path)
    engine = MaterializedEngine()
    failing = [path for path in scenario_files if scenario_fails(load_scenario(path, kb), kb, engine)]
    assert failing, "no scenario notices this edit"


def test_the_issue_typo_says_which_variable_was_meant_and_passes_without_strict(tmp_path, capsys):
    edited_copy(MISTAKES[0], tmp_path)
    assert main(["--dir", str(tmp_path), "check"]) == 0  # a warning alone does not stop loading
    out = capsys.readouterr().out
    assert "warning[singleton-variable]: variable `Pupl` occurs only once in rule `B2.colleague`" in out
    assert "help: did you mean `Pupil`" in out
    assert "\nok, with 1 warning: " in out and "`kb check --strict`" in out
    assert main(["--dir", str(tmp_path), "check", "--strict"]) == 1


def test_a_variable_named_in_a_reading_or_starting_with_underscore_is_no_singleton(tmp_path):
    # The shipped rules use both: `GivenOn` once in the clause but in the readings, and `_From`.
    _, diagnostics = check_directory(DEFAULT_DIR)
    assert diagnostics == []


def test_a_scenario_naming_a_misspelled_rule_id_gets_a_did_you_mean(tmp_path, capsys):
    source = (Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"
              / "b02_shared_secrecy_involved_colleague.yaml")
    text = source.read_text(encoding="utf-8")
    assert text.count("rule: B2.shared_secrecy") == 1
    broken = tmp_path / "b02.yaml"
    broken.write_text(text.replace("rule: B2.shared_secrecy", "rule: B2.shared_secrecyy"), encoding="utf-8")
    assert main(["test", str(broken)]) == 1
    out = capsys.readouterr().out
    line = next(i for i, l in enumerate(broken.read_text().splitlines(), 1) if "B2.shared_secrecyy" in l)
    assert f"{broken}:{line}:" in out and "error[unknown-rule-id]: no rule has the id `B2.shared_secrecyy`" in out
    assert "help: did you mean `B2.shared_secrecy`?" in out
