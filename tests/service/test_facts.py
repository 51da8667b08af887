"""/v1/facts: the stored fact base, versioned; decisions see each change and name its version."""
from __future__ import annotations

from .conftest import ADMIN, QUERY, SEED, decide, make_app
from query_service.state import EXTENSION

TINE = {"actor": "ann", "recipient": "tine", "item": "i_home_situation"}


def test_seed_is_version_one(client):
    body = client.get("/v1/facts", headers=QUERY).get_json()
    assert body["version"] == 1
    assert body["count"] == 16
    assert {f["added_in"] for f in body["facts"]} == {1}
    consent = next(f for f in body["facts"] if f["predicate"] == "consent")
    assert consent["args"] == ["lena", "i_home_situation", "tom", "2026-09-15"]
    assert consent["from"] == "2026-09-15" and consent["until"] is None


def test_filter_by_predicate(client):
    body = client.get("/v1/facts?predicate=clb_worker", headers=QUERY).get_json()
    assert sorted(f["args"][0] for f in body["facts"]) == ["ann", "bert", "carl"]


def test_added_fact_is_seen_by_decisions(client):
    assert decide(client, **TINE).get_json()["outcome"] == "forbidden"
    added = client.post("/v1/facts", headers=ADMIN, json={
        "facts": [{"consent": ["lena", "i_home_situation", "tine", "2026-10-01"], "from": "2026-10-01"}],
        "note": "Lena consented in a conversation"})
    assert added.status_code == 201
    body = added.get_json()
    assert body["version"] == 2 and len(body["ids"]) == 1
    assert body["facts"][0]["added_in"] == 2
    decision = decide(client, **TINE).get_json()
    assert (decision["outcome"], decision["facts_version"]) == ("permitted", "2")
    assert "B3.consent" in decision["deciding_rules"]


def test_validity_period_decides_by_moment(client):
    client.post("/v1/facts", headers=ADMIN, json={"facts": [
        {"consent": ["lena", "i_home_situation", "tine", "2026-12-01"], "from": "2026-12-01", "until": "2026-12-31"}]})
    assert decide(client, **TINE, at="2026-11-02").get_json()["outcome"] == "forbidden"
    inside = decide(client, **TINE, at="2026-12-05").get_json()
    assert inside["outcome"] == "permitted" and "B3.consent" in inside["deciding_rules"]
    assert decide(client, **TINE, at="2027-01-02").get_json()["outcome"] == "forbidden"


def test_withdrawn_fact_no_longer_counts_but_stays_in_history(client):
    consent = client.get("/v1/facts?predicate=consent", headers=QUERY).get_json()["facts"][0]
    tom = {"actor": "ann", "recipient": "tom", "item": "i_home_situation"}
    assert decide(client, **tom).get_json()["outcome"] == "permitted"
    response = client.delete(f"/v1/facts/{consent['id']}", headers=ADMIN)
    assert response.status_code == 200
    assert response.get_json() == {"version": 2, "withdrawn": {**consent, "withdrawn_in": 2}}
    decision = decide(client, **tom).get_json()
    assert (decision["outcome"], decision["facts_version"]) == ("forbidden", "2")
    assert client.get("/v1/facts?predicate=consent", headers=QUERY).get_json()["count"] == 0
    as_of_1 = client.get("/v1/facts?predicate=consent&version=1", headers=QUERY).get_json()
    assert as_of_1["facts"] == [{**consent, "withdrawn_in": 2}]  # current at version 1, withdrawn in 2
    gone = client.get(f"/v1/facts/{consent['id']}", headers=QUERY)  # DELETE then GET: 410, the record kept
    assert gone.status_code == 410 and gone.get_json()["code"] == "withdrawn"
    assert gone.get_json()["fact"] == {**consent, "withdrawn_in": 2}
    assert "withdrawn in fact-base version 2" in gone.get_json()["detail"]


def test_seed_is_loaded_only_into_an_empty_store(api_checker, tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    first = make_app(api_checker, DATABASE_URL=url)
    first.test_client().post("/v1/facts", headers=ADMIN, json={"facts": [{"clb_worker": ["dirk"]}]})
    first.extensions[EXTENSION].close()
    second = make_app(api_checker, DATABASE_URL=url, SEED_FACTS=str(SEED))
    try:
        body = second.test_client().get("/v1/facts", headers=QUERY).get_json()
        assert (body["version"], body["count"]) == (2, 17)
        assert second.test_client().get("/v1/health").get_json()["facts_version"] == "2"
    finally:
        second.extensions[EXTENSION].close()


def test_another_process_changing_the_store_is_picked_up(client, ext):
    """Workers share the store; a worker whose engine is behind reloads the stored version."""
    from kb.facts.model import Fact
    ext.store.add([Fact("consent", ("lena", "i_home_situation", "tine", __import__("datetime").date(2026, 10, 1)))])
    decision = decide(client, **TINE).get_json()
    assert (decision["outcome"], decision["facts_version"]) == ("permitted", "2")
