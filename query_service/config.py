"""Configuration: defaults, overridden by DEELWIJZER_* environment variables, overridden by the
mapping given to `create_app`.

    DATABASE_URL        sqlite:///var/deelwijzer.db (relative to the working directory) or postgresql://…
    KB_DIR              the knowledge-base directory (vocabulary.yaml, rules/); default the shipped kb/
    SEED_FACTS          a YAML fact file loaded into an EMPTY fact store on first start (as version 1);
                        default fixtures/demo/facts.yaml; empty string: no seed
    SCENARIOS_DIR       the scenario files a dry-run reload decides on both rule sets (docs/rule-edits.md);
                        default fixtures/scenarios
    TOKENS              bearer tokens and their scopes: {"token": ["query", "admin"]}; in the environment
                        (`query` reads, `admin` changes, `audit` sees the auditor's view of an explanation)
                        as JSON or as `token1=query+admin,token2=query`
    DEMO                demo mode: the documented demo token DEMO_TOKEN (scopes query, admin and audit) is
                        accepted and every response says it is a demo. Default: on when no TOKENS are
                        configured, so the quick start needs no configuration and a configured service
                        never accepts the public token by accident.
    MAX_CONTENT_LENGTH  the largest request body accepted, in bytes (default 64 KiB)
    ENGINE              a name from kb/engine/registry.py, for decisions, try-outs and rebuilt
                        explanations alike (the `kb` CLI reads the same DEELWIJZER_ENGINE):
                        `materialized` (default: a model materialised per moment plus on-demand
                        evaluation per question, held to pyDatalog's answers by a differential
                        test) or `pydatalog` (the reference engine, much slower)
    REPLICATION         `auto` (default): with PostgreSQL, listen for fact changes and rule reloads of
                        other processes sharing the store and apply them at once (docs/scale-out.md);
                        with SQLite there is nothing to listen to. `off`: catch up only when asked
                        for a decision
    REPLICATION_CHECK_SECONDS  how often the listener compares versions anyway, in case a notification
                        was lost (default 30)
    EVALUATION_BUDGET   seconds of evaluation a request may use (default 10); past it, the evaluation
                        stops and the client gets 503 `evaluation-budget-exceeded` (materialised engine)
    DRY_RUN_BUDGET      seconds a dry-run reload may take (default 60): it decides every scenario, the
                        population and the log on two rule sets, so it has a budget of its own; past
                        it the answer lists what was found so far, marked `complete: false`
    EVALUATION_SLOTS    try-outs evaluated at once (default 2, one per core); one more gets 503
                        `evaluation-busy` at once (slots.py)
    SNAPSHOT_DIR        where the materialised model is kept between starts (kb/engine/snapshot.py):
                        `auto` (default) a `snapshots` folder beside a SQLite store's file (none for
                        PostgreSQL or in memory); empty: no snapshots; else that directory
    SNAPSHOT_KEY        signs the model snapshots (HMAC-SHA-256); keep it out of the snapshot directory
                        and the database, e.g. in the service's environment or a secrets manager.
                        Default: derived from SECRET_KEY when one is configured; with neither, a random
                        key per process, so a snapshot is trusted only by the process that wrote it
                        (every start recomputes the model, and says so in the log)
    SECRET_KEY          signs the pages' session cookie, which holds a random session id and the form
                        token (the login itself is kept in the store: sessions.py). Default: a random
                        key per process in demo mode; none otherwise, which turns the session login off
                        (pages then need an `Authorization: Bearer` header) until one is configured
    SESSION_HOURS       a page login ends after this many hours (default 12), or at logout
    LOGIN_ATTEMPTS      failed logins a client address may make per minute (default 10); then 429
    TRUSTED_PROXIES     addresses of the proxies that end TLS in front of the service (comma-separated,
                        e.g. `127.0.0.1`): their X-Forwarded-Proto and X-Forwarded-For are believed, so
                        HTTPS requests get Secure cookies and HSTS (transport.py). Default none: such
                        headers are removed from every request
"""
from __future__ import annotations

import ipaddress
import json
import os
import secrets
from pathlib import Path

from kb.engine.registry import DEFAULT_ENGINE, ENGINES
from kb.engine.snapshot import snapshot_secret
from kb.language.knowledge_base import DEFAULT_DIR
from kb.paths import ROOT

ENV_PREFIX = "DEELWIJZER_"
DEMO_TOKEN = "deelwijzer-demo"
DEMO_SCOPES = ("query", "admin", "audit")
DEMO_NOTICE = ("Demo mode: invented people and facts, a public demo token "
               f"(`{DEMO_TOKEN}`); not for real decisions about real pupils.")
SCOPES = ("query", "admin", "audit")

DEFAULTS = {
    "DATABASE_URL": "sqlite:///var/deelwijzer.db",
    "KB_DIR": str(DEFAULT_DIR),
    "SEED_FACTS": str(ROOT / "fixtures" / "demo" / "facts.yaml"),
    "SCENARIOS_DIR": str(ROOT / "fixtures" / "scenarios"),
    "TOKENS": None,
    "DEMO": None,
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "ENGINE": DEFAULT_ENGINE,
    "REPLICATION": "auto",
    "REPLICATION_CHECK_SECONDS": 30.0,
    "SECRET_KEY": None,
    "EVALUATION_BUDGET": 10.0,
    "DRY_RUN_BUDGET": 60.0,
    "EVALUATION_SLOTS": 2,
    "SNAPSHOT_DIR": "auto",
    "SNAPSHOT_KEY": None,
    "SESSION_HOURS": 12.0,
    "LOGIN_ATTEMPTS": 10,
    "TRUSTED_PROXIES": "",
}
REPLICATION_MODES = ("auto", "off")


