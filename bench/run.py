"""Every performance measurement of issue 5 in one command, with a table and plots.

    python bench/run.py                       # school, CLB and region (about 15-20 minutes)
    python bench/run.py --quick               # school and CLB, fewer questions (about 3 minutes)
    python bench/run.py --sizes school clb    # a choice of sizes

Writes bench/results/RESULTS.md (the table, the machine, the cross-check and what each peer cannot
express), bench/results/results.json (every figure) and bench/results/*.png (latency and load time
against size, log scales). Each measurement runs in its own process (bench/measure.py), one after
another, so memory and cold start are that process's own; every loop is bounded in count and time.
Figures and ratios are from this one run: each reference is measured in the same run, on the same
data and the same questions.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))

from peers.core import CORE_RULES, in_core  # noqa: E402

ORDER = ("school", "clb", "region")
PEERS = ("clingo", "clingo-ground", "rego", "cedar", "pydatalog-naive")
PEER_LABEL = {"clingo": "clingo (ground question + solve)", "clingo-ground": "clingo (ground question, no solve)",
              "rego": "Rego (regopy)", "cedar": "Cedar (cedarpy)", "pydatalog-naive": "naive pyDatalog"}

# Budgets: (count, seconds) per measurement; the region size runs once, with fewer repetitions.
FULL = {"questions": 2000, "decisions": 2000, "explanations": 200, "remedies": 100, "audience": 50,
        "audience_time": 60, "peer_decisions": 2000, "pydatalog_decisions": 500, "requests": 3000,
        "time_limit": 60, "peer_time_limit": 60}
QUICK = {"questions": 300, "decisions": 300, "explanations": 30, "remedies": 20, "audience": 10,
         "audience_time": 10, "peer_decisions": 300, "pydatalog_decisions": 100, "requests": 400,
         "time_limit": 10, "peer_time_limit": 8}
REGION = {"explanations": 100, "remedies": 50, "audience": 20, "audience_time": 120, "peer_time_limit": 25,
          "pydatalog_decisions": 200}
# Hard limits per subprocess (seconds): past them the measurement is reported as not finished.
PROCESS_LIMIT = {"school": 300, "clb": 600, "region": 900}
PEER_LIMIT = {"school": 120, "clb": 300, "region": 360}

TARGETS = {  # measure -> (limit, unit, size at which the issue sets it)
    "decision_vs_dict": (100, "x", "clb"),
    "decision_vs_peer": (1, "x", "clb"),
    "explanation": (20, "ms", "clb"),
    "audience": (50, "ms", "clb"),
    "coldstart": (20, "s", "region"),
    "memory": (2048, "MB", "region"),
    "coldstart_snapshot": (10, "s", "region"),
    "memory_snapshot": (1536, "MB", "region"),
    "http_vs_floor": (0.8, "x", None),
}


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "kb", "query_service", "fixtures"], cwd=ROOT,
                           capture_output=True, text=True).stdout.splitlines()
    return {"tree": f"{len(dirty)} uncommitted changes in kb/, query_service/, fixtures/ (measured as found)"
                    if dirty else "clean", "root": str(ROOT), "cpu": cpu, "cores": os.cpu_count(), "ram_gib": round(ram, 1) if ram else None,
            "python": platform.python_version(), "os": platform.platform(), "commit": commit,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load_before": os.getloadavg()}


def step(kind: str, size: str, work: Path, limit: float, log, variant: str = "", **options) -> dict:
    """Run one measurement in its own process; {} with an `error` when it fails or overruns.
    `variant` tells apart the outputs of one measurement run with different options."""
    name = options.get("name")
    out = work / f"{size}.{kind}{'.' + name if name else ''}{'.' + variant if variant else ''}.json"
    cmd = [sys.executable, str(HERE / "measure.py"), kind, "--dir", str(work), "--size", size, "--out", str(out)]
    for key, value in options.items():
        cmd += [f"--{key.replace('_', '-')}", str(value)]
    label = f"{size:6} {kind}{' ' + name if name else ''}"
    print(f"  {label} ...", end="", flush=True)
    started = time.perf_counter()
    try:
        done = subprocess.run(cmd, cwd=ROOT, stdout=log, stderr=log, timeout=limit)
        failed = done.returncode != 0 and f"exit code {done.returncode}"
    except subprocess.TimeoutExpired:
        failed = f"not finished within {limit:.0f} s"
    took = time.perf_counter() - started
    if failed or not out.exists():
        print(f" FAILED ({failed or 'no output'}; see {log.name})")
        return {"error": failed or "no output"}
    print(f" {took:.1f} s")
    return json.loads(out.read_text())


def run_size(size: str, budget: dict, work: Path, log) -> dict:
    b = dict(budget, **(REGION if size == "region" else {}))
    limit = PROCESS_LIMIT[size]
    res: dict = {"size": size}
    res["prepare"] = step("prepare", size, work, limit, log, questions=b["questions"])
    if "error" in res["prepare"]:
        return res
    res["deelwijzer"] = step("deelwijzer", size, work, limit, log, decisions=b["decisions"],
                             explanations=b["explanations"], remedies=b["remedies"], audience=b["audience"],
                             audience_time_limit=b["audience_time"], time_limit=b["time_limit"])
    first = json.loads((work / f"{size}.questions.json").read_text())[0]
    res["coldstart"] = step("coldstart", size, work, limit, log, db=work / f"{size}.db",
                            question=json.dumps(first), t0=f"{time.time():.6f}")
    # With a model snapshot: the first start builds the model and writes it, the second loads it.
    snapshots = work / f"{size}.snapshots"
    shutil.rmtree(snapshots, ignore_errors=True)
    for variant in ("snapshot-write", "snapshot"):
        res[f"coldstart-{variant}"] = step("coldstart", size, work, limit, log, variant=variant,
                                           db=work / f"{size}.db", question=json.dumps(first),
                                           snapshot_dir=snapshots, t0=f"{time.time():.6f}")
    res["peers"] = {}
    for peer in ("clingo", "rego", "cedar", "pydatalog-naive"):
        n = b["pydatalog_decisions"] if peer == "pydatalog-naive" else b["peer_decisions"]
        got = step("peer", size, work, PEER_LIMIT[size], log, name=peer, decisions=n,
                   time_limit=b["peer_time_limit"])
        for mode in (("clingo-ground", "clingo") if peer == "clingo" else (peer,)):
            res["peers"][mode] = got.get(mode, got if "error" in got else {"error": "no result"})
    res["http"] = {}
    for app in ("service", "hello"):
        res["http"][app] = step("http", size, work, limit, log, name=app, db=work / f"{size}.db",
                                requests=b["requests"], concurrency=16, time_limit=b["time_limit"])
    # The same load with the README's worker count for 2 cores, and under the embedded waitress.
    for variant, server, workers in (("workers2", "gunicorn", 2), ("waitress", "waitress", 1)):
        for app in ("service", "hello"):
            res["http"][f"{app}.{variant}"] = step(
                "http", size, work, limit, log, variant=variant, name=app, db=work / f"{size}.db",
                requests=b["requests"], concurrency=16, time_limit=b["time_limit"], server=server,
                workers=workers)
    if size == ORDER[0]:  # two shards behind HAProxy, each with a copy of the smallest world
        out = work / f"{size}.shards.json"
        print(f"  {size:6} shards ...", end="", flush=True)
        done = subprocess.run([sys.executable, str(HERE / "shards.py"), "--db", str(work / f"{size}.db"),
                               "--questions", str(work / f"{size}.questions.json"), "--out", str(out)],
                              cwd=ROOT, stdout=log, stderr=log, timeout=limit)
        res["shards"] = json.loads(out.read_text()) if done.returncode == 0 and out.exists() else \
            {"error": f"bench/shards.py exit code {done.returncode}"}
        print(" done")
    return res


# -- analysis -------------------------------------------------------------------------------------------
def _shared_memory(http: dict) -> str:
    """PSS per worker and of all processes (master included) after the load: pages shared by the
    preloaded master and its workers counted once (bench/httpbench.py `memory`)."""
    memory = http.get("memory") or {}
    per_worker = "/".join(f"{m['pss']:.0f}" for m in memory.get("per_worker", []))
    return f"PSS per worker {per_worker or '?'} MB, all processes {memory.get('pss_total_mb', 0):.0f} MB"


def cross_check(res: dict) -> dict:
    dw = res.get("deelwijzer", {})
    outcomes, rules = dw.get("outcomes", []), dw.get("proof_rules", [])
    out = {}
    for peer, pr in res.get("peers", {}).items():
        theirs = pr.get("outcomes")
        if not theirs:
            continue
        n = min(len(theirs), len(outcomes))
        agree = sum(theirs[k] == outcomes[k] for k in range(n))
        core = [k for k in range(n) if in_core(rules[k])]
        core_agree = sum(theirs[k] == outcomes[k] for k in core)
        outside = Counter()
        for k in range(n):
            if theirs[k] != outcomes[k] and not in_core(rules[k]):
                outside[" + ".join(sorted(set(rules[k]) - CORE_RULES)) if rules[k] is not None
                        else "(proof not computed in the time limit)"] += 1
        core_disagree = [k for k in core if theirs[k] != outcomes[k]][:3]
        out[peer] = {"questions": n, "agree": agree, "core": len(core), "core_agree": core_agree,
                     "outside_core": dict(outside.most_common()), "core_disagreements": core_disagree}
    return out


def ms(seconds):
    return None if seconds is None else seconds * 1000


def get(d, *path):
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def fastest_peer(res: dict) -> tuple[str | None, float | None]:
    best = (None, None)
    for peer, pr in res.get("peers", {}).items():
        p99 = get(pr, "decision", "p99")
        if p99 is not None and (best[1] is None or p99 < best[1]):
            best = (peer, p99)
    return best


def rows_for(res: dict) -> list[dict]:
    """The table's rows for one size: measure, value, unit, ratio against its reference, target."""
    size = res["size"]
    rows: list[dict] = []

    def add(measure, value, unit, ratio=None, reference="", target_key=None, met=None, note=""):
        target = ""
        if target_key:
            limit, tunit, tsize = TARGETS[target_key]
            if target_key == "http_vs_floor":
                target = f">= {limit}x floor"
            elif tunit == "x":
                target = f"<= {limit}x"
            else:
                target = f"< {limit} {tunit}"
            if tsize and tsize != size:
                target += f" (at {tsize})"
                met = None
        rows.append({"measure": measure, "size": size, "value": value, "unit": unit, "ratio": ratio,
                     "reference": reference, "target": target, "met": met, "note": note})

    dw = res.get("deelwijzer", {})
    dict_p99 = get(dw, "dict_lookup", "p99")
    d50, d99 = get(dw, "decision", "p50"), get(dw, "decision", "p99")
    add("Deelwijzer decision p50", ms(d50), "ms")
    add("Deelwijzer decision p99", ms(d99), "ms", d99 / dict_p99 if d99 and dict_p99 else None,
        "dict-lookup p99", "decision_vs_dict", d99 / dict_p99 <= 100 if d99 and dict_p99 else None)
    a99 = get(dw, "decision_alone", "p99")
    if a99:
        add("Deelwijzer decision p99, each question decided alone (no table)", ms(a99), "ms",
            a99 / dict_p99 if dict_p99 else None, "dict-lookup p99",
            note="what a question costs before its day's table is built, or with hypothetical facts")
    builds = dw.get("table_build_s") or {}
    if builds:
        add("Deelwijzer decision tables build (per setting)", max(builds.values()), "s",
            note="; ".join(f"{setting} {sec:.2f} s, {dw.get('table_questions', {}).get(setting, 0):,} questions"
                           for setting, sec in sorted(builds.items())) + "; built in the background on first use")
    peer, peer_p99 = fastest_peer(res)
    if d99 and peer_p99:
        add("Deelwijzer decision p99 vs fastest peer", ms(d99), "ms", d99 / peer_p99,
            f"{PEER_LABEL[peer]} p99", "decision_vs_peer", d99 <= peer_p99)
    m99 = get(dw, "decision_min", "p99")
    best_min = min(((p, get(pr, "decision_min", "p99")) for p, pr in res.get("peers", {}).items()
                    if get(pr, "decision_min", "p99")), key=lambda t: t[1], default=(None, None))
    if m99:
        add("Deelwijzer decision p99, least of 3 runs per question", ms(m99), "ms",
            m99 / best_min[1] if best_min[1] else None,
            f"{PEER_LABEL[best_min[0]]} on the same basis" if best_min[0] else "",
            note="the questions' own cost, less the scheduler noise of a shared machine")
    add("(b) dict lookup of the precomputed answer p99", ms(dict_p99), "ms", None, "the limit", None, None,
        f"timer overhead p50 {get(dw, 'timer_overhead', 'p50') and get(dw, 'timer_overhead', 'p50') * 1e9:.0f} ns"
        if get(dw, "timer_overhead", "p50") else "")
    e95 = get(dw, "explanation", "p95")
    add("Deelwijzer full explanation p95 (no remedies)", ms(e95), "ms", ms(e95) / 20 if e95 else None,
        "20 ms target", "explanation", ms(e95) < 20 if e95 else None, f"n={get(dw, 'explanation', 'n')}")
    r95 = get(dw, "remedies", "p95")
    add("Deelwijzer why-not with remedies p95 (forbidden questions)", ms(r95), "ms",
        r95 / get(dw, "decision", "p95") if r95 and get(dw, "decision", "p95") else None, "decision p95",
        note=f"n={get(dw, 'remedies', 'n')}, remedies found for {dw.get('remedies_found')}")
    a95 = get(dw, "audience", "p95")
    add("Deelwijzer audience query p95 (whom may/must A tell about I)", ms(a95), "ms",
        ms(a95) / 50 if a95 else None, "50 ms target", "audience", ms(a95) < 50 if a95 else None,
        f"n={get(dw, 'audience', 'n')}; {dw.get('audience_method', '')}")
    add("Deelwijzer moment model build (load + bottom-up)", dw.get("model_build_s"), "s")
    cs = res.get("coldstart", {})
    total = cs.get("total_s")
    add("Deelwijzer cold start (process start -> rules + stored facts -> first answer)", total, "s",
        total / 20 if total else None, "20 s target", "coldstart", total < 20 if total else None,
        ", ".join(f"{k[:-2]} {v:.2f}" for k, v in cs.get("phases", {}).items()) if cs.get("phases") else
        cs.get("error", ""))
    mem = cs.get("peak_rss_mb")
    add("Deelwijzer peak memory (cold-start process)", mem, "MB", mem / 2048 if mem else None, "2 GB target",
        "memory", mem < 2048 if mem else None)
    written, loaded = res.get("coldstart-snapshot-write", {}), res.get("coldstart-snapshot", {})
    if written.get("total_s"):
        add("Deelwijzer cold start, first (builds the model, then writes its snapshot)", written["total_s"], "s",
            note=f"snapshot written in {written.get('snapshot_write_s', 0):.2f} s after the first answer; peak "
                 f"{written.get('peak_rss_after_write_mb', 0):.0f} MB with the write")
    snap = loaded.get("total_s") if loaded.get("snapshot") == "loaded" else None
    add("Deelwijzer cold start with snapshot (process start -> rules + model snapshot -> first answer)", snap, "s",
        snap / 10 if snap else None, "10 s target", "coldstart_snapshot", snap < 10 if snap else None,
        ", ".join(f"{k[:-2]} {v:.2f}" for k, v in loaded["phases"].items()) if snap else
        loaded.get("error", f"snapshot {loaded.get('snapshot')}"))
    smem = loaded.get("peak_rss_mb") if snap else None
    add("Deelwijzer peak memory (cold-start process with snapshot)", smem, "MB", smem / 1536 if smem else None,
        "1.5 GB target", "memory_snapshot", smem < 1536 if smem else None)
    add("Deelwijzer peak memory (in-process bench: + explanations, audience)", dw.get("peak_rss_mb"), "MB")
    hs, hh = get(res, "http", "service"), get(res, "http", "hello")
    s_rate, h_rate = get(hs, "per_s"), get(hh, "per_s")
    add("HTTP decisions/s (service, gunicorn, explain=none, 16 clients)", s_rate, "req/s",
        s_rate / h_rate if s_rate and h_rate else None, "Flask hello floor", "http_vs_floor",
        s_rate / h_rate >= 0.8 if s_rate and h_rate else None,
        f"{get(hs, 'ok')}/{get(hs, 'sent')} ok in {get(hs, 'elapsed_s') or 0:.1f} s, cycling over "
        f"{get(res, 'prepare', 'questions')} questions (repeats may hit the service's decision cache); worker peak "
        f"{get(hs, 'worker_peak_rss_mb') or 0:.0f} MB; {_shared_memory(hs)}; CPU per request "
        f"{get(hs, 'cpu_ms_per_request') or 0:.2f} ms, hello {get(hh, 'cpu_ms_per_request') or 0:.2f} ms"
        if hs and "error" not in hs else get(hs, "error") or "")
    add("HTTP p99 (service)", ms(get(hs, "latency", "p99")), "ms",
        get(hs, "latency", "p99") / get(hh, "latency", "p99") if get(hs, "latency", "p99") and get(hh, "latency", "p99") else None,
        "floor p99")
    add("(c) HTTP Flask hello floor", h_rate, "req/s", note=f"p99 {ms(get(hh, 'latency', 'p99')) or 0:.1f} ms"
        if hh and "error" not in hh else get(hh, "error") or "")
    for variant, label in (("workers2", "gunicorn, 2 workers"), ("waitress", "waitress, 1 process")):
        vs, vh = get(res, "http", f"service.{variant}"), get(res, "http", f"hello.{variant}")
        v_rate, vh_rate = get(vs, "per_s"), get(vh, "per_s")
        add(f"HTTP decisions/s (service, {label})", v_rate, "req/s",
            v_rate / vh_rate if v_rate and vh_rate else None, f"Flask hello, {label}", "http_vs_floor",
            v_rate / vh_rate >= 0.8 if v_rate and vh_rate else None,
            f"hello {vh_rate or 0:.0f} req/s; service {v_rate / s_rate if v_rate and s_rate else 0:.2f}x its "
            f"1-worker gunicorn rate; memory: {get(vs, 'worker_peak_rss_mb') or 0:.0f} MB peak RSS per worker, "
            f"{get(vs, 'total_peak_rss_mb') or 0:.0f} MB in all; {_shared_memory(vs)}" if vs and "error" not in vs
            else get(vs, "error") or "")
    for peer_name, pr in res.get("peers", {}).items():
        label = ("(a) " if peer_name == "pydatalog-naive" else "(d) ") + PEER_LABEL[peer_name]
        p99 = get(pr, "decision", "p99")
        if "error" in pr:
            add(f"{label} decision p99", None, "ms", note=pr["error"])
            continue
        pm = get(pr, "decision_min", "p99")
        add(f"{label} decision p99", ms(p99), "ms", p99 / d99 if p99 and d99 else None, "Deelwijzer p99",
            note=f"p50 {ms(get(pr, 'decision', 'p50')):.2f} ms, n={get(pr, 'decision', 'n')}; "
                 + (f"least of 3 runs: p99 {ms(pm):.2f} ms" if pm else pr.get("decision_min_note", "")))
        add(f"{label} load (facts in, ready to answer)", pr.get("load_s"), "s",
            pr["load_s"] / dw["model_build_s"] if pr.get("load_s") and dw.get("model_build_s") else None,
            "Deelwijzer model build", note=f"peak {pr.get('peak_rss_mb', 0):.0f} MB")
    sh = res.get("shards")
    if sh:
        one, two = sh.get("one_shard_per_s"), sh.get("two_shards_per_s")
        add("HTTP decisions/s through HAProxy, one shard", one, "req/s", note=sh.get("error", ""))
        add("HTTP decisions/s through HAProxy, two shards (total)", two, "req/s", sh.get("ratio"), "one shard",
            note=("per shard " + ", ".join(f"{clb} {rate:.0f}" for clb, rate in sh["per_shard_per_s"].items())
                  + f"; wrk, {sh['clients']} connections, {sh['seconds']:g} s per phase; load before "
                  f"{sh['load_before']:.1f}; the load generator and the proxy share the 2 cores")
            if two else "")
    return rows


