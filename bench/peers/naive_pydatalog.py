"""Naive pyDatalog use (reference (a)): the policy core as a pyDatalog program text, loaded with
`pyDatalog.load`, facts added one by one with `pyDatalog.assert_fact`, one `pyDatalog.ask` per
question (the question asserted as a fact, so that no program text is built from input) — what a user who picks pyDatalog and follows its tutorial would write.

PROGRAM is hand-written and constant (never generated from input); only facts come from the data.
Its rules are the same policy core as policy_core.lp / policy_core.rego (see core.py).
"""
from __future__ import annotations

from pyDatalog import pyDatalog

from .core import day

PROGRAM = """
ps(H, I) <= learned(H, I, F, 'clb_worker')
os(H, I) <= learned(H, I, F, 'school_staff')
bound(H, I) <= ps(H, I)
bound(H, I) <= os(H, I)

consent_act(G, P, D) <= consent(G, I, R, D) & item_about(I, P) & today(T) & (D <= T)
consent_act(G, P, D) <= general_consent(G, P, K, R, D) & today(T) & (D <= T)
consent_act(G, P, D) <= consent_to_circle(G, I, C, D) & item_about(I, P) & today(T) & (D <= T)
capacity_day(P, T) <= pupil(P, S) & today(T)
capacity_day(P, D) <= consent_act(G, P, D)
capable_on(P, D) <= capacity_day(P, D) & born(P, B) & (C == D - 120000) & (B <= C) & ~judged_incapable(P)
capable_on(P, D) <= capacity_day(P, D) & judged_capable(P) & ~judged_incapable(P)
incapable_on(P, D) <= capacity_day(P, D) & judged_incapable(P)
incapable_on(P, D) <= capacity_day(P, D) & born(P, B) & (C == D - 120000) & (B > C) & ~judged_capable(P)
incapable(P) <= today(T) & incapable_on(P, T)
competent(G, P, D) <= capable_on(P, D) & (G == P)
competent(G, P, D) <= parent(G, P) & incapable_on(P, D)

in_circle(X, P, C) <= circle_member(X, P, C)
in_circle(X, P, 'hierarchical_superior') <= pupil(P, S) & school_staff(X, S, 'director')

valid_consent(I, R) <= consent(G, I, R, D) & item_about(I, P) & competent(G, P, D)
valid_consent(I, R) <= general_consent(G, P, K, R, D) & item_about(I, P) & item_kind(I, K) & competent(G, P, D)
valid_consent(I, R) <= consent_to_circle(G, I, C, D) & item_about(I, P) & competent(G, P, D) & in_circle(R, P, C)

client(C, I) <= item_about(I, C)
client(C, I) <= item_about(I, P) & parent(C, P) & incapable(P)
client(C, I) <= learned(H, I, C, Cap) & item_about(I, P) & parent(C, P)

superior(S, X) <= superior_of(S, X)
superior(S, X) <= school_staff(S, Sc, 'director') & school_staff(X, Sc, Ro) & (X != S)
superior(S, X) <= superior_of(B, X) & superior(S, B)

lapses(I) <= reveals(I, 'danger_to_life')
lapses(I) <= reveals(I, 'danger_to_property')
lapses(I) <= reveals(I, 'danger_to_public_safety')
lapses(I) <= reveals(I, 'emergency')
helps(X, I) <= can_avert(X, I)
helps(X, I) <= lapses(I) & police(X)
helps(X, I) <= lapses(I) & emergency_service(X)

must_report(I) <= reveals(I, 'child_abuse')
must_report(I) <= reveals(I, 'concern_about_minor')
obligated(A, R, I) <= clb_worker(A) & ps(A, I) & must_report(I) & reporting_point(R)

choice(A, R, I, St) <= bound(A, I) & (St == 'court_testimony') & court(R)

exception(A, R, I) <= ps(A, I) & lapses(I) & helps(R, I)
exception(A, R, I) <= os(A, I) & lapses(I) & helps(R, I)
exception(A, R, I) <= bound(A, I) & must_report(I) & reporting_point(R)

colleague(R, I) <= item_about(I, P) & clb_worker(R) & guides(R, P)
may_tell(A, R, I) <= ps(A, I) & clb_worker(A) & colleague(R, I) & (R != A)
may_tell(A, R, I) <= bound(A, I) & valid_consent(I, R)
in_some_circle(H, I) <= learned_in_circle(H, I, C)
may_tell(A, R, I) <= os(A, I) & superior(R, A) & ~in_some_circle(A, I)
may_tell(A, R, I) <= learned_in_circle(A, I, C) & item_about(I, P) & in_circle(R, P, C) & (R != A)

keep_from(I, R, D) <= confidentiality_request(C, I, R, D) & client(C, I) & today(T) & (D <= T)
lifted(I, R, D) <= keep_from(I, R, D) & consent(G, I, R, D2) & item_about(I, P) & competent(G, P, D2) & (D2 > D)
shares_circle(A, R, I) <= learned_in_circle(A, I, C) & item_about(I, P) & in_circle(R, P, C)
blocked(A, R, I) <= ps(A, I) & keep_from(I, R, D) & ~lifted(I, R, D)
blocked(A, R, I) <= learned_in_circle(A, I, C) & asked(A, R, I) & ~shares_circle(A, R, I) & ~valid_consent(I, R)

decision(A, R, I, St, 'obligated') <= obligated(A, R, I)
decision(A, R, I, St, 'discretionary') <= choice(A, R, I, St) & ~obligated(A, R, I)
decision(A, R, I, St, 'permitted') <= exception(A, R, I) & ~obligated(A, R, I) & ~choice(A, R, I, St)
decision(A, R, I, St, 'permitted') <= may_tell(A, R, I) & ~blocked(A, R, I) & ~obligated(A, R, I) & ~choice(A, R, I, St)

asked(A, R, I) <= question(A, R, I, St)
answer(O) <= question(A, R, I, St) & decision(A, R, I, St, O)
"""


class NaivePyDatalog:
    name = "pydatalog-naive"

    def load(self, rows: dict[str, list[tuple]], moment) -> None:
        pyDatalog.clear()
        pyDatalog.load(PROGRAM)
        pyDatalog.assert_fact("today", day(moment))
        for predicate, tuples in rows.items():
            for args in tuples:
                pyDatalog.assert_fact(predicate, *args)

    def decide(self, actor: str, recipient: str, item: str, setting: str) -> str:
        """One ask; no positive outcome is `forbidden` (D5: nothing obliges, allows or permits)."""
        # The question is a fact (asserted, asked about, retracted): no program text is built from it.
        pyDatalog.assert_fact("question", actor, recipient, item, setting)
        try:
            answer = pyDatalog.ask("answer(O)")
        finally:
            pyDatalog.retract_fact("question", actor, recipient, item, setting)
        found = {row[0] for row in answer.answers} if answer else set()
        if not found:
            return "forbidden"
        for outcome in ("obligated", "discretionary", "permitted"):
            if outcome in found:
                if len(found) > 1:
                    raise RuntimeError(f"pyDatalog gave {sorted(found)} for {(actor, recipient, item, setting)}")
                return outcome
        raise RuntimeError(found)
