"""Property-based fuzzing of the API in process: whatever a client sends, the answer is never a 500,
every error is a problem that matches the OpenAPI document (the checked client verifies each
response), a refused request changes neither the facts nor the log, and the log stays whole.

The budget is small in the normal run (DEELWIJZER_FUZZ_EXAMPLES, default 60 per test); the long
run is `scripts/fuzz` (README, "Hardening")."""
from __future__ import annotations

import json
import os
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from query_service.state import EXTENSION

from .conftest import ADMIN, DAY, QUERY, make_app

EXAMPLES = int(os.environ.get("DEELWIJZER_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 100,
                suppress_health_check=list(HealthCheck), database=None)

# Text that includes what breaks stores and pages: lone surrogates, NUL, other control characters.
hostile_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=12) | st.sampled_from(
    ["", "\x00", "x\udcff", "\ud800", "2026-W48-6", "20261128", "٣", "9" * 25, "ann", "tine", "i_home_situation",
     "2026-11-02", "2026-02-30", "conversation", "none", "full", "<script>", "' OR 1=1 --"])
scalars = st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats() | hostile_text
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(hostile_text, inner, max_size=4), max_leaves=12)
names = st.sampled_from(["ann", "tine", "bert", "tom", "lena", "nobody"]) | hostile_text
raw_facts = st.fixed_dictionaries(
    {}, optional={"consent": st.lists(names, max_size=5), "clb_worker": names | st.lists(names, max_size=2),
                  "from": st.none() | hostile_text, "until": st.none() | hostile_text, "oops": json_values})
decision_bodies = st.fixed_dictionaries(
    {"actor": names, "recipient": names, "item": st.sampled_from(["i_home_situation", "item_x"]) | hostile_text},
    optional={"at": st.sampled_from([DAY]) | hostile_text, "setting": hostile_text,
              "hypothetical": st.lists(raw_facts, max_size=3) | json_values,
              "explain": st.sampled_from(["none", "summary", "full"]) | hostile_text,
              "lang": st.sampled_from(["nl", "en"]) | hostile_text, "max_depth": json_values})


@pytest.fixture(scope="module")
def fuzz_app(api_checker):
    app = make_app(api_checker)
    yield app
    app.extensions[EXTENSION].close()


def encode(value) -> bytes:
    return json.dumps(value, allow_nan=True).encode("utf-8", "surrogatepass")


def assert_no_server_error(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:300]


@FUZZ
@given(body=decision_bodies | json_values)
def test_decisions_never_fail_on_any_body(fuzz_app, body):
    client = fuzz_app.test_client()
    ext = fuzz_app.extensions[EXTENSION]
    before = ext.decisions_logged()
    response = client.post("/v1/decisions", data=encode(body), headers={**QUERY, "Content-Type": "application/json"})
    assert_no_server_error(response)
    assert ext.decisions_logged() == before + (response.status_code == 201)


@FUZZ
@given(raw=st.binary(max_size=200) | st.text(max_size=100).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_as_a_body(fuzz_app, raw):
    response = fuzz_app.test_client().post("/v1/decisions", data=raw,
                                           headers={**QUERY, "Content-Type": "application/json"})
    assert_no_server_error(response)


@FUZZ
@given(facts=st.lists(raw_facts, max_size=3) | json_values, note=st.none() | hostile_text)
def test_fact_changes_never_fail_and_refusals_store_nothing(fuzz_app, facts, note):
    client = fuzz_app.test_client()
    ext = fuzz_app.extensions[EXTENSION]
    version = ext.store.version()
    body = {"facts": facts} if note is None else {"facts": facts, "note": note}
    response = client.post("/v1/facts", data=encode(body), headers={**ADMIN, "Content-Type": "application/json"})
    assert_no_server_error(response)
    if response.status_code != 201:
        assert ext.store.version() == version
    else:  # keep the fact base small: take it back
        for fact_id in response.get_json()["ids"]:
            assert client.delete(f"/v1/facts/{fact_id}", headers=ADMIN).status_code == 200


path_parts = st.text(string.ascii_letters + string.digits + "-_.%~٣", max_size=30) | st.integers(-(2**80), 2**80).map(str)


@FUZZ
@given(method=st.sampled_from(["GET", "POST", "DELETE", "PUT", "PATCH"]),
       path=st.sampled_from(["/v1/decisions/{}", "/v1/decisions/{}/replay", "/v1/facts/{}", "/v1/rules/{}",
                             "/v1/kb-versions/{}", "/v1/facts?version={}", "/v1/audience?actor=ann&item=i_home_situation&at={}",
                             "/v1/audience?actor={}&item={}", "/v1/rules?predicate={}", "/v1/{}"]),
       part=path_parts)
def test_paths_and_parameters_never_fail(fuzz_app, method, path, part):
    response = fuzz_app.test_client().open(path.format(part, part), method=method, headers=ADMIN)
    assert_no_server_error(response)


def test_the_log_is_whole_after_fuzzing(fuzz_app):
    ok, message = fuzz_app.extensions[EXTENSION].log.verify()
    assert ok, message
