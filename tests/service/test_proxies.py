"""The forwarded scheme is believed from TRUSTED_PROXIES only, in both servers: waitress and gunicorn
would each decide on their own (waitress removes every X-Forwarded-* header, gunicorn believes
127.0.0.1's), so both leave the decision to the app (query_service/transport.py)."""
from __future__ import annotations

import json

import pytest

from .conftest import SEED, TOKENS
from .live import gunicorn_server, request, waitress_server

HSTS = "Strict-Transport-Security"


@pytest.mark.parametrize("server", ["waitress", "gunicorn"])
@pytest.mark.parametrize("trusted", [True, False])
def test_https_through_a_trusted_proxy_only(tmp_path, server, trusted):
    env = {"DEELWIJZER_DATABASE_URL": f"sqlite:///{tmp_path / 'proxy.db'}", "DEELWIJZER_SEED_FACTS": str(SEED),
           "DEELWIJZER_TOKENS": json.dumps(TOKENS), "DEELWIJZER_TRUSTED_PROXIES": "127.0.0.1" if trusted else ""}
    start = waitress_server if server == "waitress" else gunicorn_server
    with start(env, tmp_path / f"{server}.log") as address:
        status, headers, _ = request(address, "GET", "/v1/health", headers={"X-Forwarded-Proto": "https"})
        plain_status, plain, _ = request(address, "GET", "/v1/health")
    names = {name.lower(): value for name, value in headers}
    assert status == plain_status == 200
    assert (names.get(HSTS.lower()) == "max-age=31536000") is trusted
    assert HSTS.lower() not in {name.lower() for name, _ in plain}
    assert names["cache-control"] == "no-store"
