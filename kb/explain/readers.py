"""Redaction by reader: an explanation as the actor, the pupil, a parent, someone else or an auditor
may see it.

What a person may not be shown is decided by the rules of kb/rules/80_inzage.dl
(`withheld_from(Reader, Item, Part)`); the vocabulary says which predicates' facts make up each
part (`part:`). At explain time, the parts withheld from the people of each reader role are
recorded with the rule that withholds them (`withheld` in the JSON, kept in the decision log).

`for_reader` maps the typed explanation (model.py) to what one reader may see. A withheld fact is
replaced, and so is everything that would reveal it: every reason built on it, every why-not path
and remedy resting on it, the rule ids of those reasons (also among the deciding rules and the
legal sources), and the record of what was withheld. The replacement names neither the part nor
the rule withholding it: the views write one neutral sentence and whom to ask. Where the decision
itself would tell what is withheld — the question names a recipient whose kind reveals it (a
reporting point, read by a parent), the outcome rests on a withheld fact (a duty to report), or
everything about the item is withheld — the reader is shown only a standard notice that names
neither the decision nor who took it, and where to ask about their rights (`WithheldDecision`). The
auditor sees everything.
"""
from __future__ import annotations

import re
from dataclasses import replace
from enum import StrEnum

from ..facts.model import FactSet
from ..language.ast import Atom, Negation
from ..language.knowledge_base import KnowledgeBase
from ..language.vocabulary import Outcome
from ..reasoning.instances import instances
from .model import Candidate, Explanation, Failure, ProofNode, WhyNotTree, WithheldDecision
from .people import parents_of, pupils_of
from .terms import jsonable


class Reader(StrEnum):
    """Who reads an explanation (the API's `reader` values; not predicate names)."""

    ACTOR = "actor"      # the professional who asked
    PUPIL = "pupil"      # the pupils the item is about
    PARENT = "parent"    # their parents
    OTHER = "other"      # anyone else: shown only what no rule withholds from anybody
    AUDITOR = "auditor"  # everything, the record of what others are not shown included


READERS = tuple(Reader)
DEFAULT_READER = Reader.ACTOR  # a page printed by the professional who asked hands over their view
AUDIT_READER = Reader.AUDITOR  # needs a token with the `audit` scope
WHOLE_ITEM = "item"  # the part that is everything about the item


def reader_people(kb: KnowledgeBase, facts: FactSet, question, reader: str) -> set:
    """The people who read an explanation in a role: the actor; the pupils the item is about; their
    parents; for anyone else, everybody a rule could withhold something from — the people of the
    question and every person a fact about the item names (a request's addressee); nobody for the
    auditor (shown everything)."""
    pupils = pupils_of(kb, facts, question)
    if reader == Reader.ACTOR:
        return {question.actor}
    if reader == Reader.PUPIL:
        return set(pupils)
    if reader == Reader.PARENT:
        return set(parents_of(kb, facts, pupils, question.at))
    if reader == Reader.OTHER:
        types = kb.vocabulary.predicates
        named = {value for fact in facts.mentioning(question.item)
                 for arg, value in zip(types[fact.predicate].args, fact.args) if arg.type == "person"}
        return {question.actor, question.recipient, *pupils, *parents_of(kb, facts, pupils, question.at), *named}
    return set()


def withheld_parts(ev, kb: KnowledgeBase, facts: FactSet, question) -> dict:
    """For each reader role but the auditor: the parts withheld, each with its rule, the predicates
    whose facts belong to it and whether the question itself reveals it (a fact of the part describes
    the actor or the recipient). Evaluated in the explanation's own evaluation; `with_deciding` then
    records which deciding rules read each part."""
    facts = facts.union(question.hypothetical)
    vocabulary = kb.vocabulary.predicates
    out = {}
    for reader in READERS:
        if reader == Reader.AUDITOR:
            continue
        rows = [row for person in sorted(reader_people(kb, facts, question, reader), key=str)
                for row in ev.ask(kb.roles.withheld_from, (person, question.item, None))]
        found: dict[tuple, dict] = {}
        for row in rows:
            _, item, part = row
            key = (jsonable(item), part)
            if key in found:
                continue
            for rule, _ in instances(ev, kb, kb.roles.withheld_from, tuple(row), limit=1):
                predicates = sorted(p.name for p in vocabulary.values() if part == WHOLE_ITEM or p.part == part)
                unbound = [p for p in predicates if all(a.type != "item" for a in vocabulary[p].args)]
                found[key] = {
                    "item": jsonable(item), "part": part, "rule": rule.id, "source": rule.source,
                    "predicates": predicates, "unbound": unbound,
                    "question": any(f.valid_on(question.at) and {question.actor, question.recipient} & set(f.args)
                                    for p in unbound for f in facts.of(p))}
        out[reader] = [found[k] for k in sorted(found, key=str)]
    return out


