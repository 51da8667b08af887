"""Fact changes and dry-run reloads keep to the evaluation budget, and hold up no decision.

The outside probe's F6: committed fact changes had no time budget — four POSTs building a
1,500-person `superior_of` cycle made decisions wait 16.6 s. F9: a dry-run reload answered 503 only
after 11.9 s. Now a fact change is worked out before it is stored, within the budget and beside
the models in use; past the budget nothing is stored. A dry run past its budget answers with what
it found so far, marked incomplete."""
from __future__ import annotations

import threading

import pytest

from kb.engine import bottom_up
from query_service.state import EXTENSION

from .conftest import ADMIN, DAY, QUERY, decide, make_app

CYCLE = 1500
TINE = {"actor": "ann", "recipient": "tine", "item": "i_home_situation"}


def superiors(size: int = CYCLE) -> list[dict]:
    """A `superior_of` cycle of `size` people, reaching tine: every staff question now walks it."""
    return [{"superior_of": [f"p{i}", f"p{(i + 1) % size}"]} for i in range(size)] + [{"superior_of": ["p0", "tine"]}]


@pytest.fixture()
def tight(api_checker):
    app = make_app(api_checker, EVALUATION_BUDGET=1.0, MAX_CONTENT_LENGTH=1 << 20)
    yield app
    app.extensions[EXTENSION].close()


def test_a_fact_change_costlier_than_the_budget_is_refused_and_stores_nothing(tight):
    """The probe's four POSTs (at most 500 facts each): the cycle grows with each; the first whose
    consequences cost more than the budget is refused, and none of its facts is stored."""
    client = tight.test_client()
    assert decide(client, **TINE).status_code == 201  # a model in use: the change is measured against it
    ext = tight.extensions[EXTENSION]
    facts, stored, refused = superiors(), 0, None
    for part in (facts[i:i + 376] for i in range(0, len(facts), 376)):
        response = client.post("/v1/facts", headers=ADMIN, json={"facts": part})
        if response.status_code != 201:
            refused = response
            break
        stored += len(part)
    assert refused is not None and refused.status_code == 503
    problem = refused.get_json()
    assert problem["code"] == "evaluation-budget-exceeded"
    assert "nothing was stored" in problem["detail"] and "1 s" in problem["detail"]
    assert ext.workspace.facts.version == str(ext.store.version())
    listed = client.get("/v1/facts?predicate=superior_of&limit=1000", headers=QUERY).get_json()
    assert listed["count"] == stored < len(facts)
    assert decide(client, **TINE).get_json()["outcome"] == "forbidden"


def test_a_fact_change_is_worked_out_while_decisions_go_on(api_checker, monkeypatch):
    """While the models of a change are computed, a decision on the current facts is answered
    (before, the engine's lock was held all along: decisions waited for the change)."""
    app = make_app(api_checker)
    try:
        client = app.test_client()
        assert decide(client, **TINE).get_json()["outcome"] == "forbidden"
        computing, release = threading.Event(), threading.Event()
        changed = bottom_up.MomentModel.changed

        def slow_change(self, *args):
            computing.set()
            assert release.wait(60)
            return changed(self, *args)

        monkeypatch.setattr(bottom_up.MomentModel, "changed", slow_change)
        consent = {"consent": ["lena", "i_home_situation", "tine", "2026-10-01"], "from": "2026-10-01"}
        stored: dict = {}
        change = threading.Thread(target=lambda: stored.update(
            response=app.test_client().post("/v1/facts", headers=ADMIN, json={"facts": [consent]})))
        change.start()
        assert computing.wait(60)
        answered: dict = {}
        asking = threading.Thread(target=lambda: answered.update(response=decide(app.test_client(), **TINE)))
        asking.start()
        asking.join(60)
        assert not asking.is_alive(), "the decision waited for the fact change"
        assert answered["response"].get_json()["outcome"] == "forbidden"  # on the facts before the change
        release.set()
        change.join(60)
        assert stored["response"].status_code == 201
        assert decide(client, **TINE).get_json()["outcome"] == "permitted"  # and on the new facts after it
    finally:
        release.set()
        app.extensions[EXTENSION].close()


def test_a_change_committed_elsewhere_is_applied_whole_under_any_budget(api_checker, tmp_path):
    """A change another process stored is taken whole by `sync`, never cut off by a budget, so
    store and engine stay on one version."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    writer = make_app(api_checker, DATABASE_URL=url)
    reader = make_app(api_checker, DATABASE_URL=url, EVALUATION_BUDGET=1e-9)
    try:
        consent = {"consent": ["lena", "i_home_situation", "tine", "2026-10-01"], "from": "2026-10-01"}
        assert writer.test_client().post("/v1/facts", headers=ADMIN, json={"facts": [consent]}).status_code == 201
        response = decide(reader.test_client(), **TINE)  # syncs first, then runs out of budget deciding
        assert response.status_code == 503
        ext = reader.extensions[EXTENSION]
        assert ext.workspace.facts.version == str(ext.store.version()) == "2"
    finally:
        writer.extensions[EXTENSION].close()
        reader.extensions[EXTENSION].close()


def test_a_dry_run_past_its_budget_answers_with_what_it_found_marked_incomplete(api_checker):
    """A dry run has a budget of its own (DRY_RUN_BUDGET), not a question's: past it, the answer
    comes with the changes found so far and `complete: false`."""
    cut_app = make_app(api_checker, DRY_RUN_BUDGET=0.5)
    whole_app = make_app(api_checker, EVALUATION_BUDGET=1e-9)  # a question's budget does not cut a dry run
    try:
        response = cut_app.test_client().post("/v1/admin/reload", headers=ADMIN, json={"dry_run": True, "at": DAY})
        assert response.status_code == 200
        cut = response.get_json()
        assert cut["dry_run"] is True and cut["complete"] is False
        whole = whole_app.test_client().post("/v1/admin/reload", headers=ADMIN, json={"dry_run": True, "at": DAY})
        assert whole.status_code == 200 and whole.get_json()["complete"] is True
        full = whole.get_json()["questions"]
        assert sum(cut["questions"].values()) < sum(full.values())
        assert set(full) >= {"scenario", "population"}
    finally:
        cut_app.extensions[EXTENSION].close()
        whole_app.extensions[EXTENSION].close()
