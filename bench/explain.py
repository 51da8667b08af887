"""Explanation time next to bare decision time, at the demo size and at ten times it (issue 3).

    python bench/explain.py [--questions 200] [--engine materialized|pydatalog]

Prints p50/p95 of: the bare decision, the full explanation (proof + why-not), and the explanation
with verified remedies — all on the same questions in the same run, with ratios to the decision.
"""
from __future__ import annotations

import argparse
import time

from data import MOMENT, percentile, questions, world_facts

from kb.decide import decide_in, validate_question
from kb.engine.registry import ENGINES, configured_engine
from kb.explain.explainer import explain
from kb.language.knowledge_base import load_knowledge_base



def measure(kb, engine, facts, qs) -> dict[str, list[float]]:
    engine.load(kb, facts)
    engine.run(qs[0].context(), lambda ev: decide_in(ev, kb, qs[0]))  # warm the moment's model
    times: dict[str, list[float]] = {"decision": [], "explanation": [], "explanation+remedies": []}
    for q in qs:
        start = time.perf_counter()
        validate_question(q, kb, facts)
        engine.run(q.context(), lambda ev: decide_in(ev, kb, q, facts.version))
        times["decision"].append(time.perf_counter() - start)
        start = time.perf_counter()
        explain(engine, kb, facts, q, remedies=False)
        times["explanation"].append(time.perf_counter() - start)
        start = time.perf_counter()
        explain(engine, kb, facts, q)
        times["explanation+remedies"].append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--engine", choices=sorted(ENGINES), default=configured_engine())
    parser.add_argument("--pupils", type=int, nargs="*", default=[300, 3000], help="sizes (demo = 300)")
    args = parser.parse_args()
    kb = load_knowledge_base()
    print(f"engine: {args.engine}; moment {MOMENT}; {args.questions} questions per size\n")
    print("| pupils | facts | measure | p50 ms | p95 ms | p95 / decision p95 |")
    print("|---:|---:|---|---:|---:|---:|")
    for pupils in args.pupils:
        facts = world_facts(pupils)
        qs = questions(facts, args.questions)
        engine = ENGINES[args.engine]()
        try:
            times = measure(kb, engine, facts, qs)
        finally:
            engine.close()
        base = percentile(times["decision"], 95)
        for name, values in times.items():
            p50, p95 = percentile(values, 50), percentile(values, 95)
            print(f"| {pupils} | {len(facts)} | {name} | {p50 * 1e3:.2f} | {p95 * 1e3:.2f} | {p95 / base:.1f}x |")


if __name__ == "__main__":
    main()
