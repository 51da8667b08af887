"""Benchmark data: the demo world at any size, built in memory (no YAML), and sample questions."""
from __future__ import annotations

import datetime
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fixtures.demo.generate import DemoWorld  # noqa: E402
from kb.decide import Question  # noqa: E402
from kb.facts.model import BEGINNING, END, Fact, FactSet  # noqa: E402

MOMENT = datetime.date(2026, 11, 28)
# Pupils per size so that the fact counts land near the issue's sizes (about 18 facts per pupil).
SIZES = {"school": 550, "clb": 5500, "region": 55000}


def world_facts(pupils: int, seed: int = 2026) -> FactSet:
    """The demo generator's world for `pupils` pupils, as a FactSet."""
    world = DemoWorld(pupils, seed)
    world.build()
    facts = [Fact(p, tuple(args), start or BEGINNING, end or END, f"bench:{i}")
             for i, (p, args, start, end) in enumerate(sorted(world.facts, key=_key))]
    return FactSet(facts, version=f"bench-{pupils}-{seed}")


def _key(fact):
    predicate, args, start, end = fact
    return (predicate, tuple(str(a) for a in args), start or BEGINNING, end or END)


def questions(facts: FactSet, n: int, seed: int = 7) -> list[Question]:
    """Realistic questions: a holder of an item asks about telling a colleague, a parent, a body.

    Half the recipients are drawn from people linked to the item's pupil (more interesting
    decisions), half from all staff and CLB workers.
    """
    rng = random.Random(seed)
    learned = sorted(facts.of("learned"), key=lambda f: f.args)
    staff = sorted({f.args[0] for f in facts.of("school_staff")} | {f.args[0] for f in facts.of("clb_worker")})
    bodies = sorted({f.args[0] for p in ("police", "court", "reporting_point", "prosecutor",
                                         "emergency_service") for f in facts.of(p)})
    pupil_of = {f.args[0]: f.args[1] for f in facts.of("item_about")}
    out = []
    for _ in range(n):
        holding = rng.choice(learned)
        actor, item = holding.args[0], holding.args[1]
        linked = sorted({a for f in facts.mentioning(pupil_of.get(item)) for a in f.args
                         if isinstance(a, str) and a in staff} | {f.args[0] for f in facts.of("parent")
                                                                  if f.args[1] == pupil_of.get(item)})
        pool = linked if linked and rng.random() < 0.5 else staff + bodies
        recipient = rng.choice([p for p in pool if p != actor] or staff)
        setting = "court_testimony" if recipient in bodies and rng.random() < 0.3 else "conversation"
        out.append(Question(actor, recipient, item, MOMENT, setting))
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
