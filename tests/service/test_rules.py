"""/v1/rules, /v1/vocabulary and /v1/admin/reload."""
from __future__ import annotations


import pytest

from kb.paths import ROOT
from query_service.state import EXTENSION

from .conftest import ADMIN, QUERY, decide, make_app


def test_rule_catalogue(client, ext):
    body = client.get("/v1/rules", headers=QUERY).get_json()
    assert body["count"] == len(ext.workspace.kb.rules) == len(body["rules"])
    assert body["kb_version"] == ext.workspace.kb.version
    consent = next(r for r in body["rules"] if r["id"] == "B3.consent")
    assert consent["concludes"] == "may_tell"
    assert consent["readings"]["en"].startswith("{Actor} may share {Item} with {Recipient}")
    only = client.get("/v1/rules?predicate=valid_consent", headers=QUERY).get_json()
    assert {r["id"] for r in only["rules"]} == {"L9.consent_for_every_pupil"}
    covers = client.get("/v1/rules?predicate=consent_covers", headers=QUERY).get_json()
    assert {r["id"] for r in covers["rules"]} == {"L9.item_consent", "L9.general_consent", "L9.circle_consent"}


def test_one_rule_with_its_source_text(client):
    rule = client.get("/v1/rules/B3.consent", headers=QUERY).get_json()
    assert rule["source"].startswith("B3;")
    assert rule["legal_text"].startswith("In alle andere gevallen hebben we de toestemming")
    assert rule["file"] == "kb/rules/20_beroepsgeheim.dl"
    lines = (ROOT / rule["file"]).read_text(encoding="utf-8").splitlines()
    assert rule["source_text"] == "\n".join(lines[rule["line"] - 1:rule["end_line"]]) + "\n"
    assert rule["source_text"].startswith("> In alle andere gevallen")
    assert "@id: B3.consent" in rule["source_text"]
    assert rule["source_text"].rstrip().endswith("valid_consent(Item, Recipient).")
    clause_line = rule["line"] + next(i for i, l in enumerate(rule["source_text"].splitlines()) if l.startswith("may_tell("))
    assert rule["location"] == f"{rule['file']}:{clause_line}"  # the clause, below the quote and annotations
    assert rule["clause"] == ("may_tell(Actor, Recipient, Item) :- bound_by_secrecy(Actor, Item), "
                              "valid_consent(Item, Recipient).")


def test_rule_with_a_choice(client):
    rule = client.get("/v1/rules/D3.permitted_by_exception", headers=QUERY).get_json()
    assert rule["choice"].startswith("An exception outweighs every block")


def test_vocabulary(client):
    body = client.get("/v1/vocabulary", headers=QUERY).get_json()
    consent = body["predicates"]["consent"]
    assert consent["kind"] == "input" and consent["arity"] == 4
    assert [a["name"] for a in consent["args"]] == ["Giver", "Item", "Recipient", "GivenOn"]
    assert (consent["brought_about_by"], consent["remedy"]) == ("Giver", "consent")
    assert "conversation" in body["types"]["setting"]["values"]
    assert body["functions"]["years_between"]["returns"] == "number"


@pytest.fixture()
def app_on_copy(api_checker, kb_copy):
    app = make_app(api_checker, KB_DIR=str(kb_copy))
    yield app
    app.extensions[EXTENSION].close()


def test_reload_unchanged_rules(client):
    body = client.post("/v1/admin/reload", headers=ADMIN).get_json()
    assert body["changed"] is False and body["kb_version"] == body["previous_kb_version"]


def test_reload_refuses_broken_rules_and_keeps_the_running_ones(app_on_copy, kb_copy):
    client = app_on_copy.test_client()
    version = client.get("/v1/health").get_json()["kb_version"]
    path = kb_copy / "rules" / "20_beroepsgeheim.dl"
    text = path.read_text(encoding="utf-8")
    broken = text.replace("    valid_consent(Item, Recipient).", "    valid_consnet(Item, Recipient).", 1)
    broken = broken.replace("shared_secrecy_colleague(Colleague, Item) :-", "shared_secrecy_colleague(Colleague) :-", 1)
    assert broken.count("valid_consnet") == 1
    path.write_text(broken, encoding="utf-8")

    response = client.post("/v1/admin/reload", headers=ADMIN)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "kb-check-failed"
    codes = {e["code"] for e in body["errors"]}
    assert {"unknown-predicate", "arity"} <= codes
    misspelled = next(e for e in body["errors"] if e["code"] == "unknown-predicate")
    line = next(i for i, l in enumerate(broken.splitlines(), 1) if "valid_consnet" in l)
    assert (misspelled["file"].endswith("rules/20_beroepsgeheim.dl"), misspelled["line"], misspelled["column"]) == (
        True, line, 5)
    assert "valid_consent" in misspelled["suggestion"]

    assert client.get("/v1/health").get_json()["kb_version"] == version
    decision = decide(client, actor="ann", recipient="tom", item="i_home_situation").get_json()
    assert (decision["outcome"], decision["kb_version"]) == ("permitted", version)
    assert "B3.consent" in decision["deciding_rules"]


def test_changed_rules_replay_and_old_decision_shown_as_decided(app_on_copy, kb_copy):
    client = app_on_copy.test_client()
    old = decide(client, actor="ann", recipient="tom", item="i_home_situation", explain="full").get_json()
    assert old["outcome"] == "permitted" and "B3.consent" in old["deciding_rules"]

    # A legal expert narrows B3: consent now only lets a CLB worker tell another CLB worker.
    path = kb_copy / "rules" / "20_beroepsgeheim.dl"
    text = path.read_text(encoding="utf-8")
    clause = "    bound_by_secrecy(Actor, Item),\n    valid_consent(Item, Recipient).\n"
    assert text.count(clause) == 1
    path.write_text(text.replace(clause, clause[:-2] + ",\n    clb_worker(Recipient).\n"), encoding="utf-8")
    reload = client.post("/v1/admin/reload", headers=ADMIN).get_json()
    assert reload["changed"] is True and reload["previous_kb_version"] == old["kb_version"]

    replay = client.post(f"/v1/decisions/{old['id']}/replay", headers=QUERY)
    assert replay.status_code == 201
    body = replay.get_json()
    assert body["replay_of"] == old["id"] and body["decision"]["replay_of"] == old["id"]
    assert body["changes"]["changed"] is True
    assert body["changes"]["outcome"] == {"before": "permitted", "after": "forbidden", "same": False}
    assert body["changes"]["kb_version"] == {"before": old["kb_version"], "after": reload["kb_version"], "same": False}
    assert body["changes"]["facts_version"]["same"] is True
    assert body["decision"]["deciding_rules"] == ["D5.forbidden"]

    # The old decision is still shown as it was decided, with the rule texts of its version.
    record = client.get(f"/v1/decisions/{old['id']}", headers=QUERY).get_json()
    assert record["outcome"] == "permitted" and record["kb_version"] == old["kb_version"]
    assert "B3.consent" in record["deciding_rules"]
    kept = client.get(f"/v1/kb-versions/{old['kb_version']}", headers=QUERY).get_json()["sources"]
    old_text = next(t for p, t in kept.items() if p.endswith("20_beroepsgeheim.dl"))
    assert "clb_worker(Recipient)" not in old_text and old_text == text
    new_record = client.get(f"/v1/decisions/{body['decision']['id']}", headers=QUERY).get_json()
    assert new_record["request"]["replay_of"] == old["id"]
