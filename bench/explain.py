"""Explanation time next to bare decision time, per world size, cold and warm (issues 3 and 13).

    python bench/explain.py [--sizes school clb region] [--questions 200] [--engine materialized|pydatalog]
                            [--remedies]

For each size: the model is built, 20 decisions warm it (as bench/measure.py does), then the
explanation (proof + why-not, no remedies) is timed over the questions twice — cold (the first
pass after the model was built: any index built on first use is paid here) and warm (the same
questions again) — with the bare decision beside it and each p95 against the 20 ms target of
issue 5. `--remedies` adds the explanation with verified remedies. Prints the process's resident
memory after each size (region needs ~1.5 GB; run the sizes in separate processes for the RSS of
one size alone).
"""
from __future__ import annotations

import argparse
import os
import resource
import time

from data import MOMENT, SIZES, percentile, questions, world_facts

from kb.decide import decide_in, validate_question
from kb.engine.registry import ENGINES, configured_engine
from kb.explain.explainer import explain
from kb.facts.model import FactSet
from kb.language.knowledge_base import load_knowledge_base

TARGET_S = 0.020  # issue 5: full explanation p95 < 20 ms


def measure(kb, engine, facts, qs, remedies: bool) -> dict[str, list[float]]:
    """Per measure, the time of each question (seconds)."""
    started = time.perf_counter()
    engine.load(kb, facts)
    engine.run(qs[0].context(), lambda ev: decide_in(ev, kb, qs[0]))  # the moment's model
    times: dict[str, list[float]] = {"model build": [time.perf_counter() - started]}
    for q in qs[:20]:
        engine.run(q.context(), lambda ev: decide_in(ev, kb, q, facts.version))  # noqa: B023 - run now
    times["decision"] = []
    for q in qs:
        start = time.perf_counter()
        validate_question(q, kb, facts)
        engine.run(q.context(), lambda ev: decide_in(ev, kb, q, facts.version))  # noqa: B023 - run now
        times["decision"].append(time.perf_counter() - start)
    for label in ("explanation cold", "explanation warm"):
        times[label] = []
        for q in qs:
            start = time.perf_counter()
            explain(engine, kb, facts, q, remedies=False)
            times[label].append(time.perf_counter() - start)
    if remedies:
        times["explanation+remedies"] = []
        for q in qs:
            start = time.perf_counter()
            explain(engine, kb, facts, q)
            times["explanation+remedies"].append(time.perf_counter() - start)
    return times


def rss_mb() -> tuple[float, float]:
    """(resident now, peak) in MB, Linux."""
    with open("/proc/self/status") as status:
        now = next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
    return now / 1024, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--engine", choices=sorted(ENGINES), default=configured_engine())
    parser.add_argument("--sizes", nargs="*", choices=sorted(SIZES), default=["school", "clb"])
    parser.add_argument("--remedies", action="store_true", help="also time explanations with remedies")
    args = parser.parse_args()
    kb = load_knowledge_base()
    print(f"engine: {args.engine}; moment {MOMENT}; {args.questions} questions per size; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print("| size | facts | measure | p50 ms | p95 ms | max ms | p95 / 20 ms | p95 / decision p95 |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        facts = world_facts(SIZES[size])
        qs = questions(facts, args.questions)
        # Drawing the questions indexed every fact by value; a service's fact set has no such index.
        facts = FactSet.of_distinct(list(facts), facts.version)
        engine = ENGINES[args.engine]()
        try:
            times = measure(kb, engine, facts, qs, args.remedies)
        finally:
            engine.close()
        print(f"| {size} | {len(facts)} | model build | {times.pop('model build')[0] * 1e3:.0f} | | | | |")
        base = percentile(times["decision"], 95)
        for name, values in times.items():
            p50, p95 = percentile(values, 50), percentile(values, 95)
            print(f"| {size} | {len(facts)} | {name} | {p50 * 1e3:.2f} | {p95 * 1e3:.2f} | {max(values) * 1e3:.1f} "
                  f"| {p95 / TARGET_S:.2f}x | {p95 / base:.1f}x |")
        now, peak = rss_mb()
        print(f"| {size} | {len(facts)} | resident memory (now / peak) | {now:.0f} MB | {peak:.0f} MB | | | |")
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
