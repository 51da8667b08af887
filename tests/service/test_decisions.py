"""POST /v1/decisions, GET /v1/decisions/{id}: outcomes, explanations, and the decision log."""
from __future__ import annotations

import datetime

import pytest

from .conftest import AUDIT, ADMIN, DAY, QUERY, decide

CONSENT_TINE = {"consent": ["lena", "i_home_situation", "tine", "2026-10-01"], "from": "2026-10-01"}
REQUEST_TOM = {"confidentiality_request": ["lena", "i_home_situation", "tom", "2026-10-20"], "from": "2026-10-20"}


@pytest.mark.parametrize("question, hypothetical, outcome, rule", [
    # B2: a CLB colleague who guides the pupil shares the professional secrecy.
    ({"actor": "ann", "recipient": "bert", "item": "i_home_situation"}, [], "permitted", "B2.shared_secrecy"),
    # B2: a CLB colleague who does not guide her does not.
    ({"actor": "ann", "recipient": "carl", "item": "i_home_situation"}, [], "forbidden", "D5.forbidden"),
    # B3: Lena consented to Tom being told.
    ({"actor": "ann", "recipient": "tom", "item": "i_home_situation"}, [], "permitted", "B3.consent"),
    # B1: no ground to tell the teacher Tine ...
    ({"actor": "ann", "recipient": "tine", "item": "i_home_situation"}, [], "forbidden", "D5.forbidden"),
    # ... unless, hypothetically, Lena consents (B3).
    ({"actor": "ann", "recipient": "tine", "item": "i_home_situation"}, [CONSENT_TINE], "permitted", "B3.consent"),
    # B4: a later confidentiality request toward Tom outweighs the consent.
    ({"actor": "ann", "recipient": "tom", "item": "i_home_situation"}, [REQUEST_TOM], "forbidden", "B4.confidentiality"),
    # B9: child abuse must be reported to the reporting point.
    ({"actor": "ann", "recipient": "vk_gent", "item": "i_abuse_signal", "setting": "report"}, [],
     "obligated", "B9.report"),
])
def test_decision_outcome_and_deciding_rule(client, question, hypothetical, outcome, rule):
    response = decide(client, **question, hypothetical=hypothetical)
    assert response.status_code == 201
    body = response.get_json()
    assert body["outcome"] == outcome
    assert rule in body["deciding_rules"]
    assert body["question"]["hypothetical"] == [
        {"predicate": next(k for k in h if k not in ("from", "until")),
         "args": next(v for k, v in h.items() if k not in ("from", "until")),
         "from": h.get("from"), "until": h.get("until")} for h in hypothetical]


def test_hypothetical_facts_are_never_stored(client, ext):
    before_version, before_facts = ext.store.version(), client.get("/v1/facts", headers=QUERY).get_json()
    assert decide(client, actor="ann", recipient="tine", item="i_home_situation",
                  hypothetical=[CONSENT_TINE]).get_json()["outcome"] == "permitted"
    assert decide(client, actor="ann", recipient="tine", item="i_home_situation").get_json()["outcome"] == "forbidden"
    assert ext.store.version() == before_version
    assert client.get("/v1/facts", headers=QUERY).get_json() == before_facts


def test_decision_names_versions_and_links(client, ext):
    response = decide(client, actor="ann", recipient="tom", item="i_home_situation", lang="nl")
    body = response.get_json()
    assert body["kb_version"] == ext.workspace.kb.version
    assert body["facts_version"] == "1"
    assert body["url"] == f"/decisions/{body['id']}?lang=nl"
    assert response.headers["Location"] == f"/v1/decisions/{body['id']}"
    assert body["links"]["self"] == f"/v1/decisions/{body['id']}"
    assert body["links"]["rules"]["B3.consent"] == "/v1/rules/B3.consent"


def test_explain_levels(client):
    base = {"actor": "ann", "recipient": "tine", "item": "i_home_situation"}
    none = decide(client, **base, explain="none").get_json()
    assert "explanation" not in none and none["remedies"] == []  # remedies belong to the explanation

    summary = decide(client, **base).get_json()
    assert summary["remedies"][0]["facts"][0]["predicate"] == "consent"
    summary_en = summary["explanation"]
    assert summary_en["level"] == "summary" and summary_en["lang"] == "en"
    assert "Decision: forbidden." in summary_en["text"]
    assert summary_en["why_not_top"][0]["outcome"] == "permitted"
    assert summary["remedies"][0]["outcome"] == "permitted" and "remedies" not in summary_en  # given once

    summary_nl = decide(client, **base, lang="nl").get_json()["explanation"]
    assert "Beslissing: verboden." in summary_nl["text"]

    full = decide(client, **base, explain="full").get_json()["explanation"]
    assert full["level"] == "full"
    assert full["outcome"] == "forbidden"
    assert [tree["predicate"] for tree in full["why_not"]] == ["permitted", "discretionary", "obligated"]
    assert "Why not permitted?" in full["text"]


