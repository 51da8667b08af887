"""schemathesis against the OpenAPI document the service serves, in process: every operation, with
data the schema accepts and data it rejects, and all of schemathesis's checks (no 500, status
codes, content types, response schemas and headers, positive data accepted, negative data
rejected). A bounded budget in the normal run (DEELWIJZER_SCHEMATHESIS_EXAMPLES, default 15 per
operation); `scripts/fuzz` documents the long run."""
from __future__ import annotations

import os
import tempfile

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance
from hypothesis import HealthCheck, settings

from query_service import create_app

from .conftest import ADMIN, SEED, TOKENS

EXAMPLES = int(os.environ.get("DEELWIJZER_SCHEMATHESIS_EXAMPLES", "15"))
_DB = os.path.join(tempfile.mkdtemp(prefix="deelwijzer-schemathesis-"), "store.db")
APP = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{_DB}", "SEED_FACTS": str(SEED), "TOKENS": TOKENS,
                  "DEMO": False, "SECRET_KEY": "schemathesis-secret"})
# A body the schema rejects may also be refused for its size before it is read (413, documented
# on the operations that take facts): that is a rejection too.
CONFIG = SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {"expected-statuses": [
    "400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]}}})
schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", APP, config=CONFIG)


# Codes that say the request broke the documented schema: data the schema accepts must never get
# them. The other 4xx codes are about the law's data (a person or item the fact base does not
# know, a fact of the wrong arity), which no schema can state; those answer schema-valid requests.
SCHEMA_CODES = {"invalid-request", "malformed-json", "too-deep", "invalid-text"}


SENT: dict[str, int] = {}  # requests sent per operation, for the run's summary


@schemathesis.check
def positive_data_is_accepted_or_refused_for_the_law(ctx, response, case):
    """schemathesis's positive_data_acceptance, except that a 4xx naming the law's data is allowed."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code < 400:
        return None
    if response.status_code in (401, 403, 404, 409, 413):
        return None
    problem = response.json()
    pointers = [e.get("pointer") or e.get("parameter") or "" for e in problem.get("errors", [])]
    if problem["code"] == "invalid-text" and all(p.count("/") > 1 for p in pointers):
        return None  # inside a fact's arguments, which the schema leaves open (its description says so)
    if problem["code"] == "invalid-request" and all(
            e["message"] == "must be of type integer, not float" for e in problem.get("errors", [])):
        return None  # `4.0` for an integer: JSON Schema takes it, the document's introduction says it does not
    schema_level = problem["code"] in SCHEMA_CODES or (
        problem["code"] == "bad-date" and any(e.get("pointer") == "/at" or e.get("parameter") == "at"
                                              for e in problem.get("errors", [])))
    if schema_level:
        raise AssertionError(f"schema-valid data refused as {problem['code']}: {problem['detail']}")
    return None


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_service_keeps_its_contract(case):
    SENT[case.operation.label] = SENT.get(case.operation.label, 0) + 1
    case.call_and_validate(headers=ADMIN, excluded_checks=[positive_data_acceptance],
                           additional_checks=[positive_data_is_accepted_or_refused_for_the_law])


def test_report_how_many_requests_were_checked(capsys):
    assert SENT, "schemathesis sent nothing"
    with capsys.disabled():
        print(f"\n[schemathesis] {sum(SENT.values())} requests sent over {len(SENT)} operations")