def fmt(value, unit="") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if value == 0:
            return "0"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 1:
            return f"{value:.2f}"
        if abs(value) >= 0.01:
            return f"{value:.3f}"
        return f"{value:.2g}"
    return str(value)


def table(all_rows: list[dict]) -> str:
    lines = ["| measure | size | value | unit | ratio | against | target | met? | notes |",
             "|---|---|---:|---|---:|---|---|---|---|"]
    for r in all_rows:
        met = "—" if r["met"] is None else ("**yes**" if r["met"] else "**NO**")
        ratio = "—" if r["ratio"] is None else f"{fmt(r['ratio'])}x"
        lines.append(f"| {r['measure']} | {r['size']} | {fmt(r['value'])} | {r['unit']} | {ratio} | "
                     f"{r['reference']} | {r['target'] or '—'} | {met} | {r['note']} |")
    return "\n".join(lines)


PEER_NOTES = """\
Every peer implements the same policy core (bench/peers/core.py, brought up to the rules of issues
8 and 14): B1/B10/L11 secrecy by the capacity an item was learned in, B2 (need to know a condition,
not a stored fact), B3 under either secrecy with L3 capacity judged on the day the consent was given
and L9 item/kind/circle consent, B4 toward a named person (parents clients only of a pupil not
capable, or for what they confided) with the L9 later-consent lift, B9 (duty and any holder's
permission), B10/L8 (superior chain, the director), B12/B13/B13a (inside without a stored
agreement; the circle boundary unless consent), B7, B6 (danger/emergency exceptions, a fortiori for
official secrecy), and the decision order. Outside it (so a peer may disagree where one of these
decides, and the cross-check counts those apart): B4 toward a group, B5, B6 self-defence, B8, B11,
B13a agreements, B14/L4, L5, L6, L7, L8 care team / guidance cell / guiding CLB, L10. tests/test_peers.py
checks the core on random fact sets. Every peer gets the facts valid on the moment (validity periods resolved outside the peer,
as Deelwijzer's moment model does) with dates as integers YYYYMMDD.

- **clingo** (ASP, bench/peers/policy_core.lp): expresses all of the core directly — recursion
  (the superior chain), stratified negation as failure, integer comparisons. Simplified: date
  arithmetic "12 or older on T" is `born <= T - 120000` on YYYYMMDD integers (no calendar type);
  validity periods are not in the program. A question is one multi-shot step (a `question(k,a,r,i,s)`
  part grounded with the question's constants, then solved); "clingo (ground question, no solve)"
  reads the answer off the grounder, which evaluates a stratified program completely. Grounding the
  base part is the whole model (every answer for every pair), so its load time is clingo's model
  build. The answer set carries no explanation: proofs, why-not and remedies would need a meta
  encoding or xclingo-style tracing.
- **Rego** (regopy = rego-cpp, bench/peers/policy_core.rego): joins, negation (`not`) and
  comprehensions are native, but rules cannot be recursive: the superior chain uses the built-in
  `graph.reachable` over a per-school graph. Data must be shaped as JSON documents keyed for lookup
  (item -> holders, pupil -> circles, …) — the shaping is a hand-written join in Python
  (rego_peer.py). rego-cpp's data loading grows with the square of an object's key count, so every
  id-keyed document is split into shards by the id's last three characters (a workaround the
  policy has to know about). Outcomes are a chain of mutually exclusive rules; no explanation.
- **naive pyDatalog** (bench/peers/naive_pydatalog.py): the core as a pyDatalog program text
  (`pyDatalog.load`), facts via `assert_fact`, one `ask` per question. Expresses everything in the
  core (recursion, negation with bound variables, arithmetic); `forbidden` is "no positive outcome
  answered" (negating the decision predicate inside the same program would not be stratified).
- **Cedar** (cedarpy, bench/peers/policy_core.cedar): the furthest from Datalog. No derived
  predicates: a condition several rules share (professional secrecy, capacity, circle membership,
  the B6 exception) is written out again in every policy. No recursion: the superior chain is the
  entity hierarchy (a person's parents are their direct superiors; `in` follows it transitively).
  No joins or existentials over sets: the five circles are enumerated; who gave a consent relative
  to the pupil (pupil / parent) is joined by the application when it builds the entities; and
  B4's "a request by a client not lifted by a later consent from someone who can consent" needs,
  per question, the latest request toward the recipient and the latest consents to them in the
  request context (cedar_peer.py gathers them — timed as part of each decision). A decision is
  Allow/Deny: the four outcomes are three requests (actions obligated, discretionary, permitted)
  asked in priority order in one batch, `forbidden` when none is allowed. `forbid` always overrides
  `permit`, so "an exception outranks a block" is an `unless` (the exception again) on every forbid.
"""