def test_proof_of_permitted_decision_cites_the_fact_and_its_origin(client):
    full = decide(client, actor="ann", recipient="tine", item="i_home_situation", explain="full",
                  hypothetical=[CONSENT_TINE]).get_json()["explanation"]

    def leaves(node):
        if node["kind"] == "fact":
            yield node
        for child in node.get("children", []):
            yield from leaves(child)

    consent_leaves = [leaf for proof in full["why"] for leaf in leaves(proof) if leaf["predicate"] == "consent"]
    assert consent_leaves and consent_leaves[0]["facts"][0]["origin"] == "hypothetical"
    assert consent_leaves[0]["args"] == ["lena", "i_home_situation", "tine", "2026-10-01"]


def test_at_defaults_to_today_and_setting_to_conversation(client):
    body = client.post("/v1/decisions", json={"actor": "ann", "recipient": "bert", "item": "i_home_situation"},
                       headers=QUERY).get_json()
    assert body["question"]["at"] == datetime.date.today().isoformat()
    assert body["question"]["setting"] == "conversation"


def test_stored_record_is_the_decision_as_made(client, ext):
    made = decide(client, actor="ann", recipient="tine", item="i_home_situation", explain="full",
                  hypothetical=[CONSENT_TINE], lang="nl", reader="auditor", headers=AUDIT).get_json()
    record = client.get(f"/v1/decisions/{made['id']}", headers=AUDIT).get_json()
    assert record["outcome"] == made["outcome"] == "permitted"
    assert record["deciding_rules"] == made["deciding_rules"]
    assert record["kb_version"] == made["kb_version"] and record["facts_version"] == made["facts_version"]
    assert record["request"] == {
        "actor": "ann", "recipient": "tine", "item": "i_home_situation", "at": DAY, "setting": "conversation",
        "hypothetical": [CONSENT_TINE], "explain": "full", "lang": "nl", "max_depth": None, "max_proofs": 1,
        "reader": "auditor"}
    shown = {k: v for k, v in made["explanation"].items() if k not in ("level", "lang", "text", "reader")}
    assert record["trace"] == {**shown, "remedies": made["remedies"]}  # remedies are given once, beside it
    assert record["url"] == f"/decisions/{made['id']}?lang=nl"
    assert len(record["hash"]) == 64


def test_every_decision_is_chained_in_the_log(client, ext):
    ids = [decide(client, actor="ann", recipient=r, item="i_home_situation").get_json()["id"]
           for r in ("bert", "carl", "tom")]
    records = ext.log.records()
    assert [r.id for r in records] == ids
    assert records[1].prev_hash == records[0].hash and records[2].prev_hash == records[1].hash
    ok, message = ext.log.verify()
    assert ok, message
    assert client.get("/v1/health").get_json()["decisions_logged"] == 3


def test_rule_texts_of_a_decision_are_kept(client, ext):
    kb_version = decide(client, actor="ann", recipient="bert", item="i_home_situation").get_json()["kb_version"]
    kept = client.get(f"/v1/kb-versions/{kb_version}", headers=QUERY).get_json()
    assert "@id: B2.shared_secrecy" in kept["sources"]["kb/rules/20_beroepsgeheim.dl"]
    assert "kb/vocabulary.yaml" in kept["sources"]
    assert client.get("/v1/kb-versions/0000000000000000", headers=QUERY).status_code == 404


def test_unknown_decision_is_404(client):
    response = client.get("/v1/decisions/999", headers=QUERY)
    assert response.status_code == 404
    assert response.get_json()["code"] == "not-found"


def test_max_proofs_and_depth_are_honoured(client):
    deep = decide(client, actor="ann", recipient="bert", item="i_home_situation", explain="full").get_json()
    shallow = decide(client, actor="ann", recipient="bert", item="i_home_situation", explain="full",
                     max_depth=1).get_json()
    assert deep["explanation"]["why"][0]["height"] > 1
    assert shallow["explanation"]["why"][0]["height"] <= 1


