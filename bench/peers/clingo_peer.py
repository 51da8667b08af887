"""clingo peer: the policy core as an ASP program (policy_core.lp), facts added as fact text.

    peer = ClingoPeer(); peer.load(moment_facts(facts, moment), moment)   # ground the base (whole model)
    peer.decide(actor, recipient, item, setting)                         # ground one question, solve

Each question is one multi-shot step: ground the `question` part with the question's constants,
then solve. The base part stays grounded between questions.
"""
from __future__ import annotations

import re
from pathlib import Path

import clingo

from .core import day

PROGRAM = Path(__file__).with_name("policy_core.lp")
OUTCOMES = ("obligated", "discretionary", "permitted", "forbidden")
_CONSTANT = re.compile(r"[a-z][A-Za-z0-9_]*\Z")


def term(v) -> str:
    """A value as clingo term text: a number, a constant, or a quoted string (never code)."""
    if isinstance(v, bool):
        raise TypeError(v)
    if isinstance(v, int):
        return str(v)
    text = str(v)
    if _CONSTANT.match(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def symbol(v) -> clingo.Symbol:
    if isinstance(v, int):
        return clingo.Number(v)
    text = str(v)
    return clingo.Function(text) if _CONSTANT.match(text) else clingo.String(text)


def fact_text(rows: dict[str, list[tuple]], moment) -> str:
    lines = [f"today({day(moment)})."]
    for predicate, tuples in rows.items():
        for args in tuples:
            lines.append(f"{predicate}({','.join(term(a) for a in args)}).")
    return "\n".join(lines)


class ClingoPeer:
    name = "clingo"

    def __init__(self, solve: bool = True) -> None:
        # solve=False reads the answer off the grounder: a stratified program like this one is
        # evaluated completely while grounding, so every atom derived is a fact (no search).
        self.solve = solve
        self.ctl: clingo.Control | None = None
        self.step = 0
        self._outcome_symbols: dict = {}

    def load(self, rows: dict[str, list[tuple]], moment) -> None:
        ctl = clingo.Control(["--warn=none"])
        ctl.load(str(PROGRAM))
        ctl.add("base", [], fact_text(rows, moment))
        ctl.ground([("base", [])])
        self.ctl = ctl

    def decide(self, actor: str, recipient: str, item: str, setting: str) -> str:
        self.step += 1
        k = clingo.Number(self.step)
        self.ctl.ground([("question", [k, symbol(actor), symbol(recipient), symbol(item), symbol(setting)])])
        found = []
        if not self.solve:
            atoms = self.ctl.symbolic_atoms
            for o in OUTCOMES:
                atom = atoms[clingo.Function("decision", [k, clingo.Function(o)])]
                if atom is not None and atom.is_fact:
                    found.append(o)
            if len(found) != 1:
                raise RuntimeError(f"clingo's grounder gave {found} for {(actor, recipient, item, setting)}")
            return found[0]
        with self.ctl.solve(yield_=True) as handle:
            for model in handle:
                found = [o for o in OUTCOMES if model.contains(clingo.Function("decision", [k, clingo.Function(o)]))]
                break
        if len(found) != 1:
            raise RuntimeError(f"clingo gave {found} for {(actor, recipient, item, setting)}")
        return found[0]

    def stats(self) -> dict:
        atoms = len(self.ctl.symbolic_atoms) if self.ctl else 0
        return {"atoms": atoms}
