"""No 500 on any input (issue 11's reproducers): huge ids, deep JSON, lone surrogates and NUL,
dates and versions the schema refuses, a rule file that is not UTF-8, a YAML collection as a key.
Each answer is a 4xx problem (checked against the OpenAPI document by the client) and stores
nothing."""
from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from kb.cli import main as kb_main
from kb.language.knowledge_base import copy_knowledge_base
from query_service.state import EXTENSION

from .conftest import ADMIN, DAY, QUERY, make_app

HUGE = "99999999999999999999999"
TINE = {"actor": "ann", "recipient": "tine", "item": "i_home_situation", "at": DAY}


@pytest.fixture()
def backend_app(api_checker, db_url):
    app = make_app(api_checker, DATABASE_URL=db_url, SECRET_KEY="hostile-input-secret")
    yield app
    app.extensions[EXTENSION].close()


def post_raw(client, path: str, text: str, headers=QUERY):
    return client.post(path, data=text.encode("utf-8", "surrogatepass"),
                       headers={**headers, "Content-Type": "application/json"})


@pytest.mark.parametrize("method, path", [("get", f"/v1/decisions/{HUGE}"), ("post", f"/v1/decisions/{HUGE}/replay"),
                                          ("get", f"/v1/facts/{HUGE}"), ("delete", f"/v1/facts/{HUGE}"),
                                          ("get", "/v1/decisions/9223372036854775808")])
def test_ids_beyond_the_store_are_not_found(client, method, path):
    response = getattr(client, method)(path, headers=ADMIN)
    assert response.status_code == 404 and response.get_json()["code"] == "not-found"


def test_the_page_of_a_huge_id_is_not_found(app):
    pages = FlaskClient(app, app.response_class)
    assert pages.get(f"/decisions/{HUGE}", headers=QUERY).status_code == 404


def test_the_largest_id_is_just_missing(client):
    assert client.get("/v1/decisions/9223372036854775807", headers=QUERY).status_code == 404


@pytest.mark.parametrize("depth", [33, 1000, 20000])
def test_deeply_nested_json_is_refused(client, depth):
    text = '{"actor": "ann", "recipient": "tine", "item": "i_home_situation", "hypothetical": ' \
           + "[" * depth + "]" * depth + "}"
    response = post_raw(client, "/v1/decisions", text)
    assert response.status_code in (413, 422)
    if response.status_code == 422:
        assert response.get_json()["code"] == "too-deep"


def test_a_lone_surrogate_in_a_hypothetical_fact_is_refused(client, ext):
    body = {**TINE, "hypothetical": [{"consent": ["lena", "i_home_situation", "x\udcff", "2026-10-01"]}]}
    response = post_raw(client, "/v1/decisions", json.dumps(body))
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "invalid-text" and problem["errors"][0]["pointer"] == "/hypothetical/0/consent/2"
    assert ext.decisions_logged() == 0


def test_a_lone_surrogate_in_a_stored_fact_is_refused_and_nothing_is_stored(backend_app):
    client = backend_app.test_client()
    before = client.get("/v1/health").get_json()["facts_version"]
    response = post_raw(client, "/v1/facts", json.dumps({"facts": [{"clb_worker": ["x\udcff"]}]}), ADMIN)
    assert response.status_code == 422 and response.get_json()["code"] == "invalid-text"
    assert client.get("/v1/health").get_json()["facts_version"] == before
    assert post_raw(client, "/v1/decisions", json.dumps({**TINE, "recipient": "x\udcff"})).status_code == 422


def test_a_surrogate_key_is_refused(client):
    response = post_raw(client, "/v1/decisions", json.dumps({**TINE, "x\udcff": 1}))
    assert response.status_code == 422 and response.get_json()["code"] == "invalid-text"


@pytest.mark.parametrize("body", [{"facts": [{"clb_worker": ["ann"]}], "note": "a\u0000b"},
                                  {"facts": [{"clb_worker": ["x\u0000y"]}]}])
def test_nul_in_text_is_refused_on_both_stores(backend_app, body):
    client = backend_app.test_client()
    before = client.get("/v1/health").get_json()["facts_version"]
    response = client.post("/v1/facts", json=body, headers=ADMIN)
    assert response.status_code == 422 and response.get_json()["code"] == "invalid-text"
    assert client.get("/v1/health").get_json()["facts_version"] == before


@pytest.mark.parametrize("at", ["", "20261128", "2026-W48-6", "2026-332", "2026-11-28T00:00", "2026-02-30", "٢٠٢٦-١١-٢٨"])
def test_dates_other_than_yyyy_mm_dd_are_refused(client, ext, at):
    response = client.post("/v1/decisions", json={**TINE, "at": at}, headers=QUERY)
    assert response.status_code == 422, response.get_json()
    assert ext.decisions_logged() == 0
    audience = client.get("/v1/audience", query_string={"actor": "ann", "item": "i_home_situation", "at": at or "x"},
                          headers=QUERY)
    assert audience.status_code == 422


