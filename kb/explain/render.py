"""Render an explanation (the JSON structure) as Dutch or English text.

`summary` is one paragraph a reviewer can read aloud; `full_text` is the nested derivation with
the why-not, the blocks and the remedies. Both are views of the same structure as the JSON and
the HTML pages.
"""
from __future__ import annotations

import re

PHRASES = {
    "en": {
        "decision": "Decision", "obligated": "obligated", "discretionary": "discretionary",
        "permitted": "permitted", "forbidden": "forbidden",
        "question": "May {actor} tell {recipient} about {item} on {at} (setting: {setting})?",
        "because": "Because", "why": "Why", "why_not": "Why not {outcome}",
        "blocks": "What blocks it", "remedies": "What would change the decision (verified)",
        "sources": "Legal sources", "no_ground": "No rule gives a ground for it.",
        "closest": "Closest way to {outcome}: rule {rule}, which fails because: {failed}.",
        "remedy": "{facts} → {outcome} (by {rules})", "and": " and ",
        "fact": "fact", "from": "from", "until": "until", "always": "always valid",
        "hypothetical": "hypothetical", "absent": "not so", "no_rule_applies": "no rule concludes it",
        "missing": "missing fact", "not_derived": "does not hold", "blocked_by": "blocked because it holds",
        "comparison": "comparison fails", "not_evaluated": "could not be evaluated",
        "context": "question", "truncated": "… (deeper proof omitted)",
        "rule": "rule", "no_remedy": "No fact that a person can bring about would change it.",
        "versions": "Rules version {kb}, facts version {facts}.",
        "distance": "distance", "satisfied": "holds",
        "valid": "valid",
        "outside_validity": "such a fact exists, but not on this date",
        "conditions": "Conditions you judge when telling",
    },
    "nl": {
        "decision": "Beslissing", "obligated": "verplicht", "discretionary": "naar eigen afweging",
        "permitted": "toegelaten", "forbidden": "verboden",
        "question": "Mag {actor} {recipient} informeren over {item} op {at} (context: {setting})?",
        "because": "Omdat", "why": "Waarom", "why_not": "Waarom niet {outcome}",
        "blocks": "Wat het verhindert", "remedies": "Wat de beslissing zou veranderen (nagegaan)",
        "sources": "Rechtsbronnen", "no_ground": "Geen enkele regel geeft er een grond voor.",
        "closest": "Dichtst bij {outcome}: regel {rule}, die faalt omdat: {failed}.",
        "remedy": "{facts} → {outcome} (door {rules})", "and": " en ",
        "fact": "feit", "from": "vanaf", "until": "tot en met", "always": "altijd geldig",
        "hypothetical": "hypothetisch", "absent": "niet het geval", "no_rule_applies": "geen regel besluit het",
        "missing": "ontbrekend feit", "not_derived": "geldt niet", "blocked_by": "verhinderd omdat het geldt",
        "comparison": "vergelijking faalt", "not_evaluated": "kon niet beoordeeld worden",
        "context": "vraag", "truncated": "… (dieper bewijs weggelaten)",
        "rule": "regel", "no_remedy": "Geen feit dat iemand kan teweegbrengen zou ze veranderen.",
        "versions": "Versie regels {kb}, versie feiten {facts}.",
        "distance": "afstand", "satisfied": "geldt",
        "valid": "geldig",
        "outside_validity": "zo'n feit bestaat, maar niet op deze datum",
        "conditions": "Voorwaarden die je zelf afweegt bij het vertellen",
    },
}
_OPEN = re.compile(r"\?[A-Z][A-Za-z]*")
_FAILURE_WORD = {"missing-fact": "missing", "not-derived": "not_derived", "blocked-by": "blocked_by",
                 "comparison-false": "comparison", "not-evaluated": "not_evaluated",
                 "context-differs": "not_derived"}


