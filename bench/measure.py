"""One measurement, in its own process: `python bench/measure.py KIND --dir WORK --size NAME …`.

bench/run.py starts each of these as a subprocess (so memory and cold start are the process's own)
and reads the JSON it writes to --out. Every loop here is bounded in count and in time.

    prepare     build the world and the question set; write facts (pickle), questions (JSON) and
                the bench's own SQLite fact store (for the cold start and the HTTP service)
    deelwijzer  in-process: decision p50/p99, explanation, why-not with remedies, audience, and
                the dict-lookup limit, on the materialised engine with the moment's model warm
    coldstart   process start -> rules + stored facts loaded -> first answer; peak RSS; with
                --snapshot-dir, from a model snapshot (written by the first such run)
    peer        one reference engine (clingo in both modes, rego, cedar, pydatalog-naive): load, decide
    http        the real service (or the Flask hello floor) behind gunicorn, under a bounded load
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import pickle
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def stats(values: list[float]) -> dict:
    from data import percentile
    if not values:
        return {"n": 0}
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
            "p99": percentile(values, 99), "max": max(values), "mean": sum(values) / len(values)}


# -- data on disk ------------------------------------------------------------------------------------
def facts_path(work: Path, size: str) -> Path:
    return work / f"{size}.facts.pickle"


def load_facts(work: Path, size: str):
    from kb.facts.model import Fact, FactSet
    with open(facts_path(work, size), "rb") as fh:
        version, raw = pickle.load(fh)
    return FactSet([Fact(p, a, f, u, o) for p, a, f, u, o in raw], version=version)


def load_questions(work: Path, size: str):
    from kb.decide import Question
    rows = json.loads((work / f"{size}.questions.json").read_text())
    return [Question(a, r, i, datetime.date.fromisoformat(at), s) for a, r, i, at, s in rows]


def prepare(args) -> dict:
    from data import MOMENT, SIZES, questions, world_facts

    from kb.store.db import Database
    from kb.store.facts import FactStore
    work = Path(args.dir)
    started = time.perf_counter()
    facts = world_facts(SIZES[args.size])
    generated = time.perf_counter() - started
    qs = questions(facts, args.questions)
    with open(facts_path(work, args.size), "wb") as fh:
        pickle.dump((facts.version, [(f.predicate, f.args, f.valid_from, f.valid_until, f.origin) for f in facts]),
                    fh, protocol=pickle.HIGHEST_PROTOCOL)
    (work / f"{args.size}.questions.json").write_text(json.dumps(
        [(q.actor, q.recipient, q.item, q.at.isoformat(), q.setting) for q in qs]))
    db_file = work / f"{args.size}.db"
    stored = time.perf_counter()
    db = Database(f"sqlite:///{db_file}")
    FactStore(db).add(list(facts), note=f"bench world {args.size}")
    db.close()
    return {"facts": len(facts), "pupils": SIZES[args.size], "questions": len(qs), "moment": MOMENT.isoformat(),
            "generate_s": generated, "store_s": time.perf_counter() - stored,
            "persons": len(facts.entities(_kb().vocabulary).get("person", ()))}


_KB = None


def _kb():
    global _KB
    if _KB is None:
        from kb.language.knowledge_base import load_knowledge_base
        _KB = load_knowledge_base()
    return _KB


# -- Deelwijzer in-process ---------------------------------------------------------------------------
def deelwijzer(args) -> dict:
    from kb.decide import decide_in, validate_question
    from kb.decision_table import DecisionTable
    from kb.engine.materialized import MaterializedEngine
    from kb.explain.explainer import explain
    work = Path(args.dir)
    kb = _kb()
    facts = load_facts(work, args.size)
    qs = load_questions(work, args.size)[: args.decisions]
    engine = MaterializedEngine()
    started = time.perf_counter()
    engine.load(kb, facts)
    engine.model(qs[0].at)  # the moment's model, built once and then shared by every question
    model_s = time.perf_counter() - started
    out: dict = {"model_build_s": model_s}
    # The decision tables of the questions' days and settings (as the service builds them in the
    # background on first use): every question that can be anything but forbidden, at once.
    tables, table_s = {}, {}
    for key in sorted({(q.at, q.setting) for q in qs}):
        started = time.perf_counter()
        tables[key] = DecisionTable.build(engine, kb, *key)
        table_s[key[1]] = time.perf_counter() - started
    out["table_build_s"] = table_s
    out["table_questions"] = {key[1]: len(t.candidates) for key, t in tables.items() if t is not None}

    def decide_alone(q):
        validate_question(q, kb, facts)
        return engine.run(q.context(), lambda ev: decide_in(ev, kb, q, facts.version))

    def decide(q):
        validate_question(q, kb, facts)
        table = tables.get((q.at, q.setting))
        return table.decide(q, facts.version) if table is not None else \
            engine.run(q.context(), lambda ev: decide_in(ev, kb, q, facts.version))

    for q in qs[:20]:  # warm-up: indexes are built on first use
        decide(q)
        decide_alone(q)
    times, outcomes, rules = [], [], []
    deadline = time.perf_counter() + args.time_limit
    for q in qs:
        start = time.perf_counter()
        decision = decide(q)
        times.append(time.perf_counter() - start)
        outcomes.append(decision.outcome)
        rules.append(list(decision.deciding_rules))
        if time.perf_counter() > deadline:
            break
    alone = []
    for q in qs[: len(outcomes)]:
        start = time.perf_counter()
        decide_alone(q)
        alone.append(time.perf_counter() - start)
    out["decision_alone"] = stats(alone)
    out["decision"] = stats(times)
    out["outcomes"], out["deciding_rules"] = outcomes, rules
    out["decision_min"] = stats(min_of_passes(lambda q: decide(q), qs[: len(outcomes)], times, args))
    out["proof_rules"] = proof_rules(engine, kb, facts, qs[: len(outcomes)], outcomes, rules, args.time_limit)

    # (b) the limit: the same answers, precomputed, read from a dict.
    table = {(q.actor, q.recipient, q.item, q.at, q.setting): o for q, o in zip(qs, outcomes)}
    keys = [(q.actor, q.recipient, q.item, q.at, q.setting) for q in qs[: len(outcomes)]]
    lookups = []
    clock = time.perf_counter
    for _ in range(5):
        for key in keys:
            start = clock()
            table[key]
            lookups.append(clock() - start)
    empty = []
    for _ in range(len(keys)):
        start = clock()
        empty.append(clock() - start)
    out["dict_lookup"] = stats(lookups)
    out["timer_overhead"] = stats(empty)

    # Full explanation (no remedies) on the first questions.
    times = []
    deadline = time.perf_counter() + args.time_limit
    for q in qs[: args.explanations]:
        start = time.perf_counter()
        explain(engine, kb, facts, q, remedies=False)
        times.append(time.perf_counter() - start)
        if time.perf_counter() > deadline:
            break
    out["explanation"] = stats(times)

    # Why-not with remedies, on forbidden questions.
    forbidden = [q for q, o in zip(qs, outcomes) if o == "forbidden"][: args.remedies]
    times, found = [], 0
    deadline = time.perf_counter() + args.time_limit
    for q in forbidden:
        start = time.perf_counter()
        explanation = explain(engine, kb, facts, q, remedies=True)
        times.append(time.perf_counter() - start)
        found += bool(explanation["remedies"])
        if time.perf_counter() > deadline:
            break
    out["remedies"] = stats(times)
    out["remedies_found"] = found

    # The audience: whom may or must the actor tell about the item?
    out["audience"], out["audience_method"] = audience_times(engine, kb, facts, qs, args)
    out["peak_rss_mb"] = peak_rss_mb()
    engine.close()
    return out


def min_of_passes(answer, qs, first: list[float], args) -> list[float]:
    """Per question, the least of --repeat passes (the first pass included): the question's own
    cost with less of the scheduler's noise (other processes share the cores). Time-bounded."""
    best = list(first)
    deadline = time.perf_counter() + args.time_limit
    for _ in range(args.repeat - 1):
        for n, q in enumerate(qs):
            start = time.perf_counter()
            answer(q)
            best[n] = min(best[n], time.perf_counter() - start)
            if time.perf_counter() > deadline:
                return best
    return best


