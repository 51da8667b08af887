"""The OpenAPI document as an integrator uses it: a client generated from the served document with
openapi-python-client makes every documented call, and a remedy it receives goes straight back as a
hypothetical fact (dates are dates in the client, and are sent back as YYYY-MM-DD)."""
from __future__ import annotations

import datetime
import importlib
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from query_service.state import EXTENSION

from .conftest import ADMIN_TOKEN, DAY, QUERY_TOKEN, make_app

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "deelwijzer_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory, api_checker):
    """The generated package, imported, and the app it talks to (through httpx's WSGI transport)."""
    app = make_app(api_checker)
    document = app.test_client().get("/v1/openapi.json").get_json()
    where = tmp_path_factory.mktemp("client")
    (where / "openapi.json").write_text(json.dumps(document), encoding="utf-8")
    done = subprocess.run([str(GENERATOR), "generate", "--path", str(where / "openapi.json"), "--meta", "none",
                           "--output-path", str(where / PACKAGE)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "WARNING" not in done.stdout + done.stderr, done.stdout + done.stderr
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE), app, document
    finally:
        sys.path.remove(str(where))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]
        app.extensions[EXTENSION].close()


def _client(package, app, token: str):
    return package.AuthenticatedClient(base_url="http://deelwijzer.test", token=token,
                                       httpx_args={"transport": httpx.WSGITransport(app=app)},
                                       raise_on_unexpected_status=True)


def _op(package, tag: str, name: str):
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{name}")


def test_every_documented_call_through_the_generated_client(generated):
    package, app, document = generated
    models = importlib.import_module(f"{PACKAGE}.models")
    query, admin = _client(package, app, QUERY_TOKEN), _client(package, app, ADMIN_TOKEN)
    called = set()

    def call(tag, name, client=query, status=200, **kwargs):
        response = _op(package, tag, name).sync_detailed(client=client, **kwargs)
        assert response.status_code == status, response.content[:500]
        called.add(name)
        return response.parsed

    day = datetime.date.fromisoformat(DAY)
    assert call("service", "health").status == "ok"
    assert call("service", "openapi") is not None

    # A forbidden decision, its remedy sent straight back, and a typed what-if fact.
    tine = {"actor": "ann", "recipient": "tine", "item": "i_home_situation", "at": day}
    forbidden = call("decisions", "decide", status=201, body=models.DecisionRequest(**tine))
    assert forbidden.outcome.value == "forbidden" and forbidden.explanation.level == "summary"
    remedy_fact = forbidden.remedies[0].facts[0]
    assert isinstance(remedy_fact.from_, datetime.date)  # a date object in the client…
    echoed = models.EchoedFact.from_dict(remedy_fact.to_dict())
    again = call("decisions", "decide", status=201,
                 body=models.DecisionRequest(**tine, hypothetical=[echoed]))  # …that goes back as YYYY-MM-DD
    assert again.outcome.value == "permitted" and "B3.consent" in again.deciding_rules
    typed = models.FactConsent(consent=["lena", "i_home_situation", "tine", "2026-10-01"],
                               from_=datetime.date(2026, 10, 1))
    assert call("decisions", "decide", status=201,
                body=models.DecisionRequest(**tine, hypothetical=[typed])).outcome.value == "permitted"

    record = call("decisions", "get_decision", id=forbidden.id, explain=models.ExplainLevel.FULL, lang=models.Lang.NL)
    assert record.view.level == "full" and record.view.lang == models.Lang.NL
    replay = call("decisions", "replay_decision", id=forbidden.id, status=201)
    assert replay.changes.changed is False
    audience = call("decisions", "audience", actor="ann", item="i_home_situation", at=day, lang=models.Lang.EN)
    assert {a.recipient for a in audience.audience} >= {"bert", "tom"} and audience.audience[0].reading

    interview = call("decisions", "start_interview", status=201,
                     body=models.InterviewRequest(actor="ann", recipient="tine", item="i_home_situation", at=day))
    if interview.questions:
        answered = call("decisions", "answer_interview", id=interview.id,
                        body=models.InterviewAnswer(question=interview.questions[0].id, answer=True))
        assert answered.answers[0].answer is True
    else:
        called.add("answer_interview")  # nothing to ask: the call has no question to answer

    answers = call("knowledge_base", "query", q="clb_worker(W)", at=day, limit=2)
    assert answers.total == 3 and answers.next_cursor == "2"
    rules = call("knowledge_base", "list_rules")
    assert call("knowledge_base", "get_rule", id=rules.rules[0].id).id == rules.rules[0].id
    missing = call("knowledge_base", "get_rule", id="B2.shared_secrecyy", status=404)
    assert "did you mean `B2.shared_secrecy`?" in missing.detail
    assert call("knowledge_base", "get_kb_version", version=forbidden.kb_version).kb_version == forbidden.kb_version
    assert "consent" in call("knowledge_base", "vocabulary").predicates.additional_properties

    page = call("facts", "list_facts", limit=5, arg="lena")
    assert page.count == 5 and isinstance(page.next_cursor, str)
    assert call("facts", "get_fact", id=page.facts[0].id).id == page.facts[0].id
    added = call("facts", "add_facts", client=admin, status=201, body=models.FactsRequest(facts=[
        models.FactClbWorker(clb_worker=["dirk"])]))
    withdrawn = call("facts", "withdraw_fact", client=admin, id=added.ids[0])
    assert withdrawn.withdrawn.withdrawn_in == withdrawn.version
    assert call("service", "reload_rules", client=admin, body=models.ReloadRequest()).kb_version

    documented = {op["operationId"] for item in document["paths"].values() for op in item.values()
                  if isinstance(op, dict) and "operationId" in op}
    snake = {"".join("_" + c.lower() if c.isupper() else c for c in name) for name in documented}
    assert called == snake
