"""/interviews: the interview page asks the most decisive open question, takes yes or no, and
shows the outcome so far; nothing is stored."""
from __future__ import annotations

from urllib.parse import urlsplit

from .conftest import QUERY, section, text_of, visible

START = "/interviews?actor=ann&recipient=tine&item=i_home_situation&at=2026-11-02&lang=en"


def started(client) -> str:
    response = client.get(START, headers=QUERY)
    assert response.status_code == 303
    return urlsplit(response.headers["Location"]).path


def test_the_page_asks_one_question_at_a_time_until_the_outcome_changes(client, ext):
    facts_before, logged_before = ext.store.version(), ext.decisions_logged()
    path = started(client)
    page = client.get(f"{path}?lang=en", headers=QUERY)
    assert "Decision: forbidden" in visible(section(page, "outcome-so-far"))
    question = visible(section(page, "next-question"))
    assert question.startswith("Next question Is it so that lena ") and "leads to permitted" in question
    # The other open questions: Lena's consent among them.
    assert "Is it so that lena consents to tine being told about i_home_situation" in text_of(page)
    html = page.get_data(as_text=True)
    qid = html.split('name="question" value="')[1].split('"')[0]

    answered = client.post(f"{path}?lang=en", data={"question": qid, "answer": "yes"}, headers=QUERY)
    assert answered.status_code == 303
    page = client.get(f"{path}?lang=en", headers=QUERY)
    assert "Decision: permitted" in visible(section(page, "outcome-so-far"))
    asked = question.removeprefix("Next question ").split("?")[0]
    assert asked in visible(section(page, "answered")) and "Yes" in visible(section(page, "answered"))
    assert ext.store.version() == facts_before and ext.decisions_logged() == logged_before


def test_the_page_speaks_dutch(client):
    path = started(client)
    page = client.get(f"{path}?lang=nl", headers=QUERY)
    assert "Geldt het volgende: lena geeft toestemming om tine te informeren" in text_of(page)
    assert "in een gesprek" in text_of(page) and "Uitkomst tot nu toe" in text_of(page)


def test_an_unknown_interview_is_a_404_page_and_an_unasked_question_a_400(client):
    assert client.get("/interviews/nope?lang=en", headers=QUERY).status_code == 404
    path = started(client)
    response = client.post(f"{path}?lang=en", data={"question": "q0", "answer": "yes"}, headers=QUERY)
    assert response.status_code == 400 and "is not one of the open questions" in text_of(response)


def test_an_unknown_person_is_a_400_page(client):
    response = client.get(START.replace("tine", "tien"), headers=QUERY)
    assert response.status_code == 400 and "`tien` is not a known person" in text_of(response)


def test_the_form_is_shown_without_a_question(client):
    html = client.get("/interviews?lang=en", headers=QUERY).get_data(as_text=True)
    assert 'id="interview-form"' in html
