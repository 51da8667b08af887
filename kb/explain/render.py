"""Views of an explanation (the typed model of model.py): the one-page summary and the full proof.

Both views are first laid out as `Line`s (depth, mark, text, note) in one language; the text view
joins them, the HTML view (query_service/templates/_explanation.html) draws them. The wording is
the law's: a condition that fails reads as what is missing (the vocabulary's negative reading),
codes read as their labels, and no variable or predicate name reaches the text. Marks follow the
outcome, not the truth of a sub-goal. The full view is a DAG: a subtree already shown is referred
to ("see above: …") instead of repeated.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .model import Candidate, Explanation, Failure, ProofNode, WhyNotTree

PHRASES = {
    "en": {
        "decision": "Decision", "obligated": "obligated", "discretionary": "discretionary",
        "permitted": "permitted", "forbidden": "forbidden",
        "question": "May {actor} tell {recipient} about {item} on {at}, in {setting}?",
        "about": "The item is about {pupils}.", "people": "Also concerned: {people}.",
        "because": "Because", "why": "Why", "why_not": "Why not {outcome}",
        "blocks": "What blocks it", "remedies": "What would change the decision (verified)",
        "sources": "Legal sources", "no_ground": "No rule gives a ground for it.",
        "missing_for": "Missing for {outcome} ({rule}): {failed}.",
        "conditions": "Conditions you judge when telling", "source": "source",
        "remedy": "{facts} → {outcome} ({rules})", "and": " and ",
        "fact": "fact", "from": "from", "until": "until", "always": "always valid",
        "hypothetical": "hypothetical", "absent": "not so", "no_rule_applies": "no rule concludes it",
        "missing": "missing fact", "not_derived": "does not hold", "blocked_by": "blocked because it holds",
        "comparison": "comparison fails", "not_evaluated": "a condition that could not be evaluated",
        "context": "question", "truncated": "… (deeper proof omitted)",
        "rule": "rule", "no_remedy": "No fact that a person can bring about would change it.",
        "versions": "Rules version {kb}, facts version {facts}.",
        "distance": "distance", "satisfied": "holds",
        "valid": "valid",
        "outside_validity": "such a fact exists, but not on this date",
        "see_above": "see above: {text}", "would_need": "{rule} does not apply:",
        "withheld": "withheld from this reader", "withheld_on": "withheld from this reader on rule {rule}",
        "reader": "Explanation for {reader}: parts this reader may not see are withheld.",
        "reader_actor": "the professional who asked", "reader_pupil": "the pupil", "reader_parent": "a parent",
        "reader_auditor": "an auditor (everything shown)",
        "others_hold": "({n} other conditions hold)", "other_holds": "(1 other condition holds)", "full_hint": "The full proof: add view=full.",
    },
    "nl": {
        "decision": "Beslissing", "obligated": "verplicht", "discretionary": "naar eigen afweging",
        "permitted": "toegelaten", "forbidden": "verboden",
        "question": "Mag {actor} {recipient} informeren over {item} op {at}, in {setting}?",
        "about": "Het item gaat over {pupils}.", "people": "Ook betrokken: {people}.",
        "because": "Omdat", "why": "Waarom", "why_not": "Waarom niet {outcome}",
        "blocks": "Wat het verhindert", "remedies": "Wat de beslissing zou veranderen (nagegaan)",
        "sources": "Rechtsbronnen", "no_ground": "Geen enkele regel geeft er een grond voor.",
        "missing_for": "Ontbreekt voor {outcome} ({rule}): {failed}.",
        "conditions": "Voorwaarden die je zelf afweegt bij het vertellen", "source": "bron",
        "remedy": "{facts} → {outcome} ({rules})", "and": " en ",
        "fact": "feit", "from": "vanaf", "until": "tot en met", "always": "altijd geldig",
        "hypothetical": "hypothetisch", "absent": "niet het geval", "no_rule_applies": "geen regel besluit het",
        "missing": "ontbrekend feit", "not_derived": "geldt niet", "blocked_by": "verhinderd omdat het geldt",
        "comparison": "vergelijking faalt", "not_evaluated": "een voorwaarde die niet beoordeeld kon worden",
        "context": "vraag", "truncated": "… (dieper bewijs weggelaten)",
        "rule": "regel", "no_remedy": "Geen feit dat iemand kan teweegbrengen zou ze veranderen.",
        "versions": "Versie regels {kb}, versie feiten {facts}.",
        "distance": "afstand", "satisfied": "geldt",
        "valid": "geldig",
        "outside_validity": "zo'n feit bestaat, maar niet op deze datum",
        "see_above": "zie hierboven: {text}", "would_need": "{rule} is niet van toepassing:",
        "withheld": "niet getoond aan deze lezer", "withheld_on": "niet getoond aan deze lezer op grond van regel {rule}",
        "reader": "Uitleg voor {reader}: wat deze lezer niet mag zien, wordt niet getoond.",
        "reader_actor": "de professional die het vroeg", "reader_pupil": "de leerling", "reader_parent": "een ouder",
        "reader_auditor": "een auditor (alles getoond)",
        "others_hold": "({n} andere voorwaarden gelden)", "other_holds": "(1 andere voorwaarde geldt)", "full_hint": "Het volledige bewijs: voeg view=full toe.",
    },
}
MARKS = {"obligated": "!", "discretionary": "±", "permitted": "✔", "forbidden": "✘"}
NEEDED = "○"  # a condition another outcome would need: neither a tick nor a cross
# Kept for the pages, which label the kinds of failure.
_FAILURE_WORD = {"missing-fact": "missing", "not-derived": "not_derived", "blocked-by": "blocked_by",
                 "comparison-false": "comparison", "not-evaluated": "not_evaluated",
                 "context-differs": "not_derived"}
_INTERNAL_SOURCE = re.compile(r'domain\.md\s*(?:"[^"]*")?\s*;?\s*')


@dataclass(frozen=True)
class Line:
    """One line of a view: indentation depth, a mark, the text, a quieter note (rule and source),
    an anchor for the first showing of a subtree and, for a repeat, the anchor it refers to."""
    depth: int
    mark: str
    text: str
    note: str = ""
    anchor: str = ""
    see: str = ""
    kind: str = "line"  # line | heading | outcome | withheld | condition
    rule: str = ""  # the rule cited in the note, linked to the rule catalogue on a page


def source_text(source: str) -> str:
    """A rule's @source as a reader cites it (internal analysis references left out)."""
    return _INTERNAL_SOURCE.sub("", source).strip().strip(";").strip()


