"""Mutants: every small edit a legal expert could make to a rule by mistake, built from the AST.

Each mutant is one of these edits to one rule: drop a condition, negate a condition (or drop its
`not`), replace one variable occurrence by another variable of the rule with the same type,
replace one constant by another value of its type (a neighbouring number or date), flip a
comparison to another operator, or drop the whole rule. Nothing is written to disk: a mutant is
the original rules with one `Rule` replaced or left out.

A mutant's `key` names it by what it touches, never by line numbers, so an allow-list of
equivalent mutants survives unrelated edits of the rule files:

    B2.colleague:drop-condition:guides(Colleague, Pupil)
    L3.presumed_capable:replace-constant:years_between(Born, Day) >= 12:12->13
"""
from __future__ import annotations

import dataclasses
import datetime
import difflib
from collections.abc import Iterator
from dataclasses import dataclass

from ..language.ast import Atom, Comparison, Constant, FunctionCall, Negation, Rule, Variable
from ..language.vocabulary import Vocabulary
from ..paths import display_path

KINDS = ("drop-condition", "negate-condition", "replace-variable", "replace-constant",
         "flip-comparison", "drop-rule")
COMPARATORS = ("=", "!=", "<", "<=", ">", ">=")


@dataclass(frozen=True)
class Mutant:
    """One small edit of one rule. `mutated` is None when the edit drops the rule."""

    key: str
    kind: str
    original: Rule
    mutated: Rule | None
    touches: str  # the literal (or head) the edit touches, as written

    @property
    def rule_id(self) -> str:
        return self.original.id

    @property
    def where(self) -> str:
        """file:line of the literal the edit touches (of the rule, for a dropped rule)."""
        pos = self._touched_pos()
        return f"{display_path(pos.file)}:{pos.line}"

    def _touched_pos(self):
        if self.mutated is not None:
            for old, new in zip((self.original.head,) + self.original.body,
                                (self.mutated.head,) + self.mutated.body):
                if str(old) != str(new):
                    return old.pos
            if len(self.mutated.body) < len(self.original.body):  # the dropped one was the last
                return self.original.body[-1].pos
        return self.original.pos

    def diff(self) -> str:
        """The rule before and after, one condition a line, changed lines marked - and +."""
        old = clause_lines(self.original)
        new = clause_lines(self.mutated) if self.mutated is not None else []
        out = []
        for line in difflib.ndiff(old, new):
            if line.startswith(("- ", "+ ", "  ")):
                out.append(line)
        return "\n".join(out)


def clause_lines(rule: Rule) -> list[str]:
    """A clause written the way rule files write it: the head, then one condition a line."""
    if not rule.body:
        return [f"{rule.head}."]
    body = [f"    {lit}," for lit in rule.body]
    body[-1] = body[-1][:-1] + "."
    return [f"{rule.head} :-"] + body


def mutants(rules: tuple[Rule, ...] | list[Rule], vocab: Vocabulary) -> list[Mutant]:
    """Every distinct mutant of every rule, in rule order; duplicates (same key) appear once."""
    found: dict[str, Mutant] = {}
    for rule in rules:
        for mutant in _rule_mutants(rule, vocab):
            if mutant.mutated is not None and str(mutant.mutated) == str(rule):
                continue  # not an edit at all
            found.setdefault(mutant.key, mutant)
    return list(found.values())


def _key(rule: Rule, kind: str, touched: str, detail: str = "") -> str:
    return f"{rule.id}:{kind}:{touched}" + (f":{detail}" if detail else "")


def _with_body(rule: Rule, body) -> Rule:
    return dataclasses.replace(rule, body=tuple(body))


def _literal_labels(rule: Rule) -> list[str]:
    """How each body literal is named in keys; a literal written twice gets `#2` on its repeat."""
    seen: dict[str, int] = {}
    labels = []
    for lit in rule.body:
        text = str(lit)
        seen[text] = seen.get(text, 0) + 1
        labels.append(text if seen[text] == 1 else f"{text}#{seen[text]}")
    return labels


def _rule_mutants(rule: Rule, vocab: Vocabulary) -> Iterator[Mutant]:
    labels = _literal_labels(rule)
    yield Mutant(_key(rule, "drop-rule", "rule"), "drop-rule", rule, None, str(rule.head))
    for i, lit in enumerate(rule.body):
        rest = rule.body[:i] + rule.body[i + 1:]
        if rest:
            yield Mutant(_key(rule, "drop-condition", labels[i]), "drop-condition", rule,
                         _with_body(rule, rest), labels[i])
        if isinstance(lit, Atom):
            flipped = Negation(lit, lit.pos)
        elif isinstance(lit, Negation):
            flipped = lit.atom
        else:
            flipped = None  # a comparison's negation is one of its flips, below
        if flipped is not None:
            yield Mutant(_key(rule, "negate-condition", labels[i]), "negate-condition", rule,
                         _with_body(rule, rule.body[:i] + (flipped,) + rule.body[i + 1:]), labels[i])
        if isinstance(lit, Comparison):
            ordered = _comparison_type(lit.left, lit.right, rule, vocab) in ("number", "date") or \
                _comparison_type(lit.right, lit.left, rule, vocab) in ("number", "date")
            for op in (COMPARATORS if ordered else ("=", "!=")):  # names have no order
                if op != lit.op:
                    changed = dataclasses.replace(lit, op=op)
                    yield Mutant(_key(rule, "flip-comparison", labels[i], f"{lit.op}->{op}"),
                                 "flip-comparison", rule,
                                 _with_body(rule, rule.body[:i] + (changed,) + rule.body[i + 1:]), labels[i])
    yield from _term_mutants(rule, vocab, labels)


