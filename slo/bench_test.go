package slo

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// benchDesk builds a service desk of n tickets over the 90 days before end: priorities P1..P4,
// two fields, 4 status changes on average, about 10% paused once and 4% reopened.
func benchDesk(tb testing.TB, n int, end time.Time) *ticket.Store {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	st := ticket.NewStore(ticket.StoreOptions{})
	prios := []string{"P1", "P2", "P3", "P4"}
	groups := []string{"network", "apps", "workplace", "dba", "security"}
	span := int64(90 * 24 * 3600)
	for i := range n {
		created := end.Add(-time.Duration(rng.Int64N(span)) * time.Second)
		tk := ticket.Ticket{
			ID: fmt.Sprintf("INC%07d", i), Created: created, Priority: prios[rng.IntN(4)], Type: "incident",
			Group:  groups[rng.IntN(len(groups))],
			Fields: map[string]string{"customer": groups[rng.IntN(3)], "category": prios[rng.IntN(4)]},
		}
		t := created
		step := func(max time.Duration) time.Time {
			t = t.Add(time.Duration(rng.Int64N(int64(max/time.Second))+60) * time.Second)
			return t
		}
		tk.History = append(tk.History, ticket.StatusChange{At: created, Status: "New", Category: ticket.Open})
		tk.FirstResponse = step(4 * time.Hour)
		tk.History = append(tk.History, ticket.StatusChange{At: t, Status: "In Progress", Category: ticket.Open})
		if rng.IntN(10) == 0 {
			tk.History = append(tk.History, ticket.StatusChange{At: step(8 * time.Hour), Status: "Awaiting Customer", Category: ticket.Paused})
			tk.History = append(tk.History, ticket.StatusChange{At: step(48 * time.Hour), Status: "In Progress", Category: ticket.Open})
		}
		if t2 := step(72 * time.Hour); t2.Before(end) || rng.IntN(2) == 0 {
			tk.History = append(tk.History, ticket.StatusChange{At: t2, Status: "Resolved", Category: ticket.Resolved})
			if rng.IntN(25) == 0 {
				tk.History = append(tk.History, ticket.StatusChange{At: step(24 * time.Hour), Status: "In Progress", Category: ticket.Open})
				tk.History = append(tk.History, ticket.StatusChange{At: step(24 * time.Hour), Status: "Resolved", Category: ticket.Resolved})
			}
		}
		if err := st.Add(&tk); err != nil {
			tb.Fatal(err)
		}
	}
	return st
}

func benchCalendar(tb testing.TB) *calendar.Calendar {
	tb.Helper()
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		tb.Fatal(err)
	}
	spec := calendar.Spec{Name: "office", Location: rome, FirstYear: 2020, LastYear: 2030,
		Recurring: []calendar.MonthDay{{Month: 1, Day: 1}, {Month: 1, Day: 6}, {Month: 4, Day: 25}, {Month: 5, Day: 1},
			{Month: 6, Day: 2}, {Month: 8, Day: 15}, {Month: 11, Day: 1}, {Month: 12, Day: 8}, {Month: 12, Day: 25}, {Month: 12, Day: 26}}}
	for d := time.Monday; d <= time.Friday; d++ {
		spec.Week[d] = []calendar.Interval{{Start: 9 * 3600, End: 13 * 3600}, {Start: 14 * 3600, End: 18 * 3600}}
	}
	c, err := calendar.New(spec)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// benchDeskObjectives are the ticket benchmarks' objectives over benchDesk: response and
// resolution at 95% a month, on the bench calendar, with targets of 4h to 72h by priority.
func benchDeskObjectives(b *testing.B) []*Objective {
	b.Helper()
	cal := benchCalendar(b)
	targets := map[string]time.Duration{"P1": 4 * time.Hour, "P2": 8 * time.Hour, "P3": 24 * time.Hour, "P4": 72 * time.Hour}
	var objs []*Objective
	for _, k := range []ticket.Kind{ticket.Response, ticket.Resolution} {
		clock, err := ticket.NewClock(ticket.ClockSpec{Kind: k, Calendar: cal, Targets: targets})
		if err != nil {
			b.Fatal(err)
		}
		objs = append(objs, &Objective{Name: k.String(), Service: "desk", Kind: TicketSLA, Target: 0.95, Period: mustPeriod(b, "month"), Clock: clock})
	}
	return objs
}

// BenchmarkEvaluateTickets evaluates a response and a resolution objective over a million
// tickets on a business-hours calendar with holidays. tickets/s counts tickets through both
// clocks per second; B/ticket is the heap the store retains per ticket.
func BenchmarkEvaluateTickets(b *testing.B) { benchEvaluateTickets(b, nil) }

// BenchmarkEvaluateTicketsEscalation is BenchmarkEvaluateTickets with the default escalation
// levels (50, 75, 90, 100%) on both objectives: the cost of counting open cycles per level.
func BenchmarkEvaluateTicketsEscalation(b *testing.B) {
	benchEvaluateTickets(b, []float64{0.5, 0.75, 0.9, 1})
}

func benchEvaluateTickets(b *testing.B, levels []float64) {
	const n = 1_000_000
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	before := heapInUse()
	st := benchDesk(b, n, now)
	retained := heapInUse() - before
	objs := benchDeskObjectives(b)
	for _, o := range objs {
		o.Escalation = levels
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, o := range objs {
			if _, err := Evaluate(o, Data{Tickets: st}, now); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
	b.ReportMetric(float64(retained)/n, "B/ticket")
	runtime.KeepAlive(st)
}
