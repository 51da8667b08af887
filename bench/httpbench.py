"""HTTP over loopback: start gunicorn on 127.0.0.1 (a free port), send a bounded load, stop it.

The load generator: a fixed number of requests (--requests), a fixed number of threads
(--concurrency, each with its own keep-alive http.client connection) and a time limit
(--time-limit); POST /v1/decisions with explain=none. The same generator, settings and
gunicorn config (query_service/gunicorn_conf.py) serve the Flask hello floor (bench/hello_app.py).

Run on its own, it compares the service with the floor at a few worker counts, alternating the two
so both see the same machine load, and prints req/s, the ratio, p50/p99, load average and memory
(PSS and USS of every process, from /proc/PID/smaps_rollup: shared pages counted once):

    python bench/httpbench.py --size school --workers 1 2 --repeat 2
"""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TOKEN = "bench-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(app: str, port: int, db: str | None, log: Path, server: str = "gunicorn",
          workers: int = 1, code: Path = ROOT, moments: str = "today") -> subprocess.Popen:
    """Serve `app` (service | hello) on `port` with gunicorn (`workers` processes, the project's
    gunicorn_conf) or waitress (one process, the project's server.py settings for the service);
    `code` is the checkout served (another one to compare a change with what it changes); the
    preloading master builds the models of `moments` (the questions' days) before forking."""
    env = dict(os.environ)
    env.update({"DEELWIJZER_BIND": f"127.0.0.1:{port}", "PYTHONPATH": str(code), "DEELWIJZER_WORKERS": str(workers)})
    if app == "service":
        env.update({"DEELWIJZER_DATABASE_URL": f"sqlite:///{db}", "DEELWIJZER_SEED_FACTS": "",
                    "DEELWIJZER_TOKENS": f"{TOKEN}=query", "DEELWIJZER_DEMO": "false",
                    "DEELWIJZER_ENGINE": "materialized", "DEELWIJZER_PRELOAD_MOMENTS": moments})
        target = "query_service.wsgi:app"
    else:
        target = "bench.hello_app:app"
    if server == "waitress":
        command = ([sys.executable, "-m", "query_service.server"] if app == "service" else
                   [sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}",
                    f"--threads={os.environ.get('DEELWIJZER_THREADS', '8')}", target])
    else:
        command = [sys.executable, "-m", "gunicorn", "-c", "python:query_service.gunicorn_conf", target]
    with open(log, "wb") as fh:
        return subprocess.Popen(command, cwd=code, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True)


def wait_ready(port: int, proc: subprocess.Popen, timeout: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/v1/health")
            if conn.getresponse().status == 200:
                conn.close()
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"gunicorn not ready after {timeout} s")


def worker_pids(master: int) -> list[int]:
    try:
        import psutil
        return [c.pid for c in psutil.Process(master).children(recursive=True)]
    except Exception:  # noqa: BLE001 - psutil missing or the process gone
        return []


def vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by these processes (their threads included)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime (fields 14 and 15 of stat)
    return total


def smaps_mb(pid: int) -> dict[str, float] | None:
    """RSS, PSS and USS (private clean + dirty) of a process in MB; None when it is gone. PSS
    shares each page among the processes mapping it, so the PSS of all processes adds up to
    their real use, copy-on-write pages counted once."""
    fields: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, _, rest = line.partition(":")
            fields[name] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return {"rss": fields.get("Rss", 0) / 1024, "pss": fields.get("Pss", 0) / 1024,
            "uss": (fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)) / 1024}


def memory(master: int, workers: list[int]) -> dict:
    """The memory of the master and its workers now (after the load): per worker and in all."""
    per_worker = [m for m in (smaps_mb(p) for p in workers) if m is not None]
    everyone = per_worker + [m for m in [smaps_mb(master)] if m is not None and workers != [master]]
    return {"per_worker": per_worker,
            "pss_total_mb": sum(m["pss"] for m in everyone), "uss_total_mb": sum(m["uss"] for m in everyone),
            "rss_total_mb": sum(m["rss"] for m in everyone)}


