"""`kb diff`: the rules that changed and exactly the decisions that flip, with their cause."""
from __future__ import annotations

import datetime
import itertools
import json
from pathlib import Path

import pytest

from kb.cli import main
from kb.decide import Question, decide_in, validate_question, DecisionError
from kb.edits.impact import ImpactRun, dependents, depends_on, rule_changes
from kb.engine.pydatalog_engine import PyDatalogEngine
from kb.facts.fixtures import load_fact_file
from kb.language.knowledge_base import DEFAULT_DIR, copy_knowledge_base, load_knowledge_base

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "service" / "seed_facts.yaml"
DAY = datetime.date(2026, 11, 2)
# B2 "involved in the guidance": the one-condition removal tested (the need-to-know condition the
# issue names is no longer a stored precondition of B2 since issue 8).
INVOLVED = "    care_provider(Colleague),\n    guides(Colleague, Pupil).\n"


def copy_kb(target: Path) -> Path:
    return copy_knowledge_base(target)


def without_involvement(target: Path) -> Path:
    """A copy of the shipped rules with B2.colleague's condition `guides(Colleague, Pupil)` removed."""
    copy_kb(target)
    path = target / "rules" / "20_beroepsgeheim.dl"
    text = path.read_text(encoding="utf-8")
    assert text.count(INVOLVED) == 1, "B2.colleague changed; pick another one-condition removal"
    path.write_text(text.replace(INVOLVED, "    care_provider(Colleague).\n"), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def kbs(tmp_path_factory):
    return load_knowledge_base(DEFAULT_DIR), load_knowledge_base(without_involvement(tmp_path_factory.mktemp("b2")))


def test_the_changed_rule_is_named_with_its_kind(kbs):
    old, new = kbs
    assert [(c.rule_id, c.kind) for c in rule_changes(old, new)] == [("B2.colleague", "clause-changed")]
    assert rule_changes(old, old) == []


def test_dependencies_run_down_from_the_deciding_rules(kb):
    assert {"B2.shared_secrecy", "B2.colleague", "B1.care_provider"} <= depends_on(kb, ["D4.permitted_by_ground"])
    assert "D4.permitted_by_ground" not in depends_on(kb, ["B2.shared_secrecy"])
    assert "B2.shared_secrecy" in dependents(kb, "B2.colleague")
    assert "D4.permitted_by_ground" in dependents(kb, "B3.consent")


def brute_force_flips(old, new, facts, day):
    """Every (actor, recipient, item) of the fact set decided on both rule sets by the reference
    engine: an independent count of what must flip."""
    people = sorted(facts.entities(old.vocabulary)["person"], key=str)
    items = sorted(facts.entities(old.vocabulary)["item"], key=str)
    answers = []
    for kb in (old, new):
        engine = PyDatalogEngine()
        try:
            engine.load(kb, facts)
            found = {}
            for actor, recipient, item in itertools.product(people, people, items):
                if actor == recipient:
                    continue
                q = Question(actor, recipient, item, day)
                try:
                    validate_question(q, kb, facts)
                except DecisionError:
                    continue
                found[(actor, recipient, item)] = engine.run(q.context(), lambda ev: decide_in(ev, kb, q)).outcome
            answers.append(found)
        finally:
            engine.close()
    return {k: (answers[0][k], answers[1][k]) for k in answers[0] if answers[0][k] != answers[1][k]}


def test_the_population_lists_exactly_the_decisions_that_flip(kbs):
    old, new = kbs
    facts = load_fact_file(SEED, old.vocabulary)
    run = ImpactRun(old, new)
    run.population(facts, DAY)
    got = {(f.question.actor, f.question.recipient, f.question.item): (f.old_outcome, f.new_outcome)
           for f in run.impact.flips}
    expected = brute_force_flips(old, new, facts, DAY)
    # carl is a CLB worker who does not guide Lena: without the condition he shares the secret.
    assert expected == {("ann", "carl", "i_abuse_signal"): ("forbidden", "permitted"),
                        ("ann", "carl", "i_home_situation"): ("forbidden", "permitted")}
    assert got == expected
    for flip in run.impact.flips:
        assert flip.caused_by == ("B2.colleague",)
        # an item revealing abuse reaches the colleague by the duty to act (B9), the others by B2
        assert flip.old_rules == ("D5.forbidden",)
        assert {"B2.shared_secrecy", "B9.signal_involved_colleague"} & set(flip.new_rules)


def test_the_scenarios_that_flip_are_those_about_involvement(kbs):
    old, new = kbs
    run = ImpactRun(old, new)
    run.scenarios(sorted((ROOT / "fixtures" / "scenarios").glob("*.yaml")))
    flipped = {Path(f.ref).name for f in run.impact.flips}
    assert "b02_colleague_not_involved.yaml" in flipped
    assert all(f.caused_by == ("B2.colleague",) for f in run.impact.flips)
    assert run.impact.asked["scenario"] == len(list((ROOT / "fixtures" / "scenarios").glob("*.yaml")))


def test_kb_diff_on_the_demo_population_names_each_flip_and_its_cause(kbs, tmp_path, capsys):
    new_dir = without_involvement(tmp_path / "new")
    assert main(["diff", str(DEFAULT_DIR), str(new_dir), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["changed_rules"] == [{"id": "B2.colleague", "change": "clause-changed",
                                        "where": report["changed_rules"][0]["where"]}]
    population = [f for f in report["flips"] if f["source"] == "population"]
    assert population and report["questions"]["population"] > len(population)
    demo = load_fact_file(ROOT / "fixtures" / "demo" / "facts.yaml", kbs[0].vocabulary)
    clb_workers = {f.args[0] for f in demo.of("clb_worker")}
    for flip in population:
        assert (flip["old"]["outcome"], flip["new"]["outcome"]) == ("forbidden", "permitted")
        assert {"B2.shared_secrecy", "B9.signal_involved_colleague"} & set(flip["new"]["deciding_rules"])
        assert flip["caused_by"] == ["B2.colleague"]
        assert flip["question"]["recipient"] in clb_workers and flip["question"]["at"] == "2026-11-28"
    assert main(["diff", str(DEFAULT_DIR), str(new_dir)]) == 0
    text = capsys.readouterr().out
    assert "clause-changed  B2.colleague" in text
    assert text.startswith(f"{len(report['flips'])} decisions change their outcome")


def test_kb_diff_refuses_a_rule_set_that_fails_its_checks_and_compares_nothing(tmp_path, capsys):
    broken = copy_kb(tmp_path / "broken")
    path = broken / "rules" / "20_beroepsgeheim.dl"
    path.write_text(path.read_text(encoding="utf-8").replace("    guides(Colleague, Pupil).",
                                                             "    guides(Colleague, Pupil)"), encoding="utf-8")
    assert main(["diff", str(DEFAULT_DIR), str(broken), "--json"]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert "the rules fail their checks" in out.err and "error[syntax]" in out.err
    assert "20_beroepsgeheim.dl:" in out.err


def test_kb_diff_between_two_git_revisions_of_the_same_rules_changes_nothing(capsys):
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    assert main(["diff", "--rev", "HEAD", "--rev", "HEAD", "--no-population", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["changed_rules"] == [] and report["flips"] == []
    assert main(["diff", "--rev", "HEAD", "--rev", "no-such-revision", "--no-population"]) == 1
    assert "git cannot read kb" in capsys.readouterr().err


def test_kb_diff_never_creates_a_decision_log_or_passes_an_option_to_git(tmp_path, capsys):
    missing = tmp_path / "none.db"
    assert main(["diff", str(DEFAULT_DIR), str(DEFAULT_DIR), "--no-population", "--no-scenarios",
                 "--db", f"sqlite:///{missing}"]) == 2
    assert not missing.exists() and "no decision log" in capsys.readouterr().err
    target = tmp_path / "written"
    assert main(["diff", f"--rev=--output={target}", "--rev", "HEAD", "--no-population"]) == 1
    assert not target.exists() and "is not a git revision" in capsys.readouterr().err
