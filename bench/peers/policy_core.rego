# Deelwijzer's policy core, written natively in Rego (run by regopy / rego-cpp). Hand-written and
# constant: the benchmark gives it only data (rego_peer.py shapes the facts as JSON documents) and
# one input per question: {"actor", "recipient", "item", "setting", "today"} (dates YYYYMMDD).
# Each rule names the Deelwijzer rule(s) it implements; see core.py for what the core covers.
#
# Data layout (data.dw): every document keyed by a person or item id is split into shards by the
# id's last three characters, shard(id), because rego-cpp's load time grows with the square of the
# keys of one object. clb[shard][P] = true; staff[shard][P] = [{school, role}]; pupil[shard][P] =
# {known, school, born?: [dates], jc, ji, parents}; acts[shard][Pupil] = [dates of consents about the pupil];
# guides[shard][Pupil] = [workers]; circle[shard][Pupil][Circle] = [persons]; item[shard][I] =
# {pupil, kinds, reveals, can_avert, learned: {holder: [capacity]}, lrn: [{holder, source, cap}],
# lic: {holder: [circle]}, consent: [{giver, recipient, given}], cconsent: [{giver, circle, given}],
# creq: [{client, toward, requested}], greq: [{client, group, requested}], suspected: [persons],
# at_school, outside, agreed: [{pupil, circle}]}; gconsent[shard][Pupil] = [{giver, kind,
# recipient, given}]; comp[shard][P] = the id of P's part of the superior_of graph; supgraph[part] =
# {person: [direct superiors]}; director[school] = [persons]; roles[school][role] = [persons];
# contact[school] = [CLB contact persons]; police, court, prosecutor, emergency_service,
# reporting_point = [bodies]. An item is about one pupil (as in every world the bench builds).
package dw

import rego.v1

shard(id) := substring(id, count(id) - 3, 3) if count(id) >= 3

shard(id) := id if count(id) < 3

a := input.actor
r := input.recipient
i := input.item
it := data.dw.item[shard(i)][i]
p := it.pupil
pu := data.dw.pupil[shard(p)][p]

is_clb(x) if data.dw.clb[shard(x)][x]

# --- Secrecy: by the capacity the item was learned in -------------------------------------------
ps if "clb_worker" in it.learned[a] # B1.professional_secrecy

os if "school_staff" in it.learned[a] # B10.official_secrecy

bound if ps # L11.bound_professional

bound if os # L11.bound_official

# --- L3: capacity on a day (the day asked, or the day a consent was given), and who consents ----
capacity_day(d) if { # L3.question_day
	d == input.today
	pu.known
}

capacity_day(d) if { # L3.consent_day, L9.*consent_given
	d in data.dw.acts[shard(p)][p]
	d <= input.today
}

capable_on(d) if { # L3.presumed_capable
	capacity_day(d)
	some b in pu.born
	b <= d - 120000
	not pu.ji
}

capable_on(d) if { # L3.judged_capable
	capacity_day(d)
	pu.jc
	not pu.ji
}

incapable_on(d) if { # L3.judged_incapable
	capacity_day(d)
	pu.ji
}

incapable_on(d) if { # L3.under_twelve
	capacity_day(d)
	some b in pu.born
	b > d - 120000
	not pu.jc
}

capable if capable_on(input.today) # L3.capable

competent(g, d) if { # L3.pupil_consents
	g == p
	capable_on(d)
}

competent(g, d) if { # L3.parents_consent
	g in pu.parents
	incapable_on(d)
	not of_age
}

of_age if { # L12.of_age
	some b in pu.born
	b <= input.today - 180000
}

# --- Circles (B12, B13) and the care structure (L8) ---------------------------------------------
in_circle(x, c) if x in data.dw.circle[shard(p)][p][c] # B13.membership

in_circle(x, c) if { # B12.director_circle
	c == "hierarchical_superior"
	x in data.dw.director[pu.school]
}

# B12.*_within_*, B12.within_transitive: the circles from the innermost out
ring := ["hierarchical_superior", "guidance_cell", "care_team", "class_council", "all_staff"]

within(inner, outer) if {
	some n, x in ring
	some m, y in ring
	x == inner
	y == outer
	n < m
}

care(x) if in_circle(x, "care_team") # L8.care_team

care(x) if in_circle(x, "guidance_cell") # L8.guidance_cell

care(x) if in_circle(x, "hierarchical_superior") # L8.director

care(x) if x in data.dw.roles[pu.school].care_coordinator # L8.care_coordinator

care(x) if x in data.dw.roles[pu.school].internal_counsellor # L8.internal_counsellor

care(x) if x in data.dw.contact[pu.school] # L8.clb_contact

care(x) if { # L8.guiding_clb
	is_clb(x)
	x in data.dw.guides[shard(p)][p]
}