def proof_rules(engine, kb, facts, qs, outcomes, rules, time_limit: float) -> list:
    """Per question, every rule in one proof of its outcome and of each block that fired (for the
    peers' cross-check: is the question decided by the policy core alone?). A bare `D5.forbidden`
    (no ground, no block) needs no proof; None where the time limit cut the work short."""
    from kb.explain.why import Prover
    out: list = []
    deadline = time.perf_counter() + time_limit
    for q, outcome, deciding in zip(qs, outcomes, rules):
        if deciding == ["D5.forbidden"]:
            out.append(deciding)
            continue
        if time.perf_counter() > deadline:
            out.append(None)
            continue
        args = (q.actor, q.recipient, q.item)

        def job(ev):
            prover = Prover(ev, kb, facts)
            trees = prover.proofs(outcome, args, 1)
            if outcome == "forbidden":
                trees += prover.proofs("blocked", args, max_proofs=len(kb.by_head.get("blocked", ())))
            return sorted(set(_rule_ids(trees)))

        out.append(engine.run(q.context(), job))
    return out


def _rule_ids(node):
    if isinstance(node, list):
        for child in node:
            yield from _rule_ids(child)
    elif isinstance(node, dict):
        rule = node.get("rule")
        if isinstance(rule, dict) and "id" in rule:
            yield rule["id"]
        for value in node.values():
            if isinstance(value, (list, dict)):
                yield from _rule_ids(value)