def summary(explanation: dict, lang: str) -> str:
    """One paragraph: the question, the decision, its reason, what blocks it or how close it came,
    the first remedies, and the legal sources."""
    p = PHRASES[lang]
    q = explanation["question"]
    outcome = explanation["outcome"]
    parts = [p["question"].format(**q), f"{p['decision']}: {p[outcome]}."]
    for proof in explanation["why"][:1]:
        parts.append(proof["rule_reading"][lang])
        for child in proof.get("children", []):
            if child["kind"] == "rule" and child["predicate"] in ("must_tell", "may_choose", "may_tell",
                                                                 "exception_applies"):
                parts.append(child["rule_reading"][lang])
    parts += _condition_sentences(explanation, lang)
    if outcome == "forbidden":
        for block in explanation["blocks"]:
            parts.append(block["rule_reading"][lang])
        if not explanation["blocks"]:
            parts.append(p["no_ground"])
        closest = _closest_leaf_candidate(explanation["why_not"])
        if closest is not None:
            # Read aloud, an argument left open (shown as ?GivenOn in the full text) is just "…".
            failed = "; ".join(_OPEN.sub("…", f.get("reading", {}).get(lang) or f["condition"])
                               for f in closest["failed"])
            parts.append(p["closest"].format(outcome=p["permitted"], rule=closest["rule"]["id"], failed=failed))
        for remedy in explanation["remedies"][:3]:
            parts.append(_remedy_text(remedy, lang) + ".")
    cited = "; ".join(f"{s['rule']} ({s['source']})" for s in explanation["sources"])
    parts.append(f"{p['sources']}: {cited}.")
    return " ".join(parts)


def full_text(explanation: dict, lang: str) -> str:
    """The whole explanation as indented text."""
    p = PHRASES[lang]
    q = explanation["question"]
    lines = [p["question"].format(**q), f"{p['decision']}: {p[explanation['outcome']].upper()}", ""]
    for proof in explanation["why"]:
        lines.append(f"{p['why']}:")
        lines += _proof_lines(proof, lang, 1)
        lines.append("")
    if explanation.get("conditions"):
        lines.append(f"{p['conditions']}:")
        lines += [f"  - {c[lang]} ({c['source']})" for c in explanation["conditions"]]
        lines.append("")
    if explanation["blocks"]:
        lines.append(f"{p['blocks']}:")
        for block in explanation["blocks"]:
            lines += _proof_lines(block, lang, 1)
        lines.append("")
    for tree in explanation["why_not"]:
        lines.append(p["why_not"].format(outcome=p[tree["predicate"]]) + ":")
        lines += _why_not_lines(tree, lang, 1)
        lines.append("")
    if explanation["outcome"] == "forbidden":
        lines.append(f"{p['remedies']}:")
        lines += [f"  - {_remedy_text(r, lang)}" for r in explanation["remedies"]] or [f"  {p['no_remedy']}"]
        lines.append("")
    lines.append(f"{p['sources']}:")
    for s in explanation["sources"]:
        lines.append(f"  - {s['rule']}: {s['source']}")
        if s["legal_text"]:
            lines.append(f"      “{s['legal_text']}”")
    lines.append(p["versions"].format(kb=explanation["kb_version"], facts=explanation["facts_version"] or "-"))
    return "\n".join(lines) + "\n"


def _condition_sentences(explanation: dict, lang: str) -> list[str]:
    """The conditions attached to the decision, as sentences after the reason."""
    conditions = explanation.get("conditions", [])
    if not conditions:
        return []
    return [f"{PHRASES[lang]['conditions']}:"] + [c[lang] for c in conditions]


def render_text(explanation: dict, lang: str) -> str:
    """Summary paragraph followed by the full text."""
    return summary(explanation, lang) + "\n\n" + full_text(explanation, lang)


