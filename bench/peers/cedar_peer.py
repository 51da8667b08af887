"""Cedar peer (cedarpy): policy_core.cedar over the facts as Cedar entities.

    peer = CedarPeer(); peer.load(moment_facts(facts, moment), moment)   # entities + policies, parsed once
    peer.decide(actor, recipient, item, setting)                        # build the context, authorize

Entities: Person (every person or body; attributes clb, directs (School entities), police, court,
prosecutor, reporting_point, emergency_service; parents in the hierarchy = direct superiors and the
person's schools), School (no attributes) and Item. Cedar has no joins, recursion over data,
negation over derived facts or existentials over sets of records, so the application does the joins
a Cedar user would do and stores their results on the Item (see Item below): who is in which circle
and what flows inward (B12's ring order), the care structure around the pupil (L8), which consents
are valid (L3 capacity on the day given), who is entitled to the item (L9), and, per question, what
the confidentiality requests toward the recipient come to (B4 with its lifting and exemptions) —
the request context. The policies then state the core's rules over these sets.
"""
from __future__ import annotations

import json
from pathlib import Path

import cedarpy

from .core import day

POLICY = Path(__file__).with_name("policy_core.cedar")
ACTIONS = ("obligated", "discretionary", "permitted")
RING = ("hierarchical_superior", "guidance_cell", "care_team", "class_council", "all_staff")  # B12, inward out
SCHOOLING = {"learning", "test_results", "study_guidance", "behaviour", "attendance"}       # L12.*_is_schooling


def person(pid: str) -> dict:
    return {"__entity": {"type": "Person", "id": pid}}


def persons(ids) -> list:
    return [person(x) for x in sorted(ids)]


def pairs(items) -> list:
    return [{"holder": person(h), "person": person(x)} for h, x in sorted(items)]


