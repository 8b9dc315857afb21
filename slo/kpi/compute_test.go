package kpi

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// desk is a service desk seen over the window [1000, 2000) at now = 2500 (offsets from t0). What
// each ticket means to the KPIs is worked out once here; the tests below add it up.
//
//	A  created 100, response 400, resolved 1200; good; never reassigned or reopened.
//	B  created 500, response 1100, paused 1300-1500, resolved 1800, closed 2200; bad; reassigned.
//	C  created 1100, response 1150, resolved 1400, reopened 1600: open at now, no resolution.
//	D  created 1200, no response, resolved 1300, reopened 1350, resolved 1900; unrated.
//	E  created 1500, response 1700, paused 1600 and still paused.
//	F  created 300, response 2100 (after the window), cancelled 1500: neither resolved nor open.
//	G  created 2100, resolved 2200 (after the window); good.
//	H  created 2600, after now: it does not exist yet.
//	I  created 1900, response 1980, resolved 2800, after now: open at now.
//	J  created 1950 with no status yet: open.
//
// The changes c1-c7 are left out by the incident filter and measured by change_success.
func desk(t *testing.T) *ticket.Store {
	return store(t,
		tk("A", 100, h(100, O, 1200, R), resp(400), rated(ticket.Good)),
		tk("B", 500, h(500, O, 1300, P, 1500, O, 1800, R, 2200, C), resp(1100), rated(ticket.Bad), reassigned(1)),
		tk("C", 1100, h(1100, O, 1400, R, 1600, O), resp(1150), rated(ticket.Good)),
		tk("D", 1200, h(1200, O, 1300, R, 1350, O, 1900, R)),
		tk("E", 1500, h(1500, O, 1600, P), resp(1700)),
		tk("F", 300, h(300, O, 1500, X), resp(2100)),
		tk("G", 2100, h(2100, O, 2200, R), rated(ticket.Good)),
		tk("H", 2600, h(2600, O, 2700, R), resp(2650)),
		tk("I", 1900, h(1900, O, 2800, R), resp(1980)),
		tk("J", 1950, nil),
		// c1 was resolved before the window but closed in it: closure, not resolution, counts.
		tk("c1", 200, h(200, O, 900, R, 1100, C), typ("change"), field("close_code", "successful")),
		tk("c2", 1000, h(1000, O, 1500, C), typ("change"), field("close_code", "failed")),
		tk("c3", 1000, h(1000, O, 1700, C), typ("change")),
		tk("c4", 1000, h(1000, O, 1800, C, 1900, O), typ("change"), field("close_code", "successful")),
		tk("c5", 1000, h(1000, O, 1500, R), typ("change"), field("close_code", "successful")),
		tk("c6", 1000, h(1000, O, 1600, C), typ("change"), field("close_code", "successful_with_issues")),
		tk("c7", 1000, h(1000, O, 2300, C), typ("change"), field("close_code", "successful")),
	)
}

var equateNaN = cmpopts.EquateNaNs()