def audience_times(engine, kb, facts, qs, args) -> tuple[dict, str]:
    """Time "whom may or must the actor tell about the item?" the way the product answers it:
    kb.decide.audience if it exists; else kb.decide.audience_candidates (the recipients the decision
    rules can reach) decided one by one, as Workspace.audience does (without its decision cache);
    else a decision for every known person."""
    import inspect

    from kb import decide as decide_module
    from kb.decide import Question, decide_in, validate_question
    function = getattr(decide_module, "audience", None)
    candidates_of = getattr(decide_module, "audience_candidates", None)
    persons = sorted(facts.entities(kb.vocabulary).get("person", ()), key=str)
    pairs = list(dict.fromkeys((q.actor, q.item, q.at, q.setting) for q in qs))[: args.audience]
    times, considered = [], []
    deadline = time.perf_counter() + args.audience_time_limit
    if function is not None:
        method = "kb.decide.audience"
    elif candidates_of is not None:
        method = "kb.decide.audience_candidates, then a decision per candidate (as Workspace.audience)"
    else:
        method = f"a decision for every known person ({len(persons)})"
    for actor, item, at, setting in pairs:
        start = time.perf_counter()
        if function is not None:
            given = {"engine": engine, "kb": kb, "facts": facts, "actor": actor, "item": item, "at": at,
                     "setting": setting}
            names = inspect.signature(function).parameters
            function(**{name: given[name] for name in names if name in given})
        else:
            first = Question(actor, actor, item, at, setting)
            validate_question(first, kb, facts)
            recipients = None
            if candidates_of is not None:
                recipients = engine.run(first.context(), lambda ev: candidates_of(ev, kb, actor, item))
            if recipients is None:
                recipients = [p for p in persons if p != actor]
            considered.append(len(recipients))
            for person in sorted(recipients, key=str):
                q = Question(actor, person, item, at, setting)
                validate_question(q, kb, facts)
                engine.run(q.context(), lambda ev: decide_in(ev, kb, q, facts.version))
        times.append(time.perf_counter() - start)
        if time.perf_counter() > deadline:
            break
    if considered:
        method += f"; {min(considered)}-{max(considered)} recipients decided of {len(persons)} persons"
    return stats(times), method


# -- cold start ----------------------------------------------------------------------------------------
def coldstart(args) -> dict:
    """Timed from --t0 (the parent's clock just before it started this process). With
    --snapshot-dir, the model is loaded from a snapshot there when one matches the rules and the
    stored facts (phase snapshot_load); otherwise the facts are read from the store and the model is
    built by the first answer, and the snapshot is then written (snapshot_write, after the total)."""
    phases = {"interpreter_s": time.time() - args.t0}
    t = time.perf_counter()
    from kb.decide import decide
    from kb.engine.materialized import MaterializedEngine
    from kb.engine.snapshot import SnapshotDir
    from kb.language.knowledge_base import load_knowledge_base
    from kb.store.db import Database
    from kb.store.facts import FactStore
    phases["imports_s"] = time.perf_counter() - t
    t = time.perf_counter()
    kb = load_knowledge_base()
    phases["rules_s"] = time.perf_counter() - t
    db = Database(f"sqlite:///{args.db}")
    store = FactStore(db)
    engine = MaterializedEngine()
    facts = None
    if args.snapshot_dir:
        t = time.perf_counter()
        engine.snapshots = SnapshotDir(args.snapshot_dir, identify=lambda v: store.hash_at(int(v)) or "",
                                       secret=b"bench: a key for the snapshots of this run")
        facts = engine.restore(kb, str(store.version()))
        phases["snapshot_load_s"] = time.perf_counter() - t
    if facts is None:
        t = time.perf_counter()
        facts = store.fact_set()
        phases["facts_from_store_s"] = time.perf_counter() - t
        t = time.perf_counter()
        engine.load(kb, facts)
        phases["engine_load_s"] = time.perf_counter() - t
    t = time.perf_counter()
    actor, recipient, item, at, setting = json.loads(args.question)
    decision = decide(engine, kb, facts, actor, recipient, item, datetime.date.fromisoformat(at), setting)
    phases["first_answer_s"] = time.perf_counter() - t  # includes building the moment's model, if not loaded
    total = time.time() - args.t0
    result = {"total_s": total, "phases": phases, "facts": len(facts), "outcome": decision.outcome,
              "peak_rss_mb": peak_rss_mb(), "snapshot": "loaded" if "facts_from_store_s" not in phases else
              "written" if args.snapshot_dir else "off"}
    if engine.snapshots is not None:
        t = time.perf_counter()
        engine.snapshots.wait()
        result["snapshot_write_s"] = time.perf_counter() - t  # in the background, after the first answer
        result["peak_rss_after_write_mb"] = peak_rss_mb()
    return result


