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
# Secrecy: by the capacity the item was learned in
ps(H, I) <= learned(H, I, F, 'clb_worker')                                    # B1.professional_secrecy
os(H, I) <= learned(H, I, F, 'school_staff')                                  # B10.official_secrecy
bound(H, I) <= ps(H, I)                                                       # L11.bound_professional
bound(H, I) <= os(H, I)                                                       # L11.bound_official

# L3: capacity on a day (the day asked, or the day a consent was given), and who consents
consent_act(G, P, D) <= consent(G, I, R, D) & item_about(I, P) & today(T) & (D <= T)          # L9.consent_given
consent_act(G, P, D) <= general_consent(G, P, K, R, D) & today(T) & (D <= T)                  # L9.general_consent_given
consent_act(G, P, D) <= consent_to_circle(G, I, C, D) & item_about(I, P) & today(T) & (D <= T)  # L9.circle_consent_given
capacity_day(P, T) <= pupil(P, S) & today(T)                                  # L3.question_day
capacity_day(P, D) <= consent_act(G, P, D)                                    # L3.consent_day
capable_on(P, D) <= capacity_day(P, D) & born(P, B) & (C == D - 120000) & (B <= C) & ~judged_incapable(P)  # L3.presumed_capable
capable_on(P, D) <= capacity_day(P, D) & judged_capable(P) & ~judged_incapable(P)       # L3.judged_capable
incapable_on(P, D) <= capacity_day(P, D) & judged_incapable(P)                          # L3.judged_incapable
incapable_on(P, D) <= capacity_day(P, D) & born(P, B) & (C == D - 120000) & (B > C) & ~judged_capable(P)  # L3.under_twelve
capable(P) <= today(T) & capable_on(P, T)                                     # L3.capable
competent(G, P, D) <= capable_on(P, D) & (G == P)                             # L3.pupil_consents
competent(G, P, D) <= parent(G, P) & incapable_on(P, D) & ~of_age(P)          # L3.parents_consent
of_age(P) <= born(P, B) & today(T) & (C == T - 180000) & (B <= C)            # L12.of_age

# Circles (B12, B13) and the care structure (L8)
in_circle(X, P, C) <= circle_member(X, P, C)                                  # B13.membership
in_circle(X, P, 'hierarchical_superior') <= pupil(P, S) & school_staff(X, S, 'director')  # B12.director_circle
+ within_step('hierarchical_superior', 'guidance_cell')                       # B12.superior_within_guidance_cell
+ within_step('guidance_cell', 'care_team')                                   # B12.guidance_cell_within_care_team
+ within_step('care_team', 'class_council')                                   # B12.care_team_within_class_council
+ within_step('class_council', 'all_staff')                                   # B12.class_council_within_all_staff
within(A, C) <= within_step(A, C)
within(A, C) <= within_step(A, B) & within(B, C)                              # B12.within_transitive
care(X, P) <= in_circle(X, P, 'care_team')                                    # L8.care_team
care(X, P) <= in_circle(X, P, 'guidance_cell')                                # L8.guidance_cell
care(X, P) <= in_circle(X, P, 'hierarchical_superior')                        # L8.director
care(X, P) <= pupil(P, S) & school_staff(X, S, 'care_coordinator')            # L8.care_coordinator
care(X, P) <= pupil(P, S) & school_staff(X, S, 'internal_counsellor')         # L8.internal_counsellor
care(X, P) <= pupil(P, S) & clb_contact_for(X, S)                             # L8.clb_contact
care(X, P) <= clb_worker(X) & guides(X, P)                                    # L8.guiding_clb

# B3 / L9: valid consent toward a recipient
valid_consent(I, R) <= consent(G, I, R, D) & item_about(I, P) & competent(G, P, D)      # L9.item_consent
valid_consent(I, R) <= (general_consent(G, P, K, R, D) & item_about(I, P) & item_kind(I, K) & competent(G, P, D)
                        & today(T) & competent(G, P, T))  # L9.general_consent
valid_consent(I, R) <= consent_to_circle(G, I, C, D) & item_about(I, P) & competent(G, P, D) & in_circle(R, P, C)  # L9.circle_consent

# L9.consent_travels
from_clb(A, I) <= learned(A, I, F, 'school_staff') & clb_worker(F)           # L9.learned_from_the_clb
entitled(P, I) <= item_about(I, P)                                            # L9.entitled_pupil
entitled(X, I) <= item_about(I, P) & today(T) & competent(X, P, T)            # L9.entitled_who_can_consent
entitled(S, I) <= learned(H, I, S, Cap)                                       # L9.entitled_source

