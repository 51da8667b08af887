"""GET /v1/audience: everyone the actor may or must tell, decided one by one on one snapshot."""
from __future__ import annotations

from .conftest import DAY, QUERY


def test_audience_lists_who_may_be_told_and_why(client):
    body = client.get(f"/v1/audience?actor=ann&item=i_home_situation&at={DAY}", headers=QUERY).get_json()
    assert body["considered"] == 6  # every known person but ann
    assert {(a["recipient"], a["outcome"]) for a in body["audience"]} == {
        ("bert", "permitted"), ("tom", "permitted"), ("lena", "permitted")}
    rules = {a["recipient"]: a["deciding_rules"] for a in body["audience"]}
    assert "B2.shared_secrecy" in rules["bert"]        # shared professional secrecy
    assert "B3.consent" in rules["tom"]                # Lena's consent
    assert "L5.dossier" in rules["lena"]               # the pupil's right to her own file
    assert body["facts_version"] == "1" and body["elapsed_ms"] >= 0


def test_audience_orders_obligations_first(client):
    body = client.get(f"/v1/audience?actor=ann&item=i_abuse_signal&at={DAY}&setting=report", headers=QUERY).get_json()
    assert body["audience"][0]["recipient"] == "vk_gent"
    assert body["audience"][0]["outcome"] == "obligated"
    assert "B9.report" in body["audience"][0]["deciding_rules"]


def test_audience_agrees_with_single_decisions(client):
    listed = {a["recipient"]: a for a in client.get(
        f"/v1/audience?actor=ann&item=i_home_situation&at={DAY}", headers=QUERY).get_json()["audience"]}
    for person in ("bert", "carl", "lena", "tine", "tom", "vk_gent"):
        single = client.post("/v1/decisions", json={"actor": "ann", "recipient": person, "item": "i_home_situation",
                                                    "at": DAY, "explain": "none"}, headers=QUERY).get_json()
        if single["outcome"] == "forbidden":
            assert person not in listed
        else:
            assert listed[person]["outcome"] == single["outcome"]
            assert listed[person]["deciding_rules"] == single["deciding_rules"]


def test_audience_errors(client, ext):
    missing = client.get("/v1/audience?actor=ann", headers=QUERY)
    assert missing.status_code == 422 and missing.get_json()["errors"][0]["parameter"] == "item"
    unknown = client.get("/v1/audience?actor=anne&item=i_home_situation", headers=QUERY).get_json()
    assert unknown["code"] == "unknown-person" and unknown["errors"][0]["parameter"] == "actor"
    assert "`ann`" in unknown["suggestion"]
    assert client.get("/v1/audience?actor=ann&item=i_home_situation&at=2026-02-30",
                      headers=QUERY).get_json()["code"] == "bad-date"
    assert client.get("/v1/audience?actor=ann&item=i_home_situation").status_code == 401
    assert ext.decisions_logged() == 0  # audience answers are not logged decisions
