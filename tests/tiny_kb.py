"""A small, complete knowledge base written into a temporary directory, for tests that must not
depend on the shipped rules (which legal experts rewrite): every role the decision layer reads, the
decisions D1–D6, one rule of each reason (a duty, a discretion, an exception, two grounds, a block),
what a parent is not shown, its own law reference and a small world of facts.

    directory = write_tiny_kb(tmp_path / "kb")
    edit_rule(directory, "B13a.inside_circle", "circle_member(Recipient, Pupil, Circle)",
              "circle_member(Recipient, Pupil, _Any)")
"""
from __future__ import annotations

import textwrap
from pathlib import Path

_TYPES = """
types:
  person: {nl: persoon, en: person}
  item: {nl: informatie-item, en: information item}
  school: {nl: school, en: school}
  date: {nl: datum, en: date}
  number: {nl: getal, en: number}
  kind:
    nl: soort informatie
    en: kind of information
    labels:
      home_situation: {nl: informatie over de thuissituatie, en: information about the home situation}
      learning: {nl: informatie over het leren, en: information about learning}
  role:
    nl: functie op school
    en: school role
    values: [teacher, care_coordinator]
    labels:
      teacher: {nl: leraar, en: teacher}
      care_coordinator: {nl: zorgcoördinator, en: care coordinator}
  capacity:
    nl: hoedanigheid
    en: capacity
    values: [clb_worker, school_staff]
    labels:
      clb_worker: {nl: CLB-medewerker, en: CLB worker}
      school_staff: {nl: personeelslid, en: member of staff}
  circle:
    nl: ambtskring
    en: circle
    values: [guidance_cell, care_team, class_council]
    labels:
      guidance_cell: {nl: begeleidingscel, en: guidance cell}
      care_team: {nl: zorgteam, en: care team}
      class_council: {nl: klassenraad, en: class council}
  matter:
    nl: wat het item onthult
    en: what the item reveals
    values: [child_abuse, danger_to_life]
    labels:
      child_abuse: {nl: kindermishandeling, en: child abuse}
      danger_to_life: {nl: levensgevaar, en: a danger to life}
  part:
    nl: deel van een uitleg
    en: part of an explanation
    values: [request, revealed, item]
    labels:
      request: {nl: de vraag, en: the request}
      revealed: {nl: wat het onthult, en: what it reveals}
      item: {nl: alles, en: everything}
  setting:
    nl: context
    en: setting
    values: [conversation, court_testimony]
    labels:
      conversation: {nl: een gesprek, en: a conversation}
      court_testimony: {nl: een getuigenis, en: a testimony}

functions:
  years_between:
    args: [date, date]
    returns: number
    nl: "het aantal volle jaren van {1} tot {2}"
    en: "the number of full years from {1} to {2}"

roles:
  obligated: obligated
  discretionary: discretionary
  permitted: permitted
  forbidden: forbidden
  may_disclose: may_disclose
  duty: must_tell
  discretion: may_choose
  ground: may_tell
  exception: exception_applies
  block: blocked
  item_subject: item_about
  parent: parent
  pupil: pupil
  born: born
  staff: school_staff
  circle_member: circle_member
  guides: guides
  capable: capable
  judged_capable: judged_capable
  withheld_from: withheld_from
  learned: learned
"""

