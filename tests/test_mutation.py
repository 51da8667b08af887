"""`kb mutate`: mutants built from the AST, judged by the checker and the scenarios, never on disk."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from kb.cli import main
from kb.edits.allowlist import Allowed, load_allow_list
from kb.edits.mutants import mutants
from kb.edits.mutation import (EQUIVALENT, KILLED_BY_CHECKER, KILLED_BY_SCENARIO, SURVIVED, report_passes,
                               run_mutants)
from kb.language.diagnostics import KnowledgeBaseError
from kb.language.knowledge_base import DEFAULT_DIR
from kb.language.parser import parse_text
from kb.scenarios import load_scenario, scenario_paths

SCENARIOS = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"


@pytest.fixture(scope="module")
def keys(kb):
    return {m.key: m for m in mutants(kb.rules, kb.vocabulary)}


def test_every_kind_of_small_edit_is_generated(keys):
    for key in ["B2.colleague:drop-rule:rule",
                "B2.colleague:drop-condition:guides(Colleague, Pupil)",
                "B2.colleague:negate-condition:guides(Colleague, Pupil)",
                "B2.colleague:replace-variable:guides(Colleague, Pupil)[1]:Pupil->Colleague",
                "L3.presumed_capable:replace-constant:years_between(Born, Day) >= 12[right]:12->11",
                "L3.presumed_capable:replace-constant:years_between(Born, Day) >= 12[right]:12->13",
                "L3.presumed_capable:flip-comparison:years_between(Born, Day) >= 12:>=->>",
                "B1.professional_secrecy:replace-constant:learned(Holder, Item, From, clb_worker)[3]:"
                "clb_worker->school_staff",
                "B1.professional_secrecy:replace-variable:learned(Holder, Item, From, clb_worker)[0]:Holder->From",
                "D3.permitted_by_exception:negate-condition:not must_tell(Actor, Recipient, Item)"]:
        assert key in keys, key


def test_variables_are_replaced_only_by_variables_of_the_same_type(keys):
    # Item (an item) never stands in for Colleague (a person), and nothing joins a `_` variable.
    assert not [k for k in keys if k.startswith("B2.colleague:replace-variable") and "->Item" in k]
    assert not [k for k in keys if ":replace-variable:" in k and "->_" in k]


def test_names_are_only_compared_for_equality(keys):
    flips = [k for k in keys if k.startswith("B2.shared_secrecy:flip-comparison")]
    assert flips == ["B2.shared_secrecy:flip-comparison:Recipient != Actor:!=->="]


def test_keys_do_not_depend_on_lines_so_an_unrelated_edit_keeps_them(kb):
    path = DEFAULT_DIR / "rules" / "70_bekwaamheid.dl"
    text = path.read_text(encoding="utf-8")
    before, _ = parse_text(text, str(path))
    moved = "% a new comment\n\n% and another\n" + text.replace("judged_capable(Pupil),", "judged_capable(Pupil), pupil(Pupil, _S),")
    after, _ = parse_text(moved, str(path))
    old = {m.key for m in mutants(before.rules, kb.vocabulary)}
    new = {m.key for m in mutants(after.rules, kb.vocabulary)}
    untouched = {k for k in old if not k.startswith("L3.judged_capable:")}
    assert untouched and untouched <= new
    assert {m.original.pos.line for m in mutants(after.rules, kb.vocabulary)} != \
        {m.original.pos.line for m in mutants(before.rules, kb.vocabulary)}


@pytest.fixture(scope="module")
def one_scenario(kb):
    return [load_scenario(SCENARIOS / "l03_presumed_capable_at_12.yaml", kb)]


def test_a_mutant_the_checker_rejects_counts_as_killed_by_the_checker(kb, one_scenario):
    report = run_mutants(kb, one_scenario, Allowed({}), jobs=1, rule_prefix="B2.colleague")
    by_key = {r.mutant.key: r for r in report.results}
    dropped = by_key["B2.colleague:drop-condition:item_about(Item, Pupil)"]
    assert dropped.status == KILLED_BY_CHECKER and "error[unsafe-head-variable]" in dropped.detail
    later = run_mutants(kb, one_scenario, Allowed({}), jobs=1, rule_prefix="L9.made_against_the_parents")
    typo_like = {r.mutant.key: r for r in later.results}[
        "L9.made_against_the_parents:replace-variable:item_about(Item, Pupil)[1]:Pupil->Client"]
    assert typo_like.status == KILLED_BY_CHECKER and typo_like.detail == "warning[singleton-variable]"


def test_a_scenario_kills_a_mutant_that_changes_its_decision(kb, one_scenario):
    report = run_mutants(kb, one_scenario, Allowed({}), jobs=1, rule_prefix="L3.presumed_capable")
    by_key = {r.mutant.key: r for r in report.results}
    older = by_key["L3.presumed_capable:replace-constant:years_between(Born, Day) >= 12[right]:12->13"]
    assert older.status == KILLED_BY_SCENARIO and "l03_presumed_capable_at_12.yaml" in older.detail


def test_survivors_fail_the_run_until_allow_listed_and_the_allow_list_is_checked(kb, one_scenario):
    report = run_mutants(kb, one_scenario, Allowed({}), jobs=2, rule_prefix="B10.superior")
    survivors = report.survivors
    assert survivors and not report_passes(report)
    assert report.score == report.killed / len(report.results)
    allowed = Allowed({r.mutant.key: "because the test says so" for r in survivors})
    again = run_mutants(kb, one_scenario, allowed, jobs=2, rule_prefix="B10.superior")
    assert report_passes(again) and again.count(EQUIVALENT) == len(survivors)
    assert again.score == again.killed / (len(again.results) - len(survivors))
    stale = run_mutants(kb, one_scenario, Allowed({**allowed.reasons, "B10.gone:drop-rule:rule": "x"}),
                        jobs=1, rule_prefix="B10.superior")
    assert stale.stale_allowed == ["B10.gone:drop-rule:rule"] and not report_passes(stale)
    killed_key = next(r.mutant.key for r in report.results if r.status != SURVIVED)
    wrong = run_mutants(kb, one_scenario, Allowed({**allowed.reasons, killed_key: "claimed equivalent"}),
                        jobs=1, rule_prefix="B10.superior")
    assert [r.mutant.key for r in wrong.killed_allowed] == [killed_key] and not report_passes(wrong)


def test_serial_and_parallel_runs_judge_alike(kb):
    scenarios = [load_scenario(p, kb) for p in scenario_paths()]
    serial = run_mutants(kb, scenarios, Allowed({}), jobs=1, rule_prefix="L3.")
    parallel = run_mutants(kb, scenarios, Allowed({}), jobs=2, rule_prefix="L3.")
    assert [(r.mutant.key, r.status) for r in serial.results] == \
        [(r.mutant.key, r.status) for r in parallel.results]


def _tree_digest(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


def test_kb_mutate_reports_survivors_as_diffs_and_never_writes_the_rules(capsys, tmp_path):
    before = _tree_digest(DEFAULT_DIR / "rules")
    scenario = str(SCENARIOS / "l03_presumed_capable_at_12.yaml")
    empty = tmp_path / "none.yaml"
    empty.write_text("[]\n", encoding="utf-8")
    code = main(["mutate", scenario, "--rule", "L3.judged_capable", "--jobs", "1", "--allow-list", str(empty)])
    out = capsys.readouterr().out
    assert code == 1
    assert "SURVIVED: L3.judged_capable:drop-rule:rule" in out
    assert "kb/rules/70_bekwaamheid.dl:" in out and "rule L3.judged_capable (drop-rule)" in out
    assert "-     judged_capable(Pupil)," in out
    assert "score: " in out
    assert _tree_digest(DEFAULT_DIR / "rules") == before


def test_kb_mutate_json_counts_add_up(capsys):
    code = main(["mutate", "--rule", "L3.presumed_capable", "--json", "--jobs", "2"])
    report = json.loads(capsys.readouterr().out)
    assert report["total"] == report["killed"] + report["equivalent"] + report["survived"]
    assert report["killed"] == report["killed_by_checker"] + report["killed_by_scenario"]
    assert code == (0 if report["survived"] == 0 and not report["stale_allowed"] else 1)


def test_the_allow_list_needs_a_reason_for_every_entry(tmp_path):
    path = tmp_path / "eq.yaml"
    path.write_text('- key: "B2.colleague:drop-rule:rule"\n  reason: ""\n', encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as raised:
        load_allow_list(path)
    assert raised.value.diagnostics[0].code == "allow-list" and raised.value.diagnostics[0].pos.line == 1


def test_the_shipped_allow_list_loads_and_every_entry_has_a_reason():
    allowed = load_allow_list(DEFAULT_DIR / "equivalent_mutants.yaml")
    assert all(len(reason.split()) >= 5 for reason in allowed.reasons.values())


def test_a_scenario_checks_what_each_reader_is_not_shown(tmp_path, capsys):
    source = SCENARIOS / "i03_abuse_withheld_from_parents_only.yaml"
    text = source.read_text(encoding="utf-8")
    assert text.count("withheld_from: [[els, item], [els, revealed], [wim, item], [wim, revealed]]") == 1
    wrong = tmp_path / "i03_wrong.yaml"
    wrong.write_text(text.replace("[[els, item], [els, revealed], [wim, item], [wim, revealed]]", "[[els, item], [els, revealed], [wim, item]]"), encoding="utf-8")
    assert main(["test", str(source)]) == 0
    assert main(["test", str(wrong)]) == 1
    out = capsys.readouterr().out
    assert "withheld from readers [['els', 'item'], ['els', 'revealed'], ['wim', 'item']]" in out
    assert "withheld from readers [['els', 'item'], ['els', 'revealed'], ['wim', 'item'], ['wim', 'revealed']]" in out
    bad = tmp_path / "i03_bad.yaml"
    bad.write_text(text.replace("[[els, item], [els, revealed], [wim, item], [wim, revealed]]", "els"), encoding="utf-8")
    assert main(["test", str(bad)]) == 1
    assert "`withheld_from:` lists every [reader, part]" in capsys.readouterr().out
