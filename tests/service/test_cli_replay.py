"""`kb replay ID --db URL`: a logged question decided again on the current rules and the store's
latest facts, read-only, through the CLI's entry point."""
from __future__ import annotations

import json

import pytest

from kb.cli import main as kb_main
from kb.store.db import Database
from kb.store.decisions import DecisionLog
from query_service.state import EXTENSION

from .conftest import ADMIN, DAY, decide, make_app


@pytest.fixture()
def logged(api_checker, tmp_path):
    """A SQLite store holding one decision (ann → tine: forbidden), then a stored consent that permits it."""
    url = f"sqlite:///{tmp_path / 'log.db'}"
    app = make_app(api_checker, DATABASE_URL=url, SECRET_KEY="replay-test-secret")
    client = app.test_client()
    first = decide(client, explain="none", actor="ann", recipient="tine", item="i_home_situation", at=DAY).get_json()
    assert first["outcome"] == "forbidden"
    client.post("/v1/facts", headers=ADMIN,
                json={"facts": [{"consent": ["lena", "i_home_situation", "tine", "2026-10-01"], "from": "2026-10-01"}]})
    app.extensions[EXTENSION].close()
    return url, first["id"]


def test_replay_shows_the_logged_and_the_current_decision(logged, capsys):
    url, decision_id = logged
    assert kb_main(["replay", str(decision_id), "--db", url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"decision {decision_id}: ann → tine about i_home_situation on {DAY}")
    assert out[1].startswith("  logged: forbidden — D5.forbidden")
    assert out[2].startswith("  now:    permitted — D4.permitted_by_ground, B3.consent")
    assert out[3] == "  changed"


def test_replay_json_and_nothing_is_logged(logged, capsys):
    url, decision_id = logged
    assert kb_main(["replay", str(decision_id), "--db", url, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["changed"] and report["before"]["outcome"] == "forbidden"
    assert report["after"]["outcome"] == "permitted" and report["after"]["facts_version"] == "2"
    db = Database(url)
    try:
        assert len(DecisionLog(db).records()) == 1
    finally:
        db.close()


def test_replay_of_an_unknown_id_or_a_missing_store_is_an_error(logged, tmp_path, capsys):
    url, _ = logged
    assert kb_main(["replay", "99", "--db", url]) == 2
    assert "there is no decision 99 in the log (ids 1 to 1)" in capsys.readouterr().err
    assert kb_main(["replay", "1", "--db", f"sqlite:///{tmp_path / 'none.db'}"]) == 2
    assert not (tmp_path / "none.db").exists()
