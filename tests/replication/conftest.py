"""Fixtures for the replication tests: a fresh PostgreSQL database per test, and service settings.

The PostgreSQL server and the OpenAPI response checker are the service tests' (tests/service);
each test here gets a database of its own, because server processes and listener threads keep
connections to it until the test ends, and `DROP DATABASE … WITH (FORCE)` ends them for sure.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import fresh_pg_database
from service.conftest import api_checker  # noqa: F401 - a fixture, shared with the service tests

HERE = Path(__file__).resolve().parent
SEED = HERE / "seed_facts.yaml"
DAY = "2026-11-02"
ADMIN_TOKEN = "replication-admin-token"
TOKENS = {ADMIN_TOKEN: ["query", "admin"]}
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
TINE = {"actor": "ann", "recipient": "tine", "item": "i_home_situation", "at": DAY, "explain": "none"}
TOM = {**TINE, "recipient": "tom"}


def consent_for_tine(given_on: str = "2026-10-01") -> dict:
    """The fact that turns Ann → Tine from forbidden into permitted (B3 consent)."""
    return {"consent": ["lena", "i_home_situation", "tine", given_on], "from": given_on}


@pytest.fixture()
def pg_url():
    """A new, empty PostgreSQL database for this test; dropped afterwards, connections and all."""
    with fresh_pg_database("deelwijzer_repl") as url:
        yield url


def service_config(url: str, **overrides) -> dict:
    """create_app settings for one replica on `url`, seeded from this directory's fact file."""
    return {"TESTING": True, "DATABASE_URL": url, "SEED_FACTS": str(SEED), "TOKENS": TOKENS, "DEMO": False,
            **overrides}


def wait_until(condition, timeout: float, interval: float = 0.002) -> float | None:
    """Seconds until `condition()` held, polling; None if it did not within `timeout`."""
    started = time.perf_counter()
    while True:
        if condition():
            return time.perf_counter() - started
        if time.perf_counter() - started > timeout:
            return None
        time.sleep(interval)
