package slo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// bitwise compares floats by their bits: the incremental result must be the full one to the bit.
var bitwise = cmp.Comparer(func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) })

// randomTicket is a ticket created around now (sometimes after it) with a random status history:
// pauses, resolutions, reopens, closures and cancellations, some after now.
func randomTicket(rng *rand.Rand, id string, now time.Time) ticket.Ticket {
	created := now.Add(time.Duration(rng.Int64N(12*24*3600)-10*24*3600) * time.Second).Truncate(time.Second)
	prios := []string{"P1", "P2", "P3", "P9"} // P9 has a target only where "*" is set
	groups := []string{"network", "apps", "dba"}
	tk := ticket.Ticket{ID: id, Created: created, Priority: prios[rng.IntN(len(prios))], Type: "incident",
		Group: groups[rng.IntN(len(groups))], Fields: map[string]string{"customer": groups[rng.IntN(2)]}}
	if rng.IntN(4) > 0 {
		tk.FirstResponse = created.Add(time.Duration(rng.Int64N(10*3600)) * time.Second)
	}
	tk.History = append(tk.History, ticket.StatusChange{At: created, Status: "New", Category: ticket.Open})
	return extend(rng, tk, created, 1+rng.IntN(6))
}

// extend appends n random status changes after at.
func extend(rng *rand.Rand, tk ticket.Ticket, at time.Time, n int) ticket.Ticket {
	tk.History = slices.Clone(tk.History)
	cats := []ticket.Category{ticket.Open, ticket.Paused, ticket.Resolved, ticket.Resolved, ticket.Closed, ticket.Cancelled}
	for range n {
		at = at.Add(time.Duration(rng.Int64N(30*3600)+60) * time.Second)
		c := cats[rng.IntN(len(cats))]
		if c == ticket.Cancelled && rng.IntN(3) > 0 {
			c = ticket.Open
		}
		tk.History = append(tk.History, ticket.StatusChange{At: at, Status: c.String(), Category: c})
	}
	return tk
}

// propertyObjectives are ticket objectives over every clock kind, reopen policy, calendar, period
// kind and a selector.
func propertyObjectives(t *testing.T, cal *calendar.Calendar) []*Objective {
	t.Helper()
	targets := map[string]time.Duration{"P1": 4 * time.Hour, "P2": 8 * time.Hour, "P3": 24 * time.Hour}
	withDefault := map[string]time.Duration{"P1": 2 * time.Hour, "*": 10 * time.Hour}
	specs := []struct {
		name   string
		spec   ticket.ClockSpec
		period string
		sel    ticket.Selector
	}{
		{"response-office", ticket.ClockSpec{Kind: ticket.Response, Calendar: cal, Targets: targets}, "month", nil},
		{"resolution-new-cycle", ticket.ClockSpec{Kind: ticket.Resolution, Targets: withDefault}, "month", nil},
		{"resolution-resume-office", ticket.ClockSpec{Kind: ticket.Resolution, Calendar: cal, Targets: targets, Reopen: ticket.Resume}, "week", nil},
		{"resolution-rolling-selected", ticket.ClockSpec{Kind: ticket.Resolution, Targets: targets},
			"rolling:7d", ticket.Selector{"group": {"network", "apps"}, "customer": {"network"}}},
		{"resolution-days", ticket.ClockSpec{Kind: ticket.Resolution, Calendar: cal, BusinessDays: map[string]int{"*": 2}}, "month", nil},
	}
	var out []*Objective
	for _, s := range specs {
		clock, err := ticket.NewClock(s.spec)
		if err != nil {
			t.Fatal(err)
		}
		o := &Objective{Name: s.name, Kind: TicketSLA, Target: 0.9, Period: mustPeriod(t, s.period), Clock: clock, Select: s.sel,
			BurnWindows: []time.Duration{time.Hour, 6 * time.Hour, 72 * time.Hour}, ForecastWindow: 24 * time.Hour,
			// Escalation levels, up to twice the target, so that the comparison covers their counts.
			Escalation: []float64{0.5, 0.75, 0.9, 1, 2}}
		if err := o.Validate(); err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

// TestIncrementalEqualsFull drives a store through random changes (tickets added, updated,
// reopened, paused, deleted, the whole store replaced by a resync, a clock reloaded) while time
// moves on across periods, and at each step compares every objective's incremental result with a
// full evaluation, float by float to the bit.
func TestIncrementalEqualsFull(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { incrementalSequence(t, seed) })
	}
	// With the spilled cycles of reopened tickets rewritten as soon as any are dropped.
	defer func(m, s int) { spillCompactMin, spillCompactShare = m, s }(spillCompactMin, spillCompactShare)
	spillCompactMin, spillCompactShare = 1, 1<<30
	t.Run("compacting", func(t *testing.T) { incrementalSequence(t, 4) })
}

