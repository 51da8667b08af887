"""/decisions/<id>: a recorded decision rendered from the log, in Dutch and English, as decided."""
from __future__ import annotations


import pytest

from kb.explain.readers import for_reader
from kb.explain.render import PHRASES, summary_lines
from kb.language.knowledge_base import copy_knowledge_base
from query_service.state import EXTENSION

from .conftest import ADMIN, QUERY, decide, make_app, section, text_of, visible

TINE = {"actor": "ann", "recipient": "tine", "item": "i_home_situation"}  # forbidden; Lena's consent would permit
TOM = {"actor": "ann", "recipient": "tom", "item": "i_home_situation"}    # permitted by B3 consent


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_forbidden_decision_page_shows_every_part(client, ext, lang):
    body = decide(client, **TINE)
    response = client.get(f"/decisions/{body['id']}?lang={lang}&view=full", headers=QUERY)
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    record = ext.log.get(body["id"])
    words = PHRASES[lang]

    assert f'<html lang="{lang}">' in html
    outcome = visible(section(response, "outcome"))
    assert f"{words['decision']}: {words['forbidden']}" in outcome
    assert 'class="outcome outcome-forbidden"' in html  # the colour comes with the word, not instead of it
    # The summary lines are the text renderer's, from the stored trace as its default reader (the
    # professional who asked) may see it.
    for line in summary_lines(for_reader(record.trace, "actor"), lang):
        for part in line.text.split(". ") if line.kind == "outcome" else [line.text]:  # the box splits it
            assert part.rstrip(".") in text_of(response)
    # The full proof: the deciding rule with its source, why not permitted down to the missing consent.
    assert "D5.forbidden" in visible(section(response, "why"))
    why_not = visible(section(response, "why-not"))
    assert words["why_not"].format(outcome=words["permitted"]) in why_not
    assert why_not.index("D4.permitted_by_ground") < why_not.index("D3.permitted_by_exception")
    missing = ("er is geen toestemming van lena om informatie over lena te delen met tine" if lang == "nl"
               else "there is no consent from lena to share information about lena with tine")
    assert missing in why_not.lower() and "GivenOn" not in why_not
    # The verified remedy: who could do what, as a condition.
    remedies = visible(section(response, "remedies"))
    assert ("Als lena toestemming geeft om" if lang == "nl" else "If lena consents to sharing") in remedies
    # The sources with the quoted legal text, and the versions.
    sources = visible(section(response, "sources"))
    assert "D5.forbidden" in sources and "“Zonder plicht, afweging of grond mag er niets gedeeld worden.”" in sources
    versions = visible(section(response, "versions"))
    for value in (str(record.id), record.kb_version, record.facts_version, record.hash, record.prev_hash):
        assert value in versions


@pytest.mark.parametrize("lang, word", [("nl", "toegelaten"), ("en", "permitted")])
def test_permitted_decision_page_in_each_language(client, lang, word):
    body = decide(client, **TOM, lang="en")
    response = client.get(f"/decisions/{body['id']}?lang={lang}&view=full", headers=QUERY)
    text = text_of(response)
    assert word in visible(section(response, "outcome")).lower()
    assert "B3.consent" in section(response, "why")
    assert "“In alle andere gevallen hebben we de toestemming" in text
    # What would stop it: a request of the pupil naming the recipient, as a condition.
    stop = visible(section(response, "remedies"))
    assert ("Als lena vraagt om informatie over lena niet te delen met tom, mag ann het niet meer met tom delen."
            if lang == "nl" else
            "If lena asks that information about lena not be shared with tom, ann may no longer share it with tom.") in stop


def test_page_defaults_to_the_language_the_decision_was_asked_in(client):
    body = decide(client, **TOM, lang="en")
    assert body["url"] == f"/decisions/{body['id']}?lang=en"
    page = client.get(f"/decisions/{body['id']}", headers=QUERY).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert f'href="/decisions/{body["id"]}?lang=nl"' in page  # the visible switch to Dutch


def test_the_blocks_are_shown_with_their_proofs(client):
    request = {"confidentiality_request": ["lena", "i_home_situation", "tom", "2026-10-20"], "from": "2026-10-20"}
    body = decide(client, **TOM, hypothetical=[request], lang="en")
    assert body["outcome"] == "forbidden"
    blocks = section(client.get(f"/decisions/{body['id']}?view=full", headers=QUERY), "blocks")
    assert "B4.confidentiality" in blocks and "What prevents it" in blocks
    text = visible(blocks)
    assert "on 20 October 2026 lena asked that it not be shared with tom" in text
    assert "what-if, valid from 20 October 2026" in text  # the what-if fact leaf, with its period