class _Layout:
    """Lays out one explanation in one language."""

    def __init__(self, explanation: Explanation, lang: str):
        self.x, self.lang, self.p = explanation, lang, PHRASES[lang]
        self.mark = MARKS[explanation.outcome]
        self.seen: dict[tuple, str] = {}

    def name(self, value) -> str:
        reading = self.x.question.readings.get(value)
        return reading[self.lang] if reading else str(value)

    # -- summary -------------------------------------------------------------------------------
    def summary(self) -> list[Line]:
        p, q, x = self.p, self.x.question, self.x
        lines = [Line(0, "", p["question"].format(actor=self.name(q.actor), recipient=self.name(q.recipient),
                                                  item=q.item, at=q.at, setting=self.name(q.setting)))]
        pupils = [v for v in (q.about or ()) if v not in (q.actor, q.recipient)]
        if pupils:
            lines.append(Line(0, "", p["about"].format(pupils=p["and"].join(self.name(v) for v in pupils))))
        others = [v for v in q.readings if v not in (q.actor, q.recipient, q.setting, *(q.about or ()))]
        if others:
            lines.append(Line(0, "", p["people"].format(people="; ".join(self.name(v) for v in others))))
        if x.reader is not None:
            lines.append(Line(0, "", p["reader"].format(reader=p[f"reader_{x.reader}"])))
        lines.append(Line(0, self.mark, f"{p['decision']}: {p[x.outcome]}.", kind="outcome"))
        for node in self._reasons():
            if node.kind == "withheld":
                lines.append(self.withheld_line(node.withheld_by, 0))
                continue
            lines.append(Line(0, self.mark, node.rule_reading[self.lang], source_text(node.rule.source),
                              rule=node.rule.id))
        for condition in x.conditions:
            lines.append(Line(0, "", f"{p['conditions']}: {condition.text[self.lang]}",
                              f"{p['source']}: {source_text(condition.source)}", kind="condition"))
        if x.outcome == "forbidden":
            for candidate in closest_candidates(x.why_not, 2):
                lines.append(Line(0, NEEDED, p["missing_for"].format(
                    outcome=p[_target(x)], rule=candidate.rule.id,
                    failed="; ".join(self.failure_text(f) for f in candidate.failed)),
                    source_text(candidate.rule.source)))
            for remedy in x.remedies[:3]:
                lines.append(Line(0, MARKS[remedy.outcome], self.remedy_text(remedy) + "."))
        return lines

    def _reasons(self) -> list[ProofNode]:
        """The deciding reason: the blocks of a refusal, else the duty, ground or exception given."""
        if self.x.outcome == "forbidden" and self.x.blocks:
            return list(self.x.blocks[:2])
        for proof in self.x.why[:1]:
            reasons = [c for c in proof.children if c.kind == "rule"
                       and c.predicate in ("must_tell", "may_choose", "may_tell", "exception_applies")]
            return reasons[:2] or [proof]
        return []

    def withheld_line(self, by: dict, depth: int) -> Line:
        """A part the reader may not see: that it was withheld and on which rule, never what."""
        return Line(depth, "▒", self.p["withheld"], source_text(by["source"]), rule=by["rule"], kind="withheld")

    def failure_text(self, failure: Failure) -> str:
        if failure.withheld_by is not None:
            return self.p["withheld_on"].format(rule=failure.withheld_by["rule"])
        if failure.negation is not None:
            return failure.negation[self.lang]
        return self.p["not_evaluated"]

    def remedy_text(self, remedy) -> str:
        facts = self.p["and"].join(f.reading[self.lang] for f in remedy.facts)
        return self.p["remedy"].format(facts=facts, outcome=self.p[remedy.outcome],
                                       rules=", ".join(remedy.deciding_rules))

    # -- full ----------------------------------------------------------------------------------
    def full(self) -> list[Line]:
        p, x = self.p, self.x
        lines = self.summary()
        lines.append(Line(0, "", p["why"], kind="heading", anchor="why"))
        for proof in x.why:
            lines += self.proof(proof, 1)
        if x.blocks:
            lines.append(Line(0, "", p["blocks"], kind="heading", anchor="blocks"))
            for block in x.blocks:
                lines += self.proof(block, 1)
        for n, tree in enumerate(x.why_not):
            lines.append(Line(0, "", p["why_not"].format(outcome=p[tree.predicate]), kind="heading",
                              anchor="why-not" if n == 0 else f"why-not-{tree.predicate}"))
            lines += self.why_not(tree, 1)
        if x.outcome == "forbidden":
            lines.append(Line(0, "", p["remedies"], kind="heading", anchor="remedies"))
            lines += [Line(1, MARKS[r.outcome], self.remedy_text(r)) for r in x.remedies] or [
                Line(1, "", p["no_remedy"])]
        lines.append(Line(0, "", p["sources"], kind="heading", anchor="sources"))
        for s in x.sources:
            lines.append(Line(1, "", s.rule, source_text(s.source)))
            if s.legal_text:
                lines.append(Line(2, "", f"“{s.legal_text}”"))
        lines.append(Line(0, "", p["versions"].format(kb=x.kb_version, facts=x.facts_version or "-")))
        return lines

    def _first(self, key: tuple, text: str, depth: int, note: str = "") -> tuple[Line | None, str]:
        """(a "see above" line when `key` was shown already, else None) and the anchor to give it."""
        if key in self.seen:
            return Line(depth, "↑", self.p["see_above"].format(text=text), see=self.seen[key]), ""
        anchor = f"n{len(self.seen) + 1}"
        self.seen[key] = anchor
        return None, anchor

    def proof(self, node: ProofNode, depth: int) -> list[Line]:
        p, lang = self.p, self.lang
        if node.kind == "withheld":
            return [self.withheld_line(node.withheld_by, depth)]
        if node.kind == "rule":
            repeat, anchor = self._first(node.key, node.reading[lang], depth)
            if repeat:
                return [repeat]
            lines = [Line(depth, self.mark, node.rule_reading[lang], source_text(node.rule.source),
                          anchor=anchor, rule=node.rule.id)]
            for child in node.children:
                lines += self.proof(child, depth + 1)
            return lines
        if node.kind == "fact":
            periods = "; ".join(self.period(f) for f in node.facts)
            return [Line(depth, "•", node.reading[lang], f"{p['fact']}: {periods}")]
        if node.kind == "context":
            return [Line(depth, "•", node.reading[lang], p["context"])]
        if node.kind == "comparison":
            return [Line(depth, self.mark, node.reading[lang] if node.reading else p["not_evaluated"])]
        if node.kind == "absent":
            text = node.negation[lang] if node.negation else f"{p['absent']}: {node.reading[lang]}"
            repeat, anchor = self._first(node.key, text, depth)
            if repeat:
                return [repeat]
            lines = [Line(depth, self.mark, text, anchor=anchor)]
            if node.why_not is not None:
                for candidate in node.why_not.candidates:
                    failed = "; ".join(self.failure_text(f) for f in candidate.failed)
                    lines.append(Line(depth + 1, NEEDED, f"{candidate.rule.id}: {failed}"))
            return lines
        return [Line(depth, "", f"{node.reading[lang]} {p['truncated']}")]

    def why_not(self, tree: WhyNotTree, depth: int) -> list[Line]:
        if not tree.candidates:
            return [Line(depth, "", self.p["no_rule_applies"])]
        lines = []
        for candidate in tree.candidates:
            lines += self.candidate(candidate, depth)
        return lines

    def candidate(self, candidate: Candidate, depth: int) -> list[Line]:
        """A rule that would give another outcome and what it lacks; a single lack on its own line."""
        p = self.p
        n = len(candidate.satisfied)
        held = "" if not n else (p["other_holds"] if n == 1 else p["others_hold"].format(n=n)).strip("()")
        note = "; ".join(part for part in (source_text(candidate.rule.source), held) if part)
        header = p["would_need"].format(rule=candidate.rule.id)
        if len(candidate.failed) == 1:
            lines = self._failure_lines(candidate.failed[0], depth, prefix=f"{header} ")
            return [replace(lines[0], note=note)] + lines[1:]
        lines = [Line(depth, NEEDED, header, note)]
        for failure in candidate.failed:
            lines += self._failure_lines(failure, depth + 1)
        return lines

    def _failure_lines(self, failure: Failure, depth: int, prefix: str = "") -> list[Line]:
        """A failed condition, worded as what is missing, and what explains it (a why-not shown
        before is referred to instead of repeated)."""
        p, text = self.p, self.failure_text(failure)
        detail = [Line(depth + 1, "", f"({p['outside_validity']}: {self.period(other)})")
                  for other in failure.outside_validity]
        if failure.proof is not None:
            detail += self.proof(failure.proof, depth + 1)
        if failure.why_not is None:
            return [Line(depth, NEEDED, prefix + text)] + detail
        repeat, anchor = self._first(failure.why_not.key, text, depth)
        if repeat:
            return [replace(repeat, text=prefix + repeat.text)] + detail
        return [Line(depth, NEEDED, prefix + text, anchor=anchor)] + detail + self.why_not(failure.why_not, depth + 1)

    def period(self, fact) -> str:
        p = self.p
        origin = p["hypothetical"] if fact.origin == "hypothetical" else fact.origin
        if fact.valid_from is None and fact.valid_until is None:
            return f"{origin}, {p['always']}"
        span = " ".join(part for part in (
            f"{p['from']} {fact.valid_from}" if fact.valid_from else "",
            f"{p['until']} {fact.valid_until}" if fact.valid_until else "") if part)
        return f"{origin}, {p['valid']} {span}"