# -- peers ---------------------------------------------------------------------------------------------
def peer(args) -> dict:
    from data import MOMENT

    from peers.core import moment_facts
    work = Path(args.dir)
    facts = load_facts(work, args.size)
    qs = load_questions(work, args.size)[: args.decisions]
    rows = moment_facts(facts, MOMENT)
    del facts
    if args.name == "clingo":
        from peers.clingo_peer import ClingoPeer
        engine = ClingoPeer()
    elif args.name == "rego":
        from peers.rego_peer import RegoPeer
        engine = RegoPeer()
    elif args.name == "cedar":
        from peers.cedar_peer import CedarPeer
        engine = CedarPeer()
    elif args.name == "pydatalog-naive":
        from peers.naive_pydatalog import NaivePyDatalog
        engine = NaivePyDatalog()
    else:
        raise SystemExit(f"unknown peer {args.name}")
    start = time.perf_counter()
    engine.load(rows, MOMENT)
    load_s = time.perf_counter() - start
    modes = [("clingo-ground", False), ("clingo", True)] if args.name == "clingo" else [(args.name, None)]
    out: dict = {}
    for mode, solve in modes:
        if solve is not None:
            engine.solve = solve
        times, outcomes = [], []
        deadline = time.perf_counter() + args.time_limit
        for q in qs:
            start = time.perf_counter()
            outcomes.append(engine.decide(q.actor, q.recipient, q.item, q.setting))
            times.append(time.perf_counter() - start)
            if time.perf_counter() > deadline:
                break
        result = {"load_s": load_s, "decision": stats(times), "outcomes": outcomes}
        if mode == "pydatalog-naive":
            result["decision_min_note"] = "pyDatalog keeps answers between asks: repeats would be cached"
        else:
            result["decision_min"] = stats(min_of_passes(
                lambda q: engine.decide(q.actor, q.recipient, q.item, q.setting), qs[: len(outcomes)], times, args))
        out[mode] = result
    for result in out.values():
        result["peak_rss_mb"] = peak_rss_mb()
        if hasattr(engine, "stats"):
            result.update(engine.stats())
    return out


# -- HTTP ----------------------------------------------------------------------------------------------
def http(args) -> dict:
    import httpbench
    return httpbench.run(args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=["prepare", "deelwijzer", "coldstart", "peer", "http"])
    parser.add_argument("--dir", required=True, help="the run's work directory")
    parser.add_argument("--size", required=True)
    parser.add_argument("--out", required=True, help="write the result (JSON) here")
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--decisions", type=int, default=2000)
    parser.add_argument("--explanations", type=int, default=200)
    parser.add_argument("--remedies", type=int, default=100)
    parser.add_argument("--audience", type=int, default=5)
    parser.add_argument("--audience-time-limit", type=float, default=60)
    parser.add_argument("--time-limit", type=float, default=60, help="seconds per timed loop")
    parser.add_argument("--repeat", type=int, default=3, help="passes for the per-question minimum")
    parser.add_argument("--name", help="peer name, or http app (service | hello)")
    parser.add_argument("--db")
    parser.add_argument("--t0", type=float)
    parser.add_argument("--question")
    parser.add_argument("--snapshot-dir", help="coldstart: load (or write) the model snapshot here")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--server", choices=["gunicorn", "waitress"], default="gunicorn", help="http: the server")
    parser.add_argument("--workers", type=int, default=1, help="http: gunicorn worker processes")
    parser.add_argument("--boot-timeout", type=float, default=300)
    args = parser.parse_args()
    result = {"prepare": prepare, "deelwijzer": deelwijzer, "coldstart": coldstart, "peer": peer,
              "http": http}[args.kind](args)
    Path(args.out).write_text(json.dumps(result, default=str))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