def write_results(results: list[dict], info: dict, quick: bool, elapsed: float) -> None:
    RESULTS.mkdir(exist_ok=True)
    all_rows = [row for res in results for row in rows_for(res)]
    checks = {res["size"]: cross_check(res) for res in results}
    summary = []
    for r in all_rows:
        if r["met"] is not None:
            summary.append(f"- {'met' if r['met'] else '**missed**'}: {r['measure']} at {r['size']} — "
                           f"{fmt(r['value'])} {r['unit']}"
                           + (f" = {fmt(r['ratio'])}x {r['reference']}" if r["ratio"] is not None else "")
                           + f" (target {r['target']})")
    lines = [
        "## Performance",
        "",
        "(Written by `python bench/run.py`; `python scripts/readme_results.py` copies it into README.md.)",
        "",
        f"Run: `python bench/run.py{' --quick' if quick else ''} --sizes {' '.join(r['size'] for r in results)}`"
        f" on {info['date']} (commit {info['commit']}, working tree {info['tree']}), {elapsed / 60:.1f} minutes.",
        "",
        f"Machine: {info['cpu']}; {info['cores']} cores; {info['ram_gib']} GiB RAM; Python {info['python']};"
        f" {info['os']}. Load average before {', '.join(f'{x:.2f}' for x in info['load_before'])},"
        f" after {', '.join(f'{x:.2f}' for x in info['load_after'])}: the machine is shared, so expect"
        " noise of tens of percent between runs (the p99s most).",
        "",
        "Sizes: " + "; ".join(f"{r['size']} = {get(r, 'prepare', 'pupils')} pupils, {get(r, 'prepare', 'facts')} facts,"
                               f" {get(r, 'prepare', 'persons')} persons" for r in results) + ".",
        "Every engine answers the same questions (bench/data.py `questions`, seed 7, moment "
        f"{get(results[0], 'prepare', 'moment')}) on the same facts. Ratios are against the reference named,"
        " measured in the same run. Latencies are per question, single-threaded, after a warm-up; the HTTP"
        " figures are from 16 keep-alive client threads on loopback in a separate process from gunicorn"
        " (1 worker, 8 threads: query_service/gunicorn_conf.py), sharing the machine's 2 cores with it.",
        "",
        table(all_rows),
        "",
        "Targets of issue 5 (each at the size the issue sets it; figures of this run):",
        "",
        *(summary or ["- (no target size in this run)"]),
        "",
        "![latency against size](latency.png)",
        "",
        "![Deelwijzer and the peers](peers.png)",
        "",
        "![load time against size](load.png)",
        "",
        "### Cross-check: do the peers give Deelwijzer's answers?",
        "",
        "On the question set, per peer: answers equal to Deelwijzer's; and on the *core* questions (those"
        " whose proof — of the outcome and of every block that fired — uses core rules only) — where every peer must agree. Disagreements"
        " outside the core are expected (the peers do not have those rules) and are listed by the"
        " non-core rules in Deelwijzer's proof.",
        "",
        "| size | peer | agree / questions | core questions: agree / n | disagreements outside the core (the non-core rules in Deelwijzer's proof) |",
        "|---|---|---:|---:|---|",
    ]
    for size, check in checks.items():
        for peer, c in check.items():
            outside = "; ".join(f"{k}: {v}" for k, v in c["outside_core"].items()) or "none"
            lines.append(f"| {size} | {PEER_LABEL[peer]} | {c['agree']} / {c['questions']} | "
                         f"{c['core_agree']} / {c['core']} | {outside} |")
    lines += ["", "### What each peer cannot express, or had simplified", "", PEER_NOTES]
    (RESULTS / "RESULTS.md").write_text("\n".join(lines) + "\n")
    slim = []
    for res in results:
        copy = json.loads(json.dumps(res))
        copy.get("deelwijzer", {}).pop("outcomes", None)
        copy.get("deelwijzer", {}).pop("deciding_rules", None)
        copy.get("deelwijzer", {}).pop("proof_rules", None)
        for pr in copy.get("peers", {}).values():
            pr.pop("outcomes", None)
        copy["cross_check"] = checks[res["size"]]
        slim.append(copy)
    (RESULTS / "results.json").write_text(json.dumps({"machine": info, "quick": quick, "sizes": slim}, indent=1))
    plots(results)


