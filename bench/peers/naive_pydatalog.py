"""Naive pyDatalog use (reference (a)): the policy core as a pyDatalog program text, loaded with
`pyDatalog.load`, facts added one by one with `pyDatalog.assert_fact`, one `pyDatalog.ask` per
question — what a user who picks pyDatalog and follows its tutorial would write.

PROGRAM is hand-written and constant (never generated from input); only facts come from the data.
Its rules are the same policy core as policy_core.lp / policy_core.rego (see core.py).
"""
from __future__ import annotations

from pyDatalog import pyDatalog

from .core import day

PROGRAM = """
ps(H, I) <= learned(H, I, F, 'clb_worker') & clb_worker(H)
os(H, I) <= learned(H, I, F, 'school_staff') & school_staff(H, S, Ro) & item_about(I, P) & pupil(P, S)

capable(P) <= born(P, B) & today(T) & (C == T - 120000) & (B <= C) & ~judged_incapable(P)
capable(P) <= judged_capable(P) & ~judged_incapable(P)
competent(G, P) <= pupil(P, S) & (G == P) & capable(P)
competent(G, P) <= parent(G, P) & ~capable(P)

valid_consent(I, R) <= consent(G, I, R, D) & item_about(I, P) & competent(G, P)
valid_consent(I, R) <= general_consent(G, P, K, R, D) & item_about(I, P) & item_kind(I, K) & competent(G, P)

client(C, I) <= item_about(I, C)
client(C, I) <= item_about(I, P) & parent(C, P)

superior(S, X) <= superior_of(S, X)
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

choice(A, R, I, St) <= ps(A, I) & (St == 'court_testimony') & court(R)

exception(A, R, I) <= ps(A, I) & lapses(I) & helps(R, I)
exception(A, R, I) <= os(A, I) & lapses(I) & helps(R, I)

may_tell(A, R, I) <= ps(A, I) & clb_worker(A) & item_about(I, P) & clb_worker(R) & guides(R, P) & (R != A) & necessary_for_guidance(I)
may_tell(A, R, I) <= ps(A, I) & valid_consent(I, R)
in_some_circle(H, I) <= learned_in_circle(H, I, C)
may_tell(A, R, I) <= os(A, I) & superior(R, A) & ~in_some_circle(A, I)
in_circle(X, P, C) <= circle_member(X, P, C)
in_circle(X, P, 'hierarchical_superior') <= pupil(P, S) & school_staff(X, S, 'director')
may_tell(A, R, I) <= learned_in_circle(A, I, C) & item_about(I, P) & in_circle(R, P, C) & circle_agreement(P, C, I) & (R != A)

keep_from(I, R, D) <= confidentiality_request(C, I, R, D) & client(C, I)
lifted(I, R, D) <= keep_from(I, R, D) & consent(G, I, R, D2) & item_about(I, P) & competent(G, P) & (D2 > D)
blocked(A, R, I) <= ps(A, I) & keep_from(I, R, D) & ~lifted(I, R, D)
blocked(A, R, I) <= learned_in_circle(A, I, C) & item_about(I, P) & ~in_circle(R, P, C)

decision(A, R, I, St, 'obligated') <= obligated(A, R, I)
decision(A, R, I, St, 'discretionary') <= choice(A, R, I, St) & ~obligated(A, R, I)
decision(A, R, I, St, 'permitted') <= exception(A, R, I) & ~obligated(A, R, I) & ~choice(A, R, I, St)
decision(A, R, I, St, 'permitted') <= may_tell(A, R, I) & ~blocked(A, R, I) & ~obligated(A, R, I) & ~choice(A, R, I, St)
"""


def _quote(v) -> str:
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("\\", "\\\\").replace("'", "\\'") + "'"


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
        answer = pyDatalog.ask(f"decision({_quote(actor)}, {_quote(recipient)}, {_quote(item)}, "
                               f"{_quote(setting)}, O)")
        found = {row[0] for row in answer.answers} if answer else set()
        if not found:
            return "forbidden"
        for outcome in ("obligated", "discretionary", "permitted"):
            if outcome in found:
                if len(found) > 1:
                    raise RuntimeError(f"pyDatalog gave {sorted(found)} for {(actor, recipient, item, setting)}")
                return outcome
        raise RuntimeError(found)
