"""The typed explanation model: one decision with its proof, why-not trees, blocks and remedies.

The builders (why.py, why_not.py, remedies.py) assemble the JSON form of explanation.schema.json;
`Explanation.from_json` reads it into these dataclasses and `to_json` writes it back unchanged, so
the API's JSON, the text view (render.py) and the HTML view (the page templates) all read one
typed structure instead of nested dicts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JsonValue = Any  # a constant: str, int, an ISO date string, or None for an argument left open


@dataclass(frozen=True)
class Reading:
    """One text in Dutch and in English."""
    nl: str
    en: str

    def __getitem__(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en

    @classmethod
    def from_json(cls, data: dict | None) -> Reading | None:
        return None if data is None else cls(data["nl"], data["en"])

    def to_json(self) -> dict:
        return {"nl": self.nl, "en": self.en}


@dataclass(frozen=True)
class RuleRef:
    """How a rule is cited: id, legal source, heading of the law, file position, choice, legal text."""
    id: str
    source: str
    heading: str
    location: str
    choice: str | None = None
    legal_text: str | None = None

    @classmethod
    def from_json(cls, data: dict) -> RuleRef:
        return cls(data["id"], data["source"], data["heading"], data["location"],
                   data.get("choice"), data.get("legal_text"))

    def to_json(self) -> dict:
        return _drop_none({"id": self.id, "source": self.source, "heading": self.heading,
                           "location": self.location, "choice": self.choice, "legal_text": self.legal_text})


@dataclass(frozen=True)
class Period:
    """Where a fact came from and when it is valid (None: unbounded)."""
    origin: str
    valid_from: str | None
    valid_until: str | None
    args: tuple | None = None

    @classmethod
    def from_json(cls, data: dict) -> Period:
        args = data.get("args")
        return cls(data["origin"], data["from"], data["until"], None if args is None else tuple(args))

    def to_json(self) -> dict:
        out = {"origin": self.origin, "from": self.valid_from, "until": self.valid_until}
        if self.args is not None:
            out["args"] = list(self.args)
        return out


@dataclass(frozen=True)
class Comparing:
    """The two values and the operator of a comparison condition."""
    left: JsonValue
    op: str
    right: JsonValue


@dataclass(frozen=True)
class ProofNode:
    """One step of a proof: a rule instance, a fact, a context fact, an absence, a comparison, a cut."""
    kind: str
    height: int
    size: int
    predicate: str | None = None
    args: tuple = ()
    reading: Reading | None = None
    negation: Reading | None = None  # for an absent atom: how its absence reads
    rule: RuleRef | None = None
    bindings: dict = field(default_factory=dict)
    rule_reading: Reading | None = None
    children: tuple[ProofNode, ...] = ()
    facts: tuple[Period, ...] = ()
    condition: str | None = None
    why_not: WhyNotTree | None = None
    comparing: Comparing | None = None
    withheld_by: dict | None = None  # for a withheld node: {rule, source} of the rule withholding it

    @property
    def key(self) -> tuple:
        """What this node proves: the same key proved twice is shown once (the page is a DAG)."""
        return (self.kind, self.predicate, tuple(map(str, self.args)), self.condition)

    @classmethod
    def from_json(cls, data: dict) -> ProofNode:
        return cls(
            kind=data["kind"], height=data["height"], size=data["size"], predicate=data.get("predicate"),
            args=tuple(data.get("args", ())), reading=Reading.from_json(data.get("reading")),
            negation=Reading.from_json(data.get("negation")),
            rule=RuleRef.from_json(data["rule"]) if "rule" in data else None,
            bindings=dict(data.get("bindings", {})), rule_reading=Reading.from_json(data.get("rule_reading")),
            children=tuple(cls.from_json(c) for c in data.get("children", ())),
            facts=tuple(Period.from_json(f) for f in data.get("facts", ())), condition=data.get("condition"),
            why_not=WhyNotTree.from_json(data["why_not"]) if data.get("why_not") else None,
            comparing=Comparing(data["left"], data["op"], data["right"]) if "op" in data else None,
            withheld_by=data.get("withheld_by"))

    def to_json(self) -> dict:
        out: dict = {"kind": self.kind}
        if self.withheld_by is not None:
            out["withheld_by"] = dict(self.withheld_by)
        if self.predicate is not None:
            out["predicate"] = self.predicate
            out["args"] = list(self.args)
        if self.reading is not None:
            out["reading"] = self.reading.to_json()
        if self.negation is not None:
            out["negation"] = self.negation.to_json()
        if self.kind == "rule":
            out.update(rule=self.rule.to_json(), bindings=dict(self.bindings),
                       rule_reading=self.rule_reading.to_json(),
                       children=[c.to_json() for c in self.children])
        if self.kind == "fact":
            out["facts"] = [f.to_json() for f in self.facts]
        if self.condition is not None:
            out["condition"] = self.condition
        if self.why_not is not None:
            out["why_not"] = self.why_not.to_json()
        if self.comparing is not None:
            out.update(left=self.comparing.left, op=self.comparing.op, right=self.comparing.right)
        out.update(height=self.height, size=self.size)
        return out


@dataclass(frozen=True)
class Failure:
    """A condition of a candidate rule that does not hold, and what it would take."""
    kind: str
    condition: str
    cost: int
    predicate: str | None = None
    args: tuple = ()
    reading: Reading | None = None
    negation: Reading | None = None  # how the failed condition reads: "there is no consent from …"
    why_not: WhyNotTree | None = None
    proof: ProofNode | None = None
    has_proof: bool = False  # the JSON carried a `proof` key (possibly null)
    outside_validity: tuple[Period, ...] = ()
    can_be_brought_about: dict | None = None
    comparing: Comparing | None = None
    withheld_by: dict | None = None

    @classmethod
    def from_json(cls, data: dict) -> Failure:
        return cls(
            kind=data["kind"], condition=data["condition"], cost=data["cost"], predicate=data.get("predicate"),
            args=tuple(data.get("args", ())), reading=Reading.from_json(data.get("reading")),
            negation=Reading.from_json(data.get("negation")),
            why_not=WhyNotTree.from_json(data["why_not"]) if data.get("why_not") else None,
            proof=ProofNode.from_json(data["proof"]) if data.get("proof") else None, has_proof="proof" in data,
            outside_validity=tuple(Period.from_json(p) for p in data.get("outside_validity", ())),
            can_be_brought_about=data.get("can_be_brought_about"),
            comparing=Comparing(data["left"], data["op"], data["right"]) if "op" in data else None,
            withheld_by=data.get("withheld_by"))

    def to_json(self) -> dict:
        out: dict = {"kind": self.kind, "condition": self.condition}
        if self.withheld_by is not None:
            out["withheld_by"] = dict(self.withheld_by)
        if self.predicate is not None:
            out["predicate"] = self.predicate
            out["args"] = list(self.args)
        if self.reading is not None:
            out["reading"] = self.reading.to_json()
        if self.negation is not None:
            out["negation"] = self.negation.to_json()
        if self.comparing is not None:
            out.update(left=self.comparing.left, op=self.comparing.op, right=self.comparing.right)
        out["cost"] = self.cost
        if self.outside_validity:
            out["outside_validity"] = [p.to_json() for p in self.outside_validity]
        if self.can_be_brought_about is not None:
            out["can_be_brought_about"] = dict(self.can_be_brought_about)
        if self.has_proof:
            out["proof"] = None if self.proof is None else self.proof.to_json()
        if self.why_not is not None:
            out["why_not"] = self.why_not.to_json()
        return out


@dataclass(frozen=True)
class Candidate:
    """A rule that could conclude the atom, at its instance closest to succeeding."""
    rule: RuleRef
    bindings: dict
    satisfied: tuple[str, ...]
    failed: tuple[Failure, ...]
    distance: int

    @classmethod
    def from_json(cls, data: dict) -> Candidate:
        return cls(RuleRef.from_json(data["rule"]), dict(data["bindings"]), tuple(data["satisfied"]),
                   tuple(Failure.from_json(f) for f in data["failed"]), data["distance"])

    def to_json(self) -> dict:
        return {"rule": self.rule.to_json(), "bindings": dict(self.bindings), "satisfied": list(self.satisfied),
                "failed": [f.to_json() for f in self.failed], "distance": self.distance}


@dataclass(frozen=True)
class WhyNotTree:
    """Why an atom does not hold: every candidate rule, closest first."""
    predicate: str
    args: tuple
    reading: Reading
    candidates: tuple[Candidate, ...]
    distance: int
    negation: Reading | None = None
    withheld: bool = False  # for a reader: candidates resting on a withheld part were left out

    @property
    def key(self) -> tuple:
        return ("why-not", self.predicate, tuple(map(str, self.args)))

    @classmethod
    def from_json(cls, data: dict) -> WhyNotTree:
        return cls(data["predicate"], tuple(data["args"]), Reading.from_json(data["reading"]),
                   tuple(Candidate.from_json(c) for c in data["candidates"]), data["distance"],
                   Reading.from_json(data.get("negation")), data.get("withheld", False))

    def to_json(self) -> dict:
        out = {"predicate": self.predicate, "args": list(self.args), "reading": self.reading.to_json()}
        if self.negation is not None:
            out["negation"] = self.negation.to_json()
        out.update(candidates=[c.to_json() for c in self.candidates], distance=self.distance)
        if self.withheld:
            out["withheld"] = True
        return out


@dataclass(frozen=True)
class RemedyFact:
    """One fact a person could bring about."""
    predicate: str
    args: tuple
    valid_from: str
    reading: Reading
    by: JsonValue
    act: str

    @classmethod
    def from_json(cls, data: dict) -> RemedyFact:
        return cls(data["predicate"], tuple(data["args"]), data["from"], Reading.from_json(data["reading"]),
                   data["by"], data["act"])

    def to_json(self) -> dict:
        return {"predicate": self.predicate, "args": list(self.args), "from": self.valid_from,
                "reading": self.reading.to_json(), "by": self.by, "act": self.act}


@dataclass(frozen=True)
class Remedy:
    """A verified set of facts that would change the outcome."""
    facts: tuple[RemedyFact, ...]
    outcome: str
    deciding_rules: tuple[str, ...]

    @classmethod
    def from_json(cls, data: dict) -> Remedy:
        return cls(tuple(RemedyFact.from_json(f) for f in data["facts"]), data["outcome"],
                   tuple(data["deciding_rules"]))

    def to_json(self) -> dict:
        return {"facts": [f.to_json() for f in self.facts], "outcome": self.outcome,
                "deciding_rules": list(self.deciding_rules), "verified": True}


@dataclass(frozen=True)
class Way:
    """Verified remedies that differ only in who performs the act, worded as one condition: "Elena of
    Mila (de ouders van Sofie) toestemming geeft om …" (read after "als" / "if")."""
    by: tuple
    condition: Reading
    acts: tuple[dict, ...]  # {predicate, args (the performer left open: null), act}
    outcome: str
    deciding_rules: tuple[str, ...]

    @classmethod
    def from_json(cls, data: dict) -> Way:
        return cls(tuple(data["by"]), Reading.from_json(data["if"]), tuple(dict(a) for a in data["acts"]),
                   data["outcome"], tuple(data["deciding_rules"]))

    def to_json(self) -> dict:
        return {"by": list(self.by), "if": self.condition.to_json(), "acts": [dict(a) for a in self.acts],
                "outcome": self.outcome, "deciding_rules": list(self.deciding_rules)}