@pytest.mark.parametrize("field", ["from", "until"])
def test_fact_periods_in_other_date_forms_are_refused(client, field):
    fact = {"consent": ["lena", "i_home_situation", "tine", "2026-10-01"], field: "20261001"}
    assert client.post("/v1/decisions", json={**TINE, "hypothetical": [fact]}, headers=QUERY).status_code == 422
    assert client.post("/v1/facts", json={"facts": [fact]}, headers=ADMIN).status_code == 422


def test_a_null_period_end_means_open_as_documented(client):
    fact = {"consent": ["lena", "i_home_situation", "tine", "2026-10-01"], "from": None, "until": None}
    response = client.post("/v1/decisions", json={**TINE, "hypothetical": [fact]}, headers=QUERY)
    assert response.status_code == 201 and response.get_json()["outcome"] == "permitted"
    stored = client.post("/v1/facts", json={"facts": [fact]}, headers=ADMIN)
    assert stored.status_code == 201


@pytest.mark.parametrize("version", ["", "٣", "1.0", "-1", "+1", " 1", "99999999999999999999999"])
def test_fact_versions_are_ascii_digits(client, version):
    response = client.get("/v1/facts", query_string={"version": version}, headers=QUERY)
    assert response.status_code == 422 and response.get_json()["errors"][0]["parameter"] == "version"


def test_a_version_in_ascii_digits_is_accepted(client):
    assert client.get("/v1/facts?version=1", headers=QUERY).get_json()["version"] == 1


@pytest.fixture()
def kb_copy(tmp_path):
    return copy_knowledge_base(tmp_path / "kb")


def test_a_rule_file_that_is_not_utf8_is_a_diagnostic(kb_copy, capsys):
    (kb_copy / "rules" / "99_latin1.dl").write_bytes("% regel\n% café\n".encode("latin-1"))
    assert kb_main(["check", "--dir", str(kb_copy)]) == 1
    err = capsys.readouterr()
    assert "99_latin1.dl:2:6: error[syntax]: the file is not UTF-8 text: byte 0xe9" in err.out + err.err
    assert "Traceback" not in err.out + err.err


def test_reloading_a_rule_file_that_is_not_utf8_is_refused(api_checker, kb_copy):
    app = make_app(api_checker, KB_DIR=str(kb_copy))
    try:
        client = app.test_client()
        version = client.get("/v1/health").get_json()["kb_version"]
        (kb_copy / "rules" / "99_latin1.dl").write_bytes(b"\xff\xfe")
        response = client.post("/v1/admin/reload", headers=ADMIN)
        assert response.status_code == 422 and response.get_json()["code"] == "kb-check-failed"
        assert client.get("/v1/health").get_json()["kb_version"] == version
    finally:
        app.extensions[EXTENSION].close()


def test_a_yaml_collection_as_a_key_in_a_fact_file_is_a_diagnostic(tmp_path, capsys):
    facts = tmp_path / "facts.yaml"
    facts.write_text("facts:\n  - {[a]: b}\n", encoding="utf-8")
    assert kb_main(["decide", "ann", "tine", "i_home_situation", "--facts", str(facts)]) == 1
    assert "facts.yaml:2:6: error[fact]: not valid YAML" in capsys.readouterr().err
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("facts:\n  - {? {a: 1} : b}\nquestion: {actor: ann, recipient: tine, item: i, at: 2026-11-02}\n"
                        "expect: {outcome: forbidden, rule: D5.forbidden}\n", encoding="utf-8")
    assert kb_main(["test", str(scenario)]) == 1
    out = capsys.readouterr()
    assert "a key must be a name or a value, not a mapping" in out.out + out.err


@pytest.mark.parametrize("edit", [
    ("types:", "types: oops\nold_types:"),                            # a section that is not a mapping
    ("  years_between:\n", "  years_between:\n  nothing_here: null\n"),  # a null function spec
    ("types:\n", "types:\n  ? {a: 1}\n  : {nl: x, en: y}\n"),           # a mapping as a type name
])
def test_vocabulary_shapes_are_diagnostics_for_check_and_reload(api_checker, kb_copy, capsys, edit):
    app = make_app(api_checker, KB_DIR=str(kb_copy))
    try:
        vocabulary = kb_copy / "vocabulary.yaml"
        text = vocabulary.read_text(encoding="utf-8")
        assert edit[0] in text
        vocabulary.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
        assert kb_main(["check", "--dir", str(kb_copy)]) == 1
        out = capsys.readouterr()
        assert "error[vocabulary" in out.out + out.err and "Traceback" not in out.out + out.err
        response = app.test_client().post("/v1/admin/reload", headers=ADMIN)
        assert response.status_code == 422 and response.get_json()["code"] == "kb-check-failed"
    finally:
        app.extensions[EXTENSION].close()
