"""/interviews: the start form takes the question (with the setting and a date picker); the page asks
the most decisive open question as a question, takes yes or no, says when an answer is reached and
asks whether to go on; nothing is stored as a fact, and an interview is its opener's alone."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from .conftest import ADMIN, QUERY, form_token, section, text_of, visible

QUESTION = {"actor": "ann", "recipient": "tine", "item": "i_home_situation", "at": "2026-11-02",
            "setting": "conversation"}


def started(client, headers=QUERY, lang: str = "en") -> str:
    response = client.post(f"/interviews?lang={lang}", data={**QUESTION, "lang": lang}, headers=headers)
    assert response.status_code == 303, response.get_data(as_text=True)
    return urlsplit(response.headers["Location"]).path


def next_question(page) -> str:
    return re.search(r'name="question" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def test_the_page_asks_one_question_at_a_time_until_an_answer_is_reached(client, ext):
    facts_before, logged_before = ext.store.version(), ext.decisions_logged()
    path = started(client)
    page = client.get(f"{path}?lang=en", headers=QUERY)
    assert "Decision: forbidden" in visible(section(page, "outcome-so-far"))
    asked = visible(section(page, "question-text"))
    assert asked.endswith("?") and asked.split()[0] in ("Does", "Has", "Have", "Can", "Is")
    assert "Does lena consent to sharing" in text_of(page)  # among the open questions

    answered = client.post(f"{path}?lang=en", data={"question": next_question(page), "answer": "yes"}, headers=QUERY)
    assert answered.status_code == 303
    page = client.get(f"{path}?lang=en", headers=QUERY)
    assert "Decision: permitted" in visible(section(page, "outcome-so-far"))
    # The answer changed the outcome: the page says so and asks whether to go on.
    assert "An answer is reached" in text_of(page) and 'id="go-on"' in page.get_data(as_text=True)
    assert asked in visible(section(page, "answered")) and "Yes" in visible(section(page, "answered"))
    assert ext.store.version() == facts_before and ext.decisions_logged() == logged_before

    # Stop here: no more questions, and no answer is taken any more.
    assert client.post(f"{path}/next?lang=en", data={"end": "1"}, headers=QUERY).status_code == 303
    page = client.get(f"{path}?lang=en", headers=QUERY)
    assert "The interview is finished" in text_of(page) and 'name="answer"' not in page.get_data(as_text=True)


def test_going_on_after_an_answer_asks_the_next_question(client):
    path = started(client)
    page = client.get(f"{path}?lang=en", headers=QUERY)
    client.post(f"{path}?lang=en", data={"question": next_question(page), "answer": "yes"}, headers=QUERY)
    assert client.post(f"{path}/next?lang=en", data={}, headers=QUERY).status_code == 303
    page = client.get(f"{path}?lang=en", headers=QUERY)
    assert "An answer is reached" not in text_of(page)
    assert 'name="answer"' in page.get_data(as_text=True) or "No open question" in text_of(page)


def test_the_page_speaks_dutch(client):
    path = started(client, lang="nl")
    page = client.get(f"{path}?lang=nl", headers=QUERY)
    assert "Geeft lena toestemming om informatie over lena te delen met tine?" in text_of(page)
    assert "in een gesprek" in text_of(page) and "Uitkomst tot nu toe" in text_of(page)


def test_an_interview_is_not_found_by_another_token(client):
    path = started(client)
    assert client.get(f"{path}?lang=en", headers=ADMIN).status_code == 404
    assert client.post(f"{path}?lang=en", data={"question": "q0", "answer": "yes"}, headers=ADMIN).status_code == 404


def test_an_unknown_interview_is_a_404_page_and_an_unasked_question_a_400(client):
    assert client.get("/interviews/nope?lang=en", headers=QUERY).status_code == 404
    path = started(client)
    response = client.post(f"{path}?lang=en", data={"question": "q0", "answer": "yes"}, headers=QUERY)
    assert response.status_code == 400 and "is not one of the open questions" in text_of(response)


def test_an_unknown_person_is_shown_on_the_form(client):
    response = client.post("/interviews?lang=en", data={**QUESTION, "recipient": "tien"}, headers=QUERY)
    assert response.status_code == 422 and "`tien` is not a known person" in text_of(response)


def test_the_start_form_has_a_date_picker_and_the_settings(client):
    html = client.get("/interviews?lang=en", headers=QUERY).get_data(as_text=True)
    assert 'id="interview-form"' in html and 'type="date"' in html
    assert re.search(r'<select id="interview-setting" name="setting">', html) and "a testimony in court" in html


def test_a_logged_in_browser_answers_with_the_forms_csrf_field(app):
    """The page's own forms carry the session's token: a browser (no bearer header) can answer."""
    from .conftest import QUERY_TOKEN
    browser = app.test_client()
    token = form_token(browser)
    assert browser.post("/login", data={"token": QUERY_TOKEN, "csrf_token": token}).status_code == 302
    csrf = form_token(browser, "/interviews?lang=en")
    response = browser.post("/interviews?lang=en", data={**QUESTION, "lang": "en", "csrf_token": csrf})
    assert response.status_code == 303
    path = urlsplit(response.headers["Location"]).path
    page = browser.get(f"{path}?lang=en")
    html = page.get_data(as_text=True)
    field = re.search(r'name="csrf_token" value="([^"]+)"', section(page, "next-question")).group(1)
    answered = browser.post(f"{path}?lang=en", data={"question": next_question(page), "answer": "yes",
                                                       "csrf_token": field})
    assert answered.status_code == 303, answered.get_data(as_text=True)
    # Without the field, the same post is refused and changes nothing.
    refused = browser.post(f"{path}?lang=en", data={"question": next_question(page), "answer": "no"})
    assert refused.status_code == 400 and "csrf_token" in html