def with_deciding(withheld: dict, kb: KnowledgeBase, rules) -> dict:
    """Record on each withheld part which of `rules` read it: the rules deciding the decision and its
    remedies. The proof shown may take another path to the same outcome, but those rules and their
    conditions are shown too — "if lena consents, permitted by B9.discuss_a_concern_with_the_parents"
    would tell a reader the item reveals a concern."""
    rules = set(rules)
    for entries in withheld.values():
        for entry in entries:
            entry["deciding"] = sorted(r for r in rules if reads(kb.by_id[r], set(entry["predicates"])))
    return withheld


def reads(rule, predicates: set[str]) -> bool:
    """Whether the rule's body names one of the predicates (as a condition or a negated one)."""
    return any((lit.atom if isinstance(lit, Negation) else lit).predicate in predicates
               for lit in rule.body if isinstance(lit, Atom | Negation))


def for_reader(explanation, reader: str) -> Explanation | WithheldDecision:
    """The explanation (JSON or typed) as `reader` may see it. Raises ValueError for an unknown reader."""
    if reader not in READERS:
        raise ValueError(f"unknown reader `{reader}`; the readers are {', '.join(READERS)}")
    x = Explanation.from_json(explanation)
    if isinstance(x, WithheldDecision):
        return x
    if reader == Reader.AUDITOR:
        return replace(x, reader=reader)  # the whole trace, the record of what others are not shown included
    if reader == Reader.PARENT and _several_families(x.question):
        return WithheldDecision(x.schema, reader)
    entries = _entries(x.withheld, reader)
    shown = replace(x, withheld=None, reader=reader, shown="all")
    if not entries:
        return shown
    redactor = _Redactor(entries, x.question.item)
    why = tuple(redactor.proof(p, root=True) for p in x.why)
    # The outcome would tell it when a reason of a duty or a permission rests on it (a duty to report),
    # in the proof shown or in the deciding rules (another path may prove the same outcome).
    reason_hidden = any(c.kind == "withheld" and n.kind == "rule"
                        for p, n0 in zip(why, x.why) for c, n in zip(p.children, n0.children))
    withheld_reason = x.outcome != Outcome.FORBIDDEN and (reason_hidden or redactor.deciding_hidden(x.deciding_rules))
    if redactor.whole_decision() or withheld_reason:
        return WithheldDecision(x.schema, reader)
    blocks = tuple(redactor.proof(b) for b in x.blocks)
    why_not = tuple(redactor.why_not(t) for t in x.why_not)
    keep = redactor.kept_rule
    remedies = tuple(replace(r, deciding_rules=tuple(d for d in r.deciding_rules if keep(d)))
                     for r in x.remedies if not any(redactor.hides(f.predicate, f.args) for f in r.facts))
    ways = None if x.ways is None else tuple(
        replace(w, deciding_rules=tuple(d for d in w.deciding_rules if keep(d)))
        for w in x.ways if not any(redactor.hides(a["predicate"], a["args"]) for a in w.acts))
    hypothetical = tuple(h for h in x.question.hypothetical if not redactor.hides(h["predicate"], h["args"]))
    return replace(
        shown, why=why, blocks=blocks, why_not=why_not, remedies=remedies, ways=ways,
        question=replace(x.question, hypothetical=hypothetical),
        deciding_rules=tuple(r for r in x.deciding_rules if keep(r)),
        sources=tuple(s for s in x.sources if keep(s.rule)),
        shown="part" if redactor.replaced else "all")


def _several_families(question) -> bool:
    """Whether the item is about pupils of more than one family. The parents' view is one page for
    every parent reading it, and a page one family reads must not name another family's child, her age
    or her parents (review 15, C5): until a view is written per family, such a page shows the parents
    the standard notice. (The pupils' view names the pupils to each other, who took part in what the item
    is about; what one pupil may not see of it, the reader rules withhold from the view.) Siblings with
    the same parents share a family. A trace recorded before each pupil's parents were kept counts as
    several families when it is about several pupils."""
    pupils = question.about or ()
    if len(pupils) < 2:
        return False
    return len({frozenset(question.parents.get(p, ())) for p in pupils}) > 1 or not question.parents


def _entries(withheld: dict | None, reader: str) -> list[dict]:
    """The withheld parts recorded for `reader`; for anyone else in a trace recorded before that
    reader existed, every part withheld from anybody."""
    withheld = withheld or {}
    if reader in withheld:
        return withheld[reader]
    if reader == Reader.OTHER:
        return [entry for entries in withheld.values() for entry in entries]
    return []