class CedarPeer:
    name = "cedar"

    def load(self, rows: dict[str, list[tuple]], moment) -> None:
        self.today = today = day(moment)
        people: dict[str, dict] = {}
        supers: dict[str, list] = {}

        def p(pid: str) -> dict:
            entry = people.get(pid)
            if entry is None:
                entry = people[pid] = {"clb": False, "directs": [], "police": False, "court": False, "prosecutor": False,
                                       "reporting_point": False, "emergency_service": False}
            return entry

        parents_of: dict[str, set] = {}
        for g, pupil in rows["parent"]:
            parents_of.setdefault(pupil, set()).add(g)
            p(g)
        pupil_of: dict[str, str] = dict(rows["item_about"])
        school_of: dict[str, str] = dict(rows["pupil"])
        clb = {x for (x,) in rows["clb_worker"]}
        for x in clb:
            p(x)["clb"] = True
        schools: set[str] = set()
        staff_at: dict[str, set] = {}
        role_at: dict[tuple, set] = {}
        for x, school, role in rows["school_staff"]:
            # L8.director_is_superior: a person's schools are among their ancestors, so that
            # `principal in recipient.directs` asks whether the principal, or anyone up their
            # superior_of chain (B10.superior_chain), works at a school the recipient directs.
            supers.setdefault(x, []).append({"type": "School", "id": school})
            schools.add(school)
            staff_at.setdefault(school, set()).add(x)
            role_at.setdefault((school, role), set()).add(x)
            if role == "director":
                p(x)["directs"].append({"__entity": {"type": "School", "id": school}})
        for body in ("police", "court", "prosecutor", "reporting_point", "emergency_service"):
            for (x,) in rows[body]:
                p(x)[body] = True
        for sup, sub in rows["superior_of"]:
            supers.setdefault(sub, []).append({"type": "Person", "id": sup})
            p(sup), p(sub)
        guides_of: dict[str, set] = {}
        for w, pupil in rows["guides"]:
            guides_of.setdefault(pupil, set()).add(w)
        members: dict[tuple, set] = {}  # (pupil, circle) -> persons: B13.membership, B12.director_circle
        for x, pupil, c in rows["circle_member"]:
            members.setdefault((pupil, c), set()).add(x)
        for pupil, school in rows["pupil"]:
            members.setdefault((pupil, "hierarchical_superior"), set()).update(role_at.get((school, "director"), ()))
        contact_at: dict[str, set] = {}
        for x, school in rows["clb_contact_for"]:
            contact_at.setdefault(school, set()).add(x)

        def care(pupil: str) -> set:  # L8.care_team, guidance_cell, director, care_coordinator, internal_counsellor, clb_contact, guiding_clb
            out = set()
            for c in ("care_team", "guidance_cell", "hierarchical_superior"):
                out |= members.get((pupil, c), set())
            school = school_of.get(pupil)
            if school is not None:
                out |= role_at.get((school, "care_coordinator"), set()) | role_at.get((school, "internal_counsellor"), set())
                out |= contact_at.get(school, set())
            return out | (guides_of.get(pupil, set()) & clb)

        capacity = Capacity(rows, pupil_of, today)
        kinds: dict[str, set] = {}
        for i, k in rows["item_kind"]:
            kinds.setdefault(i, set()).add(k)
        consented: dict[str, set] = {}  # item -> recipients with a valid consent (L9.*_consent, L3)
        for g, i, r, given in rows["consent"]:
            if capacity.competent(g, pupil_of.get(i), given, parents_of):
                consented.setdefault(i, set()).add(r)
        for g, pupil, kind, r, given in rows["general_consent"]:
            # L9.general_consent: its giver can consent for the pupil when giving it and today
            if capacity.competent(g, pupil, given, parents_of) and capacity.competent(g, pupil, today, parents_of):
                for i, about in pupil_of.items():
                    if about == pupil and kind in kinds.get(i, ()):
                        consented.setdefault(i, set()).add(r)
        for g, i, c, given in rows["consent_to_circle"]:
            if capacity.competent(g, pupil_of.get(i), given, parents_of):
                consented.setdefault(i, set()).update(members.get((pupil_of[i], c), set()))
        learned: dict[str, list] = {}
        for h, i, source, cap in rows["learned"]:
            learned.setdefault(i, []).append((h, source, cap))
            p(h), p(source)
        lic: dict[str, list] = {}
        for h, i, c in rows["learned_in_circle"]:
            lic.setdefault(i, []).append((h, c))
        agreed: dict[str, set] = {}
        for pupil, c, i in rows["circle_agreement"]:
            if pupil_of.get(i) == pupil:
                agreed.setdefault(i, set()).add(c)
        item_ids = set(pupil_of) | {i for _h, i, *_ in rows["learned"]}
        items: dict[str, dict] = {}
        self.requests: dict[str, list] = {}
        self.confided: dict[str, set] = {}
        for i in sorted(item_ids):
            pupil = pupil_of.get(i, "")
            school = school_of.get(pupil)
            around = care(pupil)
            entries = learned.get(i, [])
            circles = lic.get(i, [])
            inside, inward = set(), set()
            for h, c in circles:
                inside |= {(h, x) for x in members.get((pupil, c), set())}                      # B13a.inside_circle
                for inner in RING[:RING.index(c)]:
                    inward |= {(h, x) for x in members.get((pupil, inner), set())}             # B13a.inner_circle
                inward |= {(h, x) for x in guides_of.get(pupil, set()) & clb}                  # B13a.guiding_clb
                if RING.index(c) > RING.index("guidance_cell"):
                    inward |= {(h, x) for x in around}                                         # B13a.care_structure_by_role
            agreed_members = set()
            for c in agreed.get(i, ()):
                agreed_members |= members.get((pupil, c), set())                               # B13a.agreed_circle
            entitled = {pupil} | {s for _h, s, _c in entries}                                  # L9.entitled_pupil, _source
            entitled |= {g for g in parents_of.get(pupil, set()) | {pupil}
                         if capacity.competent(g, pupil, today, parents_of)}       # L9.entitled_who_can_consent
            self.confided[i] = {s for h, s, _c in entries if s != h}                           # L13.confided
            items[i] = {
                "clb_holders": persons({h for h, _s, c in entries if c == "clb_worker"}),      # B1.professional_secrecy
                "staff_holders": persons({h for h, _s, c in entries if c == "school_staff"}),  # B10.official_secrecy
                "from_clb": persons({h for h, s, c in entries if c == "school_staff" and s in clb}),  # L9.learned_from_the_clb
                "told_by": pairs({(h, s) for h, s, _c in entries}),                            # B13a.told_by_the_recipient
                "entitled": persons(entitled),
                "consented": persons(consented.get(i, ())),
                "circle_holders": persons({h for h, _c in circles}),                           # B10.learned_in_circle
                "inside": pairs(inside), "inward": pairs(inward),
                "agreed_members": persons(agreed_members),
                "school_staff": persons(staff_at.get(school, ()) if school else ()),
                "class_council": persons(members.get((pupil, "class_council"), ())),
                "care": persons(around),
                "guiding_clb": persons(guides_of.get(pupil, set()) & clb),                    # B2.colleague, B1.care_provider
                "parents": persons(parents_of.get(pupil, ())),
                "reveals": sorted({m for j, m in rows["reveals"] if j == i}),
                "can_avert": persons({x for x, j in rows["can_avert"] if j == i}),
                "suspected": persons({x for x, j in rows["suspected"] if j == i}),
                "outside_family": (i,) in rows["source_outside_the_family"] or (i,) in rows["happened_at_school"],
            }
            for x in (pupil, *around, *parents_of.get(pupil, ()), *guides_of.get(pupil, ()), *agreed_members):
                p(x)
        for values in items.values():
            for key in ("inside", "inward", "told_by"):
                for pair in values[key]:
                    p(pair["holder"]["__entity"]["id"]), p(pair["person"]["__entity"]["id"])
            for key in ("consented", "entitled", "can_avert", "suspected", "school_staff", "class_council"):
                for x in values[key]:
                    p(x["__entity"]["id"])
        self.b4 = B4(rows, pupil_of, parents_of, capacity, kinds, self.confided, today, care)
        entities = [{"uid": {"type": "Person", "id": pid}, "attrs": attrs, "parents": supers.get(pid, [])}
                    for pid, attrs in people.items()]
        entities += [{"uid": {"type": "Item", "id": iid}, "attrs": attrs, "parents": []} for iid, attrs in items.items()]
        entities += [{"uid": {"type": "School", "id": school}, "attrs": {}, "parents": []} for school in sorted(schools)]
        self.items = set(items)
        self.entities = cedarpy.Entities.from_json_str(json.dumps(entities))
        self.policies = cedarpy.PolicySet.from_str(POLICY.read_text(encoding="utf-8"))
        self.count = len(entities)

    def decide(self, actor: str, recipient: str, item: str, setting: str) -> str:
        if item not in self.items:
            return "forbidden"  # nobody holds it and nothing says whom it is about: no rule applies
        binds, binds_unless_official, binds_unless_only_official = self.b4.toward(item, recipient)
        context = {"recipient": person(recipient), "setting": setting,
                   "request_binds": binds, "request_binds_unless_official": binds_unless_official,
                   "request_binds_unless_only_official": binds_unless_only_official}
        principal, resource = {"type": "Person", "id": actor}, {"type": "Item", "id": item}
        requests = [{"principal": principal, "action": {"type": "Action", "id": a}, "resource": resource,
                     "context": context} for a in ACTIONS]
        for action, result in zip(ACTIONS, cedarpy.is_authorized_batch(requests, self.policies, self.entities)):
            if result.allowed:
                return action
        return "forbidden"

    def stats(self) -> dict:
        return {"entities": self.count}


