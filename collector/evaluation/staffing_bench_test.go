package evaluation

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/demo"
)

// BenchmarkStaffing50Groups: the staffing step of one evaluation for 50 groups over the demo's
// store (100 days, ~4.6k tickets): the demo's group and 49 more, alternately the workload model
// on incident-response's P3 and P4 (office calendar) and Erlang C on p1-resolution, each with a
// roster, so every group computes its expected attainment too.
func BenchmarkStaffing50Groups(b *testing.B) {
	var extra strings.Builder
	for i := range 49 {
		switch i % 3 {
		case 0:
			fmt.Fprintf(&extra, "  - {name: g%d, objective: incident-response, priority: P3, handle_time: %dm, roster: {mon-fri: {\"08:00-18:00\": 4}}}\n", i, 20+i)
		case 1:
			fmt.Fprintf(&extra, "  - {name: g%d, objective: incident-resolution, priority: P4, handle_time: %dm, roster: {mon-fri: {\"08:00-18:00\": 3}}}\n", i, 30+i)
		default:
			fmt.Fprintf(&extra, "  - {name: g%d, objective: p1-resolution, model: erlang, handle_time: %dm, roster: {mon-sun: {\"00:00-24:00\": 2}}}\n", i, 30+i)
		}
	}
	now := time.Date(2026, time.November, 18, 10, 17, 23, 0, time.UTC)
	cfg, e := syncedEvaluator(b, append(append([]byte{}, demo.ConfigYAML...), extra.String()...), now)
	if len(cfg.Staffing) != 50 {
		b.Fatalf("%d groups", len(cfg.Staffing))
	}
	// cached: an evaluation within the week, the simulations kept; simulated: the first
	// evaluation, or the one after the week's arrivals change, which simulates every workload
	// group's roster again.
	for _, cached := range []bool{true, false} {
		b.Run(map[bool]string{true: "cached", false: "simulated"}[cached], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !cached {
					e.sims = nil
				}
				e.data.Read(func(d collector.Data) {
					for _, r := range e.staffingGroups(cfg, d, now) {
						if !r.Published() {
							b.Fatalf("%s: %s", r.Group, r.Reason)
						}
					}
				})
			}
		})
	}
}
