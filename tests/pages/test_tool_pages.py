"""The pages a legal expert finds their way in: the catalogue's search and filters (one language at
a time), the vocabulary page, asking a question of the stored data, and the try-out's before/after."""
from __future__ import annotations

import re

import pytest

from kb.language.law import cited

from .conftest import DAY, QUERY, form_token, section, text_of, visible

CARD = re.compile(r'<article class="rule-card" id="([^"]+)"')


def _ids(response) -> list[str]:
    return CARD.findall(response.get_data(as_text=True))


def test_search_finds_rules_by_words_in_their_reading_id_or_legal_text(client, ext):
    found = _ids(client.get("/rules?lang=en&q=confidentiality+request", headers=QUERY))
    kb = ext.workspace.kb
    expected = [r.id for r in kb.rules
                if all(w in " ".join((r.id, r.source, r.heading, " ".join(r.legal_text), r.reading("en"),
                                      r.head.predicate, r.choice)).casefold() for w in ("confidentiality", "request"))]
    assert found == expected and 0 < len(found) < len(kb.rules)
    shown = text_of(client.get("/rules?lang=en&q=confidentiality+request", headers=QUERY))
    assert f"{len(found)} of {len(kb.rules)} rules shown." in shown
    assert _ids(client.get("/rules?lang=en&q=B3.consent", headers=QUERY)) == ["B3.consent"]


def test_filter_by_statement_and_by_file(client, ext):
    kb = ext.workspace.kb
    by_statement = _ids(client.get("/rules?lang=nl&statement=B4", headers=QUERY))
    assert by_statement == [r.id for r in kb.rules if "B4" in cited(r.source)]
    by_file = _ids(client.get("/rules?lang=en&file=40_ambtsgeheim", headers=QUERY))
    assert by_file == [r.id for f in kb.files if f.path.endswith("40_ambtsgeheim.dl") for r in f.rules]
    both = _ids(client.get("/rules?lang=en&file=20_beroepsgeheim&statement=B4", headers=QUERY))
    assert both and set(both) < set(by_statement)
    none = client.get("/rules?lang=en&q=nothing+matches+this+zzz", headers=QUERY)
    assert _ids(none) == [] and "No rule matches." in text_of(none)


@pytest.mark.parametrize("lang, other", [("nl", "en"), ("en", "nl")])
def test_the_catalogue_speaks_one_language(client, lang, other):
    response = client.get(f"/rules?lang={lang}", headers=QUERY)
    html = response.get_data(as_text=True)
    assert f'<dd lang="{lang}">' in html and f'<dd lang="{other}">' not in html
    title = re.search(r"<h2>(.*?)<span", section(response, "file-20_beroepsgeheim"), re.S).group(1)
    if lang == "en":
        assert "professional secrecy" in title and "beroepsgeheim:" not in title
    else:
        assert "beroepsgeheim" in title and "professional secrecy" not in title


def test_vocabulary_page_lists_each_predicate_with_arguments_reading_and_example(client, ext):
    response = client.get("/vocabulary?lang=en", headers=QUERY)
    assert response.status_code == 200
    consent = visible(section(response, "predicate-consent"))
    assert "Giver (person or body), Item (information item), Recipient (person or body), GivenOn (date)" in consent
    assert "- consent: [Giver, Item, Recipient, GivenOn]" in consent
    assert "- consent: [lena, i_home_situation, tom, 2026-09-15]" in consent  # the stored example
    secrecy = visible(section(response, "predicate-holds_professional_secrecy"))
    assert "B1.professional_secrecy" in secrecy  # a derived predicate names the rules concluding it
    assert len(re.findall(r'class="predicate-card"', response.get_data(as_text=True))) == len(
        ext.workspace.kb.vocabulary.predicates)
    inputs = client.get("/vocabulary?lang=nl&kind=input", headers=QUERY).get_data(as_text=True)
    assert 'id="predicate-consent"' in inputs and 'id="predicate-holds_professional_secrecy"' not in inputs