def load(port: int, bodies: list[bytes], requests: int, concurrency: int, time_limit: float) -> dict:
    """Send `requests` POSTs from `concurrency` keep-alive threads, stopping at `time_limit`."""
    lock = threading.Lock()
    state = {"next": 0}
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    deadline = time.perf_counter() + time_limit
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}

    def run() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine, codes = [], {}
        while time.perf_counter() < deadline:
            with lock:
                n = state["next"]
                if n >= requests:
                    break
                state["next"] = n + 1
            body = bodies[n % len(bodies)]
            start = time.perf_counter()
            try:
                conn.request("POST", "/v1/decisions", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as err:
                with lock:
                    errors.append(repr(err))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                continue
            mine.append(time.perf_counter() - start)
            codes[status] = codes.get(status, 0) + 1
        conn.close()
        with lock:
            latencies.extend(mine)
            for code, count in codes.items():
                statuses[code] = statuses.get(code, 0) + count

    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    ok = sum(count for code, count in statuses.items() if 200 <= code < 300)
    return {"sent": len(latencies), "ok": ok, "statuses": statuses, "errors": len(errors),
            "first_errors": errors[:3], "elapsed_s": elapsed, "per_s": ok / elapsed if elapsed else 0,
            "latencies": latencies}


def run(args) -> dict:
    from measure import load_questions, stats
    work = Path(args.dir)
    qs = load_questions(work, args.size)
    bodies = [json.dumps({"actor": q.actor, "recipient": q.recipient, "item": q.item, "at": q.at.isoformat(),
                          "setting": q.setting, "explain": "none"}).encode() for q in qs]
    port = free_port()
    server, workers = getattr(args, "server", "gunicorn"), getattr(args, "workers", 1)
    log = work / f"{args.size}.{args.name}.{server}.log"
    boot_t0 = time.perf_counter()
    proc = start(args.name, port, args.db, log, server, workers, Path(getattr(args, "code", None) or ROOT),
                 ",".join(sorted({q.at.isoformat() for q in qs})))
    out: dict = {"app": args.name, "port": port, "server": server, "workers": workers}
    try:
        out["boot_s"] = wait_ready(port, proc, args.boot_timeout)
        # Warm-up (not timed): the first question builds the moment's model in the worker.
        warm = load(port, bodies[:20], 20, 1, args.boot_timeout)
        out["warmup_s"] = warm["elapsed_s"]
        pids = worker_pids(proc.pid) or [proc.pid]
        cpu_before = cpu_seconds(pids)
        result = load(port, bodies, args.requests, args.concurrency, args.time_limit)
        # CPU per answered request: far less moved by other load on a shared machine than req/s.
        out["cpu_ms_per_request"] = (cpu_seconds(pids) - cpu_before) * 1000 / max(result["ok"], 1)
        out.update({k: v for k, v in result.items() if k != "latencies"})
        out["latency"] = stats(result["latencies"])
        pids = worker_pids(proc.pid) or [proc.pid]
        peaks = [vm_hwm_mb(p) or 0 for p in pids]
        out["worker_peak_rss_mb"] = max(peaks, default=None)
        out["total_peak_rss_mb"] = sum(peaks) + (vm_hwm_mb(proc.pid) or 0 if pids != [proc.pid] else 0)
        out["memory"] = memory(proc.pid, pids)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)  # the gunicorn we started, and its workers
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    out["total_s"] = time.perf_counter() - boot_t0
    return out