@dataclass(frozen=True)
class Source:
    """The legal source of a deciding rule, with the legal text quoted beside it."""
    rule: str
    source: str
    heading: str
    legal_text: str

    @classmethod
    def from_json(cls, data: dict) -> Source:
        return cls(data["rule"], data["source"], data["heading"], data["legal_text"])

    def to_json(self) -> dict:
        return {"rule": self.rule, "source": self.source, "heading": self.heading, "legal_text": self.legal_text}


@dataclass(frozen=True)
class ConditionNote:
    """A condition the professional judges when telling, attached to the decision by its rules."""
    id: str
    source: str
    text: Reading

    @classmethod
    def from_json(cls, data: dict) -> ConditionNote:
        return cls(data["id"], data["source"], Reading(data["nl"], data["en"]))

    def to_json(self) -> dict:
        return {"id": self.id, "source": self.source, "nl": self.text.nl, "en": self.text.en}


@dataclass(frozen=True)
class Question:
    """The question as asked: who would tell whom about what, on which day, in which setting."""
    actor: str
    recipient: str
    item: str
    at: str
    setting: str
    hypothetical: tuple[dict, ...] = ()
    readings: dict = field(default_factory=dict)  # value -> Reading (names and labels), optional
    about: tuple | None = None  # the pupils the item is about
    who: dict = field(default_factory=dict)  # person -> Reading: who they are, in a sentence
    parents: dict = field(default_factory=dict)  # pupil -> their parents, on the day asked about

    @classmethod
    def from_json(cls, data: dict) -> Question:
        return cls(data["actor"], data["recipient"], data["item"], data["at"], data["setting"],
                   tuple(data["hypothetical"]),
                   {k: Reading.from_json(v) for k, v in data.get("words", {}).items()},
                   tuple(data["about"]) if "about" in data else None,
                   {k: Reading.from_json(v) for k, v in data.get("who", {}).items()},
                   {k: tuple(v) for k, v in data.get("parents", {}).items()})

    def to_json(self) -> dict:
        out = {"actor": self.actor, "recipient": self.recipient, "item": self.item, "at": self.at,
               "setting": self.setting, "hypothetical": [dict(h) for h in self.hypothetical]}
        if self.readings:
            out["words"] = {k: v.to_json() for k, v in self.readings.items()}
        if self.who:
            out["who"] = {k: v.to_json() for k, v in self.who.items()}
        if self.about is not None:
            out["about"] = list(self.about)
        if self.parents:
            out["parents"] = {k: list(v) for k, v in self.parents.items()}
        return out


