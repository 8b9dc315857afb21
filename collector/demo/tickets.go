package demo

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/staffing"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// maxLife bounds a ticket's life, from creation to its last event (closure, a late rating): a sync
// looks this far back for tickets that may still change. The draws are clamped so that a ticket
// lives at most about 40 days; clip enforces the bound should the clamps ever fall short.
const maxLife = 45 * 86400

// sim holds what the simulation is a function of: the seed, the volume and the organization's
// time zone and calendar.
type sim struct {
	seed  uint64
	scale float64
	loc   *time.Location
	cal   *calendar.Calendar
	desk  desk
	// roster replaces DeskRoster when set: tests run the desk with other rosters.
	roster *staffing.Week
}

// event is one entry of a simulated status history: from at (Unix seconds) on, status st.
type event struct {
	at int64
	st status
}

// simTicket is a ticket with its whole future, decided when it is created. reveal shows what of it
// has happened at an instant.
type simTicket struct {
	id       string
	created  int64
	typ      string
	priority string
	customer string
	category string
	// groups[i] is the assignment group after i hand-overs; moves[i] is when hand-over i+1
	// happens (moves[:nMoves] are used, ascending).
	groups [3]string
	moves  [2]int64
	nMoves int
	// closeCode is a change's outcome, known once it is Closed.
	closeCode string
	hist      []event
	// response is the first agent response, 0 for none; ratedAt is when the customer answered the
	// satisfaction survey, 0 for never.
	response int64
	rating   ticket.Rating
	ratedAt  int64
}

// Arrivals of incidents and requests per hour of the local day: a business day (about 60 in all,
// most in business hours) and a weekend day (about 10).
var (
	businessDayArrivals = [24]float64{
		0.3, 0.2, 0.2, 0.2, 0.2, 0.3, 0.5, 1.5, // 00-08
		5, 6.5, 6.5, 6, 4, 4.5, 5.5, 5.5, 5, 3.5, // 08-18
		1.5, 1, 0.8, 0.6, 0.5, 0.4, // 18-24
	}
	weekendArrivals = [24]float64{
		0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2,
		0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6,
		0.3, 0.3, 0.3,
	}
)

// Changes per business day (about four a week).
const changesPerBusinessDay = 0.8

var (
	groupWeights    = []float64{0.25, 0.45, 0.30} // network, apps, workplace
	customerWeights = []float64{0.5, 0.3, 0.2}    // acme, globex, initech
	// Priorities of incidents and of requests (requests are never P1 or P2).
	incidentPriorities = []float64{0.015, 0.10, 0.50, 0.385}
	requestPriorities  = []float64{0, 0, 0.45, 0.55}
	// categories by group.
	categories = [3][]string{
		{"connectivity", "vpn", "wifi", "firewall"},
		{"webshop", "erp", "crm", "email"},
		{"laptop", "printer", "access", "phone"},
	}
	changeCategories       = []string{"standard", "normal", "emergency"}
	changeCategoryWeights  = []float64{0.6, 0.35, 0.05}
	closeCodes             = []string{CloseSuccessful, CloseSuccessfulIssues, CloseUnsuccessful}
	closeCodeWeights       = []float64{0.85, 0.10, 0.05}
	incidentShare          = 0.65
	earlyCancelRate        = 0.02
	lateCancelRate         = 0.01
	pauseRate              = 0.10
	reassignRate           = 0.18
	secondReassignRate     = 0.30
	reopenRate             = 0.037
	ratingRate             = 0.40
	goodRating             = 0.88
	goodRatingAfterReopen  = 0.5
	changeCancelRate       = 0.04
	autoCloseAfter         = int64(72 * 3600)
	requestResponseFactor  = 1.2
	requestWorkMedian      = [4]float64{0, 0, 8 * 3600, 14 * 3600}
	reopenWorkMedianSecond = 3.0 * 3600
)