func TestCompute_Desk(t *testing.T) {
	st := desk(t)
	incidents, changes := ofType("incident"), ofType("change")
	changeSpec := func(target float64) Spec {
		return Spec{Kind: ChangeSuccess, Field: "close_code", SuccessValues: []string{"successful", "successful_with_issues"}, Target: target, Direction: HigherIsBetter}
	}
	tests := []struct {
		name   string
		spec   Spec
		filter func(ticket.View) bool
		want   Result
	}{
		// mtta: responses in the window are B 1100-500 = 600, C 1150-1100 = 50, E 1700-1500 = 200,
		// I 1980-1900 = 80 (A's 400 and F's 2100 are outside it). Sorted: 50, 80, 200, 600.
		{"mtta mean", Spec{Kind: MTTA, Stat: Mean, Target: 300, Direction: LowerIsBetter},
			incidents, Result{Value: 232.5, Samples: 4, OK: true, Status: Green}}, // 930/4
		{"mtta p50", Spec{Kind: MTTA, Stat: P50, Target: 60, Red: ptr(100), Direction: LowerIsBetter},
			incidents, Result{Value: 80, Samples: 4, OK: true, Status: Amber}}, // rank ceil(0.5×4) = 2; 60 < 80 <= 100
		{"mtta p90", Spec{Kind: MTTA, Stat: P90, Target: 300, Red: ptr(500), Direction: LowerIsBetter},
			incidents, Result{Value: 600, Samples: 4, OK: true, Status: Red}}, // rank ceil(0.9×4) = 4; 600 > 500
		{"mtta max", Spec{Kind: MTTA, Stat: Max, Target: 600, Direction: LowerIsBetter},
			incidents, Result{Value: 600, Samples: 4, OK: true, Status: Green}}, // equal to the target meets it

		// mttr: resolutions in the window are A 1200-100 = 1100, B 1800-500 = 1300 (not its
		// closure at 2200), D 1900-1200 = 700 (its second resolution). Sorted: 700, 1100, 1300.
		{"mttr mean", Spec{Kind: MTTR, Stat: Mean, Target: 900, Red: ptr(1200), Direction: LowerIsBetter},
			incidents, Result{Value: 3100.0 / 3, Samples: 3, OK: true, Status: Amber}}, // (1100+1300+700)/3 = 1033.3
		{"mttr p50", Spec{Kind: MTTR, Stat: P50, Target: 1100, Direction: LowerIsBetter},
			incidents, Result{Value: 1100, Samples: 3, OK: true, Status: Green}}, // rank ceil(1.5) = 2
		{"mttr p90", Spec{Kind: MTTR, Stat: P90, Target: 1200, Direction: LowerIsBetter},
			incidents, Result{Value: 1300, Samples: 3, OK: true, Status: Red}}, // rank ceil(2.7) = 3; no red: missed is red
		{"mttr max", Spec{Kind: MTTR, Stat: Max, Target: 1200, Red: ptr(1300), Direction: LowerIsBetter},
			incidents, Result{Value: 1300, Samples: 3, OK: true, Status: Amber}}, // equal to red is amber
		// B without its pause 1300-1500: 1300-200 = 1100. Values 1100, 1100, 700.
		{"mttr mean without pauses", Spec{Kind: MTTR, Stat: Mean, ExcludePaused: true, Target: 1000, Direction: LowerIsBetter},
			incidents, Result{Value: 2900.0 / 3, Samples: 3, OK: true, Status: Green}}, // (1100+1100+700)/3 = 966.7
		{"mttr max without pauses", Spec{Kind: MTTR, Stat: Max, ExcludePaused: true, Target: 1000, Direction: LowerIsBetter},
			incidents, Result{Value: 1100, Samples: 3, OK: true, Status: Red}},

		// backlog at 2500: C (reopened), E (paused), I (its resolution at 2800 is after now) and J
		// (no status yet). Ages 2500-1100 = 1400, 2500-1500 = 1000, 2500-1900 = 600,
		// 2500-1950 = 550. Sorted: 550, 600, 1000, 1400.
		{"backlog", Spec{Kind: Backlog, Target: 5, Direction: LowerIsBetter},
			incidents, Result{Value: 4, Samples: 4, OK: true, Status: Green}},
		{"backlog_age mean", Spec{Kind: BacklogAge, Stat: Mean, Target: 800, Red: ptr(900), Direction: LowerIsBetter},
			incidents, Result{Value: 887.5, Samples: 4, OK: true, Status: Amber}}, // 3550/4
		{"backlog_age p50", Spec{Kind: BacklogAge, Stat: P50, Target: 600, Direction: LowerIsBetter},
			incidents, Result{Value: 600, Samples: 4, OK: true, Status: Green}}, // rank 2
		{"backlog_age p90", Spec{Kind: BacklogAge, Stat: P90, Target: 600, Direction: LowerIsBetter},
			incidents, Result{Value: 1400, Samples: 4, OK: true, Status: Red}}, // rank ceil(3.6) = 4
		{"backlog_age max", Spec{Kind: BacklogAge, Stat: Max, Target: 2000, Direction: LowerIsBetter},
			incidents, Result{Value: 1400, Samples: 4, OK: true, Status: Green}},

		// Stops in the window: A 1200, B 1800, C 1400, D 1300; C was reopened at 1600, D at 1350.
		// G's stop at 2200 is after the window, I's at 2800 after now.
		{"reopen_rate", Spec{Kind: ReopenRate, Target: 0.1, Direction: LowerIsBetter},
			incidents, Result{Value: 0.5, Samples: 4, OK: true, Status: Red}}, // 2/4
		// Resolved in the window: A, B, D. B was reassigned, D reopened: only A.
		{"fcr", Spec{Kind: FCR, Target: 0.5, Red: ptr(0.3), Direction: HigherIsBetter},
			incidents, Result{Value: 1.0 / 3, Samples: 3, OK: true, Status: Amber}}, // 0.3 <= 1/3 < 0.5
		// Resolved in the window and rated: A good, B bad. D is unrated; C's and G's ratings are
		// on tickets not resolved in the window.
		{"csat", Spec{Kind: CSAT, Target: 0.5, Direction: HigherIsBetter},
			incidents, Result{Value: 0.5, Samples: 2, OK: true, Status: Green}}, // 1/2, equal to the target
		// Created in the window: C 1100, D 1200, E 1500, I 1900, J 1950.
		{"created", Spec{Kind: Created, Target: 4, Direction: LowerIsBetter},
			incidents, Result{Value: 5, Samples: 5, OK: true, Status: Red}},
		{"resolved", Spec{Kind: Resolved, Target: 3, Direction: HigherIsBetter},
			incidents, Result{Value: 3, Samples: 3, OK: true, Status: Green}}, // A, B, D
		// Without a filter the changes count too: c2-c7 were created at 1000.
		{"created, all tickets", Spec{Kind: Created, Target: 20, Direction: LowerIsBetter},
			nil, Result{Value: 11, Samples: 11, OK: true, Status: Green}}, // 5 + 6

		// Closed in the window: c1 1100 successful, c2 1500 failed, c3 1700 without close code,
		// c6 1600 successful_with_issues. c4 was reopened, c5 is only resolved, c7 closed after.
		{"change_success", changeSpec(0.9), changes, Result{Value: 0.5, Samples: 4, OK: true, Status: Red}}, // 2/4
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Compute(tt.spec, st, tt.filter, t0+1000, t0+2000, t0+2500)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, equateNaN); diff != "" {
				t.Errorf("Compute() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// The window [1000, 2000) includes its start and excludes its end; what happens at now has
// happened. One ticket at a time, counted by the kind that sees the instant under test.
func TestCompute_Bounds(t *testing.T) {
	resolved := Spec{Kind: Resolved, Direction: HigherIsBetter}
	created := Spec{Kind: Created, Direction: HigherIsBetter}
	tests := []struct {
		name string
		spec Spec
		tk   *ticket.Ticket
		now  int64
		want int
	}{
		{"resolved at the start", resolved, tk("t", 0, h(0, O, 1000, R)), 3000, 1},
		{"resolved at the end", resolved, tk("t", 0, h(0, O, 2000, R)), 3000, 0},
		{"resolved at now", resolved, tk("t", 0, h(0, O, 1500, R)), 1500, 1},
		{"resolved after now", resolved, tk("t", 0, h(0, O, 1501, R)), 1500, 0},
		{"created at the start", created, tk("t", 1000, nil), 3000, 1},
		{"created at the end", created, tk("t", 2000, nil), 3000, 0},
		{"created at now", created, tk("t", 1500, nil), 1500, 1},
		{"created after now", created, tk("t", 1501, nil), 1500, 0},
		{"in the backlog from creation", Spec{Kind: Backlog, Direction: LowerIsBetter}, tk("t", 1500, nil), 1500, 1},
		{"answered at now", Spec{Kind: MTTA, Stat: Max, Direction: LowerIsBetter}, tk("t", 1000, nil, resp(1500)), 1500, 1},
		{"answered after now", Spec{Kind: MTTA, Stat: Max, Direction: LowerIsBetter}, tk("t", 1000, nil, resp(1501)), 1500, 0},
		{"answered at the end", Spec{Kind: MTTA, Stat: Max, Direction: LowerIsBetter}, tk("t", 1000, nil, resp(2000)), 3000, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Compute(tt.spec, store(t, tt.tk), nil, t0+1000, t0+2000, t0+tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if got.Samples != tt.want {
				t.Errorf("Compute() = %+v, want %d samples", got, tt.want)
			}
		})
	}
}

// weekdays9to5 is Monday to Friday, 09:00-17:00 UTC, with no holidays.
func weekdays9to5(t *testing.T, first, last int) *calendar.Calendar {
	t.Helper()
	var s calendar.Spec
	s.Name, s.FirstYear, s.LastYear = "office", first, last
	for d := 1; d <= 5; d++ {
		s.Week[d] = []calendar.Interval{{Start: 9 * 3600, End: 17 * 3600}}
	}
	c, err := calendar.New(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCompute_BusinessTime(t *testing.T) {
	const hour = 3600
	// Offsets in hours from Monday 2024-01-01 00:00 UTC: Tuesday 09:00 is 24+9 = 33.
	st := store(t,
		// Mon 16:00 to Tue 10:00: business Mon 16-17 + Tue 9-10 = 2 h, calendar 18 h.
		// Response Mon 16:30: business 0.5 h.
		tk("b1", 16*hour, h(16*hour, O, 34*hour, R), resp(16*hour+1800)),
		// Fri 15:00 (96+15 = 111) to Mon 11:00 (168+11 = 179): business Fri 15-17 + Mon 9-11 =
		// 4 h, calendar 68 h. Response Mon 09:30 (177.5): business Fri 15-17 + Mon 9-9:30 = 2.5 h.
		tk("b2", 111*hour, h(111*hour, O, 179*hour, R), resp(177*hour+1800)),
		// Tue 09:00 (33) to Wed 12:00 (60), paused Tue 12:00 (36) to Wed 10:00 (58). Business:
		// Tue 9-17 + Wed 9-12 = 11 h, paused Tue 12-17 + Wed 9-10 = 6 h, net 5 h. Calendar:
		// 27 h, paused 22 h, net 5 h.
		tk("b3", 33*hour, h(33*hour, O, 36*hour, P, 58*hour, O, 60*hour, R)),
		// Sat 10:00 (120+10 = 130), open at now = Tue 00:00 (192): business Mon 9-17 = 8 h,
		// calendar 62 h.
		tk("b4", 130*hour, h(130*hour, O)),
	)
	office := weekdays9to5(t, 2024, 2024)
	tests := []struct {
		name string
		spec Spec
		want float64
	}{
		{"mttr business", Spec{Kind: MTTR, Stat: Mean, Calendar: office}, (2 + 4 + 11) * hour / 3.0},                                    // 20400
		{"mttr business without pauses", Spec{Kind: MTTR, Stat: Mean, Calendar: office, ExcludePaused: true}, (2 + 4 + 5) * hour / 3.0}, // 13200
		{"mttr calendar", Spec{Kind: MTTR, Stat: Mean}, (18 + 68 + 27) * hour / 3.0},                                                    // 135600
		{"mttr calendar without pauses", Spec{Kind: MTTR, Stat: Mean, ExcludePaused: true}, (18 + 68 + 5) * hour / 3.0},                 // 109200
		{"mttr business max", Spec{Kind: MTTR, Stat: Max, Calendar: office}, 11 * hour},
		{"mtta business", Spec{Kind: MTTA, Stat: Mean, Calendar: office}, (0.5 + 2.5) * hour / 2}, // 5400
		{"mtta calendar", Spec{Kind: MTTA, Stat: Max}, (177.5 - 111) * hour},                      // 66.5 h
		{"backlog_age business", Spec{Kind: BacklogAge, Stat: Max, Calendar: office}, 8 * hour},
		{"backlog_age calendar", Spec{Kind: BacklogAge, Stat: Max}, 62 * hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.Target, tt.spec.Direction = 1e9, LowerIsBetter
			got, err := Compute(tt.spec, st, nil, t0, t0+192*hour, t0+192*hour)
			if err != nil {
				t.Fatal(err)
			}
			if got.Value != tt.want || !got.OK {
				t.Errorf("Compute() = %+v, want value %v", got, tt.want)
			}
		})
	}
}

// An empty measurement is not OK and has no value; a count of nothing is a count of zero.
func TestCompute_NothingToMeasure(t *testing.T) {
	// In the window [1000, 2000) at now = 3000: r was responded to and closed before the window;
	// q was resolved in it, but not rated and not closed; nothing is open.
	st := store(t,
		tk("r", 0, h(0, O, 500, C), resp(100)),
		tk("q", 1000, h(1000, O, 1500, R)),
	)
	// Nothing at all happens in the window.
	done := store(t, tk("r", 0, h(0, O, 500, C)))
	notOK := Result{Value: math.NaN(), Samples: 0, OK: false, Status: Unknown}
	tests := []struct {
		name string
		spec Spec
		st   *ticket.Store
		want Result
	}{
		{"mtta", Spec{Kind: MTTA, Stat: P90, Target: 1, Direction: LowerIsBetter}, st, notOK},
		{"mttr mean", Spec{Kind: MTTR, Stat: Mean, Target: 1, Direction: LowerIsBetter}, done, notOK},
		{"mttr p50", Spec{Kind: MTTR, Stat: P50, Target: 1, Direction: LowerIsBetter}, done, notOK},
		{"backlog_age", Spec{Kind: BacklogAge, Stat: Max, Target: 1, Direction: LowerIsBetter}, st, notOK},
		{"reopen_rate", Spec{Kind: ReopenRate, Target: 0, Direction: LowerIsBetter}, done, notOK},
		{"fcr", Spec{Kind: FCR, Target: 1, Direction: HigherIsBetter}, done, notOK},
		{"csat, resolved but unrated", Spec{Kind: CSAT, Target: 1, Direction: HigherIsBetter}, st, notOK},
		{"change_success", Spec{Kind: ChangeSuccess, Field: "close_code", SuccessValues: []string{"ok"}, Target: 1, Direction: HigherIsBetter}, st, notOK},
		{"backlog", Spec{Kind: Backlog, Target: 0, Direction: LowerIsBetter}, st, Result{Value: 0, OK: true, Status: Green}},
		{"created", Spec{Kind: Created, Target: 1, Direction: HigherIsBetter}, done, Result{Value: 0, OK: true, Status: Red}},
		{"resolved", Spec{Kind: Resolved, Target: 1, Direction: HigherIsBetter}, done, Result{Value: 0, OK: true, Status: Red}},
		{"empty store", Spec{Kind: MTTR, Stat: Max, Target: 1, Direction: LowerIsBetter}, store(t), notOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Compute(tt.spec, tt.st, nil, t0+1000, t0+2000, t0+3000)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, equateNaN); diff != "" {
				t.Errorf("Compute() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompute_Errors(t *testing.T) {
	valid := Spec{Name: "mttr", Kind: MTTR, Stat: Mean, Target: 1, Direction: LowerIsBetter}
	st := store(t)
	tests := []struct {
		name     string
		spec     Spec
		st       *ticket.Store
		from, to int64
		want     string
	}{
		{"invalid spec", Spec{Name: "x"}, st, 0, 1, `kpi "x": kind is not set`},
		{"no store", valid, nil, 0, 1, `kpi "mttr": no ticket store`},
		{"empty window", valid, st, 5, 5, `kpi "mttr": window [5, 5) is empty`},
		{"reversed window", valid, st, 6, 5, `kpi "mttr": window [6, 5) is empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compute(tt.spec, tt.st, nil, tt.from, tt.to, 10)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Compute() error = %v, want %s", err, tt.want)
			}
		})
	}
}

// A calendar counts no working time outside its span, so a duration reaching outside it would be
// silently short: Compute refuses instead.
func TestCompute_OutsideCalendarSpan(t *testing.T) {
	office := weekdays9to5(t, 2024, 2024)
	const year = 366 * 86400                                             // 2024 is a leap year
	st := store(t, tk("old", -3600, h(-3600, O, 36000, R), resp(-1800))) // created 2023-12-31 23:00
	// Created in the span's last hour, resolved and answered after it.
	late := store(t, tk("late", year-3600, h(year-3600, O, year+3600, R), resp(year+1)))
	for _, tt := range []struct {
		spec     Spec
		st       *ticket.Store
		from, to int64
		id       string
	}{
		{Spec{Name: "mttr", Kind: MTTR, Stat: Mean}, st, -7200, 40000, "old"},
		{Spec{Name: "mtta", Kind: MTTA, Stat: Mean}, st, -7200, 40000, "old"},
		{Spec{Name: "mttr", Kind: MTTR, Stat: Mean}, late, year, year + 7200, "late"},
		{Spec{Name: "mtta", Kind: MTTA, Stat: Mean}, late, year, year + 7200, "late"},
		{Spec{Name: "backlog_age", Kind: BacklogAge, Stat: Max}, late, year, year + 1, "late"}, // open at now = year
	} {
		tt.spec.Calendar, tt.spec.Target, tt.spec.Direction = office, 1, LowerIsBetter
		_, err := Compute(tt.spec, tt.st, nil, t0+tt.from, t0+tt.to, t0+tt.to)
		if !errors.Is(err, calendar.ErrOutOfSpan) || !strings.Contains(err.Error(), "ticket "+tt.id) {
			t.Errorf("%s: Compute() error = %v, want ticket %s out of the calendar's span", tt.spec.Name, err, tt.id)
		}
	}
	// Ending exactly at the span's end is inside it: the last second measured is the span's last.
	edge := store(t, tk("edge", year-3600, h(year-3600, O, year, R)))
	if _, err := Compute(Spec{Kind: MTTR, Stat: Mean, Calendar: office, Target: 1, Direction: LowerIsBetter}, edge, nil, t0, t0+year+1, t0+year); err != nil {
		t.Errorf("Compute() up to the span's end: %v", err)
	}
	// The same ticket, measured in calendar time, is fine.
	spec := Spec{Kind: MTTR, Stat: Mean, Target: 1e6, Direction: LowerIsBetter}
	got, err := Compute(spec, st, nil, t0-7200, t0+40000, t0+40000)
	if err != nil || got.Value != 39600 { // 36000 - (-3600)
		t.Errorf("Compute() = %+v, %v; want 39600", got, err)
	}
}

// Which stops the reopen rate counts, over [1000, 2000) at now = 2500.
func TestCompute_ReopenRate(t *testing.T) {
	st := store(t,
		tk("held", 0, h(0, O, 500, R, 600, O, 1200, R)),                            // the stop in the window held: an earlier reopen does not count
		tk("reopened", 0, h(0, O, 1200, R, 1300, O)),                               // reopened
		tk("reopened later", 0, h(0, O, 1200, R, 2100, O)),                         // reopened after the window, before now
		tk("reopened after now", 0, h(0, O, 1200, R, 2600, O)),                     // not yet
		tk("second stop reopened", 0, h(0, O, 1100, R, 1200, O, 1300, R, 1400, O)), // reopened
		tk("paused after closing", 0, h(0, O, 1100, C, 1200, P)),                   // reopened: paused is work outstanding
		tk("closed after resolving", 0, h(0, O, 900, R, 1100, C)),                  // no stop in the window: not counted at all
		tk("cancelled, then reopened", 0, h(0, O, 1100, R, 1200, X, 1300, O)),      // reopened
	)
	got, err := Compute(Spec{Kind: ReopenRate, Target: 0.1, Direction: LowerIsBetter}, st, nil, t0+1000, t0+2000, t0+2500)
	if err != nil {
		t.Fatal(err)
	}
	want := Result{Value: 5.0 / 7, Samples: 7, OK: true, Status: Red} // 5 reopened of the 7 with a stop in the window
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Compute() mismatch (-want +got):\n%s", diff)
	}
}
