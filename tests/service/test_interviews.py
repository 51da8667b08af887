"""POST /v1/interviews and /v1/interviews/{id}/answers: open questions, answered one at a time as
hypothetical facts, until the outcome is decided; nothing is stored."""
from __future__ import annotations

from .conftest import DAY, QUERY
from .test_errors import problem

# Noor (10) is not presumed capable; nobody has judged her capacity; her mother Greet has not consented.
NOOR = [{"pupil": ["noor", "sint_jozef"]}, {"born": ["noor", "2016-01-10"]}, {"parent": ["greet", "noor"]},
        {"item_about": ["i_noor_home", "noor"]}, {"learned": ["ann", "i_noor_home", "noor", "clb_worker"]}]
QUESTION = {"actor": "ann", "recipient": "tine", "item": "i_noor_home", "at": DAY, "hypothetical": NOOR}


def start(client) -> dict:
    response = client.post("/v1/interviews", json=QUESTION, headers=QUERY)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def answer(client, interview: dict, question_id: str, yes: bool):
    return client.post(f"/v1/interviews/{interview['id']}/answers", json={"question": question_id, "answer": yes},
                       headers=QUERY)


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
    assert consent["asked_of"] == "greet" and consent["text"]["en"].startswith("Is it so that greet consents")
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
