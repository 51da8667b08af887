"""The policy core that every peer engine implements natively, and the data every peer is given.

The *policy core* is the part of the rule base that decides most questions (issue 5, brought up
to the rules of issues 8 and 14):
  B1/B10/L11 the secrecy an item is held under (by the capacity it was learned in); B2 shared
  secrecy with a CLB colleague who guides the pupil (need to know is a condition on the decision,
  not a stored precondition); B3 consent under either secrecy (item, kind and circle consent; L3
  capacity judged on the day the consent was given: 12 or over presumed capable unless judged
  incapable, judged capable below 12; parents consent for a pupil who is not capable; a consent
  dated after the moment asked does not count); B4 a client's confidentiality request toward a
  named person blocks from its date, unless a later item-specific consent to that person (L9); the
  parents are clients only for a pupil who is not capable, or for what they confided themselves;
  B9 the duty to tell the reporting point, and any holder's permission to; B10/L8 the official
  channel to a (transitive) hierarchical superior or the school's director, unless learned inside
  a circle; B13a inside a circle (no stored agreement needed), and the circle boundary (block,
  unless a valid consent to the recipient); B7 court testimony -> discretionary; B6 danger /
  emergency exceptions -> permitted (toward whoever can help avert it); and the decision order
  obligated > discretionary > permitted (exception, or unblocked ground) > forbidden.

Left out of the core (a peer may disagree with Deelwijzer where one of these decides): B4 requests
toward a group (school / parents / everyone), B5 staff requests, B6 self-defence, B8 past crimes,
B11 the director's request, B13a agreements that exclude an item or a colleague, B14/L4 trusted
persons, L5 file access, L6 reporting to the prosecutor, L7 youth-care workers and the
not-necessary mark, L8 care team / guidance cell / guiding CLB as official channels, L10 own data.

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
    "B1.care_provider", "B1.professional_secrecy", "B10.official_secrecy",
    "L11.bound_professional", "L11.bound_official",
    "B2.shared_secrecy", "B2.colleague",
    "B3.consent", "L9.item_consent", "L9.general_consent", "L9.circle_consent",
    "L9.consent_given", "L9.general_consent_given", "L9.circle_consent_given",
    "L3.question_day", "L3.consent_day", "L3.presumed_capable", "L3.judged_capable", "L3.judged_incapable",
    "L3.under_twelve", "L3.capable", "L3.incapable", "L3.pupil_consents", "L3.parents_consent",
    "B4.confidentiality", "B4.client_pupil", "B4.client_parent", "B4.client_parent_confided",
    "B4.toward_person", "L9.later_specific_consent",
    "B9.child_abuse", "B9.concern", "B9.report", "B9.report_by_holder",
    "B10.official_channel", "B10.learned_in_circle", "L8.superior", "B10.superior_direct",
    "B10.superior_chain", "L8.director_is_superior",
    "B13.membership", "B12.director_circle", "B13a.inside_circle", "B13a.outside_circle",
    "B13a.circle_of_learning",
    "B7.court_testimony",
    "B6.danger_to_life", "B6.danger_to_property", "B6.danger_to_public_safety", "B6.emergency",
    "B6.exception", "B6.official_secrecy_a_fortiori", "B6.named_helper", "B6.police_helps",
    "B6.emergency_service_helps",
}

# The input predicates the core reads (everything else is not given to the peers).
CORE_INPUTS = (
    "clb_worker", "school_staff", "pupil", "born", "parent", "judged_capable", "judged_incapable",
    "guides", "superior_of", "circle_member", "police", "court", "reporting_point",
    "emergency_service", "item_about", "item_kind", "learned", "learned_in_circle", "reveals",
    "can_avert", "consent", "general_consent", "consent_to_circle", "confidentiality_request",
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
