"""Shared fixtures for every test: the shipped knowledge base (loaded once per worker), a writable
copy of it, a fresh reference engine, a Flask app's client and extension (each conftest below says
how its `app` is configured), and fresh PostgreSQL databases.

Under pytest-xdist (`-n 2`, what scripts/test runs) every worker is its own process: session
fixtures are per worker, and each PostgreSQL database gets a unique name, so workers never share one.
"""
from __future__ import annotations

import datetime
import hashlib
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from kb import workspace
from kb.engine.registry import REFERENCE_ENGINE, engine_factory
from kb.facts.fixtures import load_fact_file
from kb.language.conditions import CONDITIONS_FILE
from kb.language.knowledge_base import KnowledgeBase, copy_knowledge_base, load_knowledge_base, rule_files

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def kb():
    return load_knowledge_base()


@pytest.fixture(scope="session")
def demo_facts(kb):
    """The demo world's facts (fixtures/demo/facts.yaml), loaded once per worker."""
    return load_fact_file(ROOT / "fixtures" / "demo" / "facts.yaml", kb.vocabulary)


@pytest.fixture(scope="session", autouse=True)
def _knowledge_bases_loaded_once():
    """Every Workspace (each test's app) loads its rules through this memo: a checked knowledge base
    is immutable, so rules with the same text are parsed and checked once per worker. The key is
    the text itself, so a test that edits a rule file gets its edit checked; failures are never kept."""
    loaded: dict[tuple, KnowledgeBase] = {}

    def load(directory=workspace.DEFAULT_DIR) -> KnowledgeBase:
        directory = Path(directory)
        paths = [directory / "vocabulary.yaml", directory / CONDITIONS_FILE, *rule_files(directory)]
        digest = hashlib.sha256()
        for path in paths:
            digest.update(str(path).encode() + b"\0" + (path.read_bytes() if path.exists() else b"-") + b"\0")
        key = (str(directory.resolve()), digest.hexdigest())
        if key not in loaded:
            loaded[key] = load_knowledge_base(directory)
        return loaded[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(workspace, "load_knowledge_base", load)
        yield


@pytest.fixture()
def kb_copy(tmp_path):
    """A writable copy of the shipped knowledge base (vocabulary, conditions, rules)."""
    return copy_knowledge_base(tmp_path / "kb")


@pytest.fixture()
def engine():
    """A fresh reference engine (pyDatalog), closed after the test."""
    engine = engine_factory(REFERENCE_ENGINE)()
    yield engine
    engine.close()


# -- Flask: every conftest that serves pages or the API defines `app`; these read from it --------------
@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def ext(app):
    from query_service.state import EXTENSION
    return app.extensions[EXTENSION]


def close_app(app) -> None:
    """Close an app's store and listener (what every `app` fixture does after its test)."""
    from query_service.state import EXTENSION
    app.extensions[EXTENSION].close()


# -- PostgreSQL -------------------------------------------------------------------------------------
def pg_unavailable() -> str:
    """Why the machine's PostgreSQL cannot be used, or "" when it can."""
    try:
        import psycopg
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return ""
    except Exception as err:  # noqa: BLE001 - any failure means: no server to test against
        return f"PostgreSQL at {PG_ADMIN_URL} is unreachable ({type(err).__name__}: {err})"


@contextmanager
def fresh_pg_database(prefix: str):
    """A new, empty, uniquely named PostgreSQL database (skips the test without a server); dropped
    afterwards with `WITH (FORCE)`, which also ends the connections of servers and listeners."""
    reason = pg_unavailable()
    if reason:
        pytest.skip(reason)
    import psycopg
    name = f"{prefix}_{datetime.date.today():%Y%m%d}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