# B4 toward a named person, its lifting and its exemptions
confided(C, I) <= learned(H, I, C, Cap) & (C != H)                            # L13.confided
client(C, I) <= item_about(I, C)                                              # B4.client_pupil
client(C, I) <= item_about(I, P) & parent(C, P) & ~capable(P) & ~of_age(P)    # B4.client_parent
client(C, I) <= confided(C, I)                                                # B4.confider
keep_from(C, I, R, D) <= confidentiality_request(C, I, R, D) & client(C, I)   # B4.toward_person
made_request(C, I) <= confidentiality_request(C, I, R, D)                     # B4.request_toward_a_person
made_request(C, I) <= confidentiality_request_group(C, I, G, D)               # B4.request_toward_a_group
made_against(C, I, X) <= confidentiality_request(C, I, X, D)                  # L9.made_against_a_person, B4.named_in_a_request
made_against(C, I, X) <= confidentiality_request_group(C, I, 'parents', D) & item_about(I, P) & parent(X, P)   # L9.made_against_the_parents
made_against(C, I, X) <= confidentiality_request_group(C, I, 'everyone', D) & item_about(I, P) & parent(X, P)  # L9.made_against_everyone
lifted(C, I, R, D) <= keep_from(C, I, R, D) & consent(C, I, R, G) & (G > D) & (C != R)   # L9.requester_lifts
lifted(C, I, R, D) <= keep_from(C, I, R, D) & item_about(I, C) & consent(X, I, R, G) & competent(X, C, G) & (G > D) & (X != R) & ~made_against(C, I, X)  # L9.lifted_for_the_pupil
coparent(C, R, I) <= made_request(C, I) & item_about(I, P) & parent(C, P) & parent(R, P) & ~confided(C, I)  # L12.request_against_a_coparent
+ schooling('learning')                                                       # L12.learning_is_schooling
+ schooling('test_results')                                                   # L12.results_are_schooling
+ schooling('study_guidance')                                                 # L12.study_guidance_is_schooling
+ schooling('behaviour')                                                      # L12.behaviour_is_schooling
+ schooling('attendance')                                                     # L12.attendance_is_schooling
at_school(I) <= happened_at_school(I)                                         # L12.happened_at_school
at_school(I) <= learned(H, I, H, 'school_staff')                              # L12.observed_at_school
school_life(I) <= item_kind(I, K) & schooling(K)                             # L12.school_life_schooling
school_life(I) <= at_school(I)                                                # L12.school_life_at_school
informed(R, P) <= parent(R, P)                                                # L12.the_parents_are_informed
informed(R, P) <= care(R, P)                                                  # L12.the_care_structure_is_informed
gives_way(A, C, R, I) <= os(A, I) & made_request(C, I) & school_life(I) & ~confided(C, I) & item_about(I, P) & informed(R, P)  # L12.own_school_record
gives_way(A, C, R, I) <= os(A, I) & ~ps(A, I) & made_request(C, I) & at_school(I) & item_about(I, P) & parent(R, P) & ~item_about(I, C) & ~parent(C, P)  # L12.a_witness_does_not_keep_it_from_the_parents
blocked_b4(A, R, I) <= bound(A, I) & keep_from(C, I, R, D) & today(T) & (D <= T) & ~lifted(C, I, R, D) & ~gives_way(A, C, R, I) & ~coparent(C, R, I)  # B4.confidentiality

# B10 / L8: the official channels
superior(S, X) <= superior_of(S, X)                                           # B10.superior_direct
superior(S, X) <= school_staff(S, Sc, 'director') & school_staff(X, Sc, Ro) & (X != S)  # L8.director_is_superior
superior(S, X) <= superior_of(B, X) & superior(S, B)                          # B10.superior_chain
channel(A, R, I) <= os(A, I) & superior(R, A)                                 # L8.superior
channel(A, R, I) <= os(A, I) & item_about(I, P) & pupil(P, S) & school_staff(A, S, Ro) & care(R, P)  # L8.care_structure
channel(A, R, I) <= os(A, I) & item_about(I, P) & in_circle(A, P, 'class_council') & in_circle(R, P, 'class_council') & (R != A)  # L8.class_council_colleague
channel(A, R, I) <= os(A, I) & item_about(I, P) & care(A, P) & in_circle(R, P, 'class_council') & (R != A)  # L8.care_structure_to_class_council
in_some_circle(H, I) <= learned_in_circle(H, I, C)                            # B10.learned_in_circle

