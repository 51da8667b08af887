"""/try: a scenario decided and explained on the page, never recorded, never stored."""
from __future__ import annotations

import pytest

from query_service.state import EXTENSION

from .conftest import DAY, QUERY, decide, make_app, section, text_of, visible

SCENARIO = """\
- clb_worker: [ann]
- pupil: [lena, sint_jozef]
- born: [lena, 2012-03-01]
- school_staff: [tine, sint_jozef, teacher]
- item_about: [i_home_situation, lena]
- learned: [ann, i_home_situation, lena, clb_worker]
"""
CONSENT = "- consent: [lena, i_home_situation, tine, 2026-10-01]\n  from: 2026-10-01\n"
QUESTION = {"actor": "ann", "recipient": "tine", "item": "i_home_situation", "at": DAY, "setting": "conversation"}


def try_out(client, facts: str = "", mode: str = "scenario", lang: str = "en", **question):
    return client.post(f"/try?lang={lang}", headers=QUERY,
                       data={"facts": facts, "mode": mode, "lang": lang, **{**QUESTION, **question}})


@pytest.mark.parametrize("lang, title", [("nl", "Scenario uitproberen"), ("en", "Try a scenario")])
def test_the_empty_form_says_it_is_a_try_out(client, lang, title):
    response = client.get(f"/try?lang={lang}", headers=QUERY)
    assert response.status_code == 200
    text = text_of(response)
    assert title in text
    assert ("niet opgenomen in het beslissingslogboek" if lang == "nl" else "not recorded in the decision log") in text
    assert 'id="result"' not in response.get_data(as_text=True)


def test_the_example_fills_in_a_shipped_scenario(client):
    html = client.get("/try?example=1", headers=QUERY).get_data(as_text=True)
    assert "- learned: [ann, i_home_situation, lena, clb_worker]" in html
    assert 'name="recipient" value="tine"' in html


@pytest.mark.parametrize("lang, word", [("nl", "verboden"), ("en", "forbidden")])
def test_a_scenario_is_decided_and_explained_like_a_decision_page(client, lang, word):
    response = try_out(client, SCENARIO, lang=lang)
    assert response.status_code == 200
    assert word in visible(section(response, "outcome")).lower()
    assert "D5.forbidden" in section(response, "why")
    remedies = visible(section(response, "remedies"))  # Lena's consent, verified, as a condition
    assert ("Als lena toestemming geeft om" if lang == "nl" else "If lena consents to sharing") in remedies
    assert "“Zonder plicht, afweging of grond mag er niets gedeeld worden.”" in visible(section(response, "sources"))
    versions = visible(section(response, "versions"))
    assert ("scenario (6 feiten)" if lang == "nl" else "scenario (6 facts)") in versions
    # The form keeps what was entered.
    assert "- born: [lena, 2012-03-01]" in response.get_data(as_text=True)


def test_a_scenario_decides_on_its_own_facts_only(client):
    # In the stored base Tom may be told (Lena's consent); a scenario without that consent knows nothing of it.
    scenario = SCENARIO + "- school_staff: [tom, sint_jozef, teacher]\n"
    response = try_out(client, scenario, recipient="tom")
    assert "FORBIDDEN" in visible(section(response, "outcome")).upper()
    permitted = try_out(client, SCENARIO + CONSENT)
    assert "PERMITTED" in visible(section(permitted, "outcome")).upper()
    # Fact leaves name the line of the form each fact was entered on: the consent is on line 7.
    assert "try-out:7, valid from 1 October 2026" in visible(section(permitted, "why"))


def test_empty_facts_decide_on_the_stored_fact_base(client, ext):
    response = try_out(client, "", recipient="tom")
    assert "PERMITTED" in visible(section(response, "outcome")).upper()
    assert f"stored version {ext.facts_version()}" in visible(section(response, "versions"))


def test_stored_mode_adds_the_facts_as_what_if_facts(client):
    response = try_out(client, CONSENT, mode="stored")
    assert "PERMITTED" in visible(section(response, "outcome")).upper()
    assert "What-if facts" in visible(section(response, "question"))


def test_a_try_out_changes_neither_the_store_nor_the_log_nor_other_requests(client, ext):
    before = (ext.store.version(), ext.decisions_logged(), ext.facts_version(), len(ext.workspace.facts))
    assert try_out(client, CONSENT, mode="stored").status_code == 200
    assert try_out(client, SCENARIO + CONSENT).status_code == 200
    assert (ext.store.version(), ext.decisions_logged(), ext.facts_version(), len(ext.workspace.facts)) == before
    # The consent entered in the try-outs is no fact for anyone else.
    assert decide(client, **{k: QUESTION[k] for k in ("actor", "recipient", "item")})["outcome"] == "forbidden"


