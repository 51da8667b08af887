"""/rules and /rules/<id>: the rule catalogue, grouped by file and law heading."""
from __future__ import annotations

import re

import pytest

from kb.paths import display_path

from .conftest import QUERY, section, text_of, visible


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_catalogue_lists_every_rule_under_its_file_and_heading(client, ext, lang):
    kb = ext.workspace.kb
    response = client.get(f"/rules?lang={lang}", headers=QUERY)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    ids = re.findall(r'<article class="rule-card" id="([^"]+)"', html)
    assert ids == [rule.id for rule in kb.rules]  # every rule once, in the files' order
    for rule_file in kb.files:
        group = section(response, "file-" + display_path(rule_file.path).rsplit("/", 1)[-1][:-3])
        assert [i for i in re.findall(r'<article class="rule-card" id="([^"]+)"', group)] == [
            r.id for r in rule_file.rules]
        for rule in rule_file.rules:
            if rule.heading:
                assert visible(rule.heading) in visible(group)


def test_a_rule_card_has_source_legal_text_its_reading_in_the_pages_language_and_its_choice(client):
    response = client.get("/rules?lang=en", headers=QUERY)
    card = section(response, "D3.permitted_by_exception")
    text = visible(card)
    assert "D3; B6; L6; art. 458 Sw." in text
    assert "Bij gevaar, in noodsituaties en uit eigen verdediging vervalt het beroepsgeheim (B6)" in text
    assert "Reading Actor may share Item with Recipient, because an exception to secrecy applies." in text
    assert "Actor mag Item delen met Recipient" not in text  # one language at a time
    both = visible(section(client.get("/rules/D3.permitted_by_exception?lang=en", headers=QUERY),
                           "D3.permitted_by_exception"))
    assert "English reading Actor may share" in both and "Dutch reading Actor mag Item delen" in both
    assert '<p class="choice"><strong>Interpretation choice:</strong> An exception outweighs every block' in card
    assert "permitted(Actor, Recipient, Item) :-" in text  # the rule as written
    assert "<var>Recipient</var>" in card  # placeholders marked up in the readings


def test_rules_without_a_choice_show_none(client):
    card = section(client.get("/rules?lang=en", headers=QUERY), "L9.item_consent")
    assert 'class="choice"' not in card


@pytest.mark.parametrize("lang, label", [("nl", "Regel zoals geschreven"), ("en", "Rule as written")])
def test_one_rule_with_its_source_text_open(client, lang, label):
    response = client.get(f"/rules/B3.consent?lang={lang}", headers=QUERY)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<details class="source-text" open>' in html
    text = text_of(response)
    assert label in text
    assert "> In alle andere gevallen hebben we de toestemming" in text
    assert "@id: B3.consent" in text
    assert "valid_consent(Item, Recipient)." in text


def test_an_unknown_rule_is_a_404_page_with_a_suggestion(client):
    response = client.get("/rules/B3.consnet?lang=en", headers=QUERY)
    assert response.status_code == 404 and response.mimetype == "text/html"
    text = text_of(response)
    assert "There is no rule B3.consnet" in text
    assert "did you mean `B3.consent`?" in text


def test_a_rule_page_lists_the_scenarios_that_exercise_it_and_the_rules_that_depend_on_it(client, ext):
    from kb.edits.impact import dependents
    kb = ext.workspace.kb
    response = client.get("/rules/B2.colleague?lang=en", headers=QUERY)
    assert response.status_code == 200
    exercised = section(response, "exercised-by")
    assert "Scenarios that exercise this rule" in visible(exercised)
    assert "fixtures/scenarios/b02_shared_secrecy_involved_colleague.yaml" in exercised
    assert "fixtures/scenarios/b03_pupil_consent_to_teacher.yaml" not in exercised
    depending = section(response, "dependents")
    assert dependents(kb, "B2.colleague") == [
        r.id for r in kb.rules if any(getattr(lit, "predicate", getattr(getattr(lit, "atom", None), "predicate", None))
                                      == "shared_secrecy_colleague" for lit in r.body)]
    for other in dependents(kb, "B2.colleague"):
        assert f'href="/rules/{other}?lang=en"' in depending
    top = section(client.get("/rules/D5.forbidden?lang=nl", headers=QUERY), "dependents")
    assert "Geen regel gebruikt de conclusie van deze regel" in visible(top)


def test_a_rule_card_shows_its_alternative_its_conditions_and_links_its_statements(client):
    response = client.get("/rules/B2.shared_secrecy?lang=en", headers=QUERY)
    html = response.get_data(as_text=True)
    text = visible(html)
    assert "Alternative: To require a stored mark that the item is necessary" in text
    assert "Condition: Share only what is necessary for the pupil's guidance (need to know)." in text
    assert 'href="/law?lang=en#B2"' in html and 'href="/law?lang=en#L7"' in html


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_law_page_lists_each_statement_with_the_rules_that_cite_it(client, ext, lang):
    response = client.get(f"/law?lang={lang}", headers=QUERY)
    assert response.status_code == 200
    b2 = section(response, "B2")
    assert "Shared secrecy" in visible(b2) and "need to know" in visible(b2)
    cited = re.findall(r'/rules/([^?"]+)\?lang=', b2)
    assert cited == [r.id for r in ext.workspace.kb.rules if "B2" in re.findall(r"[BLD]\d+a?", r.source)]
    assert {"D1", "B13a", "L11"} <= set(re.findall(r'<section class="statement" id="([^"]+)"', response.get_data(as_text=True)))
