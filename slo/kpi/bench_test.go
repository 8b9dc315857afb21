package kpi

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// bigDesk is a million tickets over 90 days: most resolved, some reopened, paused or still open,
// a tenth of them changes with a close code. Built once: building takes longer than computing.
var bigDesk = sync.OnceValue(func() *ticket.Store {
	const n, span = 1_000_000, 90 * 86400
	rng := rand.New(rand.NewPCG(1, 2))
	st := ticket.NewStore(ticket.StoreOptions{})
	t := &ticket.Ticket{}
	for i := range n {
		created := t0 + rng.Int64N(span)
		*t = ticket.Ticket{ID: fmt.Sprint(i), Created: time.Unix(created, 0), Type: "incident", Priority: "P3", Group: "desk",
			Reassignments: rng.IntN(3), Rating: ticket.Rating(rng.IntN(3)), History: t.History[:0]}
		at := created
		step := func(c ticket.Category) {
			t.History = append(t.History, ticket.StatusChange{At: time.Unix(at, 0), Status: c.String(), Category: c})
			at += rng.Int64N(86400)
		}
		step(ticket.Open)
		t.FirstResponse = time.Unix(at, 0)
		if rng.IntN(5) == 0 {
			step(ticket.Paused)
			step(ticket.Open)
		}
		if rng.IntN(10) > 0 {
			step(ticket.Resolved)
			if rng.IntN(8) == 0 {
				step(ticket.Open)
				step(ticket.Resolved)
			}
			step(ticket.Closed)
		}
		if i%10 == 0 {
			t.Type, t.Fields = "change", map[string]string{"close_code": []string{"successful", "failed"}[rng.IntN(2)]}
		}
		if err := st.Add(t); err != nil {
			panic(err)
		}
	}
	return st
})

func BenchmarkCompute(b *testing.B) {
	st := bigDesk()
	from, to, now := int64(t0+30*86400), int64(t0+60*86400), int64(t0+61*86400)
	lower := func(s Spec) Spec { s.Target, s.Direction = 0.5, LowerIsBetter; return s }
	specs := []Spec{
		{Kind: MTTA, Stat: Mean},
		{Kind: MTTR, Stat: Mean},
		{Kind: MTTR, Stat: P90},
		{Kind: MTTR, Stat: P90, ExcludePaused: true, Calendar: office},
		{Kind: Backlog},
		{Kind: BacklogAge, Stat: P50},
		{Kind: ReopenRate},
		{Kind: FCR},
		{Kind: CSAT},
		{Kind: ChangeSuccess, Field: "close_code", SuccessValues: []string{"successful"}},
		{Kind: Created},
		{Kind: Resolved},
	}
	for _, spec := range specs {
		spec = lower(spec)
		name := spec.Kind.String()
		if spec.Stat != 0 {
			name += "_" + spec.Stat.String()
		}
		if spec.Calendar != nil {
			name += "_business_no_pauses"
		}
		var filter func(ticket.View) bool
		if spec.Kind == ChangeSuccess {
			filter = ofType("change")
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Compute(spec, st, filter, from, to, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