# B13a: inside the circle, inward, and the outward boundary
inward(A, R, I) <= learned_in_circle(A, I, C) & item_about(I, P) & in_circle(R, P, C2) & within(C2, C)  # B13a.inner_circle
inward(A, R, I) <= learned_in_circle(A, I, C) & item_about(I, P) & clb_worker(R) & guides(R, P)  # B13a.guiding_clb
inward(A, R, I) <= learned_in_circle(A, I, C) & within('guidance_cell', C) & item_about(I, P) & care(R, P)  # B13a.care_structure_by_role
shares(A, R, I) <= learned_in_circle(A, I, C) & item_about(I, P) & in_circle(R, P, C)  # B13a.circle_of_learning
shares(A, R, I) <= inward(A, R, I)                                            # B13a.inward_is_not_outward
shares(A, R, I) <= in_some_circle(A, I) & item_about(I, P) & circle_agreement(P, C, I) & in_circle(R, P, C)  # B13a.agreed_circle
confided_to(A, I, R) <= learned(A, I, R, Cap)                                 # B13a.told_by_the_recipient

# B6 danger / emergency, B9 abuse and concern
lapses(I) <= reveals(I, 'danger_to_life')                                     # B6.danger_to_life
lapses(I) <= reveals(I, 'danger_to_property')                                 # B6.danger_to_property
lapses(I) <= reveals(I, 'danger_to_public_safety')                            # B6.danger_to_public_safety
lapses(I) <= reveals(I, 'emergency')                                          # B6.emergency
outside_family(I) <= source_outside_the_family(I)                             # B9.source_outside_the_family
outside_family(I) <= happened_at_school(I)                                    # B9.happened_at_school
abuse_in_family(I) <= reveals(I, 'child_abuse') & ~outside_family(I)          # B6.abuse_within_the_family
helps(X, I) <= lapses(I) & item_about(I, P) & parent(X, P) & ~suspected(X, I) & ~abuse_in_family(I)  # B6.parent_helps
helps(X, I) <= lapses(I) & item_about(I, P) & care(X, P) & ~suspected(X, I)   # B6.care_structure_helps
helps(X, I) <= can_avert(X, I)                                                # B6.named_helper
helps(X, I) <= lapses(I) & police(X)                                          # B6.police_helps
helps(X, I) <= lapses(I) & emergency_service(X)                               # B6.emergency_service_helps
must_report(I) <= reveals(I, 'child_abuse')                                   # B9.child_abuse
must_report(I) <= reveals(I, 'concern_about_minor')                           # B9.concern
colleague(R, I) <= item_about(I, P) & clb_worker(R) & guides(R, P)            # B2.colleague, B1.care_provider

must_tell(A, R, I, St) <= clb_worker(A) & ps(A, I) & must_report(I) & reporting_point(R) & question(A, R, I, St)  # B9.report
must_tell(A, R, I, St) <= os(A, I) & ~ps(A, I) & (St == 'court_testimony') & court(R) & question(A, R, I, St)    # B7.staff_witness
choice(A, R, I, St) <= ps(A, I) & (St == 'court_testimony') & court(R)       # B7.court_testimony

exception(A, R, I) <= ps(A, I) & lapses(I) & helps(R, I)                      # B6.exception
exception(A, R, I) <= os(A, I) & lapses(I) & helps(R, I)                      # B6.official_secrecy_a_fortiori
exception(A, R, I) <= bound(A, I) & must_report(I) & reporting_point(R)       # B9.report_by_holder
exception(A, R, I) <= os(A, I) & must_report(I) & item_about(I, P) & care(R, P) & (R != A) & ~suspected(R, I)  # B9.signal_care_structure
exception(A, R, I) <= bound(A, I) & must_report(I) & outside_family(I) & item_about(I, P) & parent(R, P) & ~suspected(R, I)  # B9.inform_protective_parent
exception(A, R, I) <= ps(A, I) & clb_worker(A) & must_report(I) & colleague(R, I) & (R != A)  # B9.signal_involved_colleague
exception(A, R, I) <= bound(A, I) & reveals(I, 'child_abuse') & prosecutor(R)  # L6.report_abuse_to_prosecutor
exception(A, R, I) <= bound(A, I) & reveals(I, 'concern_about_minor') & ~reveals(I, 'child_abuse') & item_about(I, P) & parent(R, P) & ~suspected(R, I)  # B9.discuss_a_concern_with_the_parents

