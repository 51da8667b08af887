"""Cedar peer (cedarpy): policy_core.cedar over the facts as Cedar entities.

    peer = CedarPeer(); peer.load(moment_facts(facts, moment), moment)   # entities + policies, parsed once
    peer.decide(actor, recipient, item, setting)                        # build the context, authorize

Entities: Person (every person or body; attributes clb, staff_schools, director_of, police, court,
reporting_point, emergency_service; for a pupil also school, born, judged_capable,
judged_incapable, guides, circles, kind_consents; parents in the hierarchy = direct superiors)
and Item (pupil, kind, necessary, reveals, can_avert, clb_holders, staff_holders,
learned_in_circle, agreement, consents). The joins Cedar cannot do are done here, by the
application, as a Cedar user would: who gave a consent relative to the pupil (pupil / parent),
and, per question, the latest confidentiality request by a client toward the recipient and the
latest item consents to the recipient (the request context).
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
        self.today = day(moment)
        persons: dict[str, dict] = {}
        supers: dict[str, list] = {}

        def p(pid: str) -> dict:
            entry = persons.get(pid)
            if entry is None:
                entry = persons[pid] = {"clb": False, "staff_schools": [], "director_of": [], "police": False,
                                        "court": False, "reporting_point": False, "emergency_service": False,
                                        "school": "", "born": 0, "judged_capable": False,
                                        "judged_incapable": False, "guides": [], "circles": [],
                                        "kind_consents": []}
            return entry

        parents_of: dict[str, set] = {}
        for g, pupil in rows["parent"]:
            parents_of.setdefault(pupil, set()).add(g)
            p(g)
        pupil_of: dict[str, str] = dict(rows["item_about"])

        def by(giver: str, pupil: str) -> str:
            return "pupil" if giver == pupil else "parent" if giver in parents_of.get(pupil, ()) else "other"

        for (x,) in rows["clb_worker"]:
            p(x)["clb"] = True
        for x, school, role in rows["school_staff"]:
            p(x)["staff_schools"].append(school)
            if role == "director":
                p(x)["director_of"].append(school)
        for body in ("police", "court", "reporting_point", "emergency_service"):
            for (x,) in rows[body]:
                p(x)[body] = True
        for x, school in rows["pupil"]:
            p(x)["school"] = school
        for x, born in rows["born"]:
            p(x)["born"] = born
        for (x,) in rows["judged_capable"]:
            p(x)["judged_capable"] = True
        for (x,) in rows["judged_incapable"]:
            p(x)["judged_incapable"] = True
        for w, pupil in rows["guides"]:
            p(pupil)["guides"].append(person(w))
            p(w)
        for x, pupil, c in rows["circle_member"]:
            p(pupil)["circles"].append({"person": person(x), "circle": c})
            p(x)
        for sup, sub in rows["superior_of"]:
            supers.setdefault(sub, []).append({"type": "Person", "id": sup})
            p(sup), p(sub)
        for g, pupil, kind, r, _given in rows["general_consent"]:
            p(pupil)["kind_consents"].append({"kind": kind, "recipient": person(r), "by": by(g, pupil)})
            p(r)
        items: dict[str, dict] = {}

        def it(iid: str) -> dict:
            entry = items.get(iid)
            if entry is None:
                entry = items[iid] = {"pupil": None, "kind": "", "necessary": False, "reveals": [], "can_avert": [],
                                      "clb_holders": [], "staff_holders": [], "learned_in_circle": [],
                                      "agreement": [], "consents": []}
            return entry

        for i, pupil in rows["item_about"]:
            it(i)["pupil"] = person(pupil)
            p(pupil)
        for i, kind in rows["item_kind"]:
            it(i)["kind"] = kind
        for (i,) in rows["necessary_for_guidance"]:
            it(i)["necessary"] = True
        for i, m in rows["reveals"]:
            it(i)["reveals"].append(m)
        for x, i in rows["can_avert"]:
            it(i)["can_avert"].append(person(x))
            p(x)
        for h, i, frm, cap in rows["learned"]:
            p(h), p(frm)
            if cap == "clb_worker":
                it(i)["clb_holders"].append(person(h))
            elif cap == "school_staff":
                it(i)["staff_holders"].append(person(h))
        for h, i, c in rows["learned_in_circle"]:
            it(i)["learned_in_circle"].append({"holder": person(h), "circle": c})
        for _pupil, c, i in rows["circle_agreement"]:
            it(i)["agreement"].append(c)
        # The joins the policy cannot make: consents by role, requests by a client, latest dates.
        self.consent_latest: dict[tuple, int] = {}
        for g, i, r, given in rows["consent"]:
            role = by(g, pupil_of.get(i, ""))
            it(i)["consents"].append({"recipient": person(r), "by": role})
            p(g), p(r)
            key = (i, r, role)
            self.consent_latest[key] = max(self.consent_latest.get(key, 0), given)
        self.req_latest: dict[tuple, int] = {}
        for c, i, r, requested in rows["confidentiality_request"]:
            p(r)
            if by(c, pupil_of.get(i, "")) in ("pupil", "parent"):  # B4: the client is the pupil or a parent
                self.req_latest[(i, r)] = max(self.req_latest.get((i, r), 0), requested)
        for i, entry in items.items():
            if entry["pupil"] is None:  # an item nobody says whom it is about: never decided by the core
                entry["pupil"] = person("")
                p("")
        entities = [{"uid": {"type": "Person", "id": pid}, "attrs": attrs, "parents": supers.get(pid, [])}
                    for pid, attrs in persons.items()]
        entities += [{"uid": {"type": "Item", "id": iid}, "attrs": attrs, "parents": []} for iid, attrs in items.items()]
        self.entities = cedarpy.Entities.from_json_str(json.dumps(entities))
        self.policies = cedarpy.PolicySet.from_str(POLICY.read_text(encoding="utf-8"))
        self.count = len(entities)

    def decide(self, actor: str, recipient: str, item: str, setting: str) -> str:
        context = {"recipient": person(recipient), "setting": setting, "today": self.today,
                   "req_latest": self.req_latest.get((item, recipient), 0),
                   "consent_by_pupil_latest": self.consent_latest.get((item, recipient, "pupil"), 0),
                   "consent_by_parent_latest": self.consent_latest.get((item, recipient, "parent"), 0)}
        principal, resource = {"type": "Person", "id": actor}, {"type": "Item", "id": item}
        requests = [{"principal": principal, "action": {"type": "Action", "id": a}, "resource": resource,
                     "context": context} for a in ACTIONS]
        for action, result in zip(ACTIONS, cedarpy.is_authorized_batch(requests, self.policies, self.entities)):
            if result.allowed:
                return action
        return "forbidden"

    def stats(self) -> dict:
        return {"entities": self.count}