# name: (kind, [(argument, type)], Dutch reading, English reading)
_PREDICATES = {
    "obligated": ("decision", "AIR", "{Actor} moet {Recipient} informeren over {Item}",
                  "{Actor} must tell {Recipient} about {Item}"),
    "discretionary": ("decision", "AIR", "{Actor} mag afwegen of {Actor} {Recipient} informeert over {Item}",
                      "{Actor} may weigh whether to tell {Recipient} about {Item}"),
    "permitted": ("decision", "AIR", "{Actor} mag {Recipient} informeren over {Item}",
                  "{Actor} may tell {Recipient} about {Item}"),
    "forbidden": ("decision", "AIR", "{Actor} mag {Recipient} niet informeren over {Item}",
                  "{Actor} may not tell {Recipient} about {Item}"),
    "may_disclose": ("decision", "AIR", "{Actor} mag {Recipient} iets zeggen over {Item}",
                     "{Actor} may say something to {Recipient} about {Item}"),
    "must_tell": ("derived", "AIR", "{Actor} moet {Recipient} inlichten over {Item}",
                  "{Actor} has a duty to tell {Recipient} about {Item}"),
    "may_choose": ("derived", "AIR", "{Actor} kiest of {Actor} {Recipient} inlicht over {Item}",
                   "{Actor} chooses whether to tell {Recipient} about {Item}"),
    "may_tell": ("derived", "AIR", "{Actor} heeft een grond om {Recipient} in te lichten over {Item}",
                 "{Actor} has a ground to tell {Recipient} about {Item}"),
    "exception_applies": ("derived", "AIR", "een uitzondering laat {Actor} {Recipient} inlichten over {Item}",
                          "an exception lets {Actor} tell {Recipient} about {Item}"),
    "blocked": ("derived", "AIR", "iets verhindert dat {Actor} {Recipient} inlicht over {Item}",
                "something prevents {Actor} from telling {Recipient} about {Item}"),
    "capable": ("derived", [("Pupil", "person")], "{Pupil} is bekwaam", "{Pupil} is capable"),
    "withheld_from": ("derived", [("Reader", "person"), ("Item", "item"), ("Part", "part")],
                      "{Reader} krijgt {Part} van {Item} niet te zien", "{Reader} is not shown {Part} of {Item}"),
    "asked": ("context", "AIR", "de vraag is of {Actor} {Recipient} mag informeren over {Item}",
              "the question is whether {Actor} may tell {Recipient} about {Item}"),
    "today": ("context", [("Date", "date")], "de vraag geldt op {Date}", "the question is asked for {Date}"),
    "asked_in": ("context", [("Setting", "setting")], "het zou verteld worden in {Setting}",
                 "it would be told in {Setting}"),
    "clb_worker": ("input", [("Person", "person")], "{Person} is CLB-medewerker", "{Person} is a CLB worker"),
    "school_staff": ("input", [("Person", "person"), ("School", "school"), ("Role", "role")],
                     "{Person} werkt op {School} als {Role}", "{Person} works at {School} as {Role}"),
    "pupil": ("input", [("Pupil", "person"), ("School", "school")], "{Pupil} is leerling van {School}",
              "{Pupil} is a pupil of {School}"),
    "born": ("input", [("Pupil", "person"), ("Date", "date")], "{Pupil} is geboren op {Date}",
             "{Pupil} was born on {Date}"),
    "parent": ("input", [("Parent", "person"), ("Pupil", "person")], "{Parent} is ouder van {Pupil}",
               "{Parent} is a parent of {Pupil}"),
    "judged_capable": ("input", [("Pupil", "person")], "{Pupil} is bekwaam geacht", "{Pupil} was judged capable"),
    "guides": ("input", [("Worker", "person"), ("Pupil", "person")],
               "{Worker} is betrokken bij de begeleiding van {Pupil}",
               "{Worker} is involved in the guidance of {Pupil}"),
    "circle_member": ("input", [("Person", "person"), ("Pupil", "person"), ("Circle", "circle")],
                      "{Person} zit in de {Circle} van {Pupil}", "{Person} is in the {Circle} for {Pupil}"),
    "reporting_point": ("input", [("Body", "person")], "{Body} is een meldpunt", "{Body} is a reporting point"),
    "court": ("input", [("Body", "person")], "{Body} is een rechtbank", "{Body} is a court"),
    "item_about": ("input", [("Item", "item"), ("Pupil", "person")], "{Item} gaat over {Pupil}",
                   "{Item} is about {Pupil}"),
    "item_kind": ("input", [("Item", "item"), ("Kind", "kind")], "{Item} is informatie van de soort {Kind}",
                  "{Item} is information of the kind {Kind}"),
    "reveals": ("input", [("Item", "item"), ("Matter", "matter")], "{Item} wijst op {Matter}",
                "{Item} reveals {Matter}"),
    "can_avert": ("input", [("Person", "person"), ("Item", "item")], "{Person} kan het gevaar van {Item} afwenden",
                  "{Person} can avert the danger of {Item}"),
    "learned": ("input", [("Holder", "person"), ("Item", "item"), ("From", "person"), ("Capacity", "capacity")],
                "{Holder} vernam {Item} van {From} als {Capacity}",
                "{Holder} learned {Item} from {From} as {Capacity}"),
    "learned_in_circle": ("input", [("Holder", "person"), ("Item", "item"), ("Circle", "circle")],
                          "{Holder} vernam {Item} in de {Circle}", "{Holder} learned {Item} in the {Circle}"),
    "confidentiality_request": ("input", [("Client", "person"), ("Item", "item"), ("Toward", "person")],
                                "{Client} vroeg {Item} niet aan {Toward} te vertellen",
                                "{Client} asked that {Toward} not be told {Item}"),
}
_AIR = [("Actor", "person"), ("Recipient", "person"), ("Item", "item")]


