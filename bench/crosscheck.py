"""A quick cross-check of the peers against Deelwijzer on one small world (minutes, not the full run).

    python bench/crosscheck.py --pupils 550 --questions 300 clingo rego cedar pydatalog-naive

Decides the questions with Deelwijzer (materialised engine) and with each named peer, and counts
the answers that agree; on the *core* questions (those whose proof uses bench/peers/core.py's
CORE_RULES only) every disagreement is printed and makes the exit status 1.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from data import MOMENT, questions, world_facts  # noqa: E402
from measure import proof_rules  # noqa: E402
from peers.core import CORE_RULES as CORE_RULES_SET, in_core, moment_facts  # noqa: E402

PEERS = ("clingo", "rego", "cedar", "pydatalog-naive")


def make_peer(name: str):
    """The named peer engine (imported only when asked for: each needs its own library)."""
    if name == "clingo":
        from peers.clingo_peer import ClingoPeer
        return ClingoPeer()
    if name == "rego":
        from peers.rego_peer import RegoPeer
        return RegoPeer()
    if name == "cedar":
        from peers.cedar_peer import CedarPeer
        return CedarPeer()
    if name == "pydatalog-naive":
        from peers.naive_pydatalog import NaivePyDatalog
        return NaivePyDatalog()
    raise SystemExit(f"unknown peer {name}; the peers are {', '.join(PEERS)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("peers", nargs="*", default=list(PEERS))
    parser.add_argument("--pupils", type=int, default=550)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from kb.decide import decide_in
    from kb.engine.materialized import MaterializedEngine
    from kb.language.knowledge_base import load_knowledge_base
    kb = load_knowledge_base()
    facts = world_facts(args.pupils)
    qs = questions(facts, args.questions, args.seed)
    engine = MaterializedEngine()
    engine.load(kb, facts)
    decisions = [engine.run(q.context(), lambda ev, q=q: decide_in(ev, kb, q, facts.version)) for q in qs]
    outcomes = [d.outcome for d in decisions]
    rules = proof_rules(engine, kb, facts, qs, outcomes, [list(d.deciding_rules) for d in decisions], 600)
    core = [k for k in range(len(qs)) if in_core(rules[k])]
    print(f"{len(qs)} questions, {len(core)} decided by the core; Deelwijzer: {dict(Counter(outcomes))}")
    rows = moment_facts(facts, MOMENT)
    failed = False
    for name in args.peers:
        peer = make_peer(name)
        peer.load(rows, MOMENT)
        theirs = [peer.decide(q.actor, q.recipient, q.item, q.setting) for q in qs]
        agree = sum(a == b for a, b in zip(theirs, outcomes))
        bad = [k for k in core if theirs[k] != outcomes[k]]
        outside = Counter(r for k in range(len(qs)) if theirs[k] != outcomes[k] and k not in core
                          for r in (rules[k] or ["?"]) if r not in CORE_RULES_SET)
        print(f"{name}: agree {agree}/{len(qs)}; core {len(core) - len(bad)}/{len(core)}; "
              f"outside-core disagreements by rule: {dict(outside.most_common(6))}")
        for k in bad[:5]:
            q = qs[k]
            print(f"  core disagreement: {(q.actor, q.recipient, q.item, q.setting)} deelwijzer={outcomes[k]} "
                  f"{name}={theirs[k]} proof={rules[k]}")
        failed |= bool(bad)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
