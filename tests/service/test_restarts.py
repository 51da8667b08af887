"""A crashed process is restarted in the documented production setup (deploy/): gunicorn's master
replaces a worker that dies, and systemd (deploy/deelwijzer.service, Restart=always) the master.

The outside probe's F1 ended the process `scripts/serve` runs, and nothing restarted it."""
from __future__ import annotations

import configparser
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import SEED, TOKENS
from .live import ROOT, gunicorn_server, request

DEPLOY = ROOT / "deploy"


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text()
        found |= {int(child) for child in text.split()}
    return found


def test_gunicorn_replaces_a_worker_killed_with_sigkill(tmp_path):
    env = {"DEELWIJZER_DATABASE_URL": f"sqlite:///{tmp_path / 'restart.db'}", "DEELWIJZER_SEED_FACTS": str(SEED),
           "DEELWIJZER_TOKENS": json.dumps(TOKENS)}
    with gunicorn_server(env, tmp_path / "gunicorn.log", workers=1) as address:
        [worker] = _children(address.process.pid)
        os.kill(worker, signal.SIGKILL)
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            try:
                status, _, _ = request(address, "GET", "/v1/health", timeout=5)
            except OSError:
                status = None
            if status == 200 and _children(address.process.pid) - {worker}:
                break
            time.sleep(0.2)
        assert status == 200
        assert address.process.poll() is None  # the master lives on, with a new worker
        assert _children(address.process.pid) and worker not in _children(address.process.pid)


def _unit(name: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # systemd's keys are case-sensitive
    unit.read(DEPLOY / name, encoding="utf-8")
    return unit


def test_the_unit_restarts_the_master_however_it_ended():
    unit = _unit("deelwijzer.service")
    service = unit["Service"]
    assert service["Restart"] == "always" and unit["Unit"]["StartLimitIntervalSec"] == "0"
    assert "gunicorn -c python:query_service.gunicorn_conf query_service.wsgi:app" in service["ExecStart"]
    assert service["EnvironmentFile"].startswith("/etc/")  # the keys live outside the checkout and the store
    assert int(service["LimitNOFILE"]) >= 2000


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_units_are_valid_systemd_units(tmp_path):
    for name in ("deelwijzer.service", "deelwijzer-anchor.service", "deelwijzer-anchor.timer"):
        text = (DEPLOY / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace("/srv/deelwijzer", str(ROOT)).replace(
            "/etc/deelwijzer/", f"{tmp_path}/"), encoding="utf-8")
    for name in ("environment", "audit-environment"):
        (tmp_path / name).write_text("", encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", "deelwijzer.service", "deelwijzer-anchor.service",
                           "deelwijzer-anchor.timer"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
