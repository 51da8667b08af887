"""The policy core that every peer engine implements natively, and the data every peer is given.

The *policy core* is the part of the rule base that decides most questions (issue 5, brought up
to the rules of issues 8 and 14, and to the third legal reading):
  B1/B10/L11 the secrecy an item is held under (by the capacity it was learned in: as CLB worker or
  as staff member). B2 shared secrecy with a CLB colleague who guides the pupil. B3 consent under
  either secrecy (item, kind and circle consent; L3 capacity judged on the day the consent was
  given, and for a general consent also on the day asked: 12 or over presumed capable unless judged
  incapable, judged capable below 12; parents
  consent for a minor pupil who is not capable (L12.of_age); a consent dated after the moment asked does not count).
  L9.consent_travels: what a staff member got from the CLB goes on only where a valid consent
  reaches, or to whom it is about, who can consent for the pupil, or who told it.
  B4 a request to keep an item from a *named* person binds every holder from its date; the clients
  are the pupil, a parent unless the pupil is known capable or of age, and whoever confided it (L13); it is
  lifted by a later item consent of the requester to that person (L9.requester_lifts) or, for the
  pupil's own request, of whoever could then consent for the pupil and was not named in one of
  the pupil's requests (L9.lifted_for_the_pupil, L9.made_against_*); it does not bind a staff
  member for the school's own record toward the parents and the care structure
  (L12.own_school_record), nor one who holds the item under official secrecy alone for a witness's
  request about what happened at school toward a parent (L12.a_witness_does_not_keep_it_from_the_parents),
  nor keep from a co-parent what the requesting parent did not confide (L12.request_against_a_coparent).
  B9 the CLB worker's duty to tell the reporting point; any holder's permission to; the signal to
  the care structure, to a protective parent (what comes from outside the family), to a guiding
  colleague, a concern (not abuse) discussed with a parent not suspected; L6 any holder may inform
  the prosecutor of abuse.
  B10/L8 the official channels for official secrecy: a (transitive) superior or the school's
  director, the care structure around the pupil (care team, guidance cell, director, care
  coordinator, internal counsellor, CLB contact, guiding CLB worker) for staff of the pupil's
  school, a fellow member of the pupil's class council, the class council for a member of the care
  structure (L8.care_structure_to_class_council); not for what was learned in a circle.
  B12/B13/B13a the circles: inside the circle of learning, inward (to the circles within it in
  B12's ring order, to the guiding CLB worker, from any circle around the guidance cell to the care
  structure), an agreement with the pupil that a circle be told; outward toward the pupil's school
  staff blocked unless consent to the recipient or telling back the source (L13.back_to_the_source
  is also a ground of its own). B7 court testimony: discretionary under professional secrecy, a
  duty for a staff member with official secrecy only. B6 danger / emergency exceptions toward whoever
  can help avert it (a named helper, police, emergency services, the care structure, a parent
  unless suspected or the abuse may come from within the family). And the decision order
  obligated > discretionary > permitted (exception, or unblocked ground) > forbidden.

Left out of the core (a peer may disagree with Deelwijzer where one of these decides, so such
questions are not compared): B4 requests toward a group (school / parents / everyone: the peers
read group requests only for who made a request and against whom, the exemption
B4.care_structure_despite_a_group_request applies to group requests only), B5 staff requests, B6
self-defence, B8 past crimes, B11 the director's request, B13a agreements that exclude an item or
a colleague, B14/L4 trusted persons (items learned as trusted person, B9's trusted person to the
guiding CLB worker), L5 file access, L7 youth-care workers and the not-necessary mark, L10 own
data, L12 informing the parents about the schooling (the grounds; the exemptions from B4 are in),
I1-I5 what a reader may not be shown and the block around it (I5.no_ground_around_the_reader_rules).

Every peer gets the same data: the base facts *valid on the moment asked about* (validity periods
are resolved here, as Deelwijzer's moment model does), with dates as integers YYYYMMDD so that
"12 or older on T" is `born <= T - 120000` and "later than" is `>` in every language.
"""
from __future__ import annotations

import datetime

