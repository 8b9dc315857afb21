package evaluation

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/period"
)

func TestResolvePeriod(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	month := period.Period{Kind: period.Month, Location: rome}
	// 2026-12-06 05:00 UTC: December in Rome began at 2026-11-30 23:00 UTC (00:00 CET).
	now := utc("2026-12-06T05:00:00Z")
	dec, jan := utc("2026-11-30T23:00:00Z"), utc("2026-12-31T23:00:00Z")
	nov := utc("2026-10-31T23:00:00Z")
	// October ends on the 25th's DST change: it began at 22:00 UTC (00:00 CEST).
	oct := utc("2026-09-30T22:00:00Z")
	for _, tc := range []struct {
		spec string
		p    period.Period
		want DrillPeriod
	}{
		{"", month, DrillPeriod{Label: "2026-12", Start: dec, End: jan, At: now, Current: true}},
		{"current", month, DrillPeriod{Label: "2026-12", Start: dec, End: jan, At: now, Current: true}},
		{"2026-12", month, DrillPeriod{Label: "2026-12", Start: dec, End: jan, At: now, Current: true}},
		{"previous", month, DrillPeriod{Label: "2026-11", Start: nov, End: dec, At: dec}},
		{"2026-10", month, DrillPeriod{Label: "2026-10", Start: oct, End: nov, At: nov}},
		{"2025-12", month, DrillPeriod{Label: "2025-12", Start: utc("2025-11-30T23:00:00Z"), End: utc("2025-12-31T23:00:00Z"), At: utc("2025-12-31T23:00:00Z")}},
		// Q4 began with October; Q3 with July (22:00 UTC, CEST).
		{"2026-Q3", period.Period{Kind: period.Quarter, Location: rome},
			DrillPeriod{Label: "2026-Q3", Start: utc("2026-06-30T22:00:00Z"), End: oct, At: oct}},
		// ISO week 48 of 2026 runs from Monday 23 November to Monday 30 November, 00:00 CET.
		{"2026-W48", period.Period{Kind: period.Week, Location: rome},
			DrillPeriod{Label: "2026-W48", Start: utc("2026-11-22T23:00:00Z"), End: utc("2026-11-29T23:00:00Z"), At: utc("2026-11-29T23:00:00Z")}},
		{"previous", period.Period{Kind: period.Rolling, Days: 30},
			DrillPeriod{Label: "rolling_30d", Start: now.Add(-60 * 24 * time.Hour), End: now.Add(-30 * 24 * time.Hour), At: now.Add(-30 * 24 * time.Hour)}},
	} {
		t.Run(tc.spec+" "+tc.p.String(), func(t *testing.T) {
			got, err := ResolvePeriod("x", tc.p, tc.spec, now)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolvePeriodErrors(t *testing.T) {
	now := utc("2026-12-06T05:00:00Z")
	month := period.Period{Kind: period.Month}
	for _, tc := range []struct {
		spec string
		p    period.Period
		want string
	}{
		{"2026-Q4", month, `period "2026-Q4": objective "x" has month periods: give current, previous or a month such as 2026-10`},
		{"last", month, `period "last": objective "x" has month periods: give current, previous or a month such as 2026-10`},
		{"2027-01", month, `period "2027-01" of objective "x" has not begun: the current period is 2026-12`},
		{"2026-00", month, `period "2026-00" of objective "x": no such month`},
		{"2026-13", month, `period "2026-13" of objective "x" has not begun: the current period is 2026-12`},
		{"2026-W54", period.Period{Kind: period.Week}, `period "2026-W54" of objective "x" has not begun: the current period is 2026-W49`},
		{"2026-W00", period.Period{Kind: period.Week}, `period "2026-W00" of objective "x": no such week`},
		{"1900-01", month, `period "1900-01" of objective "x" is more than 530 periods back`},
		{"2026-11", period.Period{Kind: period.Rolling, Days: 30}, `period "2026-11": objective "x" has a rolling period: give current or previous`},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			_, err := ResolvePeriod("x", tc.p, tc.spec, now)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error %v, want %s", err, tc.want)
			}
		})
	}
}

// TestDrillFinishedPeriod checks a finished period's drill-down against the figure frozen for
// it: its met rows are the good cycles and its breached rows the bad ones.
func TestDrillFinishedPeriod(t *testing.T) {
	now := time.Date(2026, time.December, 6, 5, 0, 0, 0, time.UTC)
	_, ev, s := demoSnapshot(t, now)
	for _, o := range s.Objectives {
		if o.Kind != "ticket" {
			continue
		}
		t.Run(o.Objective, func(t *testing.T) {
			if len(o.History) == 0 {
				t.Fatal("no history")
			}
			for _, h := range o.History[max(0, len(o.History)-3):] {
				d, err := ev.Drill(o.Objective, CycleFilter{Period: h.Label}, now)
				if err != nil {
					t.Fatal(err)
				}
				if d.Period.Label != h.Label || !d.Period.Start.Equal(h.Start) || !d.Period.End.Equal(h.End) || d.Period.Current {
					t.Errorf("%s: period %+v, history %+v", h.Label, d.Period, h)
				}
				var met, breached int
				for _, r := range d.Rows {
					switch r.State {
					case "met":
						met++
					case "breached":
						breached++
					case "cancelled":
					default:
						t.Errorf("%s: a finished period lists %s in state %s", h.Label, r.Ticket, r.State)
					}
				}
				if met+breached == 0 {
					t.Fatalf("%s: nothing decided", h.Label)
				}
				if got := float64(met) / float64(met+breached); got != h.Attainment {
					t.Errorf("%s: %d met of %d = %v, frozen attainment %v", h.Label, met, met+breached, got, h.Attainment)
				}
			}
			// "previous" is the last finished period.
			prev, err := ev.Drill(o.Objective, CycleFilter{Period: "previous", State: "breached"}, now)
			if err != nil {
				t.Fatal(err)
			}
			byLabel, err := ev.Drill(o.Objective, CycleFilter{Period: o.History[len(o.History)-1].Label, State: "breached"}, now)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(prev.Rows, byLabel.Rows, func(a, b CycleRow) bool { return cmp.Equal(a, b) }) || prev.Period != byLabel.Period {
				t.Error("previous and the last history label differ")
			}
		})
	}
}

// TestBurnDown checks the replayed budget: its last point is the snapshot's figure, its first
// the period's start, and the points are evenly spaced.
func TestBurnDown(t *testing.T) {
	now := time.Date(2026, time.December, 6, 5, 0, 0, 0, time.UTC)
	_, ev, s := demoSnapshot(t, now)
	for _, o := range s.Objectives {
		t.Run(o.Objective, func(t *testing.T) {
			pts, err := ev.BurnDown(o.Objective, now, 11)
			if err != nil {
				t.Fatal(err)
			}
			if len(pts) != 11 {
				t.Fatalf("%d points, want 11", len(pts))
			}
			if !pts[0].At.Equal(o.PeriodStart) || !pts[10].At.Equal(now) {
				t.Errorf("points from %s to %s, want %s to %s", pts[0].At, pts[10].At, o.PeriodStart, now)
			}
			step := pts[1].At.Sub(pts[0].At)
			for i := 1; i < len(pts); i++ {
				if d := pts[i].At.Sub(pts[i-1].At); d != step {
					t.Errorf("step %d is %s, the first %s", i, d, step)
				}
			}
			last := pts[10]
			if last.Remaining != o.BudgetRemaining || last.RemainingRatio != o.BudgetRemainingRatio || last.Total != o.BudgetTotal || last.HasData != o.HasData {
				t.Errorf("last point %+v, snapshot remaining %v (%v of %v), data %v", last, o.BudgetRemaining, o.BudgetRemainingRatio, o.BudgetTotal, o.HasData)
			}
		})
	}
	if _, err := ev.BurnDown("nosuch", now, 10); err == nil || err.Error() != `no such objective: "nosuch"` {
		t.Errorf("unknown objective: %v", err)
	}
}

// FuzzResolvePeriod feeds the drill-down's period parameter, which comes from a URL: it never
// panics, and a period it resolves is the one named.
func FuzzResolvePeriod(f *testing.F) {
	for _, s := range []string{"", "current", "previous", "2026-10", "2026-Q3", "2026-W43", "2025", "2026-13", "9999-99", "0000-01", "2026-W00"} {
		f.Add(s, uint8(period.Month))
	}
	now := utc("2026-12-06T05:00:00Z")
	f.Fuzz(func(t *testing.T, spec string, kind uint8) {
		p := period.Period{Kind: period.Kind(kind%5 + 1)}
		if p.Kind == period.Rolling {
			p.Days = 30
		}
		got, err := ResolvePeriod("x", p, spec, now)
		if err != nil {
			return
		}
		switch spec {
		case "", "current", "previous":
		default:
			if got.Label != spec {
				t.Errorf("%q resolved to %s", spec, got.Label)
			}
		}
		if !got.Start.Before(got.End) || got.At.After(now) {
			t.Errorf("%q: %+v", spec, got)
		}
	})
}
