"""Benchmark data: the demo world at any size, built in memory (no YAML), and sample questions.

The demo generator (kb/demo/generate.py) draws one CLB team with three schools; it tops out
near 5,000 pupils (a school has at most 16 classes per grade). A bigger world is built the way a
real CLB or region is: as several such *units* (three schools and their CLB team each), drawn with
seeds `seed, seed+1, …`, their people, items and schools prefixed `uNNN_` so they stay distinct;
the external bodies (police, court, reporting point, …) are shared by all units. One unit of 550
pupils is about 10k facts, so school = 1 unit (exactly the generator's world, unprefixed),
CLB = 10 units (~100k facts) and region = 100 units (~1M facts).
"""
from __future__ import annotations

import datetime
import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.demo.generate import BODIES, DemoWorld  # noqa: E402
from kb.decide import Question  # noqa: E402
from kb.facts.model import BEGINNING, END, Fact, FactSet  # noqa: E402

MOMENT = datetime.date(2026, 11, 28)
# Pupils per size so that the fact counts land near the issue's sizes (about 18 facts per pupil).
SIZES = {"school": 550, "clb": 5500, "region": 55000}
UNIT = 550  # pupils per unit (three schools and a CLB team); bigger worlds are several units

# Argument types whose values name something inside one unit (and so get the unit's prefix).
_PREFIXED_TYPES = {"person", "item", "school"}
_SHARED = {body for _, body in BODIES}


def world_facts(pupils: int, seed: int = 2026, unit: int = UNIT) -> FactSet:
    """The demo generator's world for `pupils` pupils, as a FactSet (several units if it is big)."""
    units = max(1, math.ceil(pupils / unit))
    if units == 1:
        raw = _unit_facts(pupils, seed, "")
    else:
        raw = []
        share, extra = divmod(pupils, units)
        for n in range(units):
            raw += _unit_facts(share + (n < extra), seed + n, f"u{n:03d}_")
    facts = [Fact(p, args, start or BEGINNING, end or END, f"bench:{i}")
             for i, (p, args, start, end) in enumerate(sorted(set(raw), key=_key))]
    return FactSet(facts, version=f"bench-{pupils}-{seed}")


def _unit_facts(pupils: int, seed: int, prefix: str) -> list[tuple]:
    world = DemoWorld(pupils, seed)
    world.build()
    if not prefix:
        return [(p, tuple(args), start, end) for p, args, start, end in world.facts]
    types = _arg_types()
    out = []
    for predicate, args, start, end in world.facts:
        renamed = tuple(prefix + a if t in _PREFIXED_TYPES and isinstance(a, str) and a not in _SHARED else a
                        for a, t in zip(args, types[predicate]))
        out.append((predicate, renamed, start, end))
    return out


_TYPES: dict | None = None


def _arg_types() -> dict[str, list[str]]:
    global _TYPES
    if _TYPES is None:
        from kb.language.knowledge_base import DEFAULT_DIR
        from kb.language.vocabulary import load_vocabulary
        vocab = load_vocabulary(Path(DEFAULT_DIR) / "vocabulary.yaml")
        _TYPES = {name: [a.type for a in p.args] for name, p in vocab.predicates.items()}
    return _TYPES


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
    staff_set = set(staff)
    bodies = sorted({f.args[0] for p in ("police", "court", "reporting_point", "prosecutor",
                                         "emergency_service") for f in facts.of(p)})
    pupil_of = {f.args[0]: f.args[1] for f in facts.of("item_about")}
    parents_of: dict = {}
    for f in facts.of("parent"):
        parents_of.setdefault(f.args[1], set()).add(f.args[0])
    out = []
    for _ in range(n):
        holding = rng.choice(learned)
        actor, item = holding.args[0], holding.args[1]
        pupil = pupil_of.get(item)
        linked = sorted({a for f in facts.mentioning(pupil) for a in f.args
                         if isinstance(a, str) and a in staff_set} | parents_of.get(pupil, set()))
        pool = linked if linked and rng.random() < 0.5 else staff + bodies
        recipient = rng.choice([p for p in pool if p != actor] or staff)
        setting = "court_testimony" if recipient in bodies and rng.random() < 0.3 else "conversation"
        out.append(Question(actor, recipient, item, MOMENT, setting))
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