# Deelwijzer rules that belong to the policy core: a question whose proof (of its outcome and of
# every block that fired) uses only these must get the same outcome from every peer.
CORE_RULES = {
    "D1.obligated", "D2.discretionary", "D3.permitted_by_exception", "D4.permitted_by_ground",
    "D5.forbidden",
    # secrecy
    "B1.care_provider", "B1.professional_secrecy", "B10.official_secrecy",
    "L11.bound_professional", "L11.bound_official",
    # shared secrecy, consent, capacity
    "B2.shared_secrecy", "B2.colleague",
    "B3.consent", "L9.item_consent", "L9.general_consent", "L9.circle_consent",
    "L9.consent_given", "L9.general_consent_given", "L9.circle_consent_given",
    "L3.question_day", "L3.consent_day", "L3.presumed_capable", "L3.judged_capable", "L3.judged_incapable",
    "L3.under_twelve", "L3.capable", "L3.incapable", "L3.pupil_consents", "L3.parents_consent", "L12.of_age",
    "L9.consent_travels", "L9.learned_from_the_clb", "L9.entitled_pupil", "L9.entitled_who_can_consent",
    "L9.entitled_source",
    # B4 toward a named person, its lifting and exemptions
    "B4.confidentiality", "B4.client_pupil", "B4.client_parent", "B4.confider", "L13.confided",
    "B4.toward_person", "B4.named_in_a_request", "B4.request_toward_a_person", "B4.request_toward_a_group",
    "L9.requester_lifts", "L9.lifted_for_the_pupil", "L9.made_against_a_person",
    "L9.made_against_the_parents", "L9.made_against_everyone",
    "L12.request_against_a_coparent", "L12.own_school_record", "L12.a_witness_does_not_keep_it_from_the_parents",
    "L12.school_life_schooling", "L12.school_life_at_school", "L12.the_parents_are_informed",
    "L12.the_care_structure_is_informed",
    "L12.happened_at_school", "L12.observed_at_school",
    "L12.learning_is_schooling", "L12.results_are_schooling", "L12.study_guidance_is_schooling",
    "L12.behaviour_is_schooling", "L12.attendance_is_schooling",
    # B9 abuse and concern, L6
    "B9.child_abuse", "B9.concern", "B9.report", "B9.report_by_holder", "B9.signal_care_structure",
    "B9.inform_protective_parent", "B9.signal_involved_colleague", "B9.source_outside_the_family",
    "B9.happened_at_school", "B9.discuss_a_concern_with_the_parents", "L6.report_abuse_to_prosecutor",
    # B10 / L8 official channels
    "B10.official_channel", "B10.learned_in_circle", "L8.superior", "L8.care_structure",
    "L8.class_council_colleague", "L8.care_structure_to_class_council", "B10.superior_direct", "B10.superior_chain", "L8.director_is_superior",
    "L8.care_team", "L8.guidance_cell", "L8.director", "L8.care_coordinator", "L8.internal_counsellor",
    "L8.clb_contact", "L8.guiding_clb",
    # circles
    "B13.membership", "B12.director_circle", "B12.superior_within_guidance_cell",
    "B12.guidance_cell_within_care_team", "B12.care_team_within_class_council",
    "B12.class_council_within_all_staff", "B12.within_transitive",
    "B13a.inside_circle", "B13a.inward", "B13a.inner_circle", "B13a.guiding_clb",
    "B13a.care_structure_by_role", "B13a.circle_of_learning", "B13a.inward_is_not_outward",
    "B13a.agreement_shares", "B13a.agreed_circle", "B13a.outside_circle",
    "B13a.told_by_the_recipient", "L13.back_to_the_source",
    # B7
    "B7.court_testimony", "B7.staff_witness",
    # B6
    "B6.danger_to_life", "B6.danger_to_property", "B6.danger_to_public_safety", "B6.emergency",
    "B6.exception", "B6.official_secrecy_a_fortiori", "B6.parent_helps", "B6.abuse_within_the_family",
    "B6.care_structure_helps", "B6.named_helper", "B6.police_helps", "B6.emergency_service_helps",
}

# The input predicates the core reads (everything else is not given to the peers).
CORE_INPUTS = (
    "clb_worker", "school_staff", "pupil", "born", "parent", "judged_capable", "judged_incapable",
    "guides", "superior_of", "circle_member", "clb_contact_for", "police", "court", "prosecutor",
    "reporting_point", "emergency_service", "item_about", "item_kind", "learned", "learned_in_circle",
    "reveals", "can_avert", "suspected", "happened_at_school", "source_outside_the_family",
    "consent", "general_consent", "consent_to_circle", "confidentiality_request",
    "confidentiality_request_group", "circle_agreement",
)


def day(value: datetime.date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


def value(v):
    return day(v) if isinstance(v, datetime.date) else v


def moment_facts(facts, moment: datetime.date) -> dict[str, list[tuple]]:
    """predicate -> argument tuples of the core's input facts valid on `moment` (dates as ints)."""
    out: dict[str, list[tuple]] = {p: [] for p in CORE_INPUTS}
    for predicate in CORE_INPUTS:
        rows = out[predicate]
        for fact in facts.of(predicate):
            if fact.valid_on(moment):
                rows.append(tuple(value(a) for a in fact.args))
    return out


def in_core(proof_rules) -> bool:
    """Whether a question's proof uses core rules only (None: not known, counted as outside)."""
    return proof_rules is not None and set(proof_rules) <= CORE_RULES