def test_hypothetical_facts_are_shown_with_the_question(client):
    consent = {"consent": ["lena", "i_home_situation", "tine", "2026-10-01"], "from": "2026-10-01"}
    body = decide(client, **TINE, hypothetical=[consent], lang="en")
    question = visible(section(client.get(f"/decisions/{body['id']}", headers=QUERY), "question"))
    assert "What-if facts" in question
    assert "consent(lena, i_home_situation, tine, 2026-10-01)" in question


def test_unknown_decision_is_a_404_page(client):
    response = client.get("/decisions/999?lang=en", headers=QUERY)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "There is no decision 999 in the log." in text_of(response)


def test_an_unexpected_failure_is_a_500_page_that_tells_nothing_of_it(client, ext, monkeypatch, caplog):
    def broken(decision_id):
        raise RuntimeError("the log of lena is unreadable")
    monkeypatch.setattr(ext.log, "get", broken)
    response = client.get("/decisions/1?lang=en", headers=QUERY)
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert "The service failed while answering this request." in text_of(response)
    assert "lena" not in response.get_data(as_text=True)
    assert "unexpected RuntimeError" in caplog.text and "lena" not in caplog.text


def test_a_decision_asked_without_explanation_gets_its_explanation_rebuilt(client):
    body = decide(client, explain="none", **TINE)
    response = client.get(f"/decisions/{body['id']}?lang=en&view=full", headers=QUERY)
    assert response.status_code == 200
    assert "D5.forbidden" in section(response, "why")
    assert "If lena consents to sharing information about lena with tine" in visible(section(response, "remedies"))


# -- exactly as decided, after the facts or the rules changed ----------------------------------------
def test_page_shows_the_old_outcome_after_the_facts_changed(client, ext):
    old = decide(client, **TINE)
    assert old["outcome"] == "forbidden"
    added = client.post("/v1/facts", headers=ADMIN, json={"facts": [
        {"consent": ["lena", "i_home_situation", "tine", "2026-10-01"], "from": "2026-10-01"}]})
    assert added.status_code == 201
    assert decide(client, **TINE)["outcome"] == "permitted"  # today's answer did change

    response = client.get(f"/decisions/{old['id']}?lang=en", headers=QUERY)
    assert "FORBIDDEN" in visible(section(response, "outcome")).upper()
    assert old["facts_version"] in visible(section(response, "versions"))
    assert ext.facts_version() not in visible(section(response, "versions")).split()


@pytest.fixture()
def app_on_copy(tmp_path):
    """An app whose rules are a writable copy of the shipped knowledge base."""
    kb = copy_knowledge_base(tmp_path / "kb")
    app = make_app(tmp_path, KB_DIR=str(kb))
    yield app, kb
    app.extensions[EXTENSION].close()


def test_page_shows_the_old_outcome_and_rules_version_after_the_rules_changed(app_on_copy):
    app, kb = app_on_copy
    client = app.test_client()
    old = decide(client, **TOM)
    assert old["outcome"] == "permitted"
    before = client.get(f"/decisions/{old['id']}?lang=en&view=full", headers=QUERY).get_data(as_text=True)

    # A legal expert narrows B3: consent now only lets a CLB worker tell another CLB worker.
    path = kb / "rules" / "20_beroepsgeheim.dl"
    text = path.read_text(encoding="utf-8")
    clause = "    bound_by_secrecy(Actor, Item),\n    valid_consent(Item, Recipient).\n"
    assert text.count(clause) == 1
    path.write_text(text.replace(clause, clause[:-2] + ",\n    clb_worker(Recipient).\n"), encoding="utf-8")
    reload = client.post("/v1/admin/reload", headers=ADMIN).get_json()
    assert reload["changed"] is True
    assert decide(client, **TOM)["outcome"] == "forbidden"

    response = client.get(f"/decisions/{old['id']}?lang=en&view=full", headers=QUERY)
    assert "PERMITTED" in visible(section(response, "outcome")).upper()
    assert "B3.consent" in section(response, "why")
    assert old["kb_version"] in visible(section(response, "versions"))
    notice = visible(section(response, "rules-changed"))
    assert reload["kb_version"] in notice and old["kb_version"] in notice
    # Apart from that notice, the page reads as it did before the change; only its rule ids no
    # longer link to today's catalogue, whose rules are not the decision's.
    after = response.get_data(as_text=True).replace(section(response, "rules-changed"), "")
    assert visible(after) == visible(before)
    assert 'href="/rules/B3.consent' in before and 'href="/rules/B3.consent' not in after