@dataclass(frozen=True)
class Explanation:
    """One decision and everything that explains it."""
    schema: str
    question: Question
    outcome: str
    deciding_rules: tuple[str, ...]
    kb_version: str
    facts_version: str
    why: tuple[ProofNode, ...]
    why_not: tuple[WhyNotTree, ...]
    blocks: tuple[ProofNode, ...]
    remedies: tuple[Remedy, ...]
    sources: tuple[Source, ...]
    conditions: tuple[ConditionNote, ...] = ()
    may_disclose: bool | None = None  # D6: any outcome but forbidden, as the rules conclude it
    withheld: dict | None = None  # per reader role, the parts withheld (the full trace only)
    reader: str | None = None  # the reader it was rendered for, when redacted
    ways: tuple[Way, ...] | None = None  # the remedies grouped and worded as conditions (None: older traces)
    shown: str | None = None  # for a reader: "all", or "part" when parts were withheld

    @classmethod
    def from_json(cls, data: dict | Explanation) -> Explanation | WithheldDecision:
        """Read the JSON form (explanation.schema.json); an Explanation is returned as it is, and so
        is the notice that a decision cannot be shown to its reader."""
        if isinstance(data, Explanation | WithheldDecision):
            return data
        if data.get("shown") == WithheldDecision.SHOWN:
            return WithheldDecision.from_json(data)
        return cls(
            data["schema"], Question.from_json(data["question"]), data["outcome"], tuple(data["deciding_rules"]),
            data["kb_version"], data["facts_version"], tuple(ProofNode.from_json(p) for p in data["why"]),
            tuple(WhyNotTree.from_json(t) for t in data["why_not"]),
            tuple(ProofNode.from_json(p) for p in data["blocks"]),
            tuple(Remedy.from_json(r) for r in data["remedies"]), tuple(Source.from_json(s) for s in data["sources"]),
            tuple(ConditionNote.from_json(c) for c in data.get("conditions", ())),
            data.get("may_disclose"), data.get("withheld"), data.get("reader"),
            tuple(Way.from_json(w) for w in data["ways"]) if "ways" in data else None, data.get("shown"))

    def to_json(self) -> dict:
        """The JSON form, valid against explanation.schema.json."""
        out = {
            "schema": self.schema, "question": self.question.to_json(), "outcome": self.outcome,
            "deciding_rules": list(self.deciding_rules), "kb_version": self.kb_version,
            "facts_version": self.facts_version, "why": [p.to_json() for p in self.why],
            "why_not": [t.to_json() for t in self.why_not], "blocks": [p.to_json() for p in self.blocks],
            "remedies": [r.to_json() for r in self.remedies], "sources": [s.to_json() for s in self.sources],
        }
        out["conditions"] = [c.to_json() for c in self.conditions]
        if self.may_disclose is not None:
            out["may_disclose"] = self.may_disclose
        if self.ways is not None:
            out["ways"] = [w.to_json() for w in self.ways]
        if self.withheld is not None:
            out["withheld"] = self.withheld
        if self.reader is not None:
            out["reader"] = self.reader
        if self.shown is not None:
            out["shown"] = self.shown
        return out


@dataclass(frozen=True)
class WithheldDecision:
    """What a reader is shown of a decision whose question itself would reveal a part withheld from
    them (a report to a reporting point, read by a parent): a standard notice, the same for every
    decision, that names neither the decision nor who took it — a name would tell a parent that
    someone decided something about their child, and whom to press (parent review 16, A1)."""
    SHOWN = "nothing"
    schema: str
    reader: str

    @classmethod
    def from_json(cls, data: dict) -> WithheldDecision:
        return cls(data["schema"], data["reader"])

    def to_json(self) -> dict:
        return {"schema": self.schema, "reader": self.reader, "shown": self.SHOWN}


def _drop_none(data: dict) -> dict:
    return {k: v for k, v in data.items() if v is not None}