// Durations by priority P1..P4, in seconds: the first response and the work to a fix are
// log-normal around a median, clamped. P1 is worked around the clock; the others in business
// hours. Against typical targets (response 15m/30m/4h/8h, resolution 4h/8h/3 business days/5
// business days) roughly one ticket in ten breaches.
var (
	responseMedian = [4]float64{7 * 60, 10 * 60, 40 * 60, 90 * 60}
	responseSigma  = [4]float64{0.7, 0.8, 1.0, 1.0}
	responseCap    = [4]float64{2 * 3600, 8 * 3600, 16 * 3600, 24 * 3600}
	workMedian     = [4]float64{2 * 3600, 3.5 * 3600, 9 * 3600, 16 * 3600}
	workSigma      = [4]float64{0.6, 0.7, 0.9, 0.9}
	workCap        = [4]float64{24 * 3600, 40 * 3600, 100 * 3600, 120 * 3600}
)

// day generates the tickets created on a civil day of the organization's time zone, ordered by
// creation (then id).
func (s *sim) day(day int64) []*simTicket {
	y, m, d := dateOf(day)
	wd := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()
	business := wd != time.Saturday && wd != time.Sunday
	at := s.arrivals(day)
	resp := s.deskResponses(day)
	out := make([]*simTicket, 0, len(at)+2)
	for i, c := range at {
		out = append(out, s.incident(day, i+1, c, resp[i]))
	}
	if business {
		rc := newRNG(s.seed, streamChanges, day, 0)
		n := rc.poisson(changesPerBusinessDay * s.scale)
		at = at[:0]
		nine := time.Date(y, m, d, 9, 0, 0, 0, s.loc).Unix()
		for range n {
			at = append(at, nine+int64(rc.float()*8*3600))
		}
		slices.Sort(at)
		for i, c := range at {
			out = append(out, s.change(day, i+1, c))
		}
	}
	slices.SortFunc(out, func(a, b *simTicket) int {
		return cmp.Or(cmp.Compare(a.created, b.created), strings.Compare(a.id, b.id))
	})
	return out
}

// arrivals is the creation instants of the incidents and requests of a civil day, ascending: a
// Poisson count each hour of the day's profile, uniform within the hour. The i-th is the ticket of
// seq i+1.
func (s *sim) arrivals(day int64) []int64 {
	y, m, d := dateOf(day)
	wd := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()
	profile := &weekendArrivals
	if wd != time.Saturday && wd != time.Sunday {
		profile = &businessDayArrivals
	}
	r := newRNG(s.seed, streamArrivals, day, 0)
	var at []int64
	for h := range 24 {
		n := r.poisson(profile[h] * s.scale)
		if n == 0 {
			continue
		}
		start := time.Date(y, m, d, h, 0, 0, 0, s.loc).Unix()
		for range n {
			at = append(at, start+int64(r.float()*3600))
		}
	}
	slices.Sort(at)
	return at
}

func ticketID(prefix string, day int64, seq int) string {
	y, m, d := dateOf(day)
	return fmt.Sprintf("%s-%04d%02d%02d-%03d", prefix, y, int(m), d, seq)
}

// otherGroup picks a group other than g.
func otherGroup(r *rng, g string) string {
	for {
		if c := groups[r.weighted(groupWeights)]; c != g {
			return c
		}
	}
}

// head is what is drawn first for an incident or a request: its type, priority index, group
// index, customer and category. The draws come from r, the ticket's generator, in this order.
func head(r *rng) (typ string, p, g int, customer, category string) {
	typ = TypeIncident
	if r.chance(incidentShare) {
		p = r.weighted(incidentPriorities)
	} else {
		typ = TypeRequest
		p = r.weighted(requestPriorities)
	}
	g = r.weighted(groupWeights)
	customer = customers[r.weighted(customerWeights)]
	category = categories[g][r.intn(len(categories[g]))]
	return typ, p, g, customer, category
}

// deskTicket reports whether the seq-th ticket of a day is the desk's: a P3 incident not
// withdrawn before work starts (the draws incident makes first).
func (s *sim) deskTicket(day int64, seq int) bool {
	r := newRNG(s.seed, streamTicket, day, int64(seq))
	typ, p, _, _, _ := head(&r)
	return typ == TypeIncident && priorities[p] == DeskPriority && !r.chance(earlyCancelRate)
}

