package evaluation

import (
	"fmt"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// BenchmarkBreachedByPriority is the scan a priced ticket objective costs when its data changed:
// 100,000 tickets over November 2026 (P1-P4 in turn, resolved after 2h or 6h against a 4h
// target: every other ticket breached), split by priority at the end of the month.
func BenchmarkBreachedByPriority(b *testing.B) {
	cfg, err := config.Load([]byte(costConfig), "bench.yml", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	st := ticket.NewStore(ticket.StoreOptions{})
	start := utc("2026-11-01T00:00:00Z")
	const n = 100000
	for i := range n {
		created := start.Add(time.Duration(i) * 25 * time.Second)
		took := 2 * time.Hour
		if i%2 == 1 {
			took = 6 * time.Hour
		}
		t := ticket.Ticket{ID: fmt.Sprintf("T%d", i), Type: "incident", Priority: []string{"P1", "P2", "P3", "P4"}[i%4], Created: created,
			History: []ticket.StatusChange{{At: created, Status: "new", Category: ticket.Open}, {At: created.Add(took), Status: "resolved", Category: ticket.Resolved}}}
		if err := st.Add(&t); err != nil {
			b.Fatal(err)
		}
	}
	o := &cfg.Objectives[2] // resolution
	now := utc("2026-11-30T23:00:00Z").Unix()
	b.ReportAllocs()
	b.ResetTimer()
	var counts map[string]float64
	for b.Loop() {
		counts = breachedByPriority(o, st, start.Unix(), now)
	}
	b.StopTimer()
	if counts["P2"]+counts["P4"] != n/2 {
		b.Fatalf("counts %v, want %d breaches of P2 and P4", counts, n/2)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
}
