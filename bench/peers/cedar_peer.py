"""Cedar peer (cedarpy): policy_core.cedar over the facts as Cedar entities.

    peer = CedarPeer(); peer.load(moment_facts(facts, moment), moment)   # entities + policies, parsed once
    peer.decide(actor, recipient, item, setting)                        # build the context, authorize

Entities: Person (every person or body; attributes clb, director_of (school names), directs
(School entities), police, court, reporting_point, emergency_service; for a pupil also school,
guides, circles, valid_kind_consents; parents in the hierarchy = direct superiors and the
person's schools), School (no attributes) and Item (pupil, kind, reveals, can_avert, clb_holders, staff_holders,
circle_holders, learned_in_circle, valid_consents, valid_circle_consents). The joins Cedar cannot
do are done here, by the application, as a Cedar user would: which consents are valid (the giver
could consent for the pupil on the day it was given, L3), who is a client (a parent only of a
pupil not capable today, or for what they confided), and, per question, the latest confidentiality
request by a client toward the recipient and the latest valid item consent to the recipient (the
request context).
"""
from __future__ import annotations

import json
from pathlib import Path

import cedarpy

from .core import day

POLICY = Path(__file__).with_name("policy_core.cedar")
ACTIONS = ("obligated", "discretionary", "permitted")


def person(pid: str) -> dict:
    return {"__entity": {"type": "Person", "id": pid}}