def test_a_scenario_on_the_reference_engine_leaves_the_service_engine_alone(tmp_path):
    # pyDatalog keeps state per thread; a scenario's engine of its own must not share any of it.
    app = make_app(tmp_path, ENGINE="pydatalog")
    try:
        client = app.test_client()
        permitted = try_out(client, SCENARIO + CONSENT)
        assert "PERMITTED" in visible(section(permitted, "outcome")).upper()
        assert decide(client, **{k: QUESTION[k] for k in ("actor", "recipient", "item")})["outcome"] == "forbidden"
    finally:
        app.extensions[EXTENSION].close()


@pytest.mark.parametrize("facts, where, message", [
    ("- clb_worker: [ann\n- pupil: [lena, x]\n", "line 2", "not valid YAML"),
    ("- clb_worker: [ann]\n- consnet: [lena, i_home_situation, tine, 2026-10-01]\n", "line 2, column 3",
     "unknown predicate `consnet`"),
    ("- clb_worker: [ann]\n\n- born: [lena, 2012-13-01]\n", "line 3, column 3", "`2012-13-01` is not a date"),
    ("- clb_worker: [ann, bert]\n", "line 1, column 3", "takes 1 argument(s)"),
    ("- clb_worker: [ann]\n  from: someday\n", "line 1, column 3", "`someday` is not a date"),
    ("clb_worker: [ann]\n", "line 1, column 1", "write each fact as a list item"),
    ("- is_decided: [ann, tine, i_home_situation]\n", "line 1, column 3", "unknown predicate"),
    ("- must_tell: [ann, tine, i_home_situation]\n", "line 1, column 3", "only input facts can be stated"),
])
def test_bad_facts_are_shown_with_their_line_never_a_500(client, ext, facts, where, message):
    logged = ext.decisions_logged()
    response = try_out(client, facts)
    assert response.status_code == 422 and response.mimetype == "text/html"
    problems = visible(section(response, "problems"))
    assert where in problems and message in problems
    assert 'id="result"' not in response.get_data(as_text=True)
    assert ext.decisions_logged() == logged


def test_the_line_a_problem_is_on_is_quoted(client):
    problems = section(try_out(client, "- clb_worker: [ann]\n- consnet: [x]\n"), "problems")
    assert "<code>  2 | - consnet: [x]</code>" in problems
    assert "did you mean `consent`?" in visible(problems)


@pytest.mark.parametrize("question, field, message", [
    ({"actor": ""}, "actor", "fill in the Actor"),
    ({"at": "2026-02-30"}, "at", "`2026-02-30` is not a date; write it as YYYY-MM-DD"),
    ({"setting": "pub"}, "setting", "`pub` is not a setting"),
    ({"recipient": "tina"}, "recipient", "the recipient `tina` is not a known person"),
    ({"item": "i_home"}, "item", "the item `i_home` is not a known information item"),
])
def test_bad_questions_are_shown_beside_their_field(client, question, field, message):
    response = try_out(client, SCENARIO, **question)
    assert response.status_code == 422
    assert message in visible(section(response, f"error-{field}"))
    assert message in visible(section(response, "problems"))


@pytest.mark.parametrize("facts", [
    "[a]: b\n", "- {[x]: 1}\n", "- 42\n", "42\n", "- clb_worker:\n", "- clb_worker: [null]\n", "\t- x\n",
    "- consent: [lena, i_home_situation, tine, 2026-10-01]\n  from: 2026-10-02\n  until: 2026-10-01\n",
    "- clb_worker: [ann]\n  clb_worker: [bert]\n", "&a [*a]\n", "!!python/object:os.system x\n",
])
def test_odd_input_never_fails_the_server(client, facts):
    assert try_out(client, facts).status_code == 422


def test_the_language_switch_resubmits_the_scenario(client):
    html = try_out(client, SCENARIO, lang="en").get_data(as_text=True)
    assert '<button type="submit" form="try-form" name="switch_lang" value="nl"' in html
    response = client.post("/try?lang=en", headers=QUERY,
                           data={"facts": SCENARIO, "mode": "scenario", "lang": "en", "switch_lang": "nl", **QUESTION})
    assert '<html lang="nl">' in response.get_data(as_text=True)
    assert "VERBODEN" in visible(section(response, "outcome")).upper()


def test_too_much_text_is_a_413_page(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 2048
    response = try_out(client, "- clb_worker: [ann]\n" * 200)
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert "more than 2048 bytes" in text_of(response)