# The grounds
may_tell(A, R, I) <= ps(A, I) & clb_worker(A) & colleague(R, I) & (R != A)    # B2.shared_secrecy
may_tell(A, R, I) <= bound(A, I) & valid_consent(I, R)                        # B3.consent
may_tell(A, R, I) <= os(A, I) & channel(A, R, I) & ~in_some_circle(A, I)      # B10.official_channel
may_tell(A, R, I) <= learned_in_circle(A, I, C) & item_about(I, P) & in_circle(R, P, C) & (R != A)  # B13a.inside_circle
may_tell(A, R, I) <= inward(A, R, I) & (R != A)                               # B13a.inward
may_tell(A, R, I) <= os(A, I) & item_about(I, P) & circle_agreement(P, C, I) & in_circle(R, P, C) & (R != A)  # B13a.agreement_shares
may_tell(A, R, I) <= bound(A, I) & learned(A, I, R, Cap) & (R != A)           # L13.back_to_the_source

# The blocks, for the question asked
asked(A, R, I) <= question(A, R, I, St)
blocked(A, R, I) <= asked(A, R, I) & blocked_b4(A, R, I)                      # B4.confidentiality
blocked(A, R, I) <= asked(A, R, I) & from_clb(A, I) & ~valid_consent(I, R) & ~entitled(R, I)  # L9.consent_travels
blocked(A, R, I) <= asked(A, R, I) & learned_in_circle(A, I, C) & item_about(I, P) & pupil(P, S) & school_staff(R, S, Ro) & ~shares(A, R, I) & ~valid_consent(I, R) & ~confided_to(A, I, R)  # B13a.outside_circle

# The decision: obligated > discretionary > permitted > forbidden (D1-D5)
decision(A, R, I, St, 'obligated') <= must_tell(A, R, I, St)                  # D1.obligated
decision(A, R, I, St, 'discretionary') <= question(A, R, I, St) & choice(A, R, I, St) & ~must_tell(A, R, I, St)  # D2.discretionary
decision(A, R, I, St, 'permitted') <= question(A, R, I, St) & exception(A, R, I) & ~must_tell(A, R, I, St) & ~choice(A, R, I, St)  # D3.permitted_by_exception
decision(A, R, I, St, 'permitted') <= question(A, R, I, St) & may_tell(A, R, I) & ~blocked(A, R, I) & ~must_tell(A, R, I, St) & ~choice(A, R, I, St)  # D4.permitted_by_ground

answer(O) <= question(A, R, I, St) & decision(A, R, I, St, O)
"""


# The arity of each input predicate (to declare those without facts).
ARITY = {"clb_worker": 1, "school_staff": 3, "pupil": 2, "born": 2, "parent": 2, "judged_capable": 1,
         "judged_incapable": 1, "guides": 2, "superior_of": 2, "circle_member": 3, "clb_contact_for": 2,
         "police": 1, "court": 1, "prosecutor": 1, "reporting_point": 1, "emergency_service": 1,
         "item_about": 2, "item_kind": 2, "learned": 4, "learned_in_circle": 3, "reveals": 2, "can_avert": 2,
         "suspected": 2, "happened_at_school": 1, "source_outside_the_family": 1, "consent": 4,
         "general_consent": 5, "consent_to_circle": 4, "confidentiality_request": 4,
         "confidentiality_request_group": 4, "circle_agreement": 3}


class NaivePyDatalog:
    name = "pydatalog-naive"

    def load(self, rows: dict[str, list[tuple]], moment) -> None:
        pyDatalog.clear()
        pyDatalog.load(PROGRAM)
        pyDatalog.assert_fact("today", day(moment))
        for predicate, tuples in rows.items():
            for args in tuples:
                pyDatalog.assert_fact(predicate, *args)
            if not tuples:
                # pyDatalog refuses a negated predicate it has never seen: define it empty.
                marker = ("\x00",) * ARITY[predicate]
                pyDatalog.assert_fact(predicate, *marker)
                pyDatalog.retract_fact(predicate, *marker)

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