def _target(explanation: Explanation) -> str:
    return explanation.why_not[0].predicate if explanation.why_not else "permitted"


def closest_candidates(trees, limit: int = 2) -> list[Candidate]:
    """The candidates closest to succeeding, each followed down to the rule whose own conditions
    fail (a single failed derived condition is opened), distinct by rule."""
    found: dict[str, Candidate] = {}
    for tree in trees[:1]:
        for candidate in tree.candidates:
            leaf = candidate
            while len(leaf.failed) == 1 and leaf.failed[0].why_not and leaf.failed[0].why_not.candidates:
                leaf = leaf.failed[0].why_not.candidates[0]
            found.setdefault(leaf.rule.id, leaf)
    # Among equally close candidates, those a person can bring about first (a consent, an agreement).
    return sorted(found.values(), key=lambda c: (c.distance, not all(f.can_be_brought_about for f in c.failed)))[:limit]


def summary_lines(explanation, lang: str) -> list[Line]:
    """The one-page view: question, outcome, deciding reason with source, conditions, what is
    missing for another outcome, verified remedies."""
    return _Layout(Explanation.from_json(explanation), lang).summary()


def full_lines(explanation, lang: str) -> list[Line]:
    """The summary followed by the whole proof, each subtree shown once."""
    return _Layout(Explanation.from_json(explanation), lang).full()