func incrementalSequence(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 99))
	cal := benchCalendar(t)
	objs := propertyObjectives(t, cal)
	caches := make([]*TicketCache, len(objs))
	for i := range caches {
		caches[i] = NewTicketCache()
	}
	now := time.Date(2026, 10, 27, 9, 30, 0, 0, time.UTC)
	st := ticket.NewStore(ticket.StoreOptions{})
	held := map[string]ticket.Ticket{}
	next := 0
	add := func(tk ticket.Ticket) {
		if err := st.Add(&tk); err != nil {
			t.Fatal(err)
		}
		held[tk.ID] = tk
	}
	for range 300 {
		add(randomTicket(rng, fmt.Sprintf("T%05d", next), now))
		next++
	}
	steps, reused, scanned, recomputed := 200, 0, 0, 0
	for step := range steps {
		ids := make([]string, 0, len(held))
		for id := range held {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		var did []string
		switch op := rng.IntN(20); {
		case op < 8: // a few new tickets
			for range 1 + rng.IntN(5) {
				add(randomTicket(rng, fmt.Sprintf("T%05d", next), now))
				next++
			}
			did = append(did, "add")
		case op < 14: // updates: more history (reopens, pauses), or a ticket rewritten
			for range 1 + rng.IntN(5) {
				tk := held[ids[rng.IntN(len(ids))]]
				if rng.IntN(3) == 0 {
					re := randomTicket(rng, tk.ID, now)
					add(re)
					continue
				}
				from := tk.History[len(tk.History)-1].At
				if recent := now.Add(-time.Duration(rng.IntN(3600)) * time.Second); recent.After(from) {
					from = recent
				}
				add(extend(rng, tk, from, 1+rng.IntN(3)))
			}
			did = append(did, "update")
		case op < 17: // deletions, as a sync that deletes copies the store
			var gone []string
			for range 1 + rng.IntN(4) {
				gone = append(gone, ids[rng.IntN(len(ids))])
			}
			slices.Sort(gone)
			gone = slices.Compact(gone)
			st = st.Without(gone, ticket.StoreOptions{})
			for _, id := range gone {
				delete(held, id)
			}
			did = append(did, "delete")
		case op < 18: // a resync replacing the source's records
			fresh := ticket.NewStore(ticket.StoreOptions{})
			for _, id := range ids {
				tk := held[id]
				if err := fresh.Add(&tk); err != nil {
					t.Fatal(err)
				}
			}
			st = fresh
			did = append(did, "resync")
		case op < 19: // a reload: a new clock for one objective
			o := objs[rng.IntN(len(objs))]
			c := *o.Clock
			o.Clock = &c
			did = append(did, "reload")
		}
		// Time moves on: minutes to days, now and then across a month, rarely back.
		switch r := rng.IntN(30); {
		case r == 0:
			now = now.Add(-time.Duration(rng.IntN(48)) * time.Hour)
		case r < 4:
			now = now.Add(time.Duration(rng.IntN(10*24)) * time.Hour)
		default:
			now = now.Add(time.Duration(rng.IntN(600)) * time.Minute)
		}
		for i, o := range objs {
			full, err := Evaluate(o, Data{Tickets: st}, now)
			if err != nil {
				t.Fatal(err)
			}
			inc, err := EvaluateIncremental(o, Data{Tickets: st}, now, caches[i])
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(full, inc, bitwise); d != "" {
				t.Fatalf("step %d (%v) at %s, %s: incremental differs from full (-full +incremental):\n%s", step, did, now, o.Name, d)
			}
			s := caches[i].Stats()
			scanned += s.Tickets
			recomputed += s.Recomputed
			if !s.Rebuilt {
				reused++
			}
		}
	}
	// The property holds only if the cache was used: most steps reuse it, and most tickets were
	// not recomputed.
	if reused < steps*len(objs)/2 || recomputed > scanned/2 {
		t.Fatalf("the cache was hardly used: %d of %d evaluations reused it, %d of %d tickets recomputed",
			reused, steps*len(objs), recomputed, scanned)
	}
	t.Logf("%d of %d evaluations reused the cache; %d of %d tickets recomputed", reused, steps*len(objs), recomputed, scanned)
}
