"""GET /v1/facts pages (limit, cursor) and filters by predicate, by an argument's value and by validity
on a day. Every response is validated against the OpenAPI document by the `client` fixture."""
from __future__ import annotations

from .conftest import ADMIN, QUERY


def _facts(client, **params):
    return client.get("/v1/facts", query_string=params, headers=QUERY)


def test_limit_pages_and_the_cursor_reads_on_without_gaps_or_repeats(client):
    everything = [f["id"] for f in _facts(client).get_json()["facts"]]
    seen, page = [], _facts(client, limit=5).get_json()
    while True:
        assert page["count"] == len(page["facts"]) <= 5
        seen += [f["id"] for f in page["facts"]]
        if page["next_cursor"] is None:
            break
        assert page["next"].startswith("/v1/facts?") and "version=1" in page["next"]
        page = client.get(page["next"], headers=QUERY).get_json()
    assert seen == everything and len(everything) == 16


def test_a_page_stays_at_its_version_while_facts_are_added(client):
    first = _facts(client, limit=10).get_json()
    client.post("/v1/facts", headers=ADMIN, json={"facts": [{"clb_worker": ["dirk"]}]})
    rest = client.get(first["next"], headers=QUERY).get_json()
    assert rest["version"] == 1 and "dirk" not in [f["args"][0] for f in rest["facts"]]
    assert _facts(client, predicate="clb_worker").get_json()["count"] == 4  # the latest version has dirk


def test_filter_by_any_argument_value(client):
    about_tine = _facts(client, arg="tine").get_json()["facts"]
    assert [(f["predicate"], f["args"]) for f in about_tine] == [("school_staff", ["tine", "sint_jozef", "teacher"])]
    about_lena = {f["predicate"] for f in _facts(client, arg="lena").get_json()["facts"]}
    assert {"guides", "pupil", "born", "item_about", "learned", "consent"} <= about_lena
    assert all("lena" in f["args"] for f in _facts(client, arg="lena").get_json()["facts"])
    by_date = _facts(client, arg="2026-09-15").get_json()["facts"]
    assert [f["predicate"] for f in by_date] == ["consent"]


def test_filters_combine_with_paging(client):
    first = _facts(client, arg="lena", limit=2).get_json()
    rest = client.get(first["next"], headers=QUERY).get_json()
    assert "arg=lena" in first["next"] and all("lena" in f["args"] for f in rest["facts"])
    both = _facts(client, arg="lena", predicate="learned").get_json()["facts"]
    assert {f["args"][1] for f in both} == {"i_home_situation", "i_abuse_signal"}


def test_filter_by_validity_on_a_day(client):
    assert _facts(client, predicate="consent", valid_on="2026-09-14").get_json()["count"] == 0
    assert _facts(client, predicate="consent", valid_on="2026-09-15").get_json()["count"] == 1
    client.post("/v1/facts", headers=ADMIN, json={"facts": [
        {"consent": ["lena", "i_home_situation", "tine", "2026-12-01"], "from": "2026-12-01", "until": "2026-12-31"}]})
    december = _facts(client, predicate="consent", valid_on="2026-12-31").get_json()["facts"]
    january = _facts(client, predicate="consent", valid_on="2027-01-01").get_json()["facts"]
    assert {f["args"][2] for f in december} == {"tom", "tine"} and {f["args"][2] for f in january} == {"tom"}


def test_bad_paging_parameters_are_422(client):
    assert _facts(client, limit=0).status_code == 422
    assert _facts(client, limit=1001).status_code == 422
    assert _facts(client, cursor="x").status_code == 422
    assert _facts(client, valid_on="2026-02-30").get_json()["code"] == "bad-date"
