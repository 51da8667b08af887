"""Read an `@alternative:` as edits of the rule set: the instructions a legal expert wrote in words.

An alternative states the reading not taken and how to switch to it, e.g.

    To end the secrecy with the designation, add `trusted_person_of(Holder, Pupil)` to this rule's
    body and replace `void_trusted_person(Holder, Pupil)` by `not trusted_person_of(Holder, Pupil)`
    in L4.invalid_trusted_person.

The purpose ("To …,") is left aside; what follows is split into steps (at `;` and at `and` before
a verb), and each step must be one of these forms, the rule-language text between backquotes:

    add `X` to this rule's body          (several: `X, Y`, or `X` and `Y`; also "to R")
    bind the recipient with `X`          (the same as adding `X` to this rule's body)
    drop `X` [from this rule's body | from R | from the three consent_act rules]  (or delete, remove)
    replace `X` by `Y` [in R]
    delete this rule [and R …]  /  delete R1 and R2  /  delete the four B12.*_within_* rules and R
    change this rule's head to `H`
    add a rule `H :- B1, B2.`

R is a rule id (a `*` in it matches any text); "the four … rules" names the rules whose id
matches the pattern, or whose conclusion is the predicate named, and there must be four. A
parenthesis that continues the instruction ("(and delete R)", "(and R)") is read as part of it;
any other ("(or an input predicate of your own)", "(against B14)") is a comment. Anything else
("declare an input predicate …", "add a condition of your own", a choice "…, or add a rule …")
is not mechanical: `NotMechanical` says which words.

Parsing is words only: the backquoted text stays text here, and is parsed and matched against
the rules when the edits are applied (alternatives.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

THIS_RULE = "this rule"

# The verbs that start a step; "and" followed by one of them starts the next step.
VERBS = ("add", "bind", "drop", "delete", "remove", "replace", "change",
         "declare", "name", "write", "use", "make", "rename", "move", "negate", "let", "keep", "require")
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10}

ADD_CONDITIONS = "add-conditions"
DROP_CONDITION = "drop-condition"
REPLACE_CONDITION = "replace-condition"
DELETE_RULES = "delete-rules"
CHANGE_HEAD = "change-head"
ADD_RULE = "add-rule"


@dataclass(frozen=True)
class Rules:
    """Which rules a step touches: `this rule`, an id, an id pattern with `*`, or (with `count`,
    from "the three consent_act rules") a pattern or the predicate their conclusion names."""

    pattern: str
    count: int | None = None

    def __str__(self) -> str:
        if self.count is None:
            return self.pattern
        return f"the {self.count} {self.pattern} rules"


@dataclass(frozen=True)
class Edit:
    """One step of an alternative. `code` is the backquoted rule-language text it names (conditions
    to add, the condition to drop or replace, the new head, the new clause); `new` is the
    replacement of a replace; `rules` the rules it edits (or deletes)."""

    kind: str
    rules: tuple[Rules, ...] = (Rules(THIS_RULE),)
    code: tuple[str, ...] = ()
    new: str = ""

    def __str__(self) -> str:
        where = " and ".join(map(str, self.rules))
        quoted = " and ".join(f"`{c}`" for c in self.code)
        if self.kind == ADD_CONDITIONS:
            return f"add {quoted} to the body of {where}"
        if self.kind == DROP_CONDITION:
            return f"drop {quoted} from the body of {where}"
        if self.kind == REPLACE_CONDITION:
            return f"replace {quoted} by `{self.new}` in {where}"
        if self.kind == DELETE_RULES:
            return f"delete {where}"
        if self.kind == CHANGE_HEAD:
            return f"change the head of {where} to {quoted}"
        return f"add a rule {quoted}"


@dataclass(frozen=True)
class NotMechanical:
    """An instruction the tool cannot apply literally: the words it could not read, and why."""

    words: str
    reason: str


_CODE = r"`[^`]+`"
_CODES = rf"{_CODE}(?:(?:\s*,\s*|\s+and\s+|\s*,\s*and\s+){_CODE})*"
_ID = r"[A-Z][A-Za-z0-9]*\.[A-Za-z0-9_*]+"
_COUNTED = r"the\s+(?P<count>\w+)\s+(?P<what>[A-Za-z0-9_.*]+)\s+rules"
_REF = rf"(?:this rule|{_ID}|{_COUNTED.replace('?P<count>', '?:').replace('?P<what>', '?:')})"
_REFS = rf"{_REF}(?:(?:\s*,\s*|\s+and\s+|\s*,\s*and\s+){_REF})*"
_BODY = rf"(?:(?:the body of\s+)?(?P<target>{_REFS})(?:'s?\s+bod(?:y|ies))?)"

_FORMS = [
    (ADD_RULE, re.compile(rf"add (?:a|the) (?:new )?rule (?P<code>{_CODE})")),
    (ADD_CONDITIONS, re.compile(rf"add (?P<code>{_CODES}) to {_BODY}")),
    (ADD_CONDITIONS, re.compile(rf"bind [\w ]+? with (?P<code>{_CODES})")),
    (DROP_CONDITION, re.compile(rf"(?:drop|delete|remove) (?P<code>{_CODES})(?: from {_BODY})?")),
    (REPLACE_CONDITION, re.compile(rf"replace (?P<code>{_CODE}) (?:by|with) (?P<new>{_CODE})(?: in {_BODY})?")),
    (DELETE_RULES, re.compile(rf"(?:delete|drop|remove) (?P<target>{_REFS})")),
    (CHANGE_HEAD, re.compile(rf"change (?:(?P<target>this rule)'s head|the head of (?P<target2>{_ID})) "
                             rf"to (?P<code>{_CODE})")),
]


def parse_alternative(text: str) -> list[Edit] | NotMechanical:
    """The edits an `@alternative:` text asks for, in order, or why it cannot be applied literally."""
    steps = _steps(_instructions(text))
    if isinstance(steps, NotMechanical):
        return steps
    edits: list[Edit] = []
    for step in steps:
        edit = _edit(step)
        if isinstance(edit, NotMechanical):
            return edit
        edits.append(edit)
    if not edits:
        return NotMechanical(text, "it names no edit")
    return edits


def _edit(step: str) -> Edit | NotMechanical:
    words = step.strip()
    lowered = words[:1].lower() + words[1:]
    for kind, form in _FORMS:
        match = form.fullmatch(lowered)
        if match is None:
            continue
        groups = match.groupdict()
        target = groups.get("target") or groups.get("target2")
        rules = _rule_refs(target) if target else (Rules(THIS_RULE),)
        if isinstance(rules, NotMechanical):
            return rules
        code = tuple(c.strip() for c in re.findall(r"`([^`]+)`", groups.get("code") or ""))
        new = (groups.get("new") or "").strip("`").strip()
        if kind == ADD_CONDITIONS:  # `a(X), b(Y)` inside one pair of backquotes is several conditions
            code = tuple(part for c in code for part in _split_conditions(c))
        return Edit(kind, rules, code, new)
    if re.match(r"add a rule for\b", lowered):
        return NotMechanical(words, "it says what the new rule should use, not the whole clause to add")
    if "of your own" in lowered:
        return NotMechanical(words, "it leaves the condition to be written")
    if lowered.startswith("declare"):
        return NotMechanical(words, "it asks for a new predicate in the vocabulary")
    return NotMechanical(words, "it is not one of the instructions `kb alternatives` applies "
                                "(add, drop, replace, delete, change the head, add a rule)")


def _rule_refs(text: str) -> tuple[Rules, ...] | NotMechanical:
    refs: list[Rules] = []
    for part in re.split(r"\s*,\s*and\s+|\s*,\s*|\s+and\s+", text.strip()):
        counted = re.fullmatch(_COUNTED, part)
        if counted:
            word = counted.group("count").lower()
            count = _NUMBERS.get(word) or (int(word) if word.isdigit() else None)
            if count is None:
                return NotMechanical(part, f"`{word}` is not a number of rules")
            refs.append(Rules(counted.group("what"), count))
        else:
            refs.append(Rules(part))
    return tuple(refs)


def _split_conditions(code: str) -> list[str]:
    """`a(X, Y), not b(Y)` -> [`a(X, Y)`, `not b(Y)`]: the commas outside parentheses separate."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(code):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(code[start:i].strip())
            start = i + 1
    parts.append(code[start:].strip())
    return [p for p in parts if p]