def sections_of(lines: list[Line]) -> list[tuple[Line | None, list[Line]]]:
    """The lines grouped under their headings: (heading or None for the lines before the first, lines)."""
    groups: list[tuple[Line | None, list[Line]]] = [(None, [])]
    for line in lines:
        if line.kind == "heading":
            groups.append((line, []))
        else:
            groups[-1][1].append(line)
    return [g for g in groups if g[0] is not None or g[1]]


def text_of(lines: list[Line]) -> str:
    out = []
    for line in lines:
        if line.kind == "heading":
            out += ["", f"{line.text}:"]
            continue
        text = f"{line.mark} {line.text}" if line.mark else line.text
        if line.note or line.rule:
            text += f"  [{': '.join(part for part in (line.rule, line.note) if part)}]"
        out.append("  " * line.depth + text)
    return "\n".join(out) + "\n"


def summary(explanation, lang: str) -> str:
    """The one-page summary as text (one line per statement)."""
    return text_of(summary_lines(explanation, lang)).rstrip("\n")


def full_text(explanation, lang: str) -> str:
    """The full explanation as indented text: the summary, then the proof as a DAG."""
    return text_of(full_lines(explanation, lang))


def render_text(explanation, lang: str) -> str:
    """The full text view (the summary is its first part)."""
    return full_text(explanation, lang)
