"""Reading decisions back at any level, the audience's readings in a language, did-you-mean on a
named thing that is not there, and no block given twice in one response. Every response is
validated against the OpenAPI document by the `client` fixture."""
from __future__ import annotations

import json

from .conftest import DAY, QUERY, decide

TINE = {"actor": "ann", "recipient": "tine", "item": "i_home_situation", "at": DAY}


def _get(client, decision_id: int, **params):
    return client.get(f"/v1/decisions/{decision_id}", query_string=params, headers=QUERY).get_json()


def test_a_summary_decision_reads_back_with_its_summary(client):
    asked = decide(client, **TINE, lang="nl").get_json()
    back = _get(client, asked["id"])
    assert back["view"] == asked["explanation"]  # the level and language it was asked with
    assert back["view"]["level"] == "summary" and "Beslissing: verboden." in back["view"]["text"]


def test_any_logged_decision_reads_back_at_any_level_and_language(client):
    lean = decide(client, **TINE, explain="none").get_json()
    assert "view" not in _get(client, lean["id"])  # asked without explanation, read back without a view
    summary = _get(client, lean["id"], explain="summary", lang="en")["view"]
    assert summary["level"] == "summary" and "Decision: forbidden." in summary["text"]
    full = _get(client, lean["id"], explain="full", lang="nl")["view"]
    assert full["level"] == "full" and full["lang"] == "nl" and full["outcome"] == "forbidden"
    assert full["why"][0]["rule"]["id"] == "D5.forbidden"
    asked_full = decide(client, **TINE, explain="full", lang="nl").get_json()["explanation"]
    assert full["text"] == asked_full["text"]


def test_read_back_for_a_reader_is_redacted_as_when_asked(client):
    asked = decide(client, **TINE, explain="full", reader="pupil").get_json()["explanation"]
    back = _get(client, decide(client, **TINE, explain="none").get_json()["id"], explain="full", reader="pupil")
    assert back["view"]["text"] == asked["text"]


def test_read_back_parameters_are_checked(client):
    lean = decide(client, **TINE, explain="none").get_json()
    assert client.get(f"/v1/decisions/{lean['id']}?explain=everything", headers=QUERY).status_code == 422
    assert client.get(f"/v1/decisions/{lean['id']}?lang=fr", headers=QUERY).status_code == 422


def test_remedies_appear_once_in_a_response(client):
    for level in ("summary", "full"):
        body = decide(client, **TINE, explain=level).get_json()
        assert body["remedies"] and "remedies" not in body["explanation"]
        assert json.dumps(body).count('"remedies"') == 1


def test_audience_gives_each_recipients_reading_in_the_language_asked(client):
    def listed(lang):
        body = client.get("/v1/audience", query_string={"actor": "ann", "item": "i_home_situation", "at": DAY,
                                                        "lang": lang}, headers=QUERY).get_json()
        assert body["lang"] == lang
        return {a["recipient"]: a["reading"] for a in body["audience"]}
    en, nl = listed("en"), listed("nl")
    assert en["bert"] == ("ann may share i_home_situation with bert: both share professional secrecy and bert is "
                          "involved in the guidance.")
    assert nl["bert"].startswith("ann mag i_home_situation delen met bert")
    assert "lena" in en["lena"] and "{" not in en["lena"]
    assert client.get("/v1/audience?actor=ann&item=i_home_situation&lang=fr", headers=QUERY).status_code == 422


def test_an_unknown_rule_or_rule_version_has_a_did_you_mean(client, ext):
    problem = client.get("/v1/rules/B2.shared_secrecyy", headers=QUERY).get_json()
    assert problem["status"] == 404 and "did you mean `B2.shared_secrecy`?" in problem["detail"]
    decide(client, **TINE, explain="none")
    version = ext.workspace.kb.version
    problem = client.get(f"/v1/kb-versions/{version[:-1]}x", headers=QUERY).get_json()
    assert problem["status"] == 404 and f"did you mean `{version}`?" in problem["detail"]


def test_an_unknown_predicate_filter_has_a_did_you_mean(client):
    for path in ("/v1/facts", "/v1/rules"):
        problem = client.get(f"{path}?predicate=clb_workr", headers=QUERY).get_json()
        assert problem["status"] == 422 and problem["code"] == "unknown-predicate"
        assert problem["suggestion"] == "did you mean `clb_worker`?"
