# Deelwijzer's policy core, written natively in Rego (run by regopy / rego-cpp). Hand-written and
# constant: the benchmark gives it only data (rego_peer.py shapes the facts as JSON documents) and
# one input per question: {"actor", "recipient", "item", "setting", "today"} (dates YYYYMMDD).
#
# Data layout (data.dw): every document keyed by a person or item id is split into shards by the
# id's last three characters, shard(id), because rego-cpp's load time grows with the square of the
# keys of one object. clb[shard][P] = true; staff[shard][P] = [{school, role}]; pupil[shard][P] =
# {school, born, jc, ji, parents}; guides[shard][Pupil] = [workers]; circle[shard][Pupil][Circle] =
# [persons]; item[shard][I] = {pupil, kind, necessary, reveals, can_avert, learned: {holder:
# [capacity]}, lic: {holder: [circle]}, consent: [{giver, recipient, given}], creq: [{client,
# toward, requested}], agreement: [circle]}; gconsent[shard][Pupil] = [{giver, kind, recipient}];
# supgraph[school] = {person: [direct superiors]}; director[school] = [persons]; police, court,
# emergency_service, reporting_point = [bodies].
package dw

import rego.v1

shard(id) := substring(id, count(id) - 3, 3)

a := input.actor
r := input.recipient
i := input.item
it := data.dw.item[shard(i)][i]
p := it.pupil
pu := data.dw.pupil[shard(p)][p]

is_clb(x) if data.dw.clb[shard(x)][x]

# B1, B10: the secrecy the actor holds the item under
ps if {
	"clb_worker" in it.learned[a]
	is_clb(a)
}

os if {
	"school_staff" in it.learned[a]
	some st in data.dw.staff[shard(a)][a]
	st.school == pu.school
}

# L3: capacity, and who consents
capable if {
	pu.born <= input.today - 120000
	not pu.ji
}

capable if {
	pu.jc
	not pu.ji
}

competent(g) if {
	g == p
	capable
}

competent(g) if {
	g in pu.parents
	not capable
}

# B3, L9: valid consent toward the recipient
valid_consent if {
	some c in it.consent
	c.recipient == r
	competent(c.giver)
}

valid_consent if {
	some g in data.dw.gconsent[shard(p)][p]
	g.kind == it.kind
	g.recipient == r
	competent(g.giver)
}

client(c) if c == p

client(c) if c in pu.parents

# B10/L8: a hierarchical superior, through the chain (Rego has no recursive rules: graph.reachable)
superior if {
	some st in data.dw.staff[shard(a)][a]
	r in graph.reachable(data.dw.supgraph[st.school], {a})
	r != a
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
	ps
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

# B12, B13
in_circle(x, c) if x in data.dw.circle[shard(p)][p][c]

in_circle(x, c) if {
	c == "hierarchical_superior"
	x in data.dw.director[pu.school]
}

# Grounds: B2 shared secrecy, B3 consent, B10/L8 superior, B13a inside the circle
may_tell if {
	ps
	is_clb(a)
	is_clb(r)
	r in data.dw.guides[shard(p)][p]
	r != a
	it.necessary
}

may_tell if {
	ps
	valid_consent
}

may_tell if {
	os
	superior
	not it.lic[a]
}

may_tell if {
	some c in it.lic[a]
	in_circle(r, c)
	c in it.agreement
	r != a
}

# Blocks: B4 toward a person (unless a later specific consent, L9), B13a outside the circle
lifted(d) if {
	some c in it.consent
	c.recipient == r
	competent(c.giver)
	c.given > d
}

blocked if {
	ps
	some q in it.creq
	q.toward == r
	client(q.client)
	not lifted(q.requested)
}

blocked if {
	some c in it.lic[a]
	not in_circle(r, c)
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