def _outside(text: str):
    """(index, character, depth) of each character outside backquotes; depth counts parentheses."""
    depth, quoted = 0, False
    for i, ch in enumerate(text):
        if ch == "`":
            quoted = not quoted
            continue
        if quoted:
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        yield i, ch, depth


def _instructions(text: str) -> str:
    """The text without its purpose ("To …,"), its closing `.` and its comments in parentheses; a
    parenthesis that continues the instruction ("(and delete R)", "(and R)") joins it."""
    text = text.strip()
    if text.endswith(".") and not text.endswith("`"):
        text = text[:-1].rstrip()
    if re.match(r"to\b", text, re.IGNORECASE):
        commas = [i for i, ch, depth in _outside(text) if ch == "," and depth == 0]
        before_verb = [i for i in commas if _starts_with_verb(text[i + 1:])]
        cut = (before_verb or commas or [-1])[0]
        if cut >= 0:
            text = text[cut + 1:].strip()
    out, i = [], 0
    opened = None
    for j, ch, depth in _outside(text):
        if ch == "(" and depth == 1:
            opened = j
        elif ch == ")" and depth == 0 and opened is not None:
            out.append(text[i:opened])
            inner = text[opened + 1:j].strip()
            if re.match(r"and\s", inner):
                out.append(" " + inner + " ")
            i, opened = j + 1, None
    out.append(text[i:])
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _starts_with_verb(text: str) -> bool:
    first = text.strip().split(" ", 1)[0].lower()
    return first in VERBS


def _steps(text: str) -> list[str] | NotMechanical:
    """Split at `;`, and at `and` / `, and` / `, then` before a verb; `or` before a verb offers a
    choice, which no tool can make."""
    cuts: list[tuple[int, int]] = []
    for i, ch, depth in _outside(text):
        if depth:
            continue
        if ch == ";":
            cuts.append((i, i + 1))
            continue
        for joint in (", and then ", ", and ", " and then ", " and ", ", then "):
            if text.startswith(joint, i) and _starts_with_verb(text[i + len(joint):]):
                cuts.append((i, i + len(joint)))
                break
        for joint in (", or ", " or "):
            if text.startswith(joint, i) and _starts_with_verb(text[i + len(joint):]):
                return NotMechanical(text, "it offers a choice of edits")
    steps, start = [], 0
    for begin, end in cuts:
        if begin < start:
            continue
        steps.append(text[start:begin])
        start = end
    steps.append(text[start:])
    return [s.strip() for s in steps if s.strip()]