def vocabulary_text(extra: str = "") -> str:
    """The tiny vocabulary; `extra` is appended under `predicates:` (YAML, indented by two)."""
    lines = [_TYPES.strip("\n"), "", "predicates:"]
    for name, (kind, args, nl, en) in _PREDICATES.items():
        args = _AIR if args == "AIR" else args
        lines += [f"  {name}:", f"    kind: {kind}",
                  "    args: [" + ", ".join(f"{{{a}: {t}}}" for a, t in args) + "]",
                  f'    nl: "{nl}"', f'    en: "{en}"', f'    nl_not: "niet: {nl}"', f'    en_not: "not: {en}"']
        if name == "withheld_from":
            lines.append("    disclosure: true")
    return "\n".join(lines) + "\n" + textwrap.indent(textwrap.dedent(extra).strip("\n"), "  ") + "\n"


LAW = """# The tiny law

### D1 — a duty decides
### D2 — discretion, unless a duty
### D3 — an exception permits
### D4 — a ground permits unless blocked
### D5 — else forbidden
### D6 — may disclose
### B2 — shared secrecy
### B4 — a confidentiality request
### B6 — danger
### B7 — court
### B9 — report abuse
### B13a — inside the circle
"""

DECISIONS = """
# Beslissingen — decisions

@id: D1.obligated
@source: D1
@nl: {Actor} moet {Recipient} informeren over {Item}.
@en: {Actor} must tell {Recipient} about {Item}.
obligated(Actor, Recipient, Item) :-
    must_tell(Actor, Recipient, Item).

@id: D2.discretionary
@source: D2
@nl: {Actor} mag afwegen of {Recipient} over {Item} hoort.
@en: {Actor} may weigh whether to tell {Recipient} about {Item}.
discretionary(Actor, Recipient, Item) :-
    may_choose(Actor, Recipient, Item),
    not must_tell(Actor, Recipient, Item).

@id: D3.permitted_by_exception
@source: D3
@nl: {Actor} mag {Recipient} informeren over {Item}: een uitzondering.
@en: {Actor} may tell {Recipient} about {Item}: an exception.
permitted(Actor, Recipient, Item) :-
    exception_applies(Actor, Recipient, Item),
    not must_tell(Actor, Recipient, Item),
    not may_choose(Actor, Recipient, Item).

@id: D4.permitted_by_ground
@source: D4
@nl: {Actor} mag {Recipient} informeren over {Item}: een grond, niets verhindert het.
@en: {Actor} may tell {Recipient} about {Item}: a ground, nothing prevents it.
permitted(Actor, Recipient, Item) :-
    may_tell(Actor, Recipient, Item),
    not blocked(Actor, Recipient, Item),
    not must_tell(Actor, Recipient, Item),
    not may_choose(Actor, Recipient, Item).

@id: D5.forbidden
@source: D5
@nl: {Actor} mag {Recipient} niet informeren over {Item}.
@en: {Actor} may not tell {Recipient} about {Item}.
forbidden(Actor, Recipient, Item) :-
    asked(Actor, Recipient, Item),
    not obligated(Actor, Recipient, Item),
    not discretionary(Actor, Recipient, Item),
    not permitted(Actor, Recipient, Item).

@id: D6.disclose_obligated
@source: D6
@nl: {Actor} mag {Recipient} iets zeggen over {Item}: het moet.
@en: {Actor} may say something to {Recipient} about {Item}: it is a duty.
may_disclose(Actor, Recipient, Item) :-
    obligated(Actor, Recipient, Item).

@id: D6.disclose_discretionary
@source: D6
@nl: {Actor} mag {Recipient} iets zeggen over {Item}, na afweging.
@en: {Actor} may say something to {Recipient} about {Item}, after weighing.
may_disclose(Actor, Recipient, Item) :-
    discretionary(Actor, Recipient, Item).

@id: D6.disclose_permitted
@source: D6
@nl: {Actor} mag {Recipient} iets zeggen over {Item}.
@en: {Actor} may say something to {Recipient} about {Item}.
may_disclose(Actor, Recipient, Item) :-
    permitted(Actor, Recipient, Item).
"""

