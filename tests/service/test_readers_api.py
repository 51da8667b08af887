"""POST /v1/decisions with `reader`: the explanation as that reader may see it; the log keeps all."""
from __future__ import annotations

import re

from .conftest import AUDIT, QUERY, decide
from .test_errors import problem

# Lena asks to keep her home situation from her parents; Greet is her mother (what-if facts). Lena is
# judged not capable: of a capable pupil's confidence to the CLB her parents are shown nothing at all
# (I6), while here they are shown the decision without the request.
KEPT_FROM_PARENTS = [
    {"parent": ["greet", "lena"]},
    {"judged_incapable": ["lena"]},
    {"confidentiality_request_group": ["lena", "i_home_situation", "parents", "2026-10-05"], "from": "2026-10-05"},
]
QUESTION = {"actor": "ann", "recipient": "greet", "item": "i_home_situation", "hypothetical": KEPT_FROM_PARENTS}


def test_a_parent_reads_the_decision_without_the_request_kept_from_the_parents(client, ext):
    body = decide(client, **QUESTION, reader="parent", explain="full").get_json()
    assert body["outcome"] == "forbidden"
    shown = body["explanation"]
    assert shown["reader"] == "parent" and "withheld" not in shown
    assert "is never on this page" in shown["text"] and "cannot tell you more about this" in shown["text"]
    assert "I1." not in shown["text"] and "5 October 2026" not in shown["text"] and "I1." not in str(shown)
    # The decision log keeps the full trace, the request and what the parent is not shown included.
    trace = ext.log.get(body["id"]).trace
    assert trace["withheld"]["parent"][0]["rule"] == "I1.request_kept_from_parents"
    assert ext.log.get(body["id"]).request["reader"] == "parent"


def test_the_summary_for_a_parent_says_that_something_was_withheld_never_what_nor_on_which_rule(client):
    body = decide(client, **QUESTION, reader="parent", lang="nl").get_json()
    text = body["explanation"]["text"]
    assert "staat nooit op deze pagina" in text and "terecht bij ann" in text and "geen uitleg geven" not in text
    assert "I1." not in text and "5 oktober 2026" not in text and "vertrouwelijk" not in text


def test_the_pupil_and_the_auditor_read_the_request(client):
    for reader, headers in (("pupil", QUERY), ("auditor", AUDIT)):
        text = decide(client, **QUESTION, reader=reader, explain="full", headers=headers).get_json()["explanation"]["text"]
        assert "5 October 2026" in text and "We cannot give you an explanation" not in text


def test_the_default_reader_is_the_professional_who_asked(client, ext):
    body = decide(client, **QUESTION, explain="full").get_json()
    assert body["explanation"]["reader"] == "actor" and ext.log.get(body["id"]).request["reader"] == "actor"
    assert "This explanation is written for ann, who asked the question." in body["explanation"]["text"]


def test_the_auditors_view_needs_the_audit_scope_and_refusing_it_records_nothing(client, ext):
    logged = ext.decisions_logged()
    problem(decide(client, **QUESTION, reader="auditor"), 403, "insufficient-scope")
    assert ext.decisions_logged() == logged
    made = decide(client, **QUESTION, reader="auditor", explain="full", headers=AUDIT).get_json()
    assert made["explanation"]["reader"] == "auditor" and "withheld" in made["explanation"]
    # Read back: the stored trace and the auditor's view are the audit scope's alone.
    problem(client.get(f"/v1/decisions/{made['id']}?reader=auditor", headers=QUERY), 403, "insufficient-scope")
    plain = client.get(f"/v1/decisions/{made['id']}?explain=full", headers=QUERY).get_json()
    assert "trace" not in plain and plain["view"]["reader"] == "actor"
    audited = client.get(f"/v1/decisions/{made['id']}?explain=full", headers=AUDIT).get_json()
    assert audited["trace"]["withheld"]["parent"] and audited["view"]["reader"] == "auditor"


def test_an_unknown_reader_is_a_problem_and_changes_nothing(client, ext):
    logged = ext.decisions_logged()
    body = problem(decide(client, **QUESTION, reader="neighbour"), 422, "invalid-request")
    assert body["errors"][0]["pointer"] == "/reader"
    assert ext.decisions_logged() == logged


# A report of child abuse to a reporting point, read by Lena's parent Greet (a what-if fact): the
# question itself tells what is withheld from her (review 2026-12-07, F1: this answered 500, and
# every retry logged the decision again).
REPORT = {"actor": "ann", "recipient": "vk_gent", "item": "i_abuse_signal", "setting": "report",
          "hypothetical": [{"parent": ["greet", "lena"]}]}


def test_a_report_read_by_a_parent_answers_the_standard_notice_naming_no_one(client, ext):
    for explain in ("full", "summary", "none"):
        for lang in ("nl", "en"):
            logged = ext.decisions_logged()
            response = decide(client, **REPORT, reader="parent", explain=explain, lang=lang)
            assert response.status_code == 201, response.get_json()
            body = response.get_json()
            assert ext.decisions_logged() == logged + 1 and body["id"] and body["url"]
            # Nothing the parent may not see: no conditions of the duty to report, no remedies.
            assert body["conditions"] == [] and body["remedies"] == []
            assert "meldpunt" not in str(body.get("explanation", "")) and "report" not in str(
                body.get("explanation", {}).get("text", "")).lower().replace("reporting", "")
            if explain == "none":
                assert "explanation" not in body
                continue
            shown = body["explanation"]
            assert shown["shown"] == "nothing" and "ask" not in shown and not re.search(r"\bann\b", shown["text"])
            assert {"nl": "Over deze vraag kunnen we u hier geen uitleg geven.",
                    "en": "We cannot give you an explanation about this question here."}[lang] in shown["text"]
            assert "abuse" not in shown["text"] and "kindermishandeling" not in shown["text"]


def test_a_decision_whose_view_fails_is_not_logged(client, ext, monkeypatch):
    """The answer is written for its reader before the decision is logged: a failure leaves no record,
    so a retry does not log it twice."""
    from query_service.api import decisions

    def broken(*args, **kwargs):
        raise RuntimeError("planted")
    monkeypatch.setattr(decisions, "for_reader", broken)
    logged = ext.decisions_logged()
    assert decide(client, **REPORT, reader="parent", explain="full").status_code == 500
    assert ext.decisions_logged() == logged
