"""The `kb` command line as people who know `opa` expect it, through its entry point: `--format json`
on check/test/decide, `kb test --run`, `kb --version`, `kb decide --hypothetical`, `kb audience`,
`kb replay`, help text on every option, and `kb golden` on a scenario without golden texts."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from kb.cli import build_parser, main

HERE = Path(__file__).resolve().parent
FACTS = str(HERE / "service" / "seed_facts.yaml")
SCENARIOS = HERE.parent / "fixtures" / "scenarios"
DAY = "2026-11-02"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version_names_the_package_and_the_rules(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    out = capsys.readouterr().out
    assert stop.value.code == 0
    assert re.fullmatch(r"kb \d+\.\d+\.\d+; rules [0-9a-f]{16} \(\d+ rules in .*\)\n", out)


def test_check_format_json_is_the_diagnostics(capsys, tmp_path):
    broken = tmp_path / "kb"
    shutil.copytree(HERE.parent / "kb" / "rules", broken / "rules")
    for name in ("vocabulary.yaml", "conditions.yaml"):
        shutil.copy(HERE.parent / "kb" / name, broken / name)
    rule = broken / "rules" / "20_beroepsgeheim.dl"
    rule.write_text(rule.read_text(encoding="utf-8").replace("guides(", "guidez(", 1), encoding="utf-8")
    code, out, _ = run(capsys, "check", "--dir", str(broken), "--format", "json")
    found = json.loads(out)
    assert code == 1 and found[0]["code"] == "unknown-predicate" and found[0]["line"] > 0
    assert run(capsys, "check", "--dir", str(broken), "--json")[1] == out  # the old flag, the same output


def test_test_run_picks_scenarios_by_pattern_and_reports_json(capsys):
    code, out, _ = run(capsys, "test", "--run", "^b04_request_toward_school", "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["total"] == 3 == report["passed"]
    assert all(Path(r["path"]).stem.startswith("b04_request_toward_school") for r in report["results"])
    first = report["results"][0]
    assert first["expected"]["outcome"] == first["actual"]["outcome"]
    assert first["expected"]["rule"] in first["actual"]["deciding_rules"]


def test_test_json_reports_a_failure_with_exit_1(capsys, tmp_path):
    wrong = tmp_path / "b02_wrong.yaml"
    text = (SCENARIOS / "b04_request_toward_school_keeps_shared_secrecy.yaml").read_text(encoding="utf-8")
    wrong.write_text(text.replace("expect: {outcome: permitted", "expect: {outcome: forbidden"), encoding="utf-8")
    code, out, _ = run(capsys, "test", str(wrong), "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["failed"] == 1
    assert report["results"][0]["actual"]["outcome"] == "permitted" and not report["results"][0]["passed"]


def test_test_run_matching_nothing_is_an_error_not_an_empty_pass(capsys):
    code, _, err = run(capsys, "test", "--run", "no_such_scenario_anywhere")
    assert code == 2 and "matches --run" in err
    assert run(capsys, "test", "--run", "(")[0] == 2


def test_decide_format_json_and_hypothetical_facts(capsys, tmp_path):
    code, out, _ = run(capsys, "decide", "ann", "tine", "i_home_situation", "--at", DAY, "--facts", FACTS,
                       "--format", "json")
    before = json.loads(out)
    assert code == 0 and before["outcome"] == "forbidden" and before["deciding_rules"] == ["D5.forbidden"]
    what_if = tmp_path / "what_if.yaml"
    what_if.write_text("facts:\n  - consent: [lena, i_home_situation, tine, 2026-10-01]\n", encoding="utf-8")
    _, out, _ = run(capsys, "decide", "ann", "tine", "i_home_situation", "--at", DAY, "--facts", FACTS,
                    "--hypothetical", str(what_if), "--format", "json")
    after = json.loads(out)
    assert after["outcome"] == "permitted" and "B3.consent" in after["deciding_rules"]
    assert after["question"]["hypothetical"] == [
        {"predicate": "consent", "args": ["lena", "i_home_situation", "tine", "2026-10-01"], "from": None,
         "until": None}]
    _, text, _ = run(capsys, "decide", "ann", "tine", "i_home_situation", "--at", DAY, "--facts", FACTS,
                     "--hypothetical", str(what_if))
    assert text.startswith("permitted") and "what-if (this question only): consent(lena, i_home_situation" in text


def test_decide_hypothetical_file_with_a_bad_fact_is_a_diagnostic(capsys, tmp_path):
    what_if = tmp_path / "what_if.yaml"
    what_if.write_text("facts:\n  - consnt: [lena, i_home_situation, tine, 2026-10-01]\n", encoding="utf-8")
    code, out, err = run(capsys, "decide", "ann", "tine", "i_home_situation", "--facts", FACTS,
                         "--hypothetical", str(what_if))
    assert code == 1 and out == "" and f"{what_if}:2:" in err and "consent" in err


def test_audience_lists_each_recipient_with_its_reading(capsys):
    code, out, _ = run(capsys, "audience", "ann", "i_home_situation", "--at", DAY, "--facts", FACTS,
                       "--format", "json", "--lang", "nl")
    listed = {a["recipient"]: a for a in json.loads(out)["audience"]}
    assert code == 0 and set(listed) == {"bert", "lena", "tom"}
    assert "B2.shared_secrecy" in listed["bert"]["deciding_rules"]
    assert listed["bert"]["reading"].startswith("ann mag i_home_situation delen met bert")
    assert "{" not in listed["lena"]["reading"] and "dossier van lena" in listed["lena"]["reading"]
    code, _, err = run(capsys, "audience", "ann", "i_homesituation", "--facts", FACTS)
    assert code == 2 and "did you mean `i_home_situation`?" in err


def test_every_option_has_help_text():
    parser = build_parser()
    missing = []
    for sub in parser._subparsers._group_actions[0].choices.values():
        actions = list(sub._actions)
        for nested in (a for a in actions if a.__class__.__name__ == "_SubParsersAction"):
            actions += [x for p in nested.choices.values() for x in p._actions]
        missing += [f"{sub.prog} {a.option_strings or a.dest}" for a in actions
                    if not a.help and a.dest not in ("help",) and a.__class__.__name__ != "_SubParsersAction"]
    assert not missing, missing


def test_golden_for_a_new_scenario_says_there_is_no_golden_text_yet(capsys, tmp_path):
    new = tmp_path / "zz_brand_new_scenario.yaml"
    shutil.copy(SCENARIOS / "b04_request_toward_school_keeps_shared_secrecy.yaml", new)
    code, out, _ = run(capsys, "golden", str(new))
    assert code == 1
    assert out.splitlines()[0] == f"{new}: no golden text yet — `kb golden --update` writes it"
    assert "@@" not in out  # no diff against nothing
