"""The long differential run: the production engine against pyDatalog on many random fact sets.

    python bench/differential.py --examples 10000      # about 25 minutes on the 2-core machine

Runs tests/test_differential.py (seeded, derandomised hypothesis; sizes varied from 0 to 40 random
facts over a small universe, several questions each, with and without hypothetical facts) with
DEELWIJZER_DIFFERENTIAL_EXAMPLES=N, and reports whether the materialised engine agreed with
pyDatalog on every decision — or, on a disagreement, the smallest failing fact set hypothesis
shrank it to. The whole pytest output is kept in bench/results/differential.log; a summary is
written to bench/results/DIFFERENTIAL.md.
"""
from __future__ import annotations

import argparse
import datetime
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10000, help="random fact sets (default 10000)")
    parser.add_argument("--timeout", type=float, default=3 * 3600, help="stop after this many seconds")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    log = RESULTS / "differential.log"
    env = dict(os.environ, DEELWIJZER_DIFFERENTIAL_EXAMPLES=str(args.examples))
    cmd = [sys.executable, "-m", "pytest", "tests/test_differential.py", "-x", "-q", "-p", "no:cacheprovider",
           "--hypothesis-show-statistics"]
    print(f"differential: {args.examples} random fact sets, materialized vs pydatalog (log: {log})", flush=True)
    started = time.perf_counter()
    with open(log, "w") as fh:
        try:
            done = subprocess.run(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, timeout=args.timeout)
            code = done.returncode
        except subprocess.TimeoutExpired:
            code = None
    elapsed = time.perf_counter() - started
    text = log.read_text()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "kb"], cwd=ROOT, capture_output=True,
                           text=True).stdout.splitlines()
    passing = re.search(r"(\d+) passing, (\d+) failing, and (\d+) invalid", text)
    lines = [f"# Differential run: materialized engine vs pyDatalog",
             "",
             f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}: "
             f"`python bench/differential.py --examples {args.examples}` in {elapsed / 60:.1f} minutes, "
             f"commit {commit}" + (f" with {len(dirty)} uncommitted changes in kb/ (tested as found)" if dirty
                                   else ", kb/ clean") + ".",
             ""]
    if code is None:
        verdict = f"NOT FINISHED within {args.timeout:.0f} s"
    elif code == 0:
        verdict = "AGREED on every decision"
    else:
        verdict = "DISAGREED"
    lines.append(f"Result: **{verdict}**.")
    if passing:
        lines.append(f"Hypothesis: {passing.group(1)} passing examples, {passing.group(2)} failing, "
                     f"{passing.group(3)} invalid (each example: a random fact set of 0–40 facts, 1–4 "
                     "questions, each decided with and without up to 3 hypothetical facts).")
    if code not in (0, None):
        found = re.search(r"engines disagree on (.*?); facts: (\[.*?\])", text, re.S)
        if found:
            lines += ["", "Smallest failing case (as hypothesis shrank it):", "", "```",
                      f"question: {found.group(1)}", f"facts:    {found.group(2)}", "```"]
        falsifying = re.search(r"(Falsifying example:.*?)(?:\n\n|\Z)", text, re.S)
        if falsifying:
            lines += ["", "```", falsifying.group(1)[:4000], "```"]
        if not found and not falsifying:
            lines += ["", "pytest failed without a falsifying example; the end of its output:", "", "```",
                      text[-3000:], "```"]
    (RESULTS / "DIFFERENTIAL.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
