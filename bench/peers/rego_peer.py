"""Rego peer (regopy, the rego-cpp interpreter): policy_core.rego over the facts shaped as JSON.

    peer = RegoPeer(); peer.load(moment_facts(facts, moment), moment)   # shape data, add, build bundle
    peer.decide(actor, recipient, item, setting)                       # set input, query the bundle
"""
from __future__ import annotations

import json
from pathlib import Path

import regopy

from .core import day

POLICY = Path(__file__).with_name("policy_core.rego")


def shard(key: str) -> str:
    return key[-3:]


def shape(rows: dict[str, list[tuple]]) -> dict:
    """The facts as the JSON documents policy_core.rego reads (see its header)."""
    dw: dict = {name: {} for name in ("clb", "staff", "pupil", "guides", "circle", "item", "gconsent", "comp")}
    dw.update(acts={}, supgraph={}, director={}, contact={}, roles={}, police=[], court=[], prosecutor=[],
              emergency_service=[], reporting_point=[])

    def at(doc: str, key: str, default):
        return dw[doc].setdefault(shard(key), {}).setdefault(key, default)

    for (p,) in rows["clb_worker"]:
        at("clb", p, True)
    for p, school, role in rows["school_staff"]:
        at("staff", p, []).append({"school": school, "role": role})
        if role == "director":
            dw["director"].setdefault(school, []).append(p)
        dw["roles"].setdefault(school, {}).setdefault(role, []).append(p)
    for p, school in rows["clb_contact_for"]:
        dw["contact"].setdefault(school, []).append(p)
    for p, school in rows["pupil"]:
        entry = at("pupil", p, {"known": True, "school": school, "jc": False, "ji": False, "parents": []})
        entry["known"], entry["school"] = True, school

    def pupil(p):
        return at("pupil", p, {"known": False, "school": None, "jc": False, "ji": False, "parents": []})

    for p, born in rows["born"]:
        pupil(p).setdefault("born", []).append(born)
    for (p,) in rows["judged_capable"]:
        pupil(p)["jc"] = True
    for (p,) in rows["judged_incapable"]:
        pupil(p)["ji"] = True
    for g, p in rows["parent"]:
        pupil(p)["parents"].append(g)
    for w, p in rows["guides"]:
        at("guides", p, []).append(w)
    # The superior_of graph, one document per connected part (in practice one per school), so that
    # no single object gets large: comp[shard][person] = part id; supgraph[part] = {person: [superiors]}.
    part: dict = {}

    def find(x):
        while part.setdefault(x, x) != x:
            part[x] = part[part[x]]
            x = part[x]
        return x

    for sup, sub in rows["superior_of"]:
        part[find(sup)] = find(sub)
    for sup, sub in rows["superior_of"]:
        graph = dw["supgraph"].setdefault(find(sub), {})
        graph.setdefault(sub, []).append(sup)
        graph.setdefault(sup, [])
    for x in part:
        at("comp", x, find(x))
    for x, p, c in rows["circle_member"]:
        at("circle", p, {}).setdefault(c, []).append(x)
    for body in ("police", "court", "prosecutor", "emergency_service", "reporting_point"):
        dw[body] = sorted(b for (b,) in rows[body])

    def item(i):
        return at("item", i, {"pupil": None, "kinds": [], "reveals": [], "can_avert": [], "learned": {},
                              "lrn": [], "lic": {}, "consent": [], "cconsent": [], "creq": [], "greq": [],
                              "suspected": [], "at_school": False, "outside": False, "agreed": []})

    for i, p in rows["item_about"]:
        item(i)["pupil"] = p
    for i, k in rows["item_kind"]:
        item(i)["kinds"].append(k)
    for h, i, source, cap in rows["learned"]:
        item(i)["learned"].setdefault(h, []).append(cap)
        item(i)["lrn"].append({"holder": h, "source": source, "cap": cap})
    for x, i in rows["suspected"]:
        item(i)["suspected"].append(x)
    for (i,) in rows["happened_at_school"]:
        item(i)["at_school"] = True
    for (i,) in rows["source_outside_the_family"]:
        item(i)["outside"] = True
    for c, i, group, requested in rows["confidentiality_request_group"]:
        item(i)["greq"].append({"client": c, "group": group, "requested": requested})
    for p, c, i in rows["circle_agreement"]:
        item(i)["agreed"].append({"pupil": p, "circle": c})
    pupil_of = dict(rows["item_about"])
    for _g, i, _r, given in rows["consent"] + rows["consent_to_circle"]:
        if i in pupil_of:
            at("acts", pupil_of[i], []).append(given)
    for _g, p, _k, _r, given in rows["general_consent"]:
        at("acts", p, []).append(given)
    for h, i, c in rows["learned_in_circle"]:
        item(i)["lic"].setdefault(h, []).append(c)
    for i, m in rows["reveals"]:
        item(i)["reveals"].append(m)
    for x, i in rows["can_avert"]:
        item(i)["can_avert"].append(x)
    for g, i, r, given in rows["consent"]:
        item(i)["consent"].append({"giver": g, "recipient": r, "given": given})
    for c, i, r, requested in rows["confidentiality_request"]:
        item(i)["creq"].append({"client": c, "toward": r, "requested": requested})
    for g, i, c, given in rows["consent_to_circle"]:
        item(i)["cconsent"].append({"giver": g, "circle": c, "given": given})
    for g, p, k, r, given in rows["general_consent"]:
        at("gconsent", p, []).append({"giver": g, "kind": k, "recipient": r, "given": given})
    return {"dw": dw}


class RegoPeer:
    name = "rego"

    def __init__(self) -> None:
        self.rego = None
        self.bundle = None
        self.today = 0

    def load(self, rows: dict[str, list[tuple]], moment) -> None:
        rego = regopy.Interpreter()
        rego.add_module("dw", POLICY.read_text(encoding="utf-8"))
        rego.add_data_json(json.dumps(shape(rows)))
        self.today = day(moment)
        rego.set_input({"actor": "", "recipient": "", "item": "", "setting": "", "today": self.today})
        self.bundle = rego.build("data.dw.outcome")
        self.rego = rego

    def decide(self, actor: str, recipient: str, item: str, setting: str) -> str:
        self.rego.set_input({"actor": actor, "recipient": recipient, "item": item, "setting": setting,
                             "today": self.today})
        out = self.rego.query_bundle(self.bundle)
        if not out.ok():
            raise RuntimeError(f"rego failed on {(actor, recipient, item, setting)}: {out}")
        expressions = out.results[0].expressions if out.results else []
        if len(expressions) != 1:
            raise RuntimeError(f"rego gave no outcome for {(actor, recipient, item, setting)}: {out}")
        return expressions[0]