def test_both_engines_answer_alike_over_the_api(api_checker):
    """ENGINE=materialized gives the reference engine's outcomes, deciding rules and audience."""
    from query_service.state import EXTENSION

    from .conftest import make_app
    questions = [
        {"actor": "ann", "recipient": r, "item": "i_home_situation"} for r in ("bert", "carl", "tom", "tine", "lena")
    ] + [{"actor": "ann", "recipient": "tine", "item": "i_home_situation", "hypothetical": [CONSENT_TINE]},
         {"actor": "ann", "recipient": "tom", "item": "i_home_situation", "hypothetical": [REQUEST_TOM]},
         {"actor": "ann", "recipient": "vk_gent", "item": "i_abuse_signal", "setting": "report"}]
    answers = {}
    for engine in ("pydatalog", "materialized"):
        app = make_app(api_checker, ENGINE=engine)
        try:
            client = app.test_client()
            assert client.get("/v1/health").get_json()["engine"] == engine
            answers[engine] = (
                [(b["outcome"], b["deciding_rules"]) for b in
                 (decide(client, **q, explain="none").get_json() for q in questions)],
                client.get(f"/v1/audience?actor=ann&item=i_home_situation&at={DAY}", headers=QUERY).get_json()["audience"])
        finally:
            app.extensions[EXTENSION].close()
    assert answers["materialized"] == answers["pydatalog"]
    assert answers["pydatalog"][0][2] == ("permitted", ["D4.permitted_by_ground", "B3.consent"])



def test_a_decision_asked_without_explanation_is_logged_lean_and_explained_on_request(client):
    """explain=none logs the decision itself; reading it back rebuilds exactly the explanation that
    a fully explained request for the same question on the same versions records."""
    question = {"actor": "ann", "recipient": "tine", "item": "i_home_situation"}
    lean = decide(client, **question, explain="none").get_json()
    full = decide(client, **question, explain="full").get_json()
    assert lean["outcome"] == full["outcome"] == "forbidden"
    assert lean["deciding_rules"] == full["deciding_rules"]
    assert "explanation" not in lean and lean["remedies"] == []
    lean_record = client.get(f"/v1/decisions/{lean['id']}", headers=AUDIT).get_json()
    full_record = client.get(f"/v1/decisions/{full['id']}", headers=AUDIT).get_json()
    assert lean_record["trace"]["level"] == "decision" and "explanation" not in full_record
    assert lean_record["explanation"] == full_record["trace"]
    assert any(r["facts"][0]["predicate"] == "consent" for r in lean_record["explanation"]["remedies"])


def test_a_lean_decision_is_explained_on_its_own_versions_after_the_facts_change(client):
    """After a fact change, a lean decision's explanation is rebuilt on the fact base it saw."""
    question = {"actor": "ann", "recipient": "tine", "item": "i_home_situation"}
    lean = decide(client, **question, explain="none").get_json()
    added = client.post("/v1/facts", json={"facts": [CONSENT_TINE]}, headers=ADMIN)
    assert added.status_code == 201
    assert decide(client, **question, explain="none").get_json()["outcome"] == "permitted"
    record = client.get(f"/v1/decisions/{lean['id']}", headers=AUDIT).get_json()
    assert record["explanation"]["outcome"] == "forbidden"
    assert record["explanation"]["facts_version"] == lean["facts_version"]


@pytest.mark.parametrize("script_root", ["", "/deelwijzer"])
def test_links_are_the_urls_flask_builds(app, script_root):
    """The links are built from one prefix, not by url_for: they must still be url_for's, also for
    rule ids that need quoting and behind a proxy that mounts the service under a path."""
    from flask import url_for

    from query_service.api.decisions import _links
    rules = ["B3.consent", "a rule", "é/ü?#", "50%"]
    with app.test_request_context("/v1/decisions", method="POST", base_url=f"http://localhost{script_root}/"):
        links = _links(42, rules + rules[:1], "nl")
        assert links["self"] == url_for("api.get_decision", decision_id=42)
        assert links["replay"] == url_for("api.replay_decision", decision_id=42)
        assert links["rules"] == {rule: url_for("api.get_rule", rule_id=rule) for rule in rules}
        assert links["self"].startswith(f"{script_root}/v1/")


def test_location_is_the_decision_link(client):
    response = decide(client, actor="ann", recipient="bert", item="i_home_situation", explain="none")
    assert response.status_code == 201
    assert response.headers["Location"] == response.get_json()["links"]["self"]