REASONS = """
# Gronden en blokkades — grounds and blocks

@id: B2.shared_secrecy
@source: B2
@nl: {Actor} mag {Recipient} informeren over {Item}: beiden zijn CLB-medewerker en {Recipient} begeleidt {Pupil}.
@en: {Actor} may tell {Recipient} about {Item}: both are CLB workers and {Recipient} guides {Pupil}.
may_tell(Actor, Recipient, Item) :-
    clb_worker(Actor),
    learned(Actor, Item, _From, clb_worker),
    item_about(Item, Pupil),
    clb_worker(Recipient),
    guides(Recipient, Pupil),
    Recipient != Actor.

@id: B13a.inside_circle
@source: B13a
@nl: {Actor} mag {Recipient} informeren over {Item}: {Recipient} zit in dezelfde {Circle} voor {Pupil}.
@en: {Actor} may tell {Recipient} about {Item}: {Recipient} is in the same {Circle} for {Pupil}.
may_tell(Actor, Recipient, Item) :-
    learned_in_circle(Actor, Item, Circle),
    item_about(Item, Pupil),
    circle_member(Recipient, Pupil, Circle),
    Recipient != Actor.

@id: B4.confidentiality
@source: B4
@nl: {Actor} mag {Recipient} niet informeren over {Item}: {Client} vroeg het niet te doen.
@en: {Actor} may not tell {Recipient} about {Item}: {Client} asked not to.
blocked(Actor, Recipient, Item) :-
    learned(Actor, Item, _From, _Capacity),
    confidentiality_request(Client, Item, Recipient).

@id: B9.report
@source: B9
@nl: {Actor} moet {Recipient} inlichten over {Item}: het wijst op kindermishandeling.
@en: {Actor} must tell {Recipient} about {Item}: it reveals child abuse.
must_tell(Actor, Recipient, Item) :-
    learned(Actor, Item, _From, _Capacity),
    reveals(Item, child_abuse),
    reporting_point(Recipient).

@id: B7.court
@source: B7
@nl: {Actor} mag afwegen of {Recipient} over {Item} hoort, als getuige.
@en: {Actor} may weigh whether to tell {Recipient} about {Item}, as a witness.
may_choose(Actor, Recipient, Item) :-
    learned(Actor, Item, _From, _Capacity),
    court(Recipient),
    asked_in(court_testimony).

@id: B4.capable_pupil
@source: B4
@nl: {Pupil} is bekwaam: zo beoordeeld.
@en: {Pupil} is capable: so judged.
capable(Pupil) :-
    judged_capable(Pupil).

@id: B4.request_withheld
@source: B4
@nl: {Reader} krijgt de vraag van {Pupil} over {Item} niet te zien.
@en: {Reader} is not shown the request {Pupil} made about {Item}.
withheld_from(Reader, Item, request) :-
    confidentiality_request(Pupil, Item, Reader),
    capable(Pupil),
    parent(Reader, Pupil).

@id: B6.exception
@source: B6
@nl: {Actor} mag {Recipient} informeren over {Item}: {Recipient} kan het gevaar afwenden.
@en: {Actor} may tell {Recipient} about {Item}: {Recipient} can avert the danger.
exception_applies(Actor, Recipient, Item) :-
    learned(Actor, Item, _From, _Capacity),
    reveals(Item, danger_to_life),
    can_avert(Recipient, Item).
"""

# A CLB worker (ann) and a colleague who guides Lena (bert) and one who does not (cas); a teacher
# in Lena's class council (tine, who learned i_home there) and one in her care team (carl); a parent.
FACTS = """
facts:
  - clb_worker: [ann]
  - clb_worker: [bert]
  - clb_worker: [cas]
  - school_staff: [tine, de_linde, teacher]
  - school_staff: [carl, de_linde, care_coordinator]
  - school_staff: [tom, de_linde, teacher]
  - pupil: [lena, de_linde]
  - born: [lena, 2014-03-01]
  - parent: [greet, lena]
  - guides: [bert, lena]
  - circle_member: [tine, lena, class_council]
  - circle_member: [tom, lena, class_council]
  - circle_member: [carl, lena, care_team]
  - item_about: [i_home, lena]
  - item_kind: [i_home, home_situation]
  - item_about: [i_marks, lena]
  - item_kind: [i_marks, learning]
  - learned: [ann, i_home, greet, clb_worker]
  - learned: [tine, i_home, greet, school_staff]
  - learned_in_circle: [tine, i_home, class_council]
  - learned: [tine, i_marks, lena, school_staff]
  - learned_in_circle: [tine, i_marks, class_council]
  - confidentiality_request: [greet, i_home, tom]
"""