def plots(results: list[dict]) -> None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plots (pip install -e '.[bench]')")
        return
    xs = [get(r, "prepare", "facts") for r in results]

    def series(fn):
        return [fn(r) for r in results]

    lines = {
        "Deelwijzer decision p50": series(lambda r: ms(get(r, "deelwijzer", "decision", "p50"))),
        "Deelwijzer decision p99": series(lambda r: ms(get(r, "deelwijzer", "decision", "p99"))),
        "Deelwijzer decision p99, least of 3": series(lambda r: ms(get(r, "deelwijzer", "decision_min", "p99"))),
        "Deelwijzer explanation p95": series(lambda r: ms(get(r, "deelwijzer", "explanation", "p95"))),
        "Deelwijzer why-not + remedies p95": series(lambda r: ms(get(r, "deelwijzer", "remedies", "p95"))),
        "Deelwijzer audience p95": series(lambda r: ms(get(r, "deelwijzer", "audience", "p95"))),
        "dict lookup p99 (the limit)": series(lambda r: ms(get(r, "deelwijzer", "dict_lookup", "p99"))),
        "HTTP service p99": series(lambda r: ms(get(r, "http", "service", "latency", "p99"))),
        "HTTP Flask hello p99 (floor)": series(lambda r: ms(get(r, "http", "hello", "latency", "p99"))),
    }
    _plot(plt, xs, lines, "latency (ms)", "Deelwijzer against size (log-log)", RESULTS / "latency.png",
          {"explanation target 20 ms": 20, "audience target 50 ms": 50})
    peers = {"Deelwijzer p99": lines["Deelwijzer decision p99"],
             "Deelwijzer p99, least of 3": lines["Deelwijzer decision p99, least of 3"]}
    for peer in PEERS:
        peers[f"{PEER_LABEL[peer]} p99"] = series(lambda r, p=peer: ms(get(r, "peers", p, "decision", "p99")))
        least = series(lambda r, p=peer: ms(get(r, "peers", p, "decision_min", "p99")))
        if any(least):
            peers[f"{PEER_LABEL[peer]} p99, least of 3"] = least
    _plot(plt, xs, peers, "decision latency (ms)", "One decision: Deelwijzer and the peers (log-log)",
          RESULTS / "peers.png", {})
    loads = {
        "Deelwijzer cold start": series(lambda r: get(r, "coldstart", "total_s")),
        "Deelwijzer cold start with snapshot": series(lambda r: get(r, "coldstart-snapshot", "total_s")),
        "Deelwijzer moment model build": series(lambda r: get(r, "deelwijzer", "model_build_s")),
    }
    for peer in PEERS:
        if peer != "clingo":
            loads[f"{PEER_LABEL[peer].split(' (')[0]} load"] = series(lambda r, p=peer: get(r, "peers", p, "load_s"))
    _plot(plt, xs, loads, "seconds", "Load / cold start against size (log-log)", RESULTS / "load.png",
          {"cold-start target 20 s": 20, "cold start with snapshot target 10 s": 10})


