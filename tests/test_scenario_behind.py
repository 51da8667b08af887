"""A scenario may say "forbidden because of this block": its `rule:` may name a rule behind the
deciding ones (kb/decide.py `rules_behind`), and the golden explanation texts change only where a
rule edit changes them. On the small knowledge base of tests/tiny_kb.py, not the shipped rules."""
from __future__ import annotations

import pytest
from tiny_kb import block_inside_the_ground, edit_rule, write_scenario, write_tiny_kb

from kb.cli import main
from kb.engine.registry import REFERENCE_ENGINE, engine_factory
from kb.golden import compare_or_update
from kb.language.knowledge_base import load_knowledge_base
from kb.scenarios import load_scenario, run_scenario

TOM = "{actor: tine, recipient: tom, item: i_home, at: 2026-11-02}"


@pytest.fixture()
def kept_from(tmp_path):
    """The tiny rules with the confidentiality request written as a `not` inside the circle ground
    (B4.kept_from), not as a `blocked` rule: tine may not tell tom about i_home, and no deciding
    rule says why."""
    directory = write_tiny_kb(tmp_path / "kb")
    block_inside_the_ground(directory)
    return directory


def run(directory, scenario):
    kb = load_knowledge_base(directory)
    engine = engine_factory("materialized")()
    try:
        return run_scenario(load_scenario(scenario, kb), kb, engine)
    finally:
        engine.close()


def test_a_scenario_may_name_the_block_inside_a_ground_that_decided(kept_from, tmp_path):
    scenario = write_scenario(tmp_path / "s" / "kept.yaml", TOM, "{outcome: forbidden, rule: B4.kept_from}")
    result = run(kept_from, scenario)
    assert result.decision.deciding_rules == ("D5.forbidden",)
    assert result.passed and "B4.kept_from" in result.behind


def test_the_decision_rule_itself_still_passes_and_a_rule_that_did_not_decide_fails(kept_from, tmp_path):
    named = write_scenario(tmp_path / "s" / "d5.yaml", TOM, "{outcome: forbidden, rule: D5.forbidden}")
    assert run(kept_from, named).passed
    wrong = run(kept_from, write_scenario(tmp_path / "s" / "b2.yaml", TOM,
                                          "{outcome: forbidden, rule: B2.shared_secrecy}"))
    assert not wrong.passed
    assert wrong.diff().splitlines()[1] == ("    + actual:   forbidden (decided by D5.forbidden; behind them: "
                                            "B4.kept_from)")


def test_a_block_that_no_longer_holds_fails_the_scenario_that_names_it(kept_from, tmp_path):
    scenario = write_scenario(tmp_path / "s" / "kept.yaml", TOM, "{outcome: forbidden, rule: B4.kept_from}")
    edit_rule(kept_from, "B4.kept_from", "confidentiality_request(Client, Item, Recipient).",
              "confidentiality_request(Client, Item, Recipient),\n    clb_worker(Recipient).")
    result = run(kept_from, scenario)
    assert not result.passed and result.decision.outcome == "permitted"


def test_a_blocked_rule_of_its_own_can_be_named_as_before(tmp_path):
    directory = write_tiny_kb(tmp_path / "kb")
    scenario = write_scenario(tmp_path / "s" / "b4.yaml", TOM, "{outcome: forbidden, rule: B4.confidentiality}")
    result = run(directory, scenario)
    assert result.passed and result.decision.deciding_rules == ("D5.forbidden", "B4.confidentiality")


def test_a_one_rule_reading_edit_changes_only_the_golden_texts_it_is_shown_in(tmp_path, capsys):
    directory = write_tiny_kb(tmp_path / "kb")
    scenarios = tmp_path / "scenarios"
    write_scenario(scenarios / "blocked.yaml", TOM, "{outcome: forbidden, rule: B4.confidentiality}")
    write_scenario(scenarios / "colleague.yaml", "{actor: ann, recipient: bert, item: i_home, at: 2026-11-02}",
                   "{outcome: permitted, rule: B2.shared_secrecy}")
    golden = tmp_path / "golden"
    engine = engine_factory(REFERENCE_ENGINE)()
    try:
        compare_or_update(load_knowledge_base(directory), engine, [str(scenarios)], update=True, directory=golden)
        assert compare_or_update(load_knowledge_base(directory), engine, [str(scenarios)], directory=golden) == []
        edit_rule(directory, "B4.confidentiality", "{Client} asked not to.", "{Client} asked to keep it from them.")
        problems = compare_or_update(load_knowledge_base(directory), engine, [str(scenarios)], directory=golden)
    finally:
        engine.close()
    (diff,) = problems  # the rules' version changed too, yet only the English text of the blocked question differs
    lines = diff.splitlines()
    assert lines[0] == f"--- {golden / 'blocked.en.txt'}"
    changed = [line for line in lines[2:] if line.startswith(("-", "+")) and not line.startswith("@@")]
    # The summary states the reason without its rule (that is in the file section); the proof cites it.
    before = "✘ Tine may not tell tom about information about the home situation of lena: greet asked not to."
    after = ("✘ Tine may not tell tom about information about the home situation of lena: "
             "greet asked to keep it from them.")
    assert changed == [f"-{before}", f"+{after}", f"-  {before}  [B4.confidentiality: B4]",
                       f"+  {after}  [B4.confidentiality: B4]"]
    assert main(["--dir", str(directory), "golden", str(scenarios)]) == 1
    assert "If the change is intended, run `kb golden --update`" in capsys.readouterr().out