def test_the_default_view_is_the_one_page_summary_with_the_full_proof_one_click_away(client):
    body = decide(client, **TINE)
    response = client.get(f"/decisions/{body['id']}?lang=en", headers=QUERY)
    html = response.get_data(as_text=True)
    assert 'id="summary"' in html and 'id="why"' not in html
    assert "style=" not in html  # the CSP forbids inline style: indentation is a class
    assert "If lena consents to sharing information about lena with tine, ann may share it with tine." in \
        visible(section(response, "summary"))
    assert "[rule" not in visible(section(response, "summary"))  # the rules are in the file section
    assert "view=full" in html


def test_the_page_asks_who_is_reading_and_withholds_what_a_parent_may_not_see(client):
    kept = [{"parent": ["greet", "lena"]}, {"judged_incapable": ["lena"]},  # else I6 shows her parents nothing
            {"confidentiality_request_group": ["lena", "i_home_situation", "parents", "2026-10-05"],
             "from": "2026-10-05"}]
    body = decide(client, actor="ann", recipient="greet", item="i_home_situation", hypothetical=kept, lang="en")
    page = client.get(f"/decisions/{body['id']}?view=full", headers=QUERY)
    assert 'id="reader"' in page.get_data(as_text=True)
    # The professional who asked (the default) sees the request; so does the auditor.
    assert "5 October 2026" in visible(section(page, "proof"))
    assert "written for ann, who asked the question" in visible(section(page, "question"))
    parent = client.get(f"/decisions/{body['id']}?view=full&reader=parent", headers=QUERY)
    # A parent is handed the summary only, with the note every such page carries (review 2026-12-07, F5).
    assert 'id="proof"' not in parent.get_data(as_text=True) and 'id="full-view"' not in parent.get_data(as_text=True)
    shown = visible(section(parent, "question"))
    assert "is never on this page" in shown and "I1." not in parent.get_data(as_text=True)
    assert "5 October 2026" not in visible(section(parent, "summary")) + shown
    # The parent's page carries no rule ids, hashes or versions.
    html = parent.get_data(as_text=True)
    assert "D5.forbidden" not in html and body["kb_version"] not in html and 'id="versions"' not in html


def test_the_auditors_view_needs_the_audit_scope(client):
    from .conftest import AUDIT
    body = decide(client, **TOM)
    assert client.get(f"/decisions/{body['id']}?reader=auditor&lang=en", headers=QUERY).status_code == 403
    page = client.get(f"/decisions/{body['id']}?reader=auditor&lang=en", headers=AUDIT)
    assert page.status_code == 200 and "nothing is left out" in visible(section(page, "question"))
    assert 'value="auditor"' not in client.get(f"/decisions/{body['id']}", headers=QUERY).get_data(as_text=True)


def test_an_unknown_reader_is_a_400_page(client):
    body = decide(client, **TOM)
    response = client.get(f"/decisions/{body['id']}?reader=neighbour&lang=en", headers=QUERY)
    assert response.status_code == 400 and "`neighbour` is not a reader" in text_of(response)


@pytest.mark.parametrize("lang, text", [("en", "Share only what is necessary for the pupil's guidance"),
                                        ("nl", "Enkel vertellen wat nodig is om de leerling te helpen")])
def test_the_page_shows_the_conditions_the_decision_carries(client, lang, text):
    """Ann may tell Bert under shared secrecy (B2), judging what the guidance needs (L7)."""
    body = decide(client, actor="ann", recipient="bert", item="i_home_situation", lang=lang)
    assert [c["id"] for c in body["conditions"]] == ["L7.need_to_know", "L7.client_agreement"]
    assert text in body["conditions"][0]["text"]
    response = client.get(f"/decisions/{body['id']}?lang={lang}", headers=QUERY)
    assert text in visible(section(response, "summary"))
    pupil = client.get(f"/decisions/{body['id']}?lang={lang}&reader=pupil", headers=QUERY)
    heading = "Waar ann op let bij het delen" if lang == "nl" else "What ann takes care of when sharing it"
    assert heading in visible(section(pupil, "summary")) and text in visible(section(pupil, "summary"))
    refused = decide(client, **TINE)
    assert refused["conditions"] == []