def _proof_lines(node: dict, lang: str, depth: int) -> list[str]:
    p = PHRASES[lang]
    pad = "  " * depth
    kind = node["kind"]
    if kind == "rule":
        rule = node["rule"]
        lines = [f"{pad}✔ {node['reading'][lang]}  [{p['rule']} {rule['id']} — {rule['source']}]",
                 f"{pad}  {node['rule_reading'][lang]}"]
        for child in node["children"]:
            lines += _proof_lines(child, lang, depth + 1)
        return lines
    if kind == "fact":
        periods = "; ".join(_period(f, lang) for f in node["facts"])
        return [f"{pad}• {node['reading'][lang]}  ({p['fact']}: {periods})"]
    if kind == "context":
        return [f"{pad}• {node['reading'][lang]}  ({p['context']})"]
    if kind == "comparison":
        return [f"{pad}✔ {node['condition']}"]
    if kind == "absent":
        lines = [f"{pad}✔ {p['absent']}: {node['reading'][lang]}"]
        why_not = node.get("why_not")
        if why_not:
            for candidate in why_not["candidates"]:
                failed = "; ".join(f["condition"] for f in candidate["failed"])
                lines.append(f"{pad}    ✘ {candidate['rule']['id']}: {failed}")
            if not why_not["candidates"]:
                lines.append(f"{pad}    ({p['no_rule_applies']})")
        return lines
    return [f"{pad}{node['reading'][lang]} {p['truncated']}"]


def _why_not_lines(tree: dict, lang: str, depth: int) -> list[str]:
    p = PHRASES[lang]
    pad = "  " * depth
    lines = []
    if not tree["candidates"]:
        return [f"{pad}({p['no_rule_applies']})"]
    for candidate in tree["candidates"]:
        rule = candidate["rule"]
        lines.append(f"{pad}✘ {p['rule']} {rule['id']} ({p['distance']} {candidate['distance']}) — {rule['source']}")
        for text in candidate["satisfied"]:
            lines.append(f"{pad}    ✔ {text}")
        for failure in candidate["failed"]:
            word = p[_FAILURE_WORD[failure["kind"]]]
            reading = failure.get("reading", {}).get(lang)
            lines.append(f"{pad}    ✘ {failure['condition']} — {word}" + (f": {reading}" if reading else ""))
            for other in failure.get("outside_validity", []):
                lines.append(f"{pad}        ({p['outside_validity']}: {_period(other, lang)})")
            if failure.get("proof"):
                lines += _proof_lines(failure["proof"], lang, depth + 3)
            if failure.get("why_not"):
                lines += _why_not_lines(failure["why_not"], lang, depth + 3)
    return lines


def _period(fact: dict, lang: str) -> str:
    p = PHRASES[lang]
    origin = p["hypothetical"] if fact["origin"] == "hypothetical" else fact["origin"]
    if fact["from"] is None and fact["until"] is None:
        return f"{origin}, {p['always']}"
    span = " ".join(part for part in (
        f"{p['from']} {fact['from']}" if fact["from"] else "",
        f"{p['until']} {fact['until']}" if fact["until"] else "") if part)
    return f"{origin}, {p['valid']} {span}"


def _remedy_text(remedy: dict, lang: str) -> str:
    p = PHRASES[lang]
    facts = p["and"].join(f["reading"][lang] for f in remedy["facts"])
    return p["remedy"].format(facts=facts, outcome=p[remedy["outcome"]], rules=", ".join(remedy["deciding_rules"]))


def _closest_leaf_candidate(trees: list[dict]) -> dict | None:
    """The candidate closest to succeeding, followed down to the rule whose own conditions fail."""
    best = None
    for tree in trees:
        for candidate in tree["candidates"][:1]:
            if best is None or candidate["distance"] < best["distance"]:
                best = candidate
    while best is not None:
        nested = [f["why_not"] for f in best["failed"] if f.get("why_not") and f["why_not"]["candidates"]]
        if len(best["failed"]) != 1 or not nested:
            return best
        best = nested[0]["candidates"][0]
    return None
