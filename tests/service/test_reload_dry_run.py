"""POST /v1/admin/reload with dry_run: the same flips as `kb diff`, and nothing swapped."""
from __future__ import annotations

import json

import pytest
from test_impact_groups import add_school_trip
from tiny_kb import write_facts, write_tiny_kb

from kb.cli import main
from kb.language.knowledge_base import DEFAULT_DIR
from query_service.state import EXTENSION

from .conftest import ADMIN, DAY, QUERY, SEED, decide, make_app

INVOLVED = "    care_provider(Colleague),\n    guides(Colleague, Pupil).\n"  # B2.colleague


@pytest.fixture()
def service(api_checker, kb_copy, tmp_path):
    url = f"sqlite:///{tmp_path / 'service.db'}"
    app = make_app(api_checker, KB_DIR=str(kb_copy), DATABASE_URL=url)
    yield app, url
    app.extensions[EXTENSION].close()


def remove_involvement(kb_copy):
    """B2.colleague without `guides(Colleague, Pupil)`: any care provider would share the secret."""
    path = kb_copy / "rules" / "20_beroepsgeheim.dl"
    text = path.read_text(encoding="utf-8")
    assert text.count(INVOLVED) == 1, "B2.colleague changed; pick another one-condition removal"
    path.write_text(text.replace(INVOLVED, "    care_provider(Colleague).\n"), encoding="utf-8")


def _key(flip: dict) -> str:
    return json.dumps(flip, sort_keys=True)


