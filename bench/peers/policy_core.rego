# Deelwijzer's policy core, written natively in Rego (run by regopy / rego-cpp). Hand-written and
# constant: the benchmark gives it only data (rego_peer.py shapes the facts as JSON documents) and
# one input per question: {"actor", "recipient", "item", "setting", "today"} (dates YYYYMMDD).
#
# Data layout (data.dw): every document keyed by a person or item id is split into shards by the
# id's last three characters, shard(id), because rego-cpp's load time grows with the square of the
# keys of one object. clb[shard][P] = true; staff[shard][P] = [{school, role}]; pupil[shard][P] =
# {known, school, born?, jc, ji, parents}; guides[shard][Pupil] = [workers]; circle[shard][Pupil][Circle] =
# [persons]; item[shard][I] = {pupil, kind, reveals, can_avert, learned: {holder: [capacity]},
# from: [person], lic: {holder: [circle]}, consent: [{giver, recipient, given}], cconsent: [{giver,
# circle, given}], creq: [{client, toward, requested}]}; gconsent[shard][Pupil] = [{giver, kind,
# recipient, given}]; comp[shard][P] = the id of P's part of the superior_of graph; supgraph[part] =
# {person: [direct superiors]}; director[school] = [persons];
# police, court, emergency_service, reporting_point = [bodies].
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

# B1, B10, L11: the secrecy the actor holds the item under (by the capacity it was learned in)
ps if "clb_worker" in it.learned[a]

os if "school_staff" in it.learned[a]

bound if ps

bound if os

# L3: capacity on a day (the day asked, or the day a consent was given), and who consents
capable_on(d) if {
	pu.born <= d - 120000
	not pu.ji
}

capable_on(d) if {
	pu.jc
	not pu.ji
}

incapable_on(d) if pu.ji

incapable_on(d) if {
	pu.born > d - 120000
	not pu.jc
}

incapable if {
	pu.known
	incapable_on(input.today)
}

# a consent counts from the day it was given, judged by the capacity on that day
competent(g, d) if {
	d <= input.today
	g == p
	capable_on(d)
}

competent(g, d) if {
	d <= input.today
	g in pu.parents
	incapable_on(d)
}

# B12, B13
in_circle(x, c) if x in data.dw.circle[shard(p)][p][c]

in_circle(x, c) if {
	c == "hierarchical_superior"
	x in data.dw.director[pu.school]
}

# B3, L9: valid consent toward the recipient (item, kind, circle)
valid_consent if {
	some c in it.consent
	c.recipient == r
	competent(c.giver, c.given)
}

valid_consent if {
	some g in data.dw.gconsent[shard(p)][p]
	g.kind == it.kind
	g.recipient == r
	competent(g.giver, g.given)
}

valid_consent if {
	some c in it.cconsent
	competent(c.giver, c.given)
	in_circle(r, c.circle)
}

# B4: the client (the pupil; a parent of a pupil who is not capable; a parent who confided it)
client(c) if c == p

client(c) if {
	c in pu.parents
	incapable
}

client(c) if {
	c in pu.parents
	c in it.from
}

# B10/L8: a hierarchical superior, through the chain (Rego has no recursive rules: graph.reachable),
# or the director of the school of anyone on the chain
chain contains a

chain contains b if {
	some b in graph.reachable(data.dw.supgraph[data.dw.comp[shard(a)][a]], {a})
}

superior if {
	r in chain
	r != a
}

superior if {
	some b in chain
	some st in data.dw.staff[shard(b)][b]
	r in data.dw.director[st.school]
	r != b
}

# B6
lapses if {
	some m in it.reveals
	m in {"danger_to_life", "danger_to_property", "danger_to_public_safety", "emergency"}
}

helps if r in it.can_avert

helps if {
	lapses
	r in data.dw.police
}

helps if {
	lapses
	r in data.dw.emergency_service
}

# B9
must_report if {
	some m in it.reveals
	m in {"child_abuse", "concern_about_minor"}
}

obligated if {
	is_clb(a)
	ps
	must_report
	r in data.dw.reporting_point
}

# B7
may_choose if {
	bound
	input.setting == "court_testimony"
	r in data.dw.court
}

exception if {
	ps
	lapses
	helps
}

exception if {
	os
	lapses
	helps
}

exception if {
	bound
	must_report
	r in data.dw.reporting_point
}

# Grounds: B2 shared secrecy, B3 consent, B10/L8 superior, B13a inside the circle
may_tell if {
	ps
	is_clb(a)
	is_clb(r)
	r in data.dw.guides[shard(p)][p]
	r != a
}

may_tell if {
	bound
	valid_consent
}

may_tell if {
	os
	superior
	not it.lic[a]
}

may_tell if {
	shares_circle
	r != a
}

shares_circle if {
	some c in it.lic[a]
	in_circle(r, c)
}

# Blocks: B4 toward a person (unless a later specific consent, L9), B13a outside the circle
lifted(d) if {
	some c in it.consent
	c.recipient == r
	competent(c.giver, c.given)
	c.given > d
}

blocked if {
	ps
	some q in it.creq
	q.toward == r
	q.requested <= input.today
	client(q.client)
	not lifted(q.requested)
}

blocked if {
	some _ in it.lic[a]
	not shares_circle
	not valid_consent
}

# The decision: obligated > discretionary > permitted > forbidden
permitted if exception

permitted if {
	may_tell
	not blocked
}

outcome := "obligated" if obligated

outcome := "discretionary" if {
	not obligated
	may_choose
}

outcome := "permitted" if {
	not obligated
	not may_choose
	permitted
}

outcome := "forbidden" if {
	not obligated
	not may_choose
	not permitted
}