class ConfigError(ValueError):
    """A configuration value that cannot be used; raised at start-up, never at request time."""


def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"DEMO must be true or false, not {value!r}")


def parse_tokens(value) -> dict[str, tuple[str, ...]]:
    """Tokens from a mapping, a JSON object, or `token=scope+scope,token=scope`."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except ValueError as err:
                raise ConfigError(f"TOKENS is not valid JSON: {err}") from None
        else:
            value = {}
            for part in filter(None, (p.strip() for p in text.split(","))):
                token, _, scopes = part.partition("=")
                value[token.strip()] = [s for s in scopes.split("+") if s]
    if not isinstance(value, dict):
        raise ConfigError("TOKENS must map each token to a list of scopes")
    tokens = {}
    for token, scopes in value.items():
        if isinstance(scopes, str):
            scopes = [scopes]
        unknown = [s for s in scopes if s not in SCOPES]
        if not token or unknown:
            raise ConfigError(f"TOKENS: every token needs scopes from {', '.join(SCOPES)}; "
                              f"got {', '.join(unknown) or 'an empty token'}")
        tokens[str(token)] = tuple(scopes)
    return tokens


def load_config(overrides: dict | None = None, environ=os.environ) -> dict:
    """The effective configuration: defaults < environment < overrides."""
    config = dict(DEFAULTS)
    for key in DEFAULTS:
        if ENV_PREFIX + key in environ:
            config[key] = environ[ENV_PREFIX + key]
    config.update(overrides or {})
    config["TOKENS"] = parse_tokens(config["TOKENS"])
    config["DEMO"] = (not config["TOKENS"]) if config["DEMO"] is None else _bool(config["DEMO"])
    # Before demo mode invents a SECRET_KEY: only a configured one may sign snapshots across starts.
    config["SNAPSHOT_SECRET"] = snapshot_secret(config["SNAPSHOT_KEY"], config["SECRET_KEY"])
    if config["DEMO"]:
        config["TOKENS"] = {**config["TOKENS"], DEMO_TOKEN: DEMO_SCOPES}
        # Demo sessions need not outlive the process; a real service must configure its own key.
        config["SECRET_KEY"] = config["SECRET_KEY"] or secrets.token_hex(32)
    try:
        config["MAX_CONTENT_LENGTH"] = int(config["MAX_CONTENT_LENGTH"])
    except (TypeError, ValueError):
        raise ConfigError("MAX_CONTENT_LENGTH must be a number of bytes") from None
    config["KB_DIR"] = str(Path(config["KB_DIR"]))
    if config["ENGINE"] not in ENGINES:
        raise ConfigError(f"ENGINE must be one of {', '.join(sorted(ENGINES))}, not {config['ENGINE']!r}")
    if config["REPLICATION"] not in REPLICATION_MODES:
        raise ConfigError(f"REPLICATION must be one of {', '.join(REPLICATION_MODES)}, "
                          f"not {config['REPLICATION']!r}")
    try:
        config["REPLICATION_CHECK_SECONDS"] = float(config["REPLICATION_CHECK_SECONDS"])
    except (TypeError, ValueError):
        raise ConfigError("REPLICATION_CHECK_SECONDS must be a number of seconds") from None
    if not config["REPLICATION_CHECK_SECONDS"] > 0:
        raise ConfigError("REPLICATION_CHECK_SECONDS must be above 0")
    try:
        config["EVALUATION_BUDGET"] = float(config["EVALUATION_BUDGET"])
    except (TypeError, ValueError):
        raise ConfigError("EVALUATION_BUDGET must be a number of seconds") from None
    if not config["EVALUATION_BUDGET"] > 0:
        raise ConfigError("EVALUATION_BUDGET must be above 0")
    try:
        config["EVALUATION_SLOTS"] = int(config["EVALUATION_SLOTS"])
    except (TypeError, ValueError):
        raise ConfigError("EVALUATION_SLOTS must be a whole number") from None
    if config["EVALUATION_SLOTS"] < 1:
        raise ConfigError("EVALUATION_SLOTS must be at least 1")
    config["DRY_RUN_BUDGET"] = _positive(config, "DRY_RUN_BUDGET", float, "a number of seconds")
    config["SESSION_HOURS"] = _positive(config, "SESSION_HOURS", float, "a number of hours")
    config["LOGIN_ATTEMPTS"] = _positive(config, "LOGIN_ATTEMPTS", int, "a whole number")
    config["TRUSTED_PROXIES"] = parse_proxies(config["TRUSTED_PROXIES"])
    return config


def _positive(config: dict, name: str, kind, what: str):
    try:
        value = kind(config[name])
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be {what}") from None
    if not value > 0:
        raise ConfigError(f"{name} must be above 0")
    return value


def parse_proxies(value) -> frozenset[str]:
    """Proxy addresses from a list or a comma- or space-separated text; each an IP address."""
    parts = value.replace(",", " ").split() if isinstance(value, str) else list(value or ())
    try:
        return frozenset(str(ipaddress.ip_address(str(p).strip())) for p in parts)
    except ValueError as err:
        raise ConfigError(f"TRUSTED_PROXIES must list IP addresses: {err}") from None