# --- B3 / L9: valid consent toward the recipient --------------------------------------------------
valid_consent if { # L9.item_consent
	some c in it.consent
	c.recipient == r
	competent(c.giver, c.given)
}

valid_consent if { # L9.general_consent
	some g in data.dw.gconsent[shard(p)][p]
	g.kind in it.kinds
	g.recipient == r
	competent(g.giver, g.given)
	competent(g.giver, input.today)
}

valid_consent if { # L9.circle_consent
	some c in it.cconsent
	competent(c.giver, c.given)
	in_circle(r, c.circle)
}

# --- L9.consent_travels -----------------------------------------------------------------------------
from_clb if { # L9.learned_from_the_clb
	some l in it.lrn
	l.holder == a
	l.cap == "school_staff"
	is_clb(l.source)
}

entitled if r == p # L9.entitled_pupil

entitled if competent(r, input.today) # L9.entitled_who_can_consent

entitled if { # L9.entitled_source
	some l in it.lrn
	l.source == r
}

# --- B4 toward a named person, its lifting and its exemptions ------------------------------------
confided(c) if { # L13.confided
	some l in it.lrn
	l.source == c
	l.holder != c
}

client(c) if c == p # B4.client_pupil

client(c) if { # B4.client_parent
	c in pu.parents
	not capable
	not of_age
}

client(c) if confided(c) # B4.confider

made_request(c) if { # B4.request_toward_a_person
	some q in it.creq
	q.client == c
}

made_request(c) if { # B4.request_toward_a_group
	some q in it.greq
	q.client == c
}

made_against(c, x) if { # L9.made_against_a_person, B4.named_in_a_request
	some q in it.creq
	q.client == c
	q.toward == x
}

made_against(c, x) if { # L9.made_against_the_parents, L9.made_against_everyone
	some q in it.greq
	q.client == c
	q.group in {"parents", "everyone"}
	x in pu.parents
}

lifted(q) if { # L9.requester_lifts
	some c in it.consent
	c.giver == q.client
	c.recipient == r
	c.given > q.requested
	q.client != r
}

lifted(q) if { # L9.lifted_for_the_pupil
	q.client == p
	some c in it.consent
	c.recipient == r
	competent(c.giver, c.given)
	c.given > q.requested
	c.giver != r
	not made_against(q.client, c.giver)
}

coparent(c) if { # L12.request_against_a_coparent
	made_request(c)
	c in pu.parents
	r in pu.parents
	not confided(c)
}

schooling := {"learning", "test_results", "study_guidance", "behaviour", "attendance"} # L12.*_is_schooling

at_school if it.at_school # L12.happened_at_school

at_school if { # L12.observed_at_school
	some l in it.lrn
	l.holder == l.source
	l.cap == "school_staff"
}

school_life if { # L12.school_life_schooling
	some k in it.kinds
	k in schooling
}

school_life if at_school # L12.school_life_at_school

informed if r in pu.parents # L12.the_parents_are_informed

informed if care(r) # L12.the_care_structure_is_informed

parent_of_pupil(c) if c in pu.parents

gives_way(c) if { # L12.own_school_record
	os
	made_request(c)
	school_life
	not confided(c)
	informed
}

gives_way(c) if { # L12.a_witness_does_not_keep_it_from_the_parents
	os
	not ps
	made_request(c)
	at_school
	r in pu.parents
	c != p
	not parent_of_pupil(c)
}

# --- B10 / L8: the official channels ----------------------------------------------------------------
# a hierarchical superior, through the chain (Rego has no recursive rules: graph.reachable), or the
# director of the school of anyone on the chain
chain contains a

chain contains b if {
	some b in graph.reachable(data.dw.supgraph[data.dw.comp[shard(a)][a]], {a})
}

superior if { # B10.superior_direct, B10.superior_chain
	r in chain
	r != a
}

superior if { # L8.director_is_superior (through the chain)
	some b in chain
	some st in data.dw.staff[shard(b)][b]
	r in data.dw.director[st.school]
	r != b
}

channel if superior # L8.superior

channel if { # L8.care_structure
	some st in data.dw.staff[shard(a)][a]
	st.school == pu.school
	care(r)
}

channel if { # L8.care_structure_to_class_council
	care(a)
	in_circle(r, "class_council")
	r != a
}

channel if { # L8.class_council_colleague
	in_circle(a, "class_council")
	in_circle(r, "class_council")
	r != a
}

# --- B13a: inside the circle, inward, and the outward boundary ---------------------------------------
inward if { # B13a.inner_circle
	some c in it.lic[a]
	some inner in ring
	within(inner, c)
	in_circle(r, inner)
}

inward if { # B13a.guiding_clb
	some _ in it.lic[a]
	is_clb(r)
	r in data.dw.guides[shard(p)][p]
}

inward if { # B13a.care_structure_by_role
	some c in it.lic[a]
	within("guidance_cell", c)
	care(r)
}

shares if { # B13a.circle_of_learning
	some c in it.lic[a]
	in_circle(r, c)
}

