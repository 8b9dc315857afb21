package evaluation

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/demo"
	"github.com/sla-exporter/sla_exporter/slo/staffing"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// TestDemoDeskAttainment is the staffing model against the demo's simulated desk: the demo's P3
// incidents get their first response from a first-come first-served queue worked by
// demo.DeskRoster with the model's shrinkage and an exponential handle time of the configured
// mean, from Poisson arrivals (collector/demo/desk.go). The expected attainment desk-p3 publishes
// must match the share of those incidents, over the same 8 weeks, answered within the P3 target
// on the objective's calendar, counted here from the tickets.
//
// The tolerance is three standard errors of the difference: the measured share's, from the
// spread between its 8 weeks (a ticket's fate is shared with its neighbours' in the queue, so
// it is about 3 times the binomial's: some 1.8 points, where collector/demo TestDeskLongRun's
// 600 weeks give 5.1 points for one week), and the model's own (a quarter of a point at most).
// The arrivals the model averages are the same weeks' counts, so their noise is shared, not
// added. TestDeskLongRun is the sharper comparison: the same model against 600 weeks of the
// desk with the demo's roster and two thinner ones.
func TestDemoDeskAttainment(t *testing.T) {
	now := time.Date(2026, time.November, 18, 10, 17, 23, 0, time.UTC)
	cfg, ev, s := demoSnapshot(t, now)
	if len(s.Staffing) != 1 || s.Staffing[0].State != collector.StaffingOK {
		t.Fatalf("staffing %+v: want the demo's desk-p3 with figures", s.Staffing)
	}
	r := s.Staffing[0]
	g := cfg.Staffing[0]
	// The configuration describes the desk the demo simulates.
	if diff := cmp.Diff(demo.DeskRoster, *g.Roster); diff != "" {
		t.Errorf("desk-p3's roster is not the demo desk's (-demo +config):\n%s", diff)
	}
	if g.HandleTime != demo.DeskHandleTime || g.Shrinkage != demo.DeskShrinkage || g.Priority != demo.DeskPriority {
		t.Errorf("desk-p3: handle time %s, shrinkage %v, priority %s; the demo desk's are %s, %v, %s",
			g.HandleTime, g.Shrinkage, g.Priority, demo.DeskHandleTime, demo.DeskShrinkage, demo.DeskPriority)
	}
	o := objectiveByName(cfg, g.Objective)
	if o.Clock.Kind() != ticket.Response {
		t.Fatalf("objective %s: clock %v, want response: the desk gives the first response", o.Name, o.Clock.Kind())
	}
	target := g.Target
	cal := o.Clock.Calendar()

	// Measured: the P3 incidents created in the weeks averaged, answered within target on the
	// objective's calendar. A ticket withdrawn before any answer has no response to judge (the
	// objective leaves it out too); one not yet answered by now is a miss.
	var met, all int
	week := make(map[int64][2]float64) // week's Monday → met, all
	count := func(c int64, in bool) {
		k := staffing.StartOfWeek(time.Unix(c, 0), r.From.Location()).Unix()
		w := week[k]
		w[1]++
		all++
		if in {
			w[0]++
			met++
		}
		week[k] = w
	}
	ev.data.Read(func(d collector.Data) {
		st := d.Tickets[o.Source]
		m := o.Select.Compile(st)
		for i := range st.Len() {
			v := st.View(i)
			c := v.Created()
			if c < r.From.Unix() || c >= r.To.Unix() || v.Priority() != g.Priority || !m.Match(v) {
				continue
			}
			tk := v.Ticket()
			if tk.FirstResponse.IsZero() {
				if !cancelled(tk) {
					count(c, false)
				}
				continue
			}
			count(c, cal.Duration(tk.Created, tk.FirstResponse) <= target)
		}
	})
	if all < 500 {
		t.Fatalf("%d P3 incidents in %s to %s: too few to judge", all, r.From, r.To)
	}
	if len(week) != g.Weeks {
		t.Fatalf("tickets in %d weeks, want %d", len(week), g.Weeks)
	}
	measured := float64(met) / float64(all)
	// The ratio estimator's standard error over the weeks.
	ss := 0.0
	for _, w := range week {
		d := w[0] - measured*w[1]
		ss += d * d
	}
	n := float64(len(week))
	se := math.Sqrt(ss/(n*(n-1))) / (float64(all) / n)
	if r.ExpectedAttainmentStdErr <= 0 || r.ExpectedAttainmentStdErr > 0.0025 {
		t.Errorf("the model's standard error %.4f: want a simulation of a quarter of a point or better", r.ExpectedAttainmentStdErr)
	}
	tolerance := 3 * math.Hypot(se, r.ExpectedAttainmentStdErr)
	t.Logf("desk-p3 over %s to %s: expected %.4f ± %.4f, measured %.4f ± %.4f (%d of %d)", r.From.Format(time.DateOnly), r.To.Format(time.DateOnly),
		r.ExpectedAttainment, r.ExpectedAttainmentStdErr, measured, se, met, all)
	if math.Abs(r.ExpectedAttainment-measured) > tolerance {
		t.Errorf("expected attainment %.4f, measured %.4f (%d of %d): more than %.4f apart",
			r.ExpectedAttainment, measured, met, all, tolerance)
	}
}

func cancelled(tk ticket.Ticket) bool {
	for _, h := range tk.History {
		if h.Category == ticket.Cancelled {
			return true
		}
	}
	return false
}