def variable_types(rule: Rule, vocab: Vocabulary) -> dict[str, str]:
    """The type of each variable of a checked rule, read off the predicates and functions it is used in."""
    types: dict[str, str] = {}

    def note(term, type_name: str) -> None:
        if isinstance(term, Variable):
            types.setdefault(term.name, type_name)

    def visit_function(term) -> None:
        if isinstance(term, FunctionCall) and term.name in vocab.functions:
            for arg, type_name in zip(term.args, vocab.functions[term.name].arg_types):
                note(arg, type_name)

    for atom in [rule.head] + [lit if isinstance(lit, Atom) else lit.atom
                               for lit in rule.body if isinstance(lit, (Atom, Negation))]:
        pred = vocab.predicates.get(atom.predicate)
        if pred is not None:
            for arg, term in zip(pred.args, atom.args):
                note(term, arg.type)
    for lit in rule.body:
        if isinstance(lit, Comparison):
            visit_function(lit.left)
            visit_function(lit.right)
    return types


def _slots(rule: Rule, vocab: Vocabulary):
    """Every term position of the rule: (where, label, type, term, rebuild(new_term) -> Rule).

    `where` is -1 for the head, else the body index; the type is the declared type of the slot.
    """
    def atom_slots(atom: Atom, rebuild_atom):
        pred = vocab.predicates.get(atom.predicate)
        for j, term in enumerate(atom.args):
            type_name = pred.args[j].type if pred and j < len(pred.args) else None

            def rebuild(new, j=j):
                return rebuild_atom(dataclasses.replace(atom, args=atom.args[:j] + (new,) + atom.args[j + 1:]))
            yield j, type_name, term, rebuild

    for j, type_name, term, rebuild in atom_slots(
            rule.head, lambda a: dataclasses.replace(rule, head=a)):
        yield "head", f"{rule.head}", j, type_name, term, rebuild
    for i, lit in enumerate(rule.body):
        def put(new_lit, i=i):
            return _with_body(rule, rule.body[:i] + (new_lit,) + rule.body[i + 1:])
        if isinstance(lit, Atom):
            for j, type_name, term, rebuild in atom_slots(lit, put):
                yield i, str(lit), j, type_name, term, rebuild
        elif isinstance(lit, Negation):
            negated = lambda a, lit=lit, put=put: put(Negation(a, lit.pos))  # noqa: E731 - bound per literal
            for j, type_name, term, rebuild in atom_slots(lit.atom, negated):
                yield i, str(lit), j, type_name, term, rebuild
        else:
            for side in ("left", "right"):
                term = getattr(lit, side)
                if isinstance(term, FunctionCall):
                    fn = vocab.functions.get(term.name)
                    for j, arg in enumerate(term.args):
                        type_name = fn.arg_types[j] if fn and j < len(fn.arg_types) else None

                        def rebuild(new, j=j, term=term, side=side, lit=lit, put=put):
                            call = dataclasses.replace(term, args=term.args[:j] + (new,) + term.args[j + 1:])
                            return put(dataclasses.replace(lit, **{side: call}))
                        yield i, str(lit), f"{side}.{j}", type_name, arg, rebuild
                else:
                    other = lit.right if side == "left" else lit.left
                    type_name = _comparison_type(term, other, rule, vocab)

                    def rebuild(new, side=side, lit=lit, put=put):
                        return put(dataclasses.replace(lit, **{side: new}))
                    yield i, str(lit), side, type_name, term, rebuild


def _comparison_type(term, other, rule: Rule, vocab: Vocabulary) -> str | None:
    if isinstance(term, FunctionCall):
        fn = vocab.functions.get(term.name)
        return fn.returns if fn else None
    if isinstance(term, Constant):
        return {"number": "number", "date": "date"}.get(term.kind)
    if isinstance(term, Variable):
        return variable_types(rule, vocab).get(term.name)
    return None


def _term_mutants(rule: Rule, vocab: Vocabulary, labels: list[str]) -> Iterator[Mutant]:
    types = variable_types(rule, vocab)
    for where, _text, slot, type_name, term, rebuild in _slots(rule, vocab):
        touched = "head" if where == "head" else labels[where]
        if isinstance(term, Variable):
            for other in sorted(types):
                # A `_` variable says "any value": joining something to it is not a slip of the pen.
                if other != term.name and not other.startswith("_") and types[other] == types.get(term.name):
                    yield Mutant(_key(rule, "replace-variable", f"{touched}[{slot}]", f"{term.name}->{other}"),
                                 "replace-variable", rule, rebuild(Variable(other, term.pos)), touched)
        elif isinstance(term, Constant):
            for value in _other_values(term, type_name, vocab):
                new = dataclasses.replace(term, value=value)
                yield Mutant(_key(rule, "replace-constant", f"{touched}[{slot}]", f"{term}->{new}"),
                             "replace-constant", rule, rebuild(new), touched)


def _other_values(term: Constant, type_name: str | None, vocab: Vocabulary) -> list:
    """The values a constant can be replaced by: the other values of its enumerated type, or the
    neighbours of a number or a date (the boundary mistakes: 12 for 11 or 13)."""
    if term.kind == "number":
        return [term.value - 1, term.value + 1]
    if term.kind == "date":
        return [term.value - datetime.timedelta(days=1), term.value + datetime.timedelta(days=1)]
    declared = vocab.types.get(type_name) if type_name else None
    if declared is None or declared.values is None:
        return []
    return [value for value in declared.values if value != term.value]