class B4:
    """The request context for (item, recipient): whether a client's request toward the recipient
    binds (B4.confidentiality, B4.client_*, B4.toward_person), not lifted (L9.requester_lifts,
    L9.lifted_for_the_pupil, L9.made_against_*) and not a parent's request against the co-parent
    (L12.request_against_a_coparent). A request the school's own record exempts toward the parents
    and the care structure (L12.own_school_record, L12.school_life_*, L12.the_*_is_informed) binds
    only an actor who does not hold the item under official secrecy: left to the policy, as
    `request_binds_unless_official`. A witness's request about what happened to the pupil at school
    (L12.a_witness_does_not_keep_it_from_the_parents) binds toward a parent only an actor who does not hold the item under official secrecy alone:
    `request_binds_unless_only_official`."""

    def __init__(self, rows, pupil_of, parents_of, capacity, kinds, confided, today, care) -> None:
        self.rows, self.pupil_of, self.parents_of, self.capacity = rows, pupil_of, parents_of, capacity
        self.confided, self.today, self.care = confided, today, care
        self.requesters: dict[str, set] = {}
        self.against: dict[tuple, set] = {}
        for c, i, x, _d in rows["confidentiality_request"]:
            self.requesters.setdefault(i, set()).add(c)
            self.against.setdefault((c, i), set()).add(x)
        for c, i, group, _d in rows["confidentiality_request_group"]:
            self.requesters.setdefault(i, set()).add(c)
            if group in ("parents", "everyone"):
                self.against.setdefault((c, i), set()).update(parents_of.get(pupil_of.get(i), ()))
        at_school = {i for (i,) in rows["happened_at_school"]} | {i for h, i, s, cap in rows["learned"]
                                                                    if h == s and cap == "school_staff"}
        self.at_school = at_school
        self.own_record_item = {i for i in set(pupil_of) | at_school
                                if kinds.get(i, set()) & SCHOOLING or i in at_school}

    def client(self, c: str, i: str) -> bool:
        pupil = self.pupil_of.get(i)
        return (c == pupil or c in self.confided.get(i, ())
                or (c in self.parents_of.get(pupil, ()) and not self.capacity.capable_today(pupil)
                    and not self.capacity.of_age(pupil)))

    def lifted(self, c: str, i: str, r: str, requested: int) -> bool:
        for g, j, to, given in self.rows["consent"]:
            if j != i or to != r or given <= requested:
                continue
            if g == c and c != r:
                return True
            if (c == self.pupil_of.get(i) and g != r and self.capacity.competent(g, c, given, self.parents_of)
                    and g not in self.against.get((c, i), ())):
                return True
        return False

    def toward(self, i: str, r: str) -> tuple[bool, bool, bool]:
        binds = unless_official = unless_only_official = False
        pupil = self.pupil_of.get(i)
        for c, j, to, requested in self.rows["confidentiality_request"]:
            if j != i or to != r or requested > self.today or not self.client(c, i):
                continue
            if self.lifted(c, i, r, requested):
                continue
            parents = self.parents_of.get(pupil, ())
            if c in parents and r in parents and c not in self.confided.get(i, ()):
                continue
            if (i in self.own_record_item and c not in self.confided.get(i, ())
                    and (r in parents or r in self.care(pupil))):
                unless_official = True
            elif i in self.at_school and r in parents and c != pupil and c not in parents:
                unless_only_official = True
            else:
                binds = True
        return binds, unless_official, unless_only_official


