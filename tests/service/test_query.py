"""GET /v1/query: any atom over the stored facts on a day, paged; bad queries are 422 with a caret.

Every response is validated against the served OpenAPI document by the `client` fixture."""
from __future__ import annotations

from .conftest import DAY, QUERY


def _ask(client, **params):
    return client.get("/v1/query", query_string=params, headers=QUERY)


def test_query_answers_each_binding_of_the_variables(client):
    body = _ask(client, q="clb_worker(W)", at=DAY).get_json()
    assert body["variables"] == ["W"] and body["total"] == 3
    assert [a["bindings"]["W"] for a in body["answers"]] == ["ann", "bert", "carl"]
    assert body["next_cursor"] is None and body["facts_version"] == "1"


def test_query_constants_restrict_and_derived_predicates_are_asked(client):
    body = _ask(client, q="holds_professional_secrecy(Who, i_home_situation)", at=DAY).get_json()
    assert [a["bindings"]["Who"] for a in body["answers"]] == ["ann"]
    assert body["answers"][0]["args"] == ["ann", "i_home_situation"]


def test_query_respects_validity_on_the_day(client):
    before = _ask(client, q="consent(P, I, tom, On)", at="2026-09-01").get_json()
    after = _ask(client, q="consent(P, I, tom, On)", at=DAY).get_json()
    assert before["total"] == 0
    assert after["answers"][0]["bindings"] == {"P": "lena", "I": "i_home_situation", "On": "2026-09-15"}


def test_query_is_paged_not_refused(client):
    first = _ask(client, q="clb_worker(W)", at=DAY, limit=2).get_json()
    assert [a["bindings"]["W"] for a in first["answers"]] == ["ann", "bert"]
    assert first["total"] == 3 and first["next_cursor"] == "2"
    rest = client.get(first["next"], headers=QUERY).get_json()
    assert [a["bindings"]["W"] for a in rest["answers"]] == ["carl"] and rest["next_cursor"] is None


def test_query_with_explain_carries_the_proof_of_the_first_answer(client):
    body = _ask(client, q="holds_professional_secrecy(Who, i_home_situation)", at=DAY, explain="true").get_json()
    assert body["proof"]["kind"] == "rule" and body["proof"]["rule"]["id"] == "B1.professional_secrecy"
    assert body["proof"]["children"][0]["predicate"] == "learned"


def test_query_syntax_error_has_the_checkers_caret(client):
    response = _ask(client, q="guides(P X)", at=DAY)
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "syntax" and problem["errors"][0]["column"] == 10
    assert "guides(P X)\n" in problem["detail"] and "|          ^" in problem["detail"]


def test_query_unknown_predicate_has_a_did_you_mean(client):
    problem = _ask(client, q="clb_workr(W)", at=DAY).get_json()
    assert problem["code"] == "unknown-predicate" and "clb_worker/1" in problem["suggestion"]


def test_query_wrong_arity_and_outcome_predicates_are_refused(client):
    assert _ask(client, q="guides(P)", at=DAY).get_json()["code"] == "arity"
    assert _ask(client, q="permitted(A, R, I)", at=DAY).get_json()["code"] == "query-needs-question"


def test_query_parameters_are_checked(client):
    assert _ask(client, q="clb_worker(W)", limit=0).status_code == 422
    assert _ask(client, q="clb_worker(W)", cursor="-1").status_code == 422
    assert _ask(client, q="clb_worker(W)", at="20261102").get_json()["code"] == "bad-date"
    assert _ask(client, q="clb_worker(W)", page="2").status_code == 422  # not a documented parameter


def test_query_needs_a_token(client):
    assert client.get("/v1/query?q=clb_worker(W)").status_code == 401