class CedarPeer:
    name = "cedar"

    def load(self, rows: dict[str, list[tuple]], moment) -> None:
        self.today = today = day(moment)
        persons: dict[str, dict] = {}
        supers: dict[str, list] = {}

        def p(pid: str) -> dict:
            entry = persons.get(pid)
            if entry is None:
                entry = persons[pid] = {"clb": False, "director_of": [], "directs": [], "police": False, "court": False,
                                        "reporting_point": False, "emergency_service": False, "school": "",
                                        "guides": [], "circles": [], "valid_kind_consents": []}
            return entry

        parents_of: dict[str, set] = {}
        for g, pupil in rows["parent"]:
            parents_of.setdefault(pupil, set()).add(g)
            p(g)
        pupil_of: dict[str, str] = dict(rows["item_about"])
        capacity = Capacity(rows, pupil_of, today)
        for (x,) in rows["clb_worker"]:
            p(x)["clb"] = True
        schools: set[str] = set()
        for x, school, role in rows["school_staff"]:
            # L8: a person's schools are among their ancestors, so that `principal in` a set of
            # schools asks whether the principal, or anyone up their superior_of chain, works there.
            supers.setdefault(x, []).append({"type": "School", "id": school})
            schools.add(school)
            if role == "director":
                p(x)["director_of"].append(school)
                p(x)["directs"].append({"__entity": {"type": "School", "id": school}})
        for body in ("police", "court", "reporting_point", "emergency_service"):
            for (x,) in rows[body]:
                p(x)[body] = True
        for x, school in rows["pupil"]:
            p(x)["school"] = school
        for w, pupil in rows["guides"]:
            p(pupil)["guides"].append(person(w))
            p(w)
        for x, pupil, c in rows["circle_member"]:
            p(pupil)["circles"].append({"person": person(x), "circle": c})
            p(x)
        for sup, sub in rows["superior_of"]:
            supers.setdefault(sub, []).append({"type": "Person", "id": sup})
            p(sup), p(sub)
        for g, pupil, kind, r, given in rows["general_consent"]:
            p(r)
            if capacity.competent(g, pupil, given, parents_of):
                p(pupil)["valid_kind_consents"].append({"kind": kind, "recipient": person(r)})
        items: dict[str, dict] = {}

        def it(iid: str) -> dict:
            entry = items.get(iid)
            if entry is None:
                entry = items[iid] = {"pupil": None, "kind": "", "reveals": [], "can_avert": [], "clb_holders": [],
                                      "staff_holders": [], "circle_holders": [], "learned_in_circle": [],
                                      "valid_consents": [], "valid_circle_consents": []}
            return entry

        for i, pupil in rows["item_about"]:
            it(i)["pupil"] = person(pupil)
            p(pupil)
        for i, kind in rows["item_kind"]:
            it(i)["kind"] = kind
        for i, m in rows["reveals"]:
            it(i)["reveals"].append(m)
        for x, i in rows["can_avert"]:
            it(i)["can_avert"].append(person(x))
            p(x)
        confided: set[tuple] = set()
        for h, i, frm, cap in rows["learned"]:
            p(h), p(frm)
            confided.add((frm, i))
            if cap == "clb_worker":
                it(i)["clb_holders"].append(person(h))
            elif cap == "school_staff":
                it(i)["staff_holders"].append(person(h))
        for h, i, c in rows["learned_in_circle"]:
            it(i)["learned_in_circle"].append({"holder": person(h), "circle": c})
            it(i)["circle_holders"].append(person(h))
        for g, i, c, given in rows["consent_to_circle"]:
            if capacity.competent(g, pupil_of.get(i), given, parents_of):
                it(i)["valid_circle_consents"].append(c)
        # The joins the policy cannot make: valid consents, requests by a client, latest dates.
        self.consent_latest: dict[tuple, int] = {}
        for g, i, r, given in rows["consent"]:
            p(g), p(r)
            if capacity.competent(g, pupil_of.get(i), given, parents_of):
                it(i)["valid_consents"].append(person(r))
                self.consent_latest[(i, r)] = max(self.consent_latest.get((i, r), 0), given)
        self.req_latest: dict[tuple, int] = {}
        for c, i, r, requested in rows["confidentiality_request"]:
            p(r)
            pupil = pupil_of.get(i)
            client = c == pupil or c in parents_of.get(pupil, ()) and (
                capacity.incapable_today(pupil) or (c, i) in confided)
            if client and requested <= today:  # B4: a client's request binds from its date
                self.req_latest[(i, r)] = max(self.req_latest.get((i, r), 0), requested)
        for i, entry in items.items():
            if entry["pupil"] is None:  # an item nobody says whom it is about: never decided by the core
                entry["pupil"] = person("")
                p("")
        entities = [{"uid": {"type": "Person", "id": pid}, "attrs": attrs, "parents": supers.get(pid, [])}
                    for pid, attrs in persons.items()]
        entities += [{"uid": {"type": "Item", "id": iid}, "attrs": attrs, "parents": []} for iid, attrs in items.items()]
        entities += [{"uid": {"type": "School", "id": school}, "attrs": {}, "parents": []} for school in sorted(schools)]
        self.entities = cedarpy.Entities.from_json_str(json.dumps(entities))
        self.policies = cedarpy.PolicySet.from_str(POLICY.read_text(encoding="utf-8"))
        self.count = len(entities)

    def decide(self, actor: str, recipient: str, item: str, setting: str) -> str:
        context = {"recipient": person(recipient), "setting": setting, "today": self.today,
                   "req_latest": self.req_latest.get((item, recipient), 0),
                   "consent_latest": self.consent_latest.get((item, recipient), 0)}
        principal, resource = {"type": "Person", "id": actor}, {"type": "Item", "id": item}
        requests = [{"principal": principal, "action": {"type": "Action", "id": a}, "resource": resource,
                     "context": context} for a in ACTIONS]
        for action, result in zip(ACTIONS, cedarpy.is_authorized_batch(requests, self.policies, self.entities)):
            if result.allowed:
                return action
        return "forbidden"

    def stats(self) -> dict:
        return {"entities": self.count}


class Capacity:
    """L3 as the application works it out for Cedar: may the giver consent for the pupil on a day?

    Capacity is judged on the day asked (for a pupil) or on the day a consent was given (not after
    the day asked): 12 or over presumed capable unless judged incapable, judged capable below 12;
    the parents consent for a pupil who is not capable.
    """

    def __init__(self, rows: dict[str, list[tuple]], pupil_of: dict[str, str], today: int) -> None:
        self.today = today
        self.born = dict(rows["born"])
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
        return pupil in self.jc or (pupil in self.born and self.born[pupil] <= d - 120000)

    def incapable_on(self, pupil: str, d: int) -> bool:
        if (pupil, d) not in self.days:
            return False
        return pupil in self.ji or (pupil in self.born and self.born[pupil] > d - 120000 and pupil not in self.jc)

    def incapable_today(self, pupil: str) -> bool:
        return self.incapable_on(pupil, self.today)

    def competent(self, giver: str, pupil: str | None, d: int, parents_of: dict[str, set]) -> bool:
        if pupil is None:
            return False
        if giver == pupil and self.capable_on(pupil, d):
            return True
        return giver in parents_of.get(pupil, ()) and self.incapable_on(pupil, d)
