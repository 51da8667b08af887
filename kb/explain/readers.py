"""Redaction by reader: an explanation rendered for the actor, the pupil, a parent or an auditor.

What a person may not be shown is decided by the rules of kb/rules/80_inzage.dl
(`withheld_from(Reader, Item, Part)`); the vocabulary says which predicates' facts make up each
part (`part:`). At explain time, the parts withheld from the people of each reader role are
recorded with the rule that withholds them (`withheld` in the JSON, kept in the decision log).
`for_reader` then replaces every withheld fact, and every reason built on one, by a note naming
the rule — never what was withheld — and drops the record of what was withheld.
"""
from __future__ import annotations

import copy

from ..decide import OUTCOMES
from ..facts.model import FactSet
from ..language.knowledge_base import KnowledgeBase
from ..reasoning.instances import instances
from .terms import jsonable

READERS = ("actor", "pupil", "parent", "auditor")
DEFAULT_READER = "auditor"  # the legal expert / auditor sees the whole trace


def reader_people(facts: FactSet, question, reader: str) -> set:
    """The people who read an explanation in a role: the actor; the pupils the item is about;
    their parents; nobody for the auditor (who is shown everything)."""
    day = question.at
    pupils = {f.args[1] for f in facts.find_predicate_valid("item_about", day) if f.args[0] == question.item}
    if reader == "actor":
        return {question.actor}
    if reader == "pupil":
        return pupils
    if reader == "parent":
        return {f.args[0] for f in facts.find_predicate_valid("parent", day) if f.args[1] in pupils}
    return set()


def withheld_parts(ev, kb: KnowledgeBase, facts: FactSet, question) -> dict:
    """For each reader role but the auditor: the parts withheld, each with its rule and the
    predicates whose facts belong to it (evaluated in the explanation's own evaluation)."""
    facts = facts.union(question.hypothetical)
    out = {}
    for reader in READERS:
        if reader == DEFAULT_READER:
            continue
        found: dict[tuple, dict] = {}
        for person in sorted(reader_people(facts, question, reader), key=str):
            for row in ev.ask("withheld_from", (person, question.item, None)):
                _, item, part = row
                for rule, _ in instances(ev, kb, "withheld_from", tuple(row), limit=1):
                    key = (jsonable(item), part)
                    found.setdefault(key, {
                        "item": jsonable(item), "part": part, "rule": rule.id, "source": rule.source,
                        "predicates": sorted(p.name for p in kb.vocabulary.predicates.values()
                                             if part == "item" or p.part == part)})
        out[reader] = [found[k] for k in sorted(found, key=str)]
    return out


def for_reader(explanation: dict, reader: str) -> dict:
    """The explanation as `reader` may see it (JSON form): for anyone but the auditor, withheld parts
    replaced and the record of what was withheld dropped. Raises ValueError for an unknown reader."""
    if reader not in READERS:
        raise ValueError(f"unknown reader `{reader}`; the readers are {', '.join(READERS)}")
    shown = copy.deepcopy(explanation)
    shown["reader"] = reader
    if reader == DEFAULT_READER:
        return shown  # the auditor sees the whole trace, the record of what others are not shown included
    entries = shown.pop("withheld", {}).get(reader, [])
    if not entries:
        return shown
    redactor = _Redactor(entries)
    shown["why"] = [redactor.proof(p) for p in shown["why"]]
    shown["blocks"] = [redactor.proof(p) for p in shown["blocks"]]
    shown["why_not"] = [redactor.why_not(t) for t in shown["why_not"]]
    shown["remedies"] = [r for r in shown["remedies"] if not any(redactor.rule_for(f) for f in r["facts"])]
    return shown


class _Redactor:
    def __init__(self, entries: list[dict]):
        self.entries = entries

    def rule_for(self, node: dict) -> dict | None:
        """The rule withholding this node's fact from the reader, or None when it may be shown."""
        predicate, args = node.get("predicate"), [str(a) for a in node.get("args", ())]
        for entry in self.entries:
            if predicate in entry["predicates"] and str(entry["item"]) in args:
                return {"rule": entry["rule"], "source": entry["source"]}
        return None

    def proof(self, node: dict) -> dict:
        by = self.rule_for(node)
        if by is None and node.get("kind") == "rule":
            node["children"] = [self.proof(c) for c in node["children"]]
            inner = next((c["withheld_by"] for c in node["children"] if c["kind"] == "withheld"), None)
            # A reason built on a withheld fact would tell it; the decision itself is always shown.
            if inner is not None and node["predicate"] not in OUTCOMES:
                by = inner
        elif by is None and node.get("why_not"):
            node["why_not"] = self.why_not(node["why_not"])
        if by is None:
            return node
        return {"kind": "withheld", "withheld_by": by, "height": 0, "size": 1}

    def why_not(self, tree: dict) -> dict:
        for candidate in tree["candidates"]:
            candidate["failed"] = [self.failure(f) for f in candidate["failed"]]
            candidate["satisfied"] = []  # the conditions that hold are written as facts: not for a reader
        return tree

    def failure(self, failure: dict) -> dict:
        by = self.rule_for(failure)
        if by is not None:
            return {"kind": "withheld", "condition": "", "cost": failure["cost"], "withheld_by": by}
        if failure.get("proof"):
            failure["proof"] = self.proof(failure["proof"])
            if failure["proof"]["kind"] == "withheld":
                return {"kind": "withheld", "condition": "", "cost": failure["cost"],
                        "withheld_by": failure["proof"]["withheld_by"]}
        if failure.get("why_not"):
            failure["why_not"] = self.why_not(failure["why_not"])
        return failure
