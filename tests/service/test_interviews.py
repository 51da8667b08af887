"""POST /v1/interviews and /v1/interviews/{id}/answers: open questions, answered one at a time as
hypothetical facts, until the outcome is decided; no answer is stored as a fact. An interview is
kept in the store, belongs to the token that opened it, and no token can push out another's."""
from __future__ import annotations

import pytest

from conftest import close_app
from query_service import interviews

from .conftest import ADMIN, AUDIT, DAY, QUERY, make_app
from .test_errors import problem

# Noor (10) is not presumed capable; nobody has judged her capacity; her mother Greet has not consented.
NOOR = [{"pupil": ["noor", "sint_jozef"]}, {"born": ["noor", "2016-01-10"]}, {"parent": ["greet", "noor"]},
        {"item_about": ["i_noor_home", "noor"]}, {"learned": ["ann", "i_noor_home", "noor", "clb_worker"]}]
QUESTION = {"actor": "ann", "recipient": "tine", "item": "i_noor_home", "at": DAY, "hypothetical": NOOR}


def start(client, headers=QUERY) -> dict:
    response = client.post("/v1/interviews", json=QUESTION, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def answer(client, interview: dict, question_id: str, yes: bool, headers=QUERY):
    return client.post(f"/v1/interviews/{interview['id']}/answers", json={"question": question_id, "answer": yes},
                       headers=headers)


def find(interview: dict, predicate: str, first_arg: str) -> dict | None:
    return next((q for q in interview["questions"] if q["predicate"] == predicate and q["args"][0] == first_arg),
                None)


def test_an_interview_asks_for_capacity_and_consent_and_reaches_a_decision(client, ext):
    facts_before, logged_before = ext.store.version(), ext.decisions_logged()
    interview = start(client)
    assert interview["outcome"] == "forbidden"
    consent = find(interview, "consent", "greet")
    capable = find(interview, "judged_capable", "noor")
    assert consent and consent["if_yes"] == {"outcome": "permitted", "alone": True,
                                             "deciding_rules": ["D4.permitted_by_ground", "B3.consent"]}
    assert consent["asked_of"] == "greet" and consent["text"]["en"].startswith("Does greet consent to sharing ")
    assert consent["text"]["nl"].startswith("Geeft greet toestemming om ") and consent["text"]["nl"].endswith("?")
    assert capable and capable["if_yes"]["alone"] is False and capable["asked_of"] == "ann"
    assert interview["questions"].index(consent) < interview["questions"].index(capable)  # most decisive first

    # Noor is judged capable: now her own consent decides, and her mother's no longer does.
    interview = answer(client, interview, capable["id"], True).get_json()
    assert interview["outcome"] == "forbidden"
    mother = find(interview, "consent", "greet")
    assert mother is None or mother["if_yes"]["alone"] is False  # only if Noor were also judged incapable
    own = find(interview, "consent", "noor")
    assert own and own["if_yes"]["alone"] is True and own["asked_of"] == "noor"

    interview = answer(client, interview, own["id"], True).get_json()
    assert interview["outcome"] == "permitted" and "B3.consent" in interview["deciding_rules"]
    assert interview["reached"] is True and interview["started_with"] == "forbidden"
    assert [a["answer"] for a in interview["answers"]] == [True, True]
    # The answers were hypothetical: nothing stored, nothing logged.
    assert ext.store.version() == facts_before and ext.decisions_logged() == logged_before


def test_a_no_leaves_the_fact_absent_and_the_question_closed(client):
    interview = start(client)
    consent = find(interview, "consent", "greet")
    after = answer(client, interview, consent["id"], False).get_json()
    assert after["outcome"] == "forbidden" and find(after, "consent", "greet") is None
    assert [(a["question"], a["answer"]) for a in after["answers"]] == [(consent["id"], False)]


def test_an_unknown_interview_is_404(client):
    problem(client.post("/v1/interviews/nope/answers", json={"question": "q1", "answer": True}, headers=QUERY),
            404, "not-found")


def test_an_answer_to_a_question_not_asked_is_422_and_changes_nothing(client):
    interview = start(client)
    body = problem(answer(client, interview, "q0000000000", True), 422, "unknown-question")
    assert body["errors"][0]["pointer"] == "/question"
    consent = find(interview, "consent", "greet")
    assert answer(client, interview, consent["id"], True).get_json()["answers"][0]["question"] == consent["id"]


def test_a_malformed_answer_is_422(client):
    interview = start(client)
    problem(client.post(f"/v1/interviews/{interview['id']}/answers", json={"question": "x", "answer": "yes"},
                        headers=QUERY), 422, "invalid-request")


def test_an_interview_about_an_unknown_person_is_422(client):
    problem(client.post("/v1/interviews", json={**QUESTION, "recipient": "nobody"}, headers=QUERY),
            422, "unknown-person")


def test_an_interview_belongs_to_the_token_that_opened_it(client):
    interview = start(client)
    consent = find(interview, "consent", "greet")
    # Another token does not find it: the same 404 as an interview that does not exist.
    problem(answer(client, interview, consent["id"], True, headers=ADMIN), 404, "not-found")
    assert answer(client, interview, consent["id"], True).status_code == 200


def test_one_token_opening_many_interviews_evicts_none_of_anothers(client, ext, monkeypatch):
    """The attack: a query token opens more interviews than its limit (a small limit here, so the
    test stays quick; the shipped one is MAX_PER_OWNER). It loses only its own oldest ones; the
    other token's interview is untouched and still answers."""
    monkeypatch.setattr(interviews, "MAX_PER_OWNER", 3)
    kept = start(client, headers=AUDIT)
    consent = find(kept, "consent", "greet")
    flood = [start(client) for _ in range(interviews.MAX_PER_OWNER + 5)]
    rows = ext.db.query("SELECT owner, count(*) FROM interviews GROUP BY owner")
    assert sorted(n for _, n in rows) == [1, interviews.MAX_PER_OWNER]
    assert answer(client, kept, consent["id"], True, headers=AUDIT).get_json()["outcome"] == "permitted"
    # The flooder's own oldest went first, its newest stayed.
    first, last = flood[0], flood[-1]
    problem(answer(client, first, find(first, "consent", "greet")["id"], True), 404, "not-found")
    assert answer(client, last, find(last, "consent", "greet")["id"], True).status_code == 200


def test_an_interview_is_served_by_every_worker_sharing_the_store(api_checker, tmp_path):
    """Two apps on one store stand for two gunicorn workers: one starts the interview, the other
    answers it; neither keeps it in its own memory."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first, second = make_app(api_checker, DATABASE_URL=url), make_app(api_checker, DATABASE_URL=url)
    try:
        interview = start(first.test_client())
        consent = find(interview, "consent", "greet")
        response = answer(second.test_client(), interview, consent["id"], True)
        assert response.status_code == 200 and response.get_json()["outcome"] == "permitted"
        assert second.extensions["deelwijzer"].db.query("SELECT count(*) FROM interviews") == [(1,)]
    finally:
        close_app(first)
        close_app(second)


def test_a_second_answer_to_the_same_state_changes_nothing(client, app):
    """Two answers racing on one interview: the one that comes second was read before the first
    was saved, and is refused instead of overwriting it."""
    interview = start(client)
    consent, capable = find(interview, "consent", "greet"), find(interview, "judged_capable", "noor")
    owner = interviews.owner_of_token(QUERY["Authorization"].split()[1])
    with app.test_request_context():
        stale = interviews.find(interview["id"], owner)
    assert answer(client, interview, consent["id"], True).status_code == 200
    with app.test_request_context():
        with pytest.raises(interviews.InterviewChanged):
            interviews.answer(stale, capable["id"], True)
        kept = interviews.find(interview["id"], owner)
    assert [q["id"] for q in kept["yes"]] == [consent["id"]]
