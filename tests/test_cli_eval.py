"""`kb eval QUERY` through the CLI's entry point: answers as a table or JSON, paging, a proof,
and diagnostics with a caret for a query that cannot be asked."""
from __future__ import annotations

import json
from pathlib import Path

from kb.cli import main

FACTS = str(Path(__file__).resolve().parent / "service" / "seed_facts.yaml")
DAY = "2026-11-02"


def _eval(capsys, *argv):
    code = main(["eval", *argv, "--facts", FACTS])
    out, err = capsys.readouterr()
    return code, out, err


def test_eval_prints_a_table_of_the_variables_values(capsys):
    code, out, _ = _eval(capsys, "guides(W, P)", "--at", DAY)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["W", "P"] and lines[2].split() == ["bert", "lena"]
    assert "1 answer(s) on 2026-11-02" in out


def test_eval_json_pages_and_never_refuses(capsys):
    code, out, _ = _eval(capsys, "clb_worker(W)", "--at", DAY, "--format", "json", "--limit", "2")
    page = json.loads(out)
    assert code == 0 and page["total"] == 3 and page["next_offset"] == 2
    assert [a["bindings"]["W"] for a in page["answers"]] == ["ann", "bert"]
    _, out, _ = _eval(capsys, "clb_worker(W)", "--at", DAY, "--format", "json", "--offset", "2")
    page = json.loads(out)
    assert [a["bindings"]["W"] for a in page["answers"]] == ["carl"] and page["next_offset"] is None


def test_eval_validity_decides_on_the_day(capsys):
    _, out, _ = _eval(capsys, "consent(lena, I, tom, _On)", "--at", "2026-09-01")
    assert out.strip() == "no answers on 2026-09-01"
    _, out, _ = _eval(capsys, "consent(lena, I, tom, _On)", "--at", DAY)
    assert "i_home_situation" in out


def test_eval_ground_query_says_yes(capsys):
    code, out, _ = _eval(capsys, "guides(bert, lena)", "--at", DAY)
    assert code == 0 and out.startswith("yes: `guides(bert, lena)` holds on 2026-11-02")


def test_eval_explain_prints_the_proof_of_the_first_answer(capsys):
    _, out, _ = _eval(capsys, "holds_professional_secrecy(A, i_home_situation)", "--at", DAY, "--explain")
    proof = out.split("why holds_professional_secrecy(ann, i_home_situation):\n")[1]
    assert "[B1.professional_secrecy]" in proof.splitlines()[0]
    assert "seed_facts.yaml:" in proof.splitlines()[1]  # the learned fact, with its origin


def test_eval_syntax_error_is_the_checkers_diagnostic_with_a_caret(capsys):
    code, out, err = _eval(capsys, "guides(P X)")
    assert code == 2 and out == ""
    assert err.splitlines()[0] == "<query>:1:10: error[syntax]: unexpected `X`"
    assert err.splitlines()[2].endswith("|          ^")


def test_eval_unknown_predicate_has_a_did_you_mean(capsys):
    code, _, err = _eval(capsys, "in_cirle(P, lena, care_team)")
    assert code == 2 and "error[unknown-predicate]" in err and "did you mean `in_circle/3`?" in err


def test_eval_constant_of_the_wrong_type_and_outcomes_are_refused(capsys):
    assert "error[type-mismatch]" in _eval(capsys, "guides(P, 12)")[2]
    assert "error[query-needs-question]" in _eval(capsys, "forbidden(A, R, I)")[2]
    assert "error[syntax]" in _eval(capsys, "guides(P, lena) :- clb_worker(P)")[2]  # one atom, not a rule


def test_eval_bare_underscores_match_anything_each_time_and_a_repeated_name_matches_itself(capsys):
    assert "1 answer(s)" in _eval(capsys, "guides(_, _)", "--at", DAY)[1]  # bert guides lena
    assert _eval(capsys, "guides(P, P)", "--at", DAY)[1].strip() == "no answers on 2026-11-02"


def test_eval_unfinished_query_says_so_in_the_words_of_a_query(capsys):
    code, _, err = _eval(capsys, "guides(P, lena")
    assert code == 2 and "error[syntax]: the query ends before it is finished" in err and "close every `(`" in err