shares if inward # B13a.inward_is_not_outward

shares if { # B13a.agreed_circle
	some _ in it.lic[a]
	some g in it.agreed
	g.pupil == p
	in_circle(r, g.circle)
}

told_by_recipient if { # B13a.told_by_the_recipient
	some l in it.lrn
	l.holder == a
	l.source == r
}

# --- B6 danger / emergency, B9 abuse and concern ------------------------------------------------------
lapses if { # B6.danger_to_life, B6.danger_to_property, B6.danger_to_public_safety, B6.emergency
	some m in it.reveals
	m in {"danger_to_life", "danger_to_property", "danger_to_public_safety", "emergency"}
}

outside_family if it.outside # B9.source_outside_the_family

outside_family if it.at_school # B9.happened_at_school

abuse_in_family if { # B6.abuse_within_the_family
	"child_abuse" in it.reveals
	not outside_family
}

suspected if r in it.suspected

helps if { # B6.parent_helps
	lapses
	r in pu.parents
	not suspected
	not abuse_in_family
}

helps if { # B6.care_structure_helps
	lapses
	care(r)
	not suspected
}

helps if r in it.can_avert # B6.named_helper

helps if { # B6.police_helps
	lapses
	r in data.dw.police
}

helps if { # B6.emergency_service_helps
	lapses
	r in data.dw.emergency_service
}

must_report if { # B9.child_abuse, B9.concern
	some m in it.reveals
	m in {"child_abuse", "concern_about_minor"}
}

colleague if { # B2.colleague, B1.care_provider
	is_clb(r)
	r in data.dw.guides[shard(p)][p]
}

# --- Duties, choice, exceptions ---------------------------------------------------------------------
obligated if { # B9.report
	is_clb(a)
	ps
	must_report
	r in data.dw.reporting_point
}

obligated if { # B7.staff_witness
	os
	not ps
	input.setting == "court_testimony"
	r in data.dw.court
}

may_choose if { # B7.court_testimony
	ps
	input.setting == "court_testimony"
	r in data.dw.court
}

exception if { # B6.exception, B6.official_secrecy_a_fortiori
	bound
	lapses
	helps
}

exception if { # B9.report_by_holder
	bound
	must_report
	r in data.dw.reporting_point
}

exception if { # B9.signal_care_structure
	os
	must_report
	care(r)
	r != a
	not suspected
}

exception if { # B9.inform_protective_parent
	bound
	must_report
	outside_family
	r in pu.parents
	not suspected
}

exception if { # B9.signal_involved_colleague
	ps
	is_clb(a)
	must_report
	colleague
	r != a
}

exception if { # B9.discuss_a_concern_with_the_parents
	bound
	"concern_about_minor" in it.reveals
	not "child_abuse" in it.reveals
	r in pu.parents
	not suspected
}

exception if { # L6.report_abuse_to_prosecutor
	bound
	"child_abuse" in it.reveals
	r in data.dw.prosecutor
}

# --- The grounds ----------------------------------------------------------------------------------------
may_tell if { # B2.shared_secrecy
	ps
	is_clb(a)
	colleague
	r != a
}

may_tell if { # B3.consent
	bound
	valid_consent
}

may_tell if { # B10.official_channel
	os
	channel
	not it.lic[a]
}

may_tell if { # B13a.inside_circle
	some c in it.lic[a]
	in_circle(r, c)
	r != a
}

may_tell if { # B13a.inward
	inward
	r != a
}

may_tell if { # B13a.agreement_shares
	os
	some g in it.agreed
	g.pupil == p
	in_circle(r, g.circle)
	r != a
}

may_tell if { # L13.back_to_the_source
	bound
	told_by_recipient
	r != a
}

# --- The blocks ---------------------------------------------------------------------------------------
blocked if { # B4.confidentiality (toward a named person)
	bound
	some q in it.creq
	q.toward == r
	q.requested <= input.today
	client(q.client)
	not lifted(q)
	not gives_way(q.client)
	not coparent(q.client)
}

blocked if { # L9.consent_travels
	from_clb
	not valid_consent
	not entitled
}

blocked if { # B13a.outside_circle
	some _ in it.lic[a]
	some st in data.dw.staff[shard(r)][r]
	st.school == pu.school
	not shares
	not valid_consent
	not told_by_recipient
}

# --- The decision: obligated > discretionary > permitted > forbidden (D1-D5) ---------------------------
permitted if exception # D3.permitted_by_exception

permitted if { # D4.permitted_by_ground
	may_tell
	not blocked
}

outcome := "obligated" if obligated # D1.obligated

outcome := "discretionary" if { # D2.discretionary
	not obligated
	may_choose
}

outcome := "permitted" if {
	not obligated
	not may_choose
	permitted
}

outcome := "forbidden" if { # D5.forbidden
	not obligated
	not may_choose
	not permitted
}
