"""Two shards behind HAProxy, measured: does throughput add up? (docs/scale-out.md, "Flanders-wide")

Two Deelwijzer services — gunicorn with the project's settings, one worker each, each with its own
SQLite store holding a copy of the bench world — behind HAProxy from Debian's package, routing on
the header X-Deelwijzer-CLB with deploy/shards/haproxy.cfg.template. The same closed-loop load
(wrk from Debian's package — a C load generator, so that the client does not take the cores the
shards need — with keep-alive connections, POST /v1/decisions on the bench's questions,
explain=none: bench/wrk/decisions.lua) runs for a fixed time through the proxy twice: every
connection on shard A, then the connections split over A and B. It
prints and writes decisions per second per shard and in total, and the ratio of two shards to
one. On 2 cores the load generator and the proxy share the machine with the shards, so "adding
up" means well above 1×, not 2×.

    python bench/shards.py --db WORK/school.db --questions WORK/school.questions.json --out shards.json
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TOKEN = "bench-token"
WRK = shutil.which("wrk")
HAPROXY = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
CLBS = ("clb-a", "clb-b")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ready(port: int, proc: subprocess.Popen, headers: dict | None = None, timeout: float = 300) -> None:
    """Wait until GET /v1/health on `port` answers 200 (through a proxy: with `headers`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/v1/health", headers=headers or {})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"nothing answered on port {port}")


def _start_shard(db: Path, port: int, log: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), DEELWIJZER_BIND=f"127.0.0.1:{port}", DEELWIJZER_WORKERS="1",
               DEELWIJZER_DATABASE_URL=f"sqlite:///{db}", DEELWIJZER_SEED_FACTS="",
               DEELWIJZER_TOKENS=f"{TOKEN}=query", DEELWIJZER_DEMO="false", DEELWIJZER_ENGINE="materialized")
    with open(log, "wb") as fh:
        return subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:query_service.gunicorn_conf",
                                 "query_service.wsgi:app"], cwd=ROOT, env=env, stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)


def load_through_proxy(port: int, bodies: dict[str, Path], seconds: float, clients: int) -> dict[str, float]:
    """Decisions per second per CLB key through the proxy on `port`: one wrk per key, all at once,
    `clients` connections in all, each key's requests cycling through its file of JSON bodies."""
    runs = {clb: subprocess.Popen([WRK, "-t1", f"-c{max(1, clients // len(bodies))}", f"-d{seconds:g}s", "-s",
                                   str(HERE / "wrk" / "decisions.lua"), f"http://127.0.0.1:{port}",
                                   "--", str(path), TOKEN, clb], stdout=subprocess.PIPE, text=True)
            for clb, path in bodies.items()}
    rates = {}
    for clb, run in runs.items():
        out, _ = run.communicate(timeout=seconds + 60)
        failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        if run.returncode or failed:
            raise RuntimeError(f"wrk for {clb} failed: {out[-300:]}")
        rates[clb] = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return rates


def measure(db: Path, questions: list, seconds: float, clients: int, work: Path) -> dict:
    """Start two shards and the proxy, run one shard's load then both shards', stop everything."""
    if HAPROXY is None or WRK is None:
        return {"error": "haproxy and wrk are needed (apt-get install haproxy wrk)"}
    procs: list[subprocess.Popen] = []
    try:
        ports = {}
        for clb in CLBS:
            copy = work / f"shard-{clb}.db"
            shutil.copyfile(db, copy)
            ports[clb] = _port()
            procs.append(_start_shard(copy, ports[clb], work / f"shard-{clb}.log"))
        for clb, proc in zip(CLBS, procs):
            ready(ports[clb], proc)
        proxy_port = _port()
        config = string.Template((ROOT / "deploy" / "shards" / "haproxy.cfg.template").read_text()).substitute(
            PROXY_BIND=f"127.0.0.1:{proxy_port}", CLB_A=CLBS[0], CLB_B=CLBS[1],
            SHARD_A=f"127.0.0.1:{ports[CLBS[0]]}", SHARD_B=f"127.0.0.1:{ports[CLBS[1]]}")
        (work / "haproxy.cfg").write_text(config)
        procs.append(subprocess.Popen([HAPROXY, "-f", str(work / "haproxy.cfg"), "-db"], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, start_new_session=True))
        ready(proxy_port, procs[-1], headers={"X-Deelwijzer-CLB": CLBS[0]})
        bodies = work / "shard-bodies.jsonl"
        bodies.write_text("".join(json.dumps({"actor": a, "recipient": r, "item": i, "at": at, "setting": s,
                                              "explain": "none"}) + "\n" for a, r, i, at, s in questions))
        load_before = os.getloadavg()[0]
        both = {clb: bodies for clb in CLBS}  # both shards hold the same world
        load_through_proxy(proxy_port, both, 3, clients)  # warm-up: each shard's day model and tables
        one = load_through_proxy(proxy_port, {CLBS[0]: bodies}, seconds, clients)
        two = load_through_proxy(proxy_port, both, seconds, clients)
        return {"one_shard_per_s": one[CLBS[0]], "two_shards_per_s": sum(two.values()), "per_shard_per_s": two,
                "ratio": sum(two.values()) / one[CLBS[0]], "clients": clients, "seconds": seconds,
                "load_before": load_before}
    finally:
        stop(procs)


def stop(procs: list[subprocess.Popen], timeout: float = 30) -> None:
    """Stop started processes (each in its own session, with its children): TERM, then KILL."""
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, type=Path, help="a bench store (bench/measure.py prepare)")
    parser.add_argument("--questions", required=True, type=Path, help="its questions (JSON)")
    parser.add_argument("--seconds", type=float, default=10, help="per phase")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    work = args.db.parent
    result = measure(args.db, json.loads(args.questions.read_text()), args.seconds, args.clients, work)
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
