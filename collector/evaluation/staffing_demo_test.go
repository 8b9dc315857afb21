package evaluation

import (
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
)

// TestDemoStaffing: the demo's desk-p3 group publishes, with plausible figures, and its roster,
// thin over lunch and late in the afternoon, is short there.
func TestDemoStaffing(t *testing.T) {
	now := time.Date(2026, time.November, 18, 10, 17, 23, 0, time.UTC)
	_, _, s := demoSnapshot(t, now)
	if len(s.Staffing) != 1 {
		t.Fatalf("%d staffing groups, want the demo's 1", len(s.Staffing))
	}
	r := s.Staffing[0]
	if r.State != collector.StaffingOK {
		t.Fatalf("desk-p3: %s (%s), want figures", r.State, r.Reason)
	}
	// 8 weeks of P3 incidents, a few each office hour, far fewer outside it.
	if r.Tickets < 8*5*10 {
		t.Errorf("%d tickets over 8 weeks: the demo's P3 desk gets more", r.Tickets)
	}
	const monday12, monday03 = 12, 3
	if r.Arrivals[monday12] < 0.5 || r.Arrivals[monday03] > 0.5 {
		t.Errorf("arrivals Monday 12:00 %.2f, 03:00 %.2f: want office hours busy, the night quiet", r.Arrivals[monday12], r.Arrivals[monday03])
	}
	if r.Shortfall == nil || r.Shortfall[monday12] >= 0 {
		t.Errorf("Monday 12:00: roster %v, need %v: want the demo's lunch hour short", r.Roster[monday12], r.Scheduled[monday12])
	}
	if n := r.ShortHours(); n < 5 {
		t.Errorf("%d short hours a week, want the demo to show a shortfall most weekdays", n)
	}
	// The roster, short where the weekend's backlog meets Monday morning and over lunch, is
	// expected to keep about 97% of the promises, as the simulated desk does
	// (TestDemoDeskAttainment).
	if a := r.ExpectedAttainment; !(a > 0.9 && a <= 1) {
		t.Errorf("expected attainment %v: want a roster that keeps almost every promise", a)
	}
}
