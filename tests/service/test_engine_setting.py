"""One setting — DEELWIJZER_ENGINE, the service's ENGINE, `kb --engine` — chooses the engine for
the CLI, the service's decisions, try-outs and a logged decision's rebuilt explanation alike
(kb/engine/registry.py). A recording engine registered under a new name shows who builds which."""
from __future__ import annotations

import pytest

from kb import cli
from kb.engine import registry
from kb.engine.materialized import MaterializedEngine
from query_service.pages.scenario import example, try_out
from query_service.state import EXTENSION

from .conftest import AUDIT, ADMIN, DAY, QUERY, SEED, decide, make_app
from .test_decisions import CONSENT_TINE


@pytest.fixture()
def built(monkeypatch):
    """Every engine built through the registry under the name `recording` (the configured one)."""
    engines: list = []

    def recording():
        engine = MaterializedEngine()
        engines.append(engine)
        return engine

    monkeypatch.setitem(registry.ENGINES, "recording", recording)
    monkeypatch.setenv(registry.ENV_VAR, "recording")
    return engines


def test_the_cli_decides_with_the_configured_engine(built, capsys):
    assert cli.main(["decide", "ann", "tine", "i_home_situation", "--at", DAY, "--facts", str(SEED)]) == 0
    assert len(built) == 1
    assert capsys.readouterr().out.startswith("forbidden")


def test_the_cli_flag_overrides_the_environment(built, capsys):
    assert cli.main(["--engine", "pydatalog", "decide", "ann", "tine", "i_home_situation", "--at", DAY,
                     "--facts", str(SEED)]) == 0
    assert built == []


def test_an_unknown_engine_in_the_environment_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setenv(registry.ENV_VAR, "no-such-engine")
    assert cli.main(["decide", "ann", "tine", "i_home_situation", "--facts", str(SEED)]) == 2
    assert "unknown engine 'no-such-engine'" in capsys.readouterr().err


def test_the_service_decides_tries_out_and_rebuilds_with_the_configured_engine(built, api_checker):
    app = make_app(api_checker)
    try:
        ext = app.extensions[EXTENSION]
        assert built == [ext.workspace.engine] and app.config["ENGINE"] == "recording"
        client = app.test_client()
        question = {"actor": "ann", "recipient": "tine", "item": "i_home_situation"}
        lean = decide(client, **question, explain="none").get_json()
        assert client.post("/v1/facts", json={"facts": [CONSENT_TINE]}, headers=ADMIN).status_code == 201
        record = client.get(f"/v1/decisions/{lean['id']}", headers=AUDIT).get_json()
        assert record["explanation"]["facts_version"] == lean["facts_version"]
        assert len(built) == 2, "the explanation on the old fact base was rebuilt in a configured engine"
        with app.app_context():
            form = example()
            assert try_out(form, ext.workspace, ext.sync) is not None, form.problems
        assert len(built) == 3, "the try-out's scenario was decided in a configured engine"
    finally:
        app.extensions[EXTENSION].close()