def write_tiny_kb(directory: Path | str, extra_vocabulary: str = "", extra_rules: str = "") -> Path:
    """Write the tiny knowledge base (vocabulary, law reference, two rule files) into `directory`."""
    directory = Path(directory)
    (directory / "rules").mkdir(parents=True, exist_ok=True)
    (directory / "vocabulary.yaml").write_text(vocabulary_text(extra_vocabulary), encoding="utf-8")
    (directory / "law.md").write_text(LAW, encoding="utf-8")
    (directory / "rules" / "00_decisions.dl").write_text(DECISIONS.lstrip("\n"), encoding="utf-8")
    (directory / "rules" / "10_reasons.dl").write_text(REASONS.lstrip("\n") + extra_rules, encoding="utf-8")
    return directory


def write_facts(path: Path | str, extra: str = "") -> Path:
    """The tiny world's facts (a fact file), with `extra` fact lines appended."""
    path = Path(path)
    path.write_text(FACTS.lstrip("\n") + textwrap.dedent(extra), encoding="utf-8")
    return path


def edit_rule(directory: Path | str, rule_id: str, old: str, new: str) -> None:
    """Replace `old` by `new` once, inside the rule `rule_id` of the tiny knowledge base."""
    for path in sorted((Path(directory) / "rules").glob("*.dl")):
        text = path.read_text(encoding="utf-8")
        start = text.find(f"@id: {rule_id}\n")
        if start < 0:
            continue
        end = text.find("\n\n", start)
        end = len(text) if end < 0 else end
        block = text[start:end]
        assert block.count(old) == 1, f"`{old}` is not written once in {rule_id}"
        path.write_text(text[:start] + block.replace(old, new) + text[end:], encoding="utf-8")
        return
    raise AssertionError(f"no rule {rule_id} in the tiny knowledge base")


def add_rules(directory: Path | str, text: str) -> None:
    """Append rules (literate text) to the tiny knowledge base's reasons file."""
    path = Path(directory) / "rules" / "10_reasons.dl"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + textwrap.dedent(text).strip("\n") + "\n",
                    encoding="utf-8")


def add_predicates(directory: Path | str, text: str) -> None:
    """Append predicate entries (YAML, as under `predicates:`) to the tiny vocabulary."""
    path = Path(directory) / "vocabulary.yaml"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n"
                    + textwrap.indent(textwrap.dedent(text).strip("\n"), "  ") + "\n", encoding="utf-8")


def write_scenario(path: Path | str, question: str, expect: str, extra_facts: str = "") -> Path:
    """A scenario on the tiny world's facts (and `extra_facts`, lines `  - predicate: [...]`):
    `question` and `expect` as YAML flow mappings."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"name: {path.stem}\nstatement: B2\n" + FACTS.lstrip("\n") + extra_facts
                    + f"question: {question}\nexpect: {expect}\n", encoding="utf-8")
    return path


def block_inside_the_ground(directory: Path | str) -> None:
    """Write the confidentiality request as a `not kept_from(Item, Recipient)` inside the circle
    ground (B4.kept_from concludes it), and keep the `blocked` rule B4.confidentiality out of the
    way (it then holds for CLB workers only): tine may not tell tom about i_home, and no deciding
    rule says why."""
    add_predicates(directory, """
        kept_from:
          kind: derived
          args: [{Item: item}, {Recipient: person}]
          nl: "{Item} wordt voor {Recipient} geheim gehouden"
          en: "{Item} is kept from {Recipient}"
          nl_not: "{Item} wordt niet voor {Recipient} geheim gehouden"
          en_not: "{Item} is not kept from {Recipient}"
        """)
    add_rules(directory, """
        @id: B4.kept_from
        @source: B4
        @nl: {Item} wordt voor {Recipient} geheim gehouden: {Client} vroeg het.
        @en: {Item} is kept from {Recipient}: {Client} asked for it.
        kept_from(Item, Recipient) :-
            confidentiality_request(Client, Item, Recipient).
        """)
    edit_rule(directory, "B13a.inside_circle", "    Recipient != Actor.",
              "    Recipient != Actor,\n    not kept_from(Item, Recipient).")
    edit_rule(directory, "B4.confidentiality", "confidentiality_request(Client, Item, Recipient).",
              "confidentiality_request(Client, Item, Recipient),\n    clb_worker(Actor).")
