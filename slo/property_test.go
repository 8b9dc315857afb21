package slo

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/events"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// TestMonotoneWithinPeriod walks now through a month: what is decided stays decided, so within a
// period the counted units, the bad units and the budget consumed never decrease (tickets under the
// new-cycle reopen policy, availability and events with data arriving in order).
func TestMonotoneWithinPeriod(t *testing.T) {
	end := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	st := benchDesk(t, 3000, end)
	cal := benchCalendar(t)
	clock, err := ticket.NewClock(ticket.ClockSpec{Kind: ticket.Resolution, Calendar: cal,
		Targets: map[string]time.Duration{"*": 8 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	samples := everyMinute(from.AddDate(0, 0, -5), end, func(t time.Time) bool { return t.Minute()%97 == 0 && t.Hour()%5 == 0 })
	series, err := availability.FromSamples(samples)
	if err != nil {
		t.Fatal(err)
	}
	var buckets []events.Bucket
	rng := rand.New(rand.NewPCG(3, 4))
	for b := from; b.Before(end); b = b.Add(5 * time.Minute) {
		total := float64(rng.IntN(100))
		buckets = append(buckets, events.Bucket{Start: b, Total: total, Good: total - float64(rng.IntN(2))*min(total, 3)})
	}
	evs, err := events.New(buckets)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		o *Objective
		d Data
	}{
		{&Objective{Name: "t", Kind: TicketSLA, Target: 0.9, Period: mustPeriod(t, "month"), Clock: clock}, Data{Tickets: st}},
		{&Objective{Name: "a", Kind: Availability, Target: 0.999, Period: mustPeriod(t, "month")}, Data{Availability: &series}},
		{&Objective{Name: "e", Kind: EventRatio, Target: 0.99, Period: mustPeriod(t, "month")}, Data{Events: evs}},
	}
	for _, tc := range cases {
		var prev Result
		for now := from.Add(time.Hour); now.Before(end); now = now.Add(7*time.Hour + 13*time.Minute) {
			r, err := Evaluate(tc.o, tc.d, now)
			if err != nil {
				t.Fatal(err)
			}
			if r.Good+r.Bad < prev.Good+prev.Bad || r.Bad < prev.Bad || r.BudgetConsumed < prev.BudgetConsumed {
				t.Fatalf("%s at %s: good+bad %v, bad %v after %v, %v", tc.o.Name, now, r.Good+r.Bad, r.Bad, prev.Good+prev.Bad, prev.Bad)
			}
			if r.HasData && (r.Attainment < 0 || r.Attainment > 1) {
				t.Fatalf("%s at %s: attainment %v", tc.o.Name, now, r.Attainment)
			}
			if r.BudgetRemainingRatio > 1 {
				t.Fatalf("%s at %s: remaining ratio %v above 1", tc.o.Name, now, r.BudgetRemainingRatio)
			}
			for _, b := range r.BurnRates {
				if b.Rate < 0 || math.IsNaN(b.Rate) {
					t.Fatalf("%s at %s: burn rate %v", tc.o.Name, now, b)
				}
			}
			prev = r
		}
	}
}

// FuzzEvaluate builds a small desk and time series from fuzz input and evaluates every kind at a
// fuzzed instant: never a panic, ratios within bounds, the same input gives the same output.
func FuzzEvaluate(f *testing.F) {
	f.Add(uint64(1), int64(0), uint8(0), 0.9, uint16(10))
	f.Add(uint64(7), int64(86400*40), uint8(2), 0.999, uint16(300))
	f.Add(uint64(9), int64(-86400*3), uint8(5), 0.5, uint16(0))
	f.Fuzz(func(t *testing.T, seed uint64, offset int64, periodSel uint8, target float64, n uint16) {
		if !(target > 0 && target < 1) {
			return
		}
		rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		base := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		now := base.Add(time.Duration(offset%(86400*90)) * time.Second)
		periods := []string{"week", "month", "quarter", "year", "rolling:7d", "rolling:30d"}
		p := mustPeriod(t, periods[int(periodSel)%len(periods)])

		st := ticket.NewStore(ticket.StoreOptions{})
		cats := []ticket.Category{ticket.Open, ticket.Paused, ticket.Resolved, ticket.Closed, ticket.Cancelled}
		for i := range int(n % 200) {
			c := base.Add(time.Duration(rng.Int64N(86400*60)) * time.Second)
			tk := ticket.Ticket{ID: string(rune('a'+i%26)) + time.Duration(i).String(), Created: c, Priority: []string{"P1", "P2", "P9"}[rng.IntN(3)]}
			at := c
			for range rng.IntN(6) {
				at = at.Add(time.Duration(rng.Int64N(86400*3)) * time.Second)
				cat := cats[rng.IntN(len(cats))]
				tk.History = append(tk.History, ticket.StatusChange{At: at, Status: cat.String(), Category: cat})
			}
			if err := st.Add(&tk); err != nil {
				t.Fatal(err)
			}
		}
		var samples []availability.Sample
		var buckets []events.Bucket
		for s := base; s.Before(base.Add(60 * 24 * time.Hour)); s = s.Add(time.Duration(rng.IntN(120)+1) * time.Minute) {
			samples = append(samples, availability.Sample{At: s, State: availability.State(rng.IntN(4))})
			total := float64(rng.IntN(50))
			buckets = append(buckets, events.Bucket{Start: s, Total: total, Good: total * rng.Float64()})
		}
		series, err := availability.FromSamples(samples)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := events.New(buckets)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []ticket.Kind{ticket.Response, ticket.Resolution} {
			clock, err := ticket.NewClock(ticket.ClockSpec{Kind: k, Calendar: benchCalendar(t), Targets: map[string]time.Duration{"P1": time.Hour, "*": 24 * time.Hour}, Reopen: ticket.ReopenPolicy(rng.IntN(2))})
			if err != nil {
				t.Fatal(err)
			}
			check(t, &Objective{Name: "t", Kind: TicketSLA, Target: target, Period: p, Clock: clock}, Data{Tickets: st}, now)
		}
		gaps := availability.GapPolicy(rng.IntN(3))
		check(t, &Objective{Name: "a", Kind: Availability, Target: target, Period: p, Availability: availability.Config{Gaps: gaps, DegradedWeight: 0.5}}, Data{Availability: &series}, now)
		check(t, &Objective{Name: "e", Kind: EventRatio, Target: target, Period: p}, Data{Events: evs}, now)
	})
}

func check(t *testing.T, o *Objective, d Data, now time.Time) {
	t.Helper()
	r, err := Evaluate(o, d, now)
	if err != nil {
		t.Fatalf("%s: %v", o.Name, err)
	}
	again, _ := Evaluate(o, d, now)
	inUnit := func(v float64) bool { return v >= -1e-9 && v <= 1+1e-9 }
	switch {
	case r.HasData && !inUnit(r.Attainment):
		t.Fatalf("%s: attainment %v", o.Name, r.Attainment)
	case r.HasForecast && !inUnit(r.Forecast):
		t.Fatalf("%s: forecast %v", o.Name, r.Forecast)
	case r.HasBreachProbability && !inUnit(r.BreachProbability):
		t.Fatalf("%s: breach probability %v", o.Name, r.BreachProbability)
	case !inUnit(r.Coverage):
		t.Fatalf("%s: coverage %v", o.Name, r.Coverage)
	case r.BudgetRemainingRatio > 1+1e-9 || math.IsNaN(r.BudgetRemainingRatio):
		t.Fatalf("%s: remaining ratio %v", o.Name, r.BudgetRemainingRatio)
	case r.Good < 0 || r.Bad < 0 || r.Excluded < 0:
		t.Fatalf("%s: negative counts %+v", o.Name, r)
	case r.Attainment != again.Attainment || r.Bad != again.Bad || r.Status != again.Status:
		t.Fatalf("%s: not deterministic", o.Name)
	}
}
