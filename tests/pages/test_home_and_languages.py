"""The home page, and every page in Dutch and English with a visible switch between them."""
from __future__ import annotations

import pytest

from query_service.pages.i18n import _PAGE

from .conftest import QUERY, decide, section, visible

NAV = {"nl": ("Start", "Regels", "Scenario uitproberen"), "en": ("Home", "Rules", "Try a scenario")}


def test_both_languages_have_the_same_labels():
    assert set(_PAGE["nl"]) == set(_PAGE["en"])


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_home_shows_the_versions_and_links_the_pages(client, ext, lang):
    decide(client, actor="ann", recipient="tom", item="i_home_situation")
    response = client.get(f"/?lang={lang}")
    assert response.status_code == 200
    health = visible(section(response, "health"))
    assert ext.workspace.kb.version in health and ext.facts_version() in health
    assert str(len(ext.workspace.kb.rules)) in health and ext.workspace.engine.name in health
    assert ("Beslissingen in het logboek 1" if lang == "nl" else "Decisions logged 1") in health
    html = response.get_data(as_text=True)
    for path in ("/rules", "/try"):
        assert f'href="{path}?lang={lang}"' in html


def test_the_open_decision_form_goes_to_that_decision(client):
    response = client.get("/decisions?id=7&lang=en")
    assert response.status_code == 302 and response.headers["Location"] == "/decisions/7?lang=en"
    assert client.get("/decisions?id=seven&lang=en").headers["Location"] == "/?lang=en"


@pytest.mark.parametrize("path", ["/", "/login", "/decisions/1", "/rules", "/rules/B2.shared_secrecy", "/try",
                                  "/try?example=1", "/decisions/404"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_page_speaks_the_language_asked_for_and_offers_the_other(client, path, lang):
    decide(client, actor="ann", recipient="tine", item="i_home_situation")
    other = "en" if lang == "nl" else "nl"
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}lang={lang}", headers=QUERY)
    assert response.status_code in (200, 404)
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    for label in NAV[lang]:
        assert f">{label}</a>" in html
    switch = section(response, f"lang-{other}")
    assert f"lang={other}" in switch and ("Nederlands" if other == "nl" else "English") in switch


def test_an_unknown_language_falls_back_to_dutch(client):
    assert '<html lang="nl">' in client.get("/?lang=fr").get_data(as_text=True)