def test_dry_run_lists_the_same_flips_as_kb_diff_and_swaps_nothing(service, kb_copy, capsys):
    app, url = service
    client = app.test_client()
    version = client.get("/v1/health").get_json()["kb_version"]
    asked = decide(client, actor="ann", recipient="carl", item="i_abuse_signal").get_json()
    assert asked["outcome"] == "forbidden"
    remove_involvement(kb_copy)

    response = client.post("/v1/admin/reload", headers=ADMIN, json={"dry_run": True, "at": DAY})
    assert response.status_code == 200
    body = response.get_json()
    assert body["dry_run"] is True and body["previous_kb_version"] == version and body["changed"] is True
    assert body["complete"] is True
    assert body["changed_rules"][0]["id"] == "B2.colleague" and len(body["changed_rules"]) == 1
    by_source = {}
    for flip in body["flips"]:
        by_source.setdefault(flip["source"], []).append(flip)
    assert [(f["ref"], f["question"]["recipient"], f["old"]["outcome"], f["new"]["outcome"])
            for f in by_source["log"]] == [(f"decision {asked['id']}", "carl", "forbidden", "permitted")]
    assert sorted((f["question"]["actor"], f["question"]["recipient"], f["question"]["item"])
                  for f in by_source["population"]) == [("ann", "carl", "i_abuse_signal"),
                                                        ("ann", "carl", "i_home_situation")]
    assert any(f["ref"].endswith("b02_colleague_not_involved.yaml") for f in by_source["scenario"])

    # kb diff over the same rules, facts, day and log lists the same flips.
    capsys.readouterr()
    assert main(["diff", str(DEFAULT_DIR), str(kb_copy), "--facts", str(SEED), "--at", DAY,
                 "--db", url, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert sorted(map(_key, report["flips"])) == sorted(map(_key, body["flips"]))
    assert report["changed_rules"] == body["changed_rules"]

    # Nothing was swapped: the running rules still decide as before.
    assert client.get("/v1/health").get_json()["kb_version"] == version
    again = decide(client, actor="ann", recipient="carl", item="i_abuse_signal").get_json()
    assert again["outcome"] == "forbidden" and again["kb_version"] == version

    # The real reload then names the same changed rule and swaps.
    done = client.post("/v1/admin/reload", headers=ADMIN).get_json()
    assert done["dry_run"] is False and done["changed_rules"] == body["changed_rules"]
    assert decide(client, actor="ann", recipient="carl", item="i_abuse_signal").get_json()["outcome"] == "permitted"


def test_dry_run_on_rules_that_fail_the_checks_is_refused_with_every_error(service, kb_copy):
    app, _ = service
    client = app.test_client()
    version = client.get("/v1/health").get_json()["kb_version"]
    path = kb_copy / "rules" / "20_beroepsgeheim.dl"
    path.write_text(path.read_text(encoding="utf-8").replace("valid_consent(Item, Recipient).",
                                                             "valid_consnet(Item, Recipient).", 1), encoding="utf-8")
    response = client.post("/v1/admin/reload", headers=ADMIN, json={"dry_run": True})
    assert response.status_code == 422 and response.get_json()["code"] == "kb-check-failed"
    assert client.get("/v1/health").get_json()["kb_version"] == version


@pytest.mark.parametrize("body, code", [({"dry_run": "yes"}, "invalid-request"), ({"dryrun": True}, "invalid-request"),
                                        ({"dry_run": True, "at": "2026-13-01"}, "bad-date"),
                                        ({"dry_run": True, "examples": 0}, "invalid-request"),
                                        ({"dry_run": True, "examples": True}, "invalid-request"),
                                        ({"dry_run": True, "examples": 2.5}, "invalid-request"),
                                        ({"dry_run": True, "examples": 1.0}, "invalid-request"),  # integers: strict
                                        ({"dry_run": True, "examples": 2**63}, "invalid-request")])
def test_a_bad_reload_request_is_a_422_and_changes_nothing(service, body, code):
    app, _ = service
    client = app.test_client()
    version = client.get("/v1/health").get_json()["kb_version"]
    response = client.post("/v1/admin/reload", headers=ADMIN, json=body)
    assert response.status_code == 422 and response.get_json()["code"] == code
    assert client.get("/v1/health").get_json()["kb_version"] == version


def test_a_reload_needs_the_admin_scope(service):
    app, _ = service
    assert app.test_client().post("/v1/admin/reload", headers=QUERY, json={"dry_run": True}).status_code == 403


def test_dry_run_of_law_with_a_new_predicate_lists_its_flips_grouped_as_kb_diff_does(api_checker, tmp_path, capsys):
    """A new input predicate, a ground using it and a scenario stating it: no HTTP 500; the flip the
    scenario shows, grouped as `kb diff --json` groups it, and the facts the running rules cannot read."""
    running = write_tiny_kb(tmp_path / "running")
    candidate = write_tiny_kb(tmp_path / "candidate")
    facts = write_facts(tmp_path / "facts.yaml")
    scenario = add_school_trip(candidate, tmp_path / "scenarios")
    app = make_app(api_checker, KB_DIR=str(running), SEED_FACTS=str(facts), SCENARIOS_DIR=str(scenario.parent),
                   DATABASE_URL=f"sqlite:///{tmp_path / 'service.db'}")
    try:
        client = app.test_client()
        version = client.get("/v1/health").get_json()["kb_version"]
        for name in ("vocabulary.yaml", "rules/10_reasons.dl"):  # the legal expert's edit lands in KB_DIR
            (running / name).write_text((candidate / name).read_text(encoding="utf-8"), encoding="utf-8")
        response = client.post("/v1/admin/reload", headers=ADMIN, json={"dry_run": True, "at": DAY, "examples": 1})
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert client.get("/v1/health").get_json()["kb_version"] == version  # nothing swapped
    finally:
        app.extensions[EXTENSION].close()
    assert body["unread_predicates"] == {"old": ["school_trip"], "new": []}
    assert [c["id"] for c in body["changed_rules"]] == ["B13a.school_trip"]
    (flip,) = [f for f in body["flips"] if f["source"] == "scenario"]
    assert flip["caused_by"] == ["B13a.school_trip"] and flip["people"]["recipient_roles"] == ["teacher"]
    capsys.readouterr()
    assert main(["diff", str(write_tiny_kb(tmp_path / "old")), str(candidate), "--facts", str(facts), "--at", DAY,
                 "--scenarios", str(scenario.parent), "--examples", "1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert body["groups"] == report["groups"] and body["totals"] == report["totals"]


def test_a_dry_run_is_not_cut_short_by_the_evaluation_budget_of_a_question(api_checker, tmp_path):
    """The budget guards one question against an expensive what-if; a dry run decides every
    scenario and the population on two rule sets, which takes longer than any question may."""
    running = write_tiny_kb(tmp_path / "running")
    app = make_app(api_checker, KB_DIR=str(running), SEED_FACTS=str(write_facts(tmp_path / "facts.yaml")),
                   SCENARIOS_DIR=str(tmp_path), EVALUATION_BUDGET=0.000001)
    try:
        response = app.test_client().post("/v1/admin/reload", headers=ADMIN, json={"dry_run": True, "at": DAY})
    finally:
        app.extensions[EXTENSION].close()
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["questions"]["population"] > 0
