"""Views of an explanation (the typed model of model.py): the one-page summary and the full proof.

Both views are first laid out as `Line`s (depth, mark, text, note) in one language; the text view
joins them, the HTML view (query_service/templates/_explanation.html) draws them. The wording is
written for the person reading: people, schools and items by name, a condition that fails as what
is missing (the vocabulary's negative reading), a way to change the outcome as a condition ("Als
Elena of Mila toestemming geeft …, mag Jonas het met Sara delen."), codes as their labels. The
pupil's and the parents' views carry no rule ids, statement lists or versions: those are in the
section "Voor het dossier" of the actor's and the auditor's views. A part withheld from the reader
reads as one neutral sentence and whom to ask. Marks follow the outcome, not the truth of a
sub-goal. The full view is a DAG: a subtree already shown is referred to ("see above: …").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..decide import STRONGER
from ..language.vocabulary import CONSENT_REMEDY, DESIGNATION_REMEDY, Outcome
from .citations import cite_in_force
from .model import Candidate, Explanation, Failure, ProofNode, WhyNotTree, WithheldDecision
from .readers import Reader
from .terms import date_words

PHRASES = {
    "en": {
        "decision": "Decision", Outcome.OBLIGATED: "obligated", Outcome.DISCRETIONARY: "discretionary",
        Outcome.PERMITTED: "permitted", Outcome.FORBIDDEN: "forbidden",
        "question": "May {actor} share {item} with {recipient}, on {at}, in {setting}?",
        "question_" + Outcome.OBLIGATED: "May or must {actor} share {item} with {recipient}, on {at}, in {setting}?",
        "said_" + Outcome.OBLIGATED: "{actor} must share this with {recipient}.",
        "said_" + Outcome.DISCRETIONARY: "{actor} may weigh whether to share this with {recipient}.",
        "said_" + Outcome.PERMITTED: "{actor} may share this with {recipient}.",
        "said_" + Outcome.FORBIDDEN: "{actor} may not share this with {recipient}.",
        "then_" + Outcome.OBLIGATED: "{actor} must share it with {recipient}",
        "then_" + Outcome.DISCRETIONARY: "{actor} may weigh whether to share it with {recipient}",
        "then_" + Outcome.PERMITTED: "{actor} may share it with {recipient}",
        "then_" + Outcome.FORBIDDEN: "{actor} may no longer share it with {recipient}",
        "way": "If {condition}, {then}.",
        "because": "Why", "why": "How the decision follows", "why_not": "Why not {outcome}",
        "blocks": "What prevents it", "remedies": "What would change the outcome?",
        "missing_h": "What is missing to permit it", "sources": "Legal sources",
        "conditions": "What you take care of when sharing it",
        "conditions_of": "What {actor} takes care of when sharing it", "source": "source",
        "blocks_" + Outcome.OBLIGATED: "What would otherwise prevent it (the duty prevails)",
        "blocks_" + Outcome.PERMITTED: "What would otherwise prevent it (what permits it prevails)",
        "blocks_" + Outcome.DISCRETIONARY: "What would otherwise prevent it (what permits it prevails)",
        "kept": "What anyone else asked or told the CLB or the school in confidence, and what is only about others, "
                "is never on this page.",
        "kept_own": "What you told or asked yourself may be on it.",
        "reason_kept": "{actor} cannot tell you more about this at the moment.",
        "notice": "We cannot give you an explanation about this question here. There can be several reasons: the "
                  "information is also about other people, or professional secrecy or the law does not allow it. This "
                  "is a standard answer; it is not an accusation against anyone.",
        "notice_ask": "For questions, contact the school's management or the CLB.",
        "notice_ask_pupil": "Do you want to know more about your rights, for example to see your file? Contact the "
                            "CLB or your school's management.",
        "tell_discretion": "If you want to say something about this, tell {actor}.",
        "withdraw": "A consent can always be withdrawn later.",
        "and": " and ", "list_and": ", and ",
        "fact": "fact", "from": "from", "until": "until", "always": "always valid",
        "hypothetical": "what-if", "absent": "not so", "no_rule_applies": "No rule concludes it.",
        "missing": "missing fact", "not_derived": "does not hold", "blocked_by": "prevented because it holds",
        "comparison": "comparison fails", "not_evaluated": "a further condition, checked only once the others hold",
        "still_to_check": "{reading}, which can only be checked once the others hold",
        "context": "question", "truncated": "… (deeper proof left out)",
        "rule": "rule", "no_remedy": "No consent, agreement, designation or request of anyone would change it.",
        "versions": "Rules version {kb}, facts version {facts}.",
        "distance": "distance", "satisfied": "holds", "valid": "valid",
        "outside_validity": "such a fact exists, but not on this date",
        "see_above": "see above: {text}", "would_need": "{rule} would apply if",
        "withheld": "Part of this explanation cannot be shown to you.",
        "ask": "For questions, contact {actor}, who took this decision.",
        "ask_who": "{who}",
        "reader_actor": "This explanation is written for {actor}, who asked the question.",
        "reader_pupil": "This explanation is written for you, {pupils}.",
        "reader_parent": "This explanation is written for {parents}.",
        "the_pupil": "the pupil",
        "reader_other": "This explanation is written for someone who is not one of the people named in it; "
                        "what the rules keep from anyone is left out.",
        "reader_auditor": "The full explanation, for an audit: nothing is left out.",
        "parents_of": "the parents of {pupils}", "parent_of": "the parent of {pupils}",
        "tell_who": "If you want to do this, tell {actor}.",
        "dossier": "For the file", "decided_by": "Decided by {rules}.", "rule_source": "{rule}: {source}",
        "others_hold": "({n} other conditions hold)", "other_holds": "(1 other condition holds)",
        "full_hint": "The full proof: add view=full.",
    },
    "nl": {
        "decision": "Beslissing", Outcome.OBLIGATED: "verplicht", Outcome.DISCRETIONARY: "naar eigen afweging",
        Outcome.PERMITTED: "toegelaten", Outcome.FORBIDDEN: "verboden",
        "question": "Mag {actor} {item} delen met {recipient}, op {at}, in {setting}?",
        "question_" + Outcome.OBLIGATED: "Mag of moet {actor} {item} delen met {recipient}, op {at}, in {setting}?",
        "said_" + Outcome.OBLIGATED: "{actor} moet dit met {recipient} delen.",
        "said_" + Outcome.DISCRETIONARY: "{actor} mag zelf afwegen of {recipient} dit te horen krijgt.",
        "said_" + Outcome.PERMITTED: "{actor} mag dit met {recipient} delen.",
        "said_" + Outcome.FORBIDDEN: "{actor} mag dit niet met {recipient} delen.",
        "then_" + Outcome.OBLIGATED: "moet {actor} het met {recipient} delen",
        "then_" + Outcome.DISCRETIONARY: "mag {actor} zelf afwegen of {recipient} het te horen krijgt",
        "then_" + Outcome.PERMITTED: "mag {actor} het met {recipient} delen",
        "then_" + Outcome.FORBIDDEN: "mag {actor} het niet meer met {recipient} delen",
        "way": "Als {condition}, {then}.",
        "because": "Waarom", "why": "Hoe de beslissing volgt", "why_not": "Waarom niet {outcome}",
        "blocks": "Wat het verhindert", "remedies": "Wat zou de uitkomst veranderen?",
        "missing_h": "Wat ontbreekt om het toe te laten", "sources": "Rechtsbronnen",
        "conditions": "Waar je op let bij het delen",
        "conditions_of": "Waar {actor} op let bij het delen", "source": "bron",
        "blocks_" + Outcome.OBLIGATED: "Wat het anders zou verhinderen (de plicht gaat voor)",
        "blocks_" + Outcome.PERMITTED: "Wat het anders zou verhinderen (wat het toelaat, gaat voor)",
        "blocks_" + Outcome.DISCRETIONARY: "Wat het anders zou verhinderen (wat het toelaat, gaat voor)",
        "kept": "Wat iemand anders het CLB of de school in vertrouwen vroeg of vertelde, en wat enkel over anderen "
                "gaat, staat nooit op deze pagina.",
        "kept_own": "Wat jij zelf vertelde of vroeg, kan er wel op staan.",
        "reason_kept": "{actor} kan je hierover op dit moment niets meer vertellen.",
        "notice": "Over deze vraag kunnen we je hier geen uitleg geven. Dat kan verschillende redenen hebben: de "
                  "informatie gaat ook over andere mensen, of het beroepsgeheim of de wet laat het niet toe. Dit is "
                  "een standaardantwoord; het is geen beschuldiging.",
        "notice_ask": "Met vragen kun je terecht bij de directie van de school of bij het CLB.",
        "notice_ask_pupil": "Wil je meer weten over je rechten, bijvoorbeeld om je dossier in te kijken? Neem dan "
                            "contact op met het CLB of met de directie van je school.",
        "tell_discretion": "Wil je daarover iets zeggen, laat het dan weten aan {actor}.",
        "withdraw": "Een toestemming kan je later altijd intrekken.",
        "and": " en ", "list_and": ", en ",
        "fact": "feit", "from": "vanaf", "until": "tot en met", "always": "altijd geldig",
        "hypothetical": "wat-als", "absent": "niet het geval", "no_rule_applies": "Geen enkele regel besluit het.",
        "missing": "ontbrekend feit", "not_derived": "geldt niet", "blocked_by": "verhinderd omdat het geldt",
        "comparison": "vergelijking klopt niet",
        "not_evaluated": "een verdere voorwaarde, die pas na de andere nagegaan wordt",
        "still_to_check": "{reading}, wat pas na de andere voorwaarden nagegaan wordt",
        "context": "vraag", "truncated": "… (dieper bewijs weggelaten)",
        "rule": "regel",
        "no_remedy": "Geen toestemming, afspraak, aanwijzing of vraag van iemand zou de uitkomst veranderen.",
        "versions": "Versie regels {kb}, versie feiten {facts}.",
        "distance": "afstand", "satisfied": "geldt", "valid": "geldig",
        "outside_validity": "zo'n feit bestaat, maar niet op deze datum",
        "see_above": "zie hierboven: {text}", "would_need": "{rule} zou gelden als",
        "withheld": "Een deel van deze uitleg kan niet aan jou getoond worden.",
        "ask": "Met vragen kun je terecht bij {actor}, die deze beslissing nam.",
        "ask_who": "{who}",
        "reader_actor": "Deze uitleg is geschreven voor {actor}, die de vraag stelde.",
        "reader_pupil": "Deze uitleg is geschreven voor jou, {pupils}.",
        "reader_parent": "Deze uitleg is geschreven voor {parents}.",
        "the_pupil": "de leerling",
        "reader_other": "Deze uitleg is geschreven voor iemand die er zelf niet in genoemd wordt; wat de regels "
                        "voor wie dan ook geheim houden, is weggelaten.",
        "reader_auditor": "De volledige uitleg, voor controle: er is niets weggelaten.",
        "parents_of": "de ouders van {pupils}", "parent_of": "de ouder van {pupils}",
        "tell_who": "Wil je dat doen, laat het dan weten aan {actor}.",
        "dossier": "Voor het dossier", "decided_by": "Beslist met {rules}.", "rule_source": "{rule}: {source}",
        "others_hold": "({n} andere voorwaarden gelden)", "other_holds": "(1 andere voorwaarde geldt)",
        "full_hint": "Het volledige bewijs: voeg view=full toe.",
    },
}
# A parent is addressed formally, as a CLB's letter does; the pupil and the professional informally.
FORMAL = {"nl": {"withheld": "Een deel van deze uitleg kan niet aan u getoond worden.",
                 "ask": "Met vragen kunt u terecht bij {actor}, die deze beslissing nam.",
                 "notice": "Over deze vraag kunnen we u hier geen uitleg geven. Dat kan verschillende redenen "
                           "hebben: de informatie gaat ook over andere mensen, of het beroepsgeheim of de wet laat "
                           "het niet toe. Dit is een standaardantwoord; het is geen beschuldiging tegenover u of uw "
                           "kind.",
                 "notice_ask": "Wilt u meer weten over uw rechten als ouder, bijvoorbeeld om het dossier van uw kind "
                               "in te kijken? Neem dan contact op met de directie van de school of met het CLB.",
                 "reason_kept": "{actor} kan u hierover op dit moment niets meer vertellen.",
                 "tell_who": "Wilt u dat doen, laat het dan weten aan {actor}.",
                 "tell_discretion": "Wilt u daarover iets zeggen, neem dan contact op met {actor}.",
                 "withdraw": "Een toestemming kunt u later altijd intrekken."},
          "en": {"notice": "We cannot give you an explanation about this question here. There can be several reasons: "
                           "the information is also about other people, or professional secrecy or the law does not "
                           "allow it. This is a standard answer; it is not an accusation against you or your child.",
                 "notice_ask": "For questions about your rights as a parent, for example to see your child's file, "
                               "contact the school's management or the CLB."}}
YOU = {"nl": "jij", "en": "you"}
MARKS = {Outcome.OBLIGATED: "!", Outcome.DISCRETIONARY: "±", Outcome.PERMITTED: "✔", Outcome.FORBIDDEN: "✘"}
NEEDED = "○"  # a condition another outcome would need: neither a tick nor a cross
WAY = "→"  # a way to change the outcome: a condition, not something done
WITHHELD = "▒"
# Kept for the pages, which label the kinds of failure.
_FAILURE_WORD = {"missing-fact": "missing", "not-derived": "not_derived", "blocked-by": "blocked_by",
                 "comparison-false": "comparison", "not-evaluated": "not_evaluated",
                 "context-differs": "not_derived", "withheld": "not_derived"}
_INTERNAL_SOURCE = re.compile(r'domain\.md\s*(?:"[^"]*")?\s*;?\s*')
HEADINGS = ("heading", "subheading", "dossier-heading")
# Readers who are shown the rules, statement lists and versions (the file); None: no reader chosen.
FILE_READERS = (None, Reader.ACTOR, Reader.AUDITOR)
# Readers handed a page (the pupil, a parent): the summary only. The full proof is logic read line by
# line ("○ Jonas is geen tuchtorgaan."), and where a withheld part would stand in it tells what it is
# (review 2026-12-07, F5, F7, F22–F25).
SUMMARY_ONLY = (Reader.PUPIL, Reader.PARENT)
# Readers from whom a part may be withheld: their pages say once, on every page alike, what never
# stands on them (never where something was left out: the place would tell it, F5).
KEPT_NOTE_READERS = (Reader.PUPIL, Reader.PARENT, Reader.OTHER)


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
    # line | heading | subheading | question | people | reader | outcome | withheld | condition | way |
    # dossier-heading | dossier
    kind: str = "line"
    rule: str = ""  # the rule cited in the note, linked to the rule catalogue on a page


def source_text(source: str) -> str:
    """A rule's @source as a reader cites it (internal analysis references left out)."""
    return _INTERNAL_SOURCE.sub("", source).strip().strip(";").strip()


