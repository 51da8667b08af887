"""scripts/test never skips the browser tests silently: without chromium it fails, saying what to
install; `--no-browser` is the only way to skip them, and the run says so."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bash(script: str, path: str) -> subprocess.CompletedProcess:
    return subprocess.run(["/bin/bash", "-c", f"source scripts/_browser.sh; {script}"], cwd=ROOT,
                          env={**os.environ, "PATH": path}, capture_output=True, text=True, timeout=60)


def test_the_browser_step_fails_loudly_without_chromium(tmp_path):
    done = _bash("check_browser", str(tmp_path))  # a PATH with neither chromium nor chromedriver
    assert done.returncode == 1
    assert "browser tests CANNOT RUN" in done.stdout and "apt-get install chromium chromium-driver" in done.stdout
    assert "--no-browser" in done.stdout


def test_the_browser_step_passes_when_both_are_there(tmp_path):
    for name in ("chromium", "chromedriver"):
        tool = tmp_path / name
        tool.write_text("#!/bin/sh\n", encoding="utf-8")
        tool.chmod(0o755)
    done = _bash("check_browser", str(tmp_path))
    assert done.returncode == 0 and str(tmp_path / "chromium") in done.stdout


def _browser_tests(mode: str, tmp_path) -> subprocess.CompletedProcess:
    """The first browser test, run by pytest with no chromium on PATH, in DEELWIJZER_BROWSER_TESTS mode."""
    return subprocess.run([sys.executable, "-m", "pytest", "tests/pages/test_browser.py", "-q", "-x", "-rs",
                           "-k", "login_flow", "-p", "no:cacheprovider"], cwd=ROOT,
                          env={**os.environ, "PATH": str(tmp_path), "DEELWIJZER_BROWSER_TESTS": mode},
                          capture_output=True, text=True, timeout=300)


def test_without_chromium_the_required_browser_tests_fail(tmp_path):
    done = _browser_tests("required", tmp_path)
    assert done.returncode == 1, done.stdout[-2000:]
    assert "browser tests are required here, but chromium and chromedriver are not installed" in done.stdout


def test_no_browser_skips_them_and_says_it_was_asked(tmp_path):
    done = _browser_tests("skip", tmp_path)
    assert done.returncode == 0, done.stdout[-2000:]
    assert "skipped on request (scripts/test --no-browser)" in done.stdout


def test_scripts_test_requires_the_browser_unless_told_otherwise():
    text = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    assert "browser=required" in text and "export DEELWIJZER_BROWSER_TESTS=$browser" in text