class Capacity:
    """L3 as the application works it out for Cedar: may the giver consent for the pupil on a day?

    Capacity is judged on the day asked (for a pupil) or on the day a consent was given (not after
    the day asked): 12 or over presumed capable unless judged incapable, judged capable below 12;
    the parents consent for a pupil who is not capable.
    """

    def __init__(self, rows: dict[str, list[tuple]], pupil_of: dict[str, str], today: int) -> None:
        self.today = today
        self.born: dict[str, set] = {}
        for x, b in rows["born"]:
            self.born.setdefault(x, set()).add(b)
        self.jc = {x for (x,) in rows["judged_capable"]}
        self.ji = {x for (x,) in rows["judged_incapable"]}
        self.days: set[tuple] = {(x, today) for x, _school in rows["pupil"]}
        acts = [(pupil_of.get(i), d) for _g, i, _r, d in rows["consent"]]
        acts += [(x, d) for _g, x, _k, _r, d in rows["general_consent"]]
        acts += [(pupil_of.get(i), d) for _g, i, _c, d in rows["consent_to_circle"]]
        self.days |= {(x, d) for x, d in acts if x is not None and d <= today}

    def capable_on(self, pupil: str, d: int) -> bool:
        if (pupil, d) not in self.days or pupil in self.ji:
            return False
        return pupil in self.jc or any(b <= d - 120000 for b in self.born.get(pupil, ()))

    def incapable_on(self, pupil: str, d: int) -> bool:
        if (pupil, d) not in self.days:
            return False
        return pupil in self.ji or (any(b > d - 120000 for b in self.born.get(pupil, ())) and pupil not in self.jc)

    def capable_today(self, pupil: str | None) -> bool:
        return pupil is not None and self.capable_on(pupil, self.today)

    def competent(self, giver: str, pupil: str | None, d: int, parents_of: dict[str, set]) -> bool:
        if pupil is None:
            return False
        if giver == pupil and self.capable_on(pupil, d):
            return True
        return giver in parents_of.get(pupil, ()) and self.incapable_on(pupil, d) and not self.of_age(pupil)

    def of_age(self, pupil: str | None) -> bool:  # L12.of_age (on the day asked)
        return any(b <= self.today - 180000 for b in self.born.get(pupil, ()))
