"""POST /v1/decisions with `reader`: the explanation as that reader may see it; the log keeps all."""
from __future__ import annotations

from .conftest import QUERY, decide
from .test_errors import problem

# Lena asks to keep her home situation from her parents; Greet is her mother (what-if facts).
KEPT_FROM_PARENTS = [
    {"parent": ["greet", "lena"]},
    {"confidentiality_request_group": ["lena", "i_home_situation", "parents", "2026-10-05"], "from": "2026-10-05"},
]
QUESTION = {"actor": "ann", "recipient": "greet", "item": "i_home_situation", "hypothetical": KEPT_FROM_PARENTS}


def test_a_parent_reads_the_decision_without_the_request_kept_from_the_parents(client, ext):
    body = decide(client, **QUESTION, reader="parent", explain="full").get_json()
    assert body["outcome"] == "forbidden"
    shown = body["explanation"]
    assert shown["reader"] == "parent" and "withheld" not in shown
    assert "I1.request_kept_from_parents" in shown["text"] and "2026-10-05" not in shown["text"]
    # The decision log keeps the full trace, the request and what the parent is not shown included.
    trace = ext.log.get(body["id"]).trace
    assert trace["withheld"]["parent"][0]["rule"] == "I1.request_kept_from_parents"
    assert ext.log.get(body["id"]).request["reader"] == "parent"


def test_the_summary_for_a_parent_says_what_was_withheld_and_on_which_rule(client):
    body = decide(client, **QUESTION, reader="parent", lang="nl").get_json()
    text = body["explanation"]["text"]
    assert "niet getoond aan deze lezer" in text and "I1.request_kept_from_parents" in text
    assert "2026-10-05" not in text


def test_the_pupil_and_the_auditor_read_the_request(client):
    for reader in ("pupil", "auditor"):
        text = decide(client, **QUESTION, reader=reader, explain="full").get_json()["explanation"]["text"]
        assert "2026-10-05" in text and "withheld from this reader" not in text


def test_an_unknown_reader_is_a_problem_and_changes_nothing(client, ext):
    logged = ext.decisions_logged()
    body = problem(decide(client, **QUESTION, reader="neighbour"), 422, "invalid-request")
    assert body["errors"][0]["pointer"] == "/reader"
    assert ext.decisions_logged() == logged