_LITERAL = re.compile(r"^(?:not )?([a-z_][a-z0-9_]*)\((.*)\)$")
WITHHELD_NODE = ProofNode(kind="withheld", height=0, size=1)


class _Redactor:
    """Replaces what rests on the withheld parts of one item; remembers the rules it took out."""

    def __init__(self, entries: list[dict], item):
        self.item = str(item)
        self.bound = {p for e in entries for p in e["predicates"] if p not in e.get("unbound", ())}
        self.unbound = {p for e in entries for p in e.get("unbound", ())}
        self.entries = entries
        self.replaced = False
        # A deciding rule that reads a withheld part is hidden even where no proof shown uses it.
        self.hidden_rules: set[str] = {r for e in entries for r in e.get("deciding", ())}
        self.shown_rules: set[str] = set()

    def hides(self, predicate, args) -> bool:
        """Whether a fact (present, absent or asked for) of predicate(args) belongs to a withheld part."""
        if predicate in self.unbound:
            return True
        return predicate in self.bound and self.item in map(str, args)

    def whole_decision(self) -> bool:
        """Everything about the item is withheld, or the question's people are described by a withheld fact."""
        return any(e["part"] == WHOLE_ITEM or e.get("question") for e in self.entries)

    def deciding_hidden(self, deciding_rules) -> bool:
        """Whether a deciding rule reads a withheld part."""
        return any(r in e.get("deciding", ()) for e in self.entries for r in deciding_rules)

    def kept_rule(self, rule_id: str) -> bool:
        return rule_id not in self.hidden_rules or rule_id in self.shown_rules

    def _hide(self, node) -> ProofNode:
        self.replaced = True
        self._collect(node)
        return WITHHELD_NODE

    def _collect(self, node) -> None:
        """Remember the rules of a subtree taken out, so their ids leave the deciding rules too."""
        if isinstance(node, ProofNode):
            if node.rule is not None:
                self.hidden_rules.add(node.rule.id)
            for child in node.children:
                self._collect(child)
            if node.why_not is not None:
                self._collect(node.why_not)
        elif isinstance(node, WhyNotTree):
            for candidate in node.candidates:
                self._collect(candidate)
        elif isinstance(node, Candidate):
            self.hidden_rules.add(node.rule.id)
            for failure in node.failed:
                self._collect(failure)
        elif isinstance(node, Failure):
            for inner in (node.proof, node.why_not):
                if inner is not None:
                    self._collect(inner)

    def proof(self, node: ProofNode, root: bool = False) -> ProofNode:
        if node.kind == "withheld":
            self.replaced = True
            return WITHHELD_NODE
        if node.predicate is not None and self.hides(node.predicate, node.args):
            return self._hide(node)
        if node.kind == "rule":
            children = tuple(self.proof(c) for c in node.children)
            if not root and any(c.kind == "withheld" for c in children):
                return self._hide(node)  # a reason built on a withheld fact would tell it
            if node.rule is not None:
                self.shown_rules.add(node.rule.id)
            return replace(node, children=children)
        if node.why_not is not None:
            return replace(node, why_not=self.why_not(node.why_not))
        return node

    def why_not(self, tree: WhyNotTree) -> WhyNotTree:
        kept = []
        for candidate in tree.candidates:
            shown = self.candidate(candidate)
            if shown is None:
                self.replaced = True
                self._collect(candidate)
            else:
                kept.append(shown)
        return replace(tree, candidates=tuple(kept), withheld=tree.withheld or len(kept) < len(tree.candidates))

    def candidate(self, candidate: Candidate) -> Candidate | None:
        """The candidate as shown, or None when its path rests on a withheld fact (one of the
        conditions it meets or lacks)."""
        for condition in candidate.satisfied:
            match = _LITERAL.match(condition)
            if match and self.hides(match.group(1), [a.strip() for a in match.group(2).split(",")]):
                return None
        failed = []
        for failure in candidate.failed:
            shown = self.failure(failure)
            if shown is None:
                return None
            failed.append(shown)
        self.shown_rules.add(candidate.rule.id)
        # The conditions that hold are written as code (predicate names, identifiers): not for a reader.
        return replace(candidate, failed=tuple(failed), satisfied=())

    def failure(self, failure: Failure) -> Failure | None:
        if failure.kind == "withheld" or failure.withheld_by is not None:
            return None
        if failure.predicate is not None and self.hides(failure.predicate, failure.args):
            return None
        proof, why_not = failure.proof, failure.why_not
        if proof is not None:
            proof = self.proof(proof)
            if proof.kind == "withheld":
                return None
        if why_not is not None:
            why_not = self.why_not(why_not)
        return replace(failure, proof=proof, why_not=why_not)