// incident simulates an incident or a request created at c, the seq-th ticket of its day;
// answered is the desk's response to it, 0 when it is not the desk's.
func (s *sim) incident(day int64, seq int, c, answered int64) *simTicket {
	r := newRNG(s.seed, streamTicket, day, int64(seq))
	typ, p, g, customer, category := head(&r)
	prefix := "INC"
	if typ == TypeRequest {
		prefix = "REQ"
	}
	t := &simTicket{id: ticketID(prefix, day, seq), created: c, typ: typ, priority: priorities[p], customer: customer, category: category}
	t.groups[0] = groups[g]
	t.hist = make([]event, 1, 6)
	t.hist[0] = event{c, stNew}

	// P1 is worked around the clock, the rest in business hours.
	add := func(from int64, secs float64) int64 {
		if p == 0 {
			return from + int64(secs)
		}
		return s.cal.DeadlineUnix(from, int64(secs))
	}

	// A duplicate or a mistake, withdrawn before work starts; half had a reply first.
	if r.chance(earlyCancelRate) {
		at := add(c, r.between(10*60, 3*3600))
		if r.chance(0.5) {
			t.response = c + (at-c)/2
		}
		t.hist = append(t.hist, event{at, stCancelled})
		return t
	}

	respMedian, work := responseMedian[p], 0.0
	if t.typ == TypeRequest {
		respMedian *= requestResponseFactor
		work = r.lognormal(requestWorkMedian[p], workSigma[p], 15*60, workCap[p])
	} else {
		work = r.lognormal(workMedian[p], workSigma[p], 15*60, workCap[p])
	}
	resp := add(c, r.lognormal(respMedian, responseSigma[p], 60, responseCap[p]))
	if answered != 0 {
		// The desk's queue answers it; the delay is still drawn, so that what follows is
		// drawn as for every other ticket.
		resp = answered
	}
	t.response = resp
	t.hist = append(t.hist, event{resp, stInProgress})

	// Some wait on the customer part of the way through; the pause is calendar time (the
	// customer answers when they answer) and stops the resolution clock.
	var solved int64
	if r.chance(pauseRate) {
		f := r.between(0.2, 0.8)
		pause := add(resp, f*work)
		back := pause + int64(r.lognormal(18*3600, 0.9, 3600, 5*86400))
		solved = add(back, (1-f)*work)
		t.hist = append(t.hist, event{pause, stAwaiting}, event{back, stInProgress})
	} else {
		solved = add(resp, work)
	}

	// Hand-overs to another group while the ticket is worked on.
	if r.chance(reassignRate) {
		span := float64(solved - resp)
		t.moves[0] = resp + int64(r.between(0.1, 0.45)*span)
		t.groups[1] = otherGroup(&r, t.groups[0])
		t.nMoves = 1
		if r.chance(secondReassignRate) {
			t.moves[1] = resp + int64(r.between(0.5, 0.85)*span)
			t.groups[2] = otherGroup(&r, t.groups[1])
			t.nMoves = 2
		}
	}

	// A few are withdrawn while being worked on.
	if r.chance(lateCancelRate) {
		t.hist = append(t.hist, event{solved, stCancelled})
		return t.clip()
	}
	t.hist = append(t.hist, event{solved, stResolved})
	final, reopened := solved, false
	// The customer says the fix did not work, before the ticket closes itself.
	if r.chance(reopenRate) {
		reopen := solved + int64(r.between(3600, 48*3600))
		final = add(reopen, r.lognormal(reopenWorkMedianSecond, 0.8, 15*60, 24*3600))
		t.hist = append(t.hist, event{reopen, stInProgress}, event{final, stResolved})
		reopened = true
	}
	if r.chance(ratingRate) {
		t.ratedAt = final + int64(r.between(10*60, 24*3600))
		good := goodRating
		if reopened {
			good = goodRatingAfterReopen
		}
		t.rating = ticket.Bad
		if r.chance(good) {
			t.rating = ticket.Good
		}
	}
	t.hist = append(t.hist, event{final + autoCloseAfter, stClosed})
	return t.clip()
}