def sentence(text: str) -> str:
    """A reading as a sentence: a capital first letter and a full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".?!" else text + "."


class _Layout:
    """Lays out one explanation in one language, for its reader."""

    def __init__(self, explanation: Explanation, lang: str):
        self.x, self.lang = explanation, lang
        self.p = {**PHRASES[lang], **(FORMAL[lang] if explanation.reader == Reader.PARENT else {})}
        self.mark = MARKS[explanation.outcome]
        self.seen: dict[tuple, str] = {}
        self.codes = explanation.reader in FILE_READERS  # rule ids and sources in the notes

    def cite(self, source: str) -> str:
        """A rule's source as cited on the question's day (the Criminal Code's numbering, L-intro)."""
        return cite_in_force(source_text(source), self.x.question.at, self.lang)

    def name(self, value) -> str:
        reading = self.x.question.readings.get(value)
        return reading[self.lang] if reading else str(value)

    def line(self, depth: int, mark: str, text: str, note: str = "", rule: str = "", **kw) -> Line:
        """A line; its rule and source only for the readers who are shown the file."""
        if not self.codes:
            note, rule = "", ""
        return Line(depth, mark, text, note, rule=rule, **kw)

    def people(self, **kw) -> dict:
        q = self.x.question
        return {"actor": self.name(q.actor), "recipient": self.name(q.recipient), **kw}

    # -- summary -------------------------------------------------------------------------------
    def summary(self) -> list[Line]:
        p, q, x = self.p, self.x.question, self.x
        asked = p.get("question_" + x.outcome, p["question"])
        lines = [Line(0, "", asked.format(**self.people(item=self.name(q.item)), at=date_words(q.at, self.lang),
                                          setting=self.name(q.setting)), kind="question")]
        lines += self.who()
        if x.reader is not None:
            lines.append(Line(0, "", self.reader_sentence(), kind="reader"))
        if x.reader in KEPT_NOTE_READERS:
            kept = f"{p['kept']} {p['kept_own']}" if x.reader == Reader.PUPIL else p["kept"]
            lines.append(Line(0, "", kept, kind="withheld"))
        elif x.shown == "part":
            lines.append(Line(0, WITHHELD, f"{p['withheld']} {p['ask'].format(**self.people())}", kind="withheld"))
        said = p["said_" + x.outcome].format(**self.people())
        lines.append(Line(0, self.mark, f"{p['decision']}: {p[x.outcome]}. {said}", kind="outcome"))
        reasons = self._reasons()
        kept_reason = any(node.kind == "withheld" for node in reasons)
        if x.reader in KEPT_NOTE_READERS:
            # No marker where a reason was left out: a reason kept from the reader reads as what the
            # professional cannot tell (F3); the shown reasons stand as they are.
            reasons = [node for node in reasons if node.kind != "withheld"]
        if reasons or kept_reason:
            lines.append(Line(0, "", p["because"], kind="subheading"))
        if kept_reason and not reasons and x.reader in KEPT_NOTE_READERS:
            lines.append(Line(0, self.mark, p["reason_kept"].format(**self.people())))
        for node in reasons:
            if node.kind == "withheld":
                lines.append(self.withheld_line(0))
                continue
            line = Line(0, self.mark, sentence(node.rule_reading[self.lang]))
            if line not in lines:  # two blocks of one rule can read alike (one per shielded pupil)
                lines.append(line)
        self.kept_reason = kept_reason
        if x.outcome == Outcome.FORBIDDEN and not x.remedies:
            # Without a verified way to change it, what the closest rules lack (the full view has every rule).
            closest = closest_candidates(x.why_not, 2)
            missing = [c for c in closest if c.distance == closest[0].distance]
            if x.reader in SUMMARY_ONLY:
                # To a pupil or a parent, only what a person could bring about: "the item does not
                # reveal a concern" would tell them about its content (review 14, C7).
                missing = [c for c in missing if all(f.can_be_brought_about for f in c.failed)]
            if missing:
                lines.append(Line(0, "", p["missing_h"], kind="subheading"))
            for candidate in missing:
                lines.append(Line(0, NEEDED, self.lacks(candidate)))
        lines += self.ways(limit=3)
        if x.conditions:
            addressed = x.reader in (None, Reader.ACTOR)  # the professional who tells, or someone reading about it
            heading = p["conditions"] if addressed else p["conditions_of"].format(**self.people())
            lines.append(Line(0, "", heading, kind="subheading"))
            for condition in x.conditions:
                lines.append(Line(0, "", condition.text[self.lang], kind="condition"))
        if not self.codes and x.outcome == Outcome.DISCRETIONARY and x.reader in SUMMARY_ONLY:
            lines.append(Line(0, "", p["tell_discretion"].format(**self.people())))
        if not self.codes and (x.shown != "part" or x.reader in KEPT_NOTE_READERS):
            lines.append(Line(0, "", p["ask"].format(**self.people())))
        if self.codes:
            lines += self.dossier()
        return lines

    def who(self) -> list[Line]:
        """Who is who: a sentence per person, the actor and the recipient first, then the pupils and
        their parents (the auditor's view names their identifiers too)."""
        q = self.x.question
        out = []
        first = [q.actor, q.recipient, *(q.about or ())]
        # The pupil's own page names a parent only where the question does: a page about abuse at home
        # that lists the parents points at them, and may be read at home (parent review 16).
        parents = _parents(q) - {q.actor, q.recipient}
        for person in dict.fromkeys([*(p for p in first if p in q.who), *sorted(q.who, key=str)]):
            if self.x.reader == Reader.PUPIL and person in parents:
                continue
            text = q.who[person][self.lang]
            if self.x.reader == Reader.PUPIL and person in (q.about or ())[:1]:
                text = self.addressed(person, text)
            if self.x.reader == Reader.AUDITOR:
                name = self.name(person)
                text = text.replace(name, f"{name} ({person})", 1) if name != str(person) else text
            out.append(Line(1, "", text, kind="people"))
        return out

    def addressed(self, person, text: str) -> str:
        """The pupil's own line in the second person: "Je bent 10 jaar …" (F13)."""
        name = self.name(person)
        if not text.startswith(name + " is "):
            return text
        rest = text[len(name) + 4:]
        if self.lang == "nl":
            return "Je bent " + rest
        rest = rest.replace(", and is ", ", and are ").replace(" and is ", " and are ")
        rest = rest.replace(", and was ", ", and were ")
        rest = rest.replace(" their own ", " your own ")
        return "You are " + rest

    def reader_sentence(self) -> str:
        p, q = self.p, self.x.question
        pupils = self._listed([self.name(v) for v in q.about or ()])
        if self.x.reader == Reader.PARENT:
            # Every parent of the pupils, the one the question is about (the recipient) too (F2).
            parents = [v for v in q.who if v not in (q.actor, *(q.about or ())) and (
                v != q.recipient or "a parent of " in q.who[v]["en"])]
            # An item about no pupil on record still has a pupil behind it: never "the parents of ." . An item
            # about several pupils reaches this view only when they are one family (readers._several_families).
            group = (p["parents_of"] if len(parents) != 1 else p["parent_of"]).format(pupils=pupils or p["the_pupil"])
            named = self._listed([self.name(v) for v in parents])
            return p["reader_parent"].format(parents=f"{named}, {group}" if named else group)
        return p[f"reader_{self.x.reader}"].format(actor=self.name(q.actor), pupils=pupils or self.name(q.recipient))

    def _listed(self, names: list[str]) -> str:
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + self.p["and"] + names[-1] if names else ""

    def dossier(self) -> list[Line]:
        """The rules that decided, with their statements and sources, and the versions: for the file."""
        p, x = self.p, self.x
        lines = [Line(0, "", p["dossier"], kind="dossier-heading")]
        lines.append(Line(0, "", p["decided_by"].format(rules=", ".join(x.deciding_rules)), kind="dossier"))
        for s in x.sources:
            lines.append(Line(1, "", p["rule_source"].format(rule=s.rule, source=self.cite(s.source)),
                              kind="dossier"))
        for c in x.conditions:
            lines.append(Line(1, "", p["rule_source"].format(rule=c.id, source=self.cite(c.source)), kind="dossier"))
        lines.append(Line(0, "", p["versions"].format(kb=x.kb_version, facts=x.facts_version or "-"), kind="dossier"))
        return lines

    def ways(self, limit: int | None = None) -> list[Line]:
        """The verified ways to change the outcome, each as a condition ("Als …, mag …")."""
        p, x = self.p, self.x
        if x.outcome not in (Outcome.FORBIDDEN, Outcome.PERMITTED) and not x.remedies:
            return []
        if getattr(self, "kept_reason", False) and x.reader in KEPT_NOTE_READERS:
            # A way to change an outcome whose reason is kept from the reader would tell the reason
            # ("if Gert consents" tells Gert's parent that Gert asked to keep it from them): F3.
            return []
        ways = x.ways
        if ways is not None and x.reader in SUMMARY_ONLY:
            # A pupil or a parent is shown only the ways they can take themselves: "Wilt u dat doen"
            # after an act only the capable pupil can perform invites an act the reader cannot make,
            # and another pupil's possible request points to that pupil (review 14, C5).
            # A designation of a trusted person is left out too: it needs that adult's consent and a
            # criminal-record extract, and opens the whole file, more than a line here can say (parent
            # review 16).
            ways = [w for w in ways if set(w.by) & self.reader_people()
                    and not any(a.get("act") == DESIGNATION_REMEDY for a in w.acts)]
            if not ways:
                return []
        texts = [self.way_text(w) for w in ways] if ways is not None else [
            self.remedy_text(r) for r in x.remedies]
        if not texts and x.outcome != Outcome.FORBIDDEN:
            return []
        lines = [Line(0, "", p["remedies"], kind="subheading")]
        lines += [Line(0, WAY, text, kind="way") for text in texts[:limit]] or [Line(0, "", p["no_remedy"])]
        if texts and not self.codes:
            tell = p["tell_who"].format(**self.people())
            if ways and any(a.get("act") == CONSENT_REMEDY for w in ways for a in w.acts):
                tell += " " + p["withdraw"]
            lines.append(Line(0, "", tell))
        return lines

    def reader_people(self) -> set:
        """The people a pupil's or a parents' view is written for: the pupils the item is about, or
        their parents."""
        q = self.x.question
        if self.x.reader == Reader.PUPIL:
            return set(q.about or ())
        return _parents(q)

    def way_text(self, way) -> str:
        then = self.p["then_" + way.outcome].format(**self.people())
        condition = way.condition[self.lang]
        by_the_pupil = tuple(way.by) == tuple(self.x.question.about or ())[:1] and len(way.by) == 1
        if self.x.reader == Reader.PUPIL and by_the_pupil:
            # The pupil reading it is addressed: "Als jij toestemming geeft …" (F13).
            name = self.name(way.by[0])
            if condition.startswith(name + " "):
                condition = YOU[self.lang] + condition[len(name):]
                if self.lang == "en":
                    condition = re.sub(r"^you (\w+ly )?(\w+?)s\b", r"you \1\2", condition)
        return self.p["way"].format(condition=condition, then=then)

    def remedy_text(self, remedy) -> str:
        """A remedy of a trace recorded before ways: its facts, and the outcome they would give."""
        facts = self.p["and"].join(f.reading[self.lang] for f in remedy.facts)
        return self.p["way"].format(condition=facts, then=self.p["then_" + remedy.outcome].format(**self.people()))

    def _reasons(self) -> list[ProofNode]:
        """The deciding reason: the blocks of a refusal, else the duty, ground or exception given."""
        if self.x.outcome == Outcome.FORBIDDEN and self.x.blocks:
            return _one_withheld(list(self.x.blocks[:2]))
        for proof in self.x.why[:1]:
            # The reasons are the deciding rules under the decision rule (decide.deciding_rules).
            reasons = [c for c in proof.children if c.kind == "withheld" or (
                c.kind == "rule" and c.rule is not None and c.rule.id in self.x.deciding_rules[1:])]
            return _one_withheld(reasons[:2]) or [proof]
        return []

    def withheld_line(self, depth: int) -> Line:
        """A part the reader may not see: that something is left out, never what, nor on which rule."""
        return Line(depth, WITHHELD, self.p["withheld"], kind="withheld")

    def lacks(self, candidate: Candidate) -> str:
        """What a candidate rule lacks, as one sentence; a subject and verb that the previous part
        already said are not repeated ("Sara is geen hulpverlener, en niet betrokken bij …")."""
        texts = [self.failure_text(f) for f in candidate.failed]
        for n in range(len(texts) - 1, 0, -1):
            said, now = texts[n - 1].split(), texts[n].split()
            if len(now) > 2 and said[:2] == now[:2]:
                texts[n] = " ".join(now[2:])
        return sentence(texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + self.p["list_and"] + texts[-1])

    def failure_text(self, failure: Failure) -> str:
        if failure.kind == "not-evaluated":
            return (self.p["still_to_check"].format(reading=failure.reading[self.lang]) if failure.reading
                    else self.p["not_evaluated"])
        if failure.negation is not None:
            return failure.negation[self.lang]
        return self.p["not_evaluated"]

    # -- full ----------------------------------------------------------------------------------
    def full(self) -> list[Line]:
        p, x = self.p, self.x
        lines = self.summary()
        if x.reader in SUMMARY_ONLY:
            return lines
        lines.append(Line(0, "", p["why"], kind="heading", anchor="why"))
        for proof in x.why:
            lines += self.proof(proof, 1)
        if x.blocks:
            lines.append(Line(0, "", p.get("blocks_" + x.outcome, p["blocks"]), kind="heading", anchor="blocks"))
            for block in _one_withheld(list(x.blocks)):
                lines += self.proof(block, 1)
        for n, (outcome, tree) in enumerate(zip(STRONGER[x.outcome], x.why_not)):
            lines.append(Line(0, "", p["why_not"].format(outcome=p[outcome]) + "?", kind="heading",
                              anchor="why-not" if n == 0 else f"why-not-{outcome}"))
            lines += self.why_not(tree, 1)
        ways = self.ways()
        if ways:
            lines.append(replace(ways[0], kind="heading", anchor="remedies"))
            lines += [replace(line, depth=1) for line in ways[1:]]
        if self.codes:
            lines.append(Line(0, "", p["sources"], kind="heading", anchor="sources"))
            for s in x.sources:
                lines.append(Line(1, "", s.rule, self.cite(s.source)))
                if s.legal_text:
                    lines.append(Line(2, "", f"“{s.legal_text}”"))
        return _no_repeats(lines)

    def _first(self, key: tuple, text: str, depth: int) -> tuple[Line | None, str]:
        """(a "see above" line when `key` was shown already, else None) and the anchor to give it."""
        if key in self.seen:
            return Line(depth, "↑", self.p["see_above"].format(text=text), see=self.seen[key]), ""
        anchor = f"n{len(self.seen) + 1}"
        self.seen[key] = anchor
        return None, anchor

    def proof(self, node: ProofNode, depth: int) -> list[Line]:
        p, lang = self.p, self.lang
        if node.kind == "withheld":
            return [self.withheld_line(depth)]
        if node.kind == "rule":
            repeat, anchor = self._first(node.key, node.reading[lang], depth)
            if repeat:
                return [repeat]
            lines = [self.line(depth, self.mark, sentence(node.rule_reading[lang]), self.cite(node.rule.source),
                               rule=node.rule.id, anchor=anchor)]
            for child in _one_withheld(list(node.children)):
                lines += self.proof(child, depth + 1)
            return lines
        if node.kind == "fact":
            periods = "; ".join(self.period(f) for f in node.facts)
            return [self.line(depth, "•", sentence(node.reading[lang]), f"{p['fact']}: {periods}")]
        if node.kind == "context":
            return [self.line(depth, "•", sentence(node.reading[lang]), p["context"])]
        if node.kind == "comparison":
            return [Line(depth, self.mark, sentence(node.reading[lang]) if node.reading else p["not_evaluated"])]
        if node.kind == "absent":
            text = sentence(node.negation[lang] if node.negation else f"{p['absent']}: {node.reading[lang]}")
            repeat, anchor = self._first(node.key, text, depth)
            if repeat:
                return [repeat]
            lines = [Line(depth, self.mark, text, anchor=anchor)]
            if node.why_not is not None:
                for candidate in node.why_not.candidates:
                    lines.append(self.line(depth + 1, NEEDED, self.lacks(candidate), rule=candidate.rule.id))
                if node.why_not.withheld:
                    lines.append(self.withheld_line(depth + 1))
            return lines
        return [Line(depth, "", f"{node.reading[lang]} {p['truncated']}")]

    def why_not(self, tree: WhyNotTree, depth: int) -> list[Line]:
        lines = []
        for candidate in tree.candidates:
            lines += self.candidate(candidate, depth)
        if tree.withheld:
            lines.append(self.withheld_line(depth))
        return lines or [Line(depth, "", self.p["no_rule_applies"])]

    def candidate(self, candidate: Candidate, depth: int) -> list[Line]:
        """A rule that would give another outcome: what it lacks, in one sentence, and below it why
        each lacking condition that other rules decide does not hold."""
        p = self.p
        n = len(candidate.satisfied)
        held = "" if not n else (p["other_holds"] if n == 1 else p["others_hold"].format(n=n)).strip("()")
        note = "; ".join(part for part in (self.cite(candidate.rule.source), held) if part)
        if len(candidate.failed) != 1:
            lines = [self.line(depth, NEEDED, self.lacks(candidate), note, rule=candidate.rule.id)]
            for failure in candidate.failed:
                lines += self._failure_detail(failure, depth + 1)
            return lines
        # One lacking condition: the candidate's line says it, and what explains it goes below.
        failure = candidate.failed[0]
        detail = self._evidence(failure, depth + 1)
        if not _explained(failure.why_not):
            return [self.line(depth, NEEDED, self.lacks(candidate), note, rule=candidate.rule.id)] + detail
        repeat, anchor = self._first(failure.why_not.key, sentence(self.failure_text(failure)), depth + 1)
        head = self.line(depth, NEEDED, self.lacks(candidate), note, rule=candidate.rule.id, anchor=anchor)
        return [head] + detail + ([repeat] if repeat else self.why_not(failure.why_not, depth + 1))

    def _evidence(self, failure: Failure, depth: int) -> list[Line]:
        """Facts of a lacking condition that exist outside their validity, and the proof of a block."""
        # A fact outside its validity names its origin (a store id) and a later date: for the file (F22).
        lines = [Line(depth, "", f"({self.p['outside_validity']}: {self.period(other)})")
                 for other in failure.outside_validity] if self.codes else []
        return lines + (self.proof(failure.proof, depth) if failure.proof is not None else [])

    def _failure_detail(self, failure: Failure, depth: int) -> list[Line]:
        """What explains a lacking condition: its evidence, and the rules that could conclude it
        (a why-not shown before is referred to, not repeated)."""
        detail = self._evidence(failure, depth)
        if not _explained(failure.why_not):
            return detail
        text = sentence(self.failure_text(failure))
        repeat, anchor = self._first(failure.why_not.key, text, depth)
        if repeat:
            return detail + [repeat]
        return detail + [Line(depth, NEEDED, text, anchor=anchor)] + self.why_not(failure.why_not, depth + 1)

    def period(self, fact) -> str:
        p = self.p
        origin = p["hypothetical"] if fact.origin == "hypothetical" else fact.origin
        if fact.valid_from is None and fact.valid_until is None:
            return f"{origin}, {p['always']}"
        span = " ".join(part for part in (
            f"{p['from']} {date_words(fact.valid_from, self.lang)}" if fact.valid_from else "",
            f"{p['until']} {date_words(fact.valid_until, self.lang)}" if fact.valid_until else "") if part)
        return f"{origin}, {p['valid']} {span}"


def _no_repeats(lines: list[Line]) -> list[Line]:
    """The lines without one that repeats the line just above it (same depth and text, F24)."""
    out: list[Line] = []
    for line in lines:
        if out and (line.depth, line.mark, line.text, line.kind) == (out[-1].depth, out[-1].mark, out[-1].text,
                                                                      out[-1].kind) and line.kind not in HEADINGS:
            continue
        out.append(line)
    return out


def _explained(tree: WhyNotTree | None) -> bool:
    """Whether a why-not has something to show: a candidate rule, or the note that one was withheld."""
    return tree is not None and bool(tree.candidates or tree.withheld)


def _one_withheld(nodes: list) -> list:
    """The nodes with consecutive withheld ones shown once: one neutral sentence, not a count."""
    out: list = []
    for node in nodes:
        if node.kind == "withheld" and out and out[-1].kind == "withheld":
            continue
        out.append(node)
    return out


def _parents(question) -> set:
    """Every parent of the pupils the item is about, as the question records them."""
    return {parent for group in question.parents.values() for parent in group}


class _Notice:
    """The view of a decision that cannot be shown to its reader: a standard answer, the same for every
    decision, and where to ask about one's rights."""

    def __init__(self, notice: WithheldDecision, lang: str):
        self.reader = notice.reader
        self.p = {**PHRASES[lang], **(FORMAL[lang] if notice.reader == Reader.PARENT else {})}

    def lines(self) -> list[Line]:
        # No name, no outcome, no mark: who decided, and that something was decided about the reader's
        # child, would already say too much (parent review 16, A1; F6).
        ask = self.p.get(f"notice_ask_{self.reader}", self.p["notice_ask"])
        return [Line(0, "", self.p["notice"], kind="withheld"), Line(0, "", ask)]


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
    """The one-page view: question, who is who, outcome, deciding reason, what is missing for
    another outcome, the ways to change it, the conditions, and (for the file) rules and versions."""
    x = Explanation.from_json(explanation)
    return _Notice(x, lang).lines() if isinstance(x, WithheldDecision) else _Layout(x, lang).summary()


def full_lines(explanation, lang: str) -> list[Line]:
    """The summary followed by the whole proof, each subtree shown once."""
    x = Explanation.from_json(explanation)
    return _Notice(x, lang).lines() if isinstance(x, WithheldDecision) else _Layout(x, lang).full()


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
        if line.kind in HEADINGS:
            out += ["", line.text]
            continue
        text = f"{line.mark} {line.text}" if line.mark else line.text
        if line.note or line.rule:
            text += f"  [{': '.join(part for part in (line.rule, line.note) if part)}]"
        out.append("  " * line.depth + text)
    return "\n".join(out).lstrip("\n") + "\n"


def summary(explanation, lang: str) -> str:
    """The one-page summary as text (one line per statement)."""
    return text_of(summary_lines(explanation, lang)).rstrip("\n")


def full_text(explanation, lang: str) -> str:
    """The full explanation as indented text: the summary, then the proof as a DAG."""
    return text_of(full_lines(explanation, lang))


def render_text(explanation, lang: str) -> str:
    """The full text view (the summary is its first part)."""
    return full_text(explanation, lang)