# -- comparison on its own (not part of bench/run.py) -------------------------------------------------
def _load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def compare(args) -> list[dict]:
    """Service against hello at each worker count, alternating, each service run on a fresh copy
    of the prepared store (so the decision log starts equal)."""
    import shutil
    from types import SimpleNamespace
    work = Path(args.dir)
    work.mkdir(parents=True, exist_ok=True)
    prepared = work / f"{args.size}.db"
    if not prepared.exists():
        subprocess.run([sys.executable, str(HERE / "measure.py"), "prepare", "--dir", str(work), "--size", args.size,
                        "--out", str(work / f"{args.size}.prepare.json"), "--questions", str(args.questions)],
                       check=True, cwd=ROOT)
    rows = []
    for workers in args.workers:
        for attempt in range(args.repeat):
            pair: dict = {"workers": workers, "attempt": attempt + 1, "load_before": _load_average()}
            runs = [("hello", "hello", ROOT), ("service", "service", ROOT)]
            if args.before:
                runs.append(("before", "service", Path(args.before)))
            for key, app, code in runs:
                db = work / f"{args.size}.run.db"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
                shutil.copy(prepared, db)
                pair[key] = run(SimpleNamespace(dir=str(work), size=args.size, name=app, db=str(db),
                                                requests=args.requests, concurrency=args.concurrency,
                                                time_limit=args.time_limit, boot_timeout=300,
                                                server="gunicorn", workers=workers, code=str(code)))
            pair["load_after"] = _load_average()
            rows.append(pair)
            print(_row(pair), flush=True)
    return rows


def _row(pair: dict) -> str:
    line = _pair_row(pair, pair["service"], "service")
    if "before" in pair:
        line += "\n    " + _pair_row(pair, pair["before"], "before ")
    return line


def _pair_row(pair: dict, s: dict, label: str) -> str:
    h = pair["hello"]
    lat = s.get("latency", {})
    mem = s.get("memory", {})
    per_worker = ", ".join(f"{m['pss']:.0f}/{m['uss']:.0f}" for m in mem.get("per_worker", []))
    return (f"workers {pair['workers']} #{pair['attempt']}: {label} {s.get('per_s', 0):7.0f} req/s "
            f"({s.get('ok')}/{s.get('sent')} ok), hello {h.get('per_s', 0):7.0f} req/s, "
            f"ratio {s.get('per_s', 0) / h['per_s'] if h.get('per_s') else 0:.2f}x; CPU per request service "
            f"{s.get('cpu_ms_per_request', 0):.2f} ms, hello {h.get('cpu_ms_per_request', 0):.2f} ms (ratio "
            f"{h.get('cpu_ms_per_request', 0) / s['cpu_ms_per_request'] if s.get('cpu_ms_per_request') else 0:.2f}x); "
            f"service p50/p99 "
            f"{lat.get('p50', 0) * 1000:.1f}/{lat.get('p99', 0) * 1000:.1f} ms, hello p99 "
            f"{h.get('latency', {}).get('p99', 0) * 1000:.1f} ms; memory PSS/USS per worker (MB) {per_worker}; "
            f"all processes PSS {mem.get('pss_total_mb', 0):.0f} MB, USS {mem.get('uss_total_mb', 0):.0f} MB, "
            f"RSS {mem.get('rss_total_mb', 0):.0f} MB; load {pair['load_before']} -> {pair['load_after']}")


def main() -> None:
    import argparse
    sys.path.insert(0, str(HERE))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="school", choices=["school", "clb", "region"])
    parser.add_argument("--dir", default=str(Path(tempfile.gettempdir()) / "deelwijzer-httpbench"),
                        help="work directory (prepared world, stores, server logs); kept between runs")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=2, help="alternating service/hello pairs per worker count")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--time-limit", type=float, default=60)
    parser.add_argument("--before", help="another checkout whose service is measured too, in the same pairs")
    parser.add_argument("--out", help="write every result (JSON) here")
    args = parser.parse_args()
    rows = compare(args)
    if args.out:
        Path(args.out).write_text(json.dumps(rows, default=str, indent=1))


if __name__ == "__main__":
    main()