// change simulates a change created at c, the seq-th change of its day: planned, implemented in an
// evening window some days later, closed with an outcome.
func (s *sim) change(day int64, seq int, c int64) *simTicket {
	r := newRNG(s.seed, streamChange, day, int64(seq))
	g := r.weighted(groupWeights)
	t := &simTicket{
		id:       ticketID("CHG", day, seq),
		created:  c,
		typ:      TypeChange,
		customer: customers[r.weighted(customerWeights)],
		category: changeCategories[r.weighted(changeCategoryWeights)],
	}
	t.groups[0] = groups[g]
	t.hist = make([]event, 1, 3)
	t.hist[0] = event{c, stNew}
	var impl int64
	if t.category == "emergency" {
		impl = c + int64(r.between(3600, 4*3600))
	} else {
		y, m, d := dateOf(day + 1 + int64(r.intn(7)))
		impl = time.Date(y, m, d, 19, 0, 0, 0, s.loc).Unix() + int64(r.between(0, 2*3600))
	}
	if r.chance(changeCancelRate) {
		t.hist = append(t.hist, event{c + int64(r.between(0.2, 0.8)*float64(impl-c)), stCancelled})
		return t
	}
	done := impl + int64(r.between(30*60, 4*3600))
	t.closeCode = closeCodes[r.weighted(closeCodeWeights)]
	t.hist = append(t.hist, event{impl, stInProgress}, event{done, stClosed})
	return t.clip()
}

// clip drops whatever would happen more than maxLife after creation. The clamps on the draws keep
// every ticket well inside the bound (a test checks it); this only guarantees that a sync looking
// maxLife back never misses a change.
func (t *simTicket) clip() *simTicket {
	limit := t.created + maxLife
	for len(t.hist) > 1 && t.hist[len(t.hist)-1].at > limit {
		t.hist = t.hist[:len(t.hist)-1]
	}
	if t.response > limit {
		t.response = 0
	}
	for t.nMoves > 0 && t.moves[t.nMoves-1] > limit {
		t.nMoves--
	}
	if t.ratedAt > limit {
		t.ratedAt, t.rating = 0, ticket.Unrated
	}
	return t
}

// last is the ticket's last event.
func (t *simTicket) last() int64 {
	l := max(t.hist[len(t.hist)-1].at, t.response, t.ratedAt)
	if t.nMoves > 0 {
		l = max(l, t.moves[t.nMoves-1])
	}
	return l
}

// changedIn reports whether anything about the ticket happens in (lo, hi].
func (t *simTicket) changedIn(lo, hi int64) bool {
	in := func(u int64) bool { return u > lo && u <= hi }
	if in(t.created) || in(t.response) || in(t.ratedAt) {
		return true
	}
	for _, m := range t.moves[:t.nMoves] {
		if in(m) {
			return true
		}
	}
	for _, e := range t.hist {
		if in(e.at) {
			return true
		}
	}
	return false
}

// reveal is the ticket as known at now: only what happened by then.
func (t *simTicket) reveal(now int64) ticket.Ticket {
	moves := 0
	for moves < t.nMoves && t.moves[moves] <= now {
		moves++
	}
	n := 0
	for n < len(t.hist) && t.hist[n].at <= now {
		n++
	}
	out := ticket.Ticket{
		ID:            t.id,
		Created:       time.Unix(t.created, 0).UTC(),
		Priority:      t.priority,
		Type:          t.typ,
		Group:         t.groups[moves],
		Reassignments: moves,
		History:       make([]ticket.StatusChange, n),
	}
	for i, e := range t.hist[:n] {
		out.History[i] = ticket.StatusChange{At: time.Unix(e.at, 0).UTC(), Status: statusNames[e.st], Category: statusCategories[e.st]}
	}
	out.Fields = make(map[string]string, 3)
	out.Fields[FieldCustomer] = t.customer
	out.Fields[FieldCategory] = t.category
	if t.closeCode != "" && n > 0 && t.hist[n-1].st == stClosed {
		out.Fields[FieldCloseCode] = t.closeCode
	}
	if t.response != 0 && t.response <= now {
		out.FirstResponse = time.Unix(t.response, 0).UTC()
	}
	if t.ratedAt != 0 && t.ratedAt <= now {
		out.Rating = t.rating
	}
	return out
}