def _plot(plt, xs, lines, ylabel, title, path, hlines) -> None:
    fig, ax = plt.subplots(figsize=(10, 6))
    colours = plt.get_cmap("tab20").colors
    markers = "osD^v<>ph*"
    for n, (label, ys) in enumerate(lines.items()):
        points = [(x, y) for x, y in zip(xs, ys) if x and y]
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], marker=markers[n % len(markers)],
                    color=colours[n % len(colours)], linestyle="--" if "least of 3" in label else "-",
                    label=label)
    for label, y in hlines.items():
        ax.axhline(y, linestyle=":", color="grey", linewidth=1)
        ax.annotate(label, (xs[0], y), fontsize=7, color="grey", va="bottom")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("facts")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", choices=ORDER, help="default: all three (school clb with --quick)")
    parser.add_argument("--quick", action="store_true", help="school and clb only, fewer questions")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (data, logs)")
    args = parser.parse_args()
    sizes = args.sizes or (["school", "clb"] if args.quick else list(ORDER))
    sizes = [s for s in ORDER if s in sizes]
    budget = QUICK if args.quick else FULL
    info = machine()
    work = Path(tempfile.mkdtemp(prefix="deelwijzer-bench-"))
    started = time.perf_counter()
    results = []
    print(f"bench: sizes {' '.join(sizes)}; work directory {work}")
    with open(work / "bench.log", "wb") as log:
        for size in sizes:
            results.append(run_size(size, budget, work, log))
    info["load_after"] = os.getloadavg()
    write_results(results, info, args.quick, time.perf_counter() - started)
    print(f"wrote {RESULTS / 'RESULTS.md'} and plots in {time.perf_counter() - started:.0f} s")
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.copy(work / "bench.log", RESULTS / "last-run.log")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