def test_ask_form_suggests_stored_names_and_records_the_decision(client, ext):
    page = client.get("/ask?lang=en", headers=QUERY).get_data(as_text=True)
    persons = re.search(r'<datalist id="ask-persons">(.*?)</datalist>', page, re.S).group(1)
    assert {"ann", "bert", "tine", "tom"} <= set(re.findall(r'<option value="([^"]+)">', persons))
    assert '<input id="ask-actor" name="actor" value="" list="ask-persons"' in page
    before = ext.log.records()
    response = client.post("/ask?lang=en", headers=QUERY, data={
        "actor": "ann", "recipient": "tom", "item": "i_home_situation", "at": DAY, "setting": "conversation",
        "lang": "en"})
    assert response.status_code == 303
    decision_id = len(before) + 1
    assert response.headers["Location"] == f"/decisions/{decision_id}?lang=en"
    record = ext.log.get(decision_id)
    assert record.outcome == "permitted" and "B3.consent" in record.deciding_rules
    assert "permitted" in text_of(client.get(response.headers["Location"], headers=QUERY)).casefold()


def test_ask_with_an_unknown_name_shows_the_form_again_with_a_suggestion(client, ext):
    response = client.post("/ask?lang=en", headers=QUERY, data={
        "actor": "ann", "recipient": "tinne", "item": "i_home_situation", "at": DAY, "lang": "en"})
    assert response.status_code == 422 and ext.log.records() == []
    problems = visible(section(response, "problems"))
    assert "Recipient" in problems and "did you mean `tine`?" in problems
    assert 'value="tinne"' in response.get_data(as_text=True)  # what was typed is kept
    bad_day = client.post("/ask?lang=en", headers=QUERY, data={
        "actor": "ann", "recipient": "tine", "item": "i_home_situation", "at": "20261102", "lang": "en"})
    assert bad_day.status_code == 422 and "is not a date" in text_of(bad_day)


def test_ask_from_a_browser_session_needs_the_csrf_token(client):
    client.post("/login", data={"token": "page-query-token", "csrf_token": form_token(client)})
    rejected = client.post("/ask?lang=en", data={"actor": "ann", "recipient": "tom", "item": "i_home_situation"})
    assert rejected.status_code == 400
    accepted = client.post("/ask?lang=en", data={"actor": "ann", "recipient": "tom", "item": "i_home_situation",
                                                 "at": DAY, "csrf_token": form_token(client, "/ask")})
    assert accepted.status_code == 303


def test_try_out_shows_before_and_after_the_what_if_facts(client):
    response = client.post("/try?lang=en", headers=QUERY, data={
        "facts": "- consent: [lena, i_home_situation, tine, 2026-10-01]", "mode": "stored", "actor": "ann",
        "recipient": "tine", "item": "i_home_situation", "at": DAY, "setting": "conversation", "lang": "en"})
    assert response.status_code == 200
    before, after = visible(section(response, "before")), visible(section(response, "after"))
    assert "Decision: forbidden" in before and "D5.forbidden" in before
    assert "Decision: permitted" in after and "B3.consent" in after
    assert "consent(lena, i_home_situation, tine, 2026-10-01)" in after
    assert "The what-if facts change the outcome." in text_of(response)
    scenario = client.post("/try?lang=en", headers=QUERY, data={
        "facts": "- clb_worker: [ann]\n- pupil: [lena, sint_jozef]\n- item_about: [i1, lena]\n"
                 "- learned: [ann, i1, lena, clb_worker]\n- school_staff: [tine, sint_jozef, teacher]",
        "mode": "scenario", "actor": "ann", "recipient": "tine", "item": "i1", "at": DAY, "setting": "conversation",
        "lang": "en"})
    assert scenario.status_code == 200 and 'id="before-after"' not in scenario.get_data(as_text=True)
