package slo

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/events"
	"github.com/sla-exporter/sla_exporter/slo/period"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// approx compares floats to 1e-9 relative, so hand-worked fractions like 2.75/6 match.
var approx = cmpopts.EquateApprox(1e-9, 1e-9)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func mustPeriod(t testing.TB, s string) period.Period {
	t.Helper()
	p, err := period.Parse(s, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// incident builds a P-priority ticket created at c with the given (time, category) changes.
func incident(id, prio, created string, changes ...any) *ticket.Ticket {
	t := &ticket.Ticket{ID: id, Priority: prio, Type: "incident", Created: utc(created)}
	t.History = append(t.History, ticket.StatusChange{At: utc(created), Status: "New", Category: ticket.Open})
	for i := 0; i < len(changes); i += 2 {
		cat := changes[i+1].(ticket.Category)
		t.History = append(t.History, ticket.StatusChange{At: utc(changes[i].(string)), Status: cat.String(), Category: cat})
	}
	return t
}

func resolutionObjective(t *testing.T) *Objective {
	t.Helper()
	clock, err := ticket.NewClock(ticket.ClockSpec{Kind: ticket.Resolution, Targets: map[string]time.Duration{"P1": 4 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	return &Objective{Name: "p1-resolution", Service: "desk", Kind: TicketSLA, Target: 0.9, Period: mustPeriod(t, "month"), Clock: clock}
}

func TestEvaluateTickets(t *testing.T) {
	st := ticket.NewStore(ticket.StoreOptions{})
	for _, tk := range []*ticket.Ticket{
		// A: 2h of 4h, met; counts at its resolution, 11-02 12:00, in November.
		incident("A", "P1", "2026-11-02T10:00:00Z", "2026-11-02T12:00:00Z", ticket.Resolved),
		// B: 6h, breached at 10:00+4h = 14:00 on 11-03, in November.
		incident("B", "P1", "2026-11-03T10:00:00Z", "2026-11-03T16:00:00Z", ticket.Resolved),
		// C: 3h across the month boundary, met; counts at 11-01 01:00.
		incident("C", "P1", "2026-10-31T22:00:00Z", "2026-11-01T01:00:00Z", ticket.Resolved),
		// D: 8h, breached at 19:00+4h = 10-31 23:00: an October breach, so it does not count
		// in November although it was resolved then.
		incident("D", "P1", "2026-10-31T19:00:00Z", "2026-11-01T03:00:00Z", ticket.Resolved),
		// E: open 2h of 4h at now: within.
		incident("E", "P1", "2026-11-14T22:00:00Z"),
		// F: open 6h: breached at 22:00 on 11-14, counts bad in November and as open breached.
		incident("F", "P1", "2026-11-14T18:00:00Z"),
		// G: open 3.5h = 0.875 of the target, past the 0.75 warning: at risk.
		incident("G", "P1", "2026-11-14T20:30:00Z"),
		// H: P3 has no target: not covered.
		incident("H", "P3", "2026-11-02T10:00:00Z"),
	} {
		if err := st.Add(tk); err != nil {
			t.Fatal(err)
		}
	}
	o := resolutionObjective(t)
	now := utc("2026-11-15T00:00:00Z")
	got, err := Evaluate(o, Data{Tickets: st}, now)
	if err != nil {
		t.Fatal(err)
	}
	want := Result{
		Objective: "p1-resolution", Service: "desk", Kind: TicketSLA, Unit: Cycles, Target: 0.9,
		PeriodStart: utc("2026-11-01T00:00:00Z"), PeriodEnd: utc("2026-12-01T00:00:00Z"), PeriodLabel: "2026-11",
		// Good A, C; bad B, F.
		Good: 2, Bad: 2, Attainment: 0.5, HasData: true, Coverage: 1,
		// 4 decided in 14 of 30 days: projected 4×30/14; budget 0.1× that = 6/7.
		ProjectedTotal: 4 * 30.0 / 14, BudgetTotal: 0.1 * 4 * 30.0 / 14, BudgetConsumed: 2,
		BudgetRemaining: 0.1*4*30.0/14 - 2,
		// 1 - 2/(6/7) = -4/3.
		BudgetRemainingRatio: 1 - 2/(0.1*4*30.0/14),
		// Only F (bad, 11-14 22:00) falls in a window ending now; 6h, 1d and 3d reach it:
		// bad fraction 1 / (1 - 0.9) = 10.
		BurnRates: []BurnRate{{5 * time.Minute, 0}, {30 * time.Minute, 0}, {time.Hour, 0}, {2 * time.Hour, 0},
			{6 * time.Hour, 10}, {24 * time.Hour, 10}, {72 * time.Hour, 10}},
		// Completed cycles A (0.5 of target), C (0.75), B and D (breached): for E at 0.5, the
		// cycles that lasted as long are A, C, B, D: (2+1)/(4+2) = 0.5; for G at 0.875, B and
		// D: (2+1)/(2+2) = 0.75. Expected 1.25; forecast (2 good + 2 open - 1.25)/(4+2).
		ExpectedBreaches: 1.25, Forecast: 2.75 / 6, HasForecast: true,
		// Below target unless more than 2+2-0.9×6 = -1.4 open cycles breach: certain.
		BreachProbability: 1, HasBreachProbability: true,
		Open:   OpenCycles{Within: 1, AtRisk: 1, Breached: 1},
		Status: Breached,
	}
	if diff := cmp.Diff(want, got, approx); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

func TestEvaluateTicketsBreachRisk(t *testing.T) {
	st := ticket.NewStore(ticket.StoreOptions{})
	for _, tk := range []*ticket.Ticket{
		// Nine met cycles of 1h (0.25 of the target) and one breached: attainment 0.9.
		incident("M1", "P1", "2026-11-02T10:00:00Z", "2026-11-02T11:00:00Z", ticket.Resolved),
		incident("M2", "P1", "2026-11-02T10:00:00Z", "2026-11-02T11:00:00Z", ticket.Resolved),
		incident("M3", "P1", "2026-11-02T10:00:00Z", "2026-11-02T11:00:00Z", ticket.Resolved),
		incident("M4", "P1", "2026-11-02T10:00:00Z", "2026-11-02T11:00:00Z", ticket.Resolved),
		incident("M5", "P1", "2026-11-02T10:00:00Z", "2026-11-02T11:00:00Z", ticket.Resolved),
		incident("M6", "P1", "2026-11-02T10:00:00Z", "2026-11-02T11:00:00Z", ticket.Resolved),
		incident("M7", "P1", "2026-11-02T10:00:00Z", "2026-11-02T11:00:00Z", ticket.Resolved),
		incident("M8", "P1", "2026-11-02T10:00:00Z", "2026-11-02T11:00:00Z", ticket.Resolved),
		incident("M9", "P1", "2026-11-02T10:00:00Z", "2026-11-02T11:00:00Z", ticket.Resolved),
		incident("X1", "P1", "2026-11-03T10:00:00Z", "2026-11-03T20:00:00Z", ticket.Resolved),
		// Two open cycles, 3h in (0.75): only X1 lasted that long and it breached, so each
		// breaches with (1+1)/(1+2) = 2/3.
		incident("O1", "P1", "2026-11-09T21:00:00Z"),
		// O2 is paused after 3h: it still counts as open work.
		incident("O2", "P1", "2026-11-09T20:00:00Z", "2026-11-09T23:00:00Z", ticket.Paused),
	} {
		if err := st.Add(tk); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Evaluate(resolutionObjective(t), Data{Tickets: st}, utc("2026-11-10T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	// Good 9, bad 1, two open. The period ends below 0.9 when good/(12) < 0.9, i.e. when more
	// than 9+2-0.9×12 = 0.2 of the open cycles breach: at least one. P = 1 - (1/3)² = 8/9.
	// Forecast (9 + 2 - 4/3) / 12 = 29/36.
	type figures struct {
		Attainment, ExpectedBreaches, BreachProbability, Forecast float64
		Open                                                      OpenCycles
		Status                                                    Status
	}
	want := figures{0.9, 4.0 / 3, 8.0 / 9, 29.0 / 36, OpenCycles{AtRisk: 1, Paused: 1}, AtRisk}
	gotF := figures{got.Attainment, got.ExpectedBreaches, got.BreachProbability, got.Forecast, got.Open, got.Status}
	if diff := cmp.Diff(want, gotF, approx); diff != "" {
		t.Errorf("figures (-want +got):\n%s", diff)
	}
}

func everyMinute(from, to time.Time, down func(time.Time) bool) []availability.Sample {
	var out []availability.Sample
	for t := from; t.Before(to); t = t.Add(time.Minute) {
		s := availability.Up
		if down(t) {
			s = availability.Down
		}
		out = append(out, availability.Sample{At: t, State: s})
	}
	return out
}

func TestEvaluateAvailability(t *testing.T) {
	outageFrom, outageTo := utc("2026-11-10T12:00:00Z"), utc("2026-11-10T12:30:00Z")
	now := utc("2026-11-11T00:00:00Z")
	series, err := availability.FromSamples(everyMinute(utc("2026-10-25T00:00:00Z"), now, func(t time.Time) bool {
		return !t.Before(outageFrom) && t.Before(outageTo)
	}))
	if err != nil {
		t.Fatal(err)
	}
	o := &Objective{Name: "web", Service: "webshop", Kind: Availability, Target: 0.999, Period: mustPeriod(t, "month"),
		Availability: availability.Config{Maintenance: []availability.Window{{Start: utc("2026-11-20T02:00:00Z"), End: utc("2026-11-20T04:00:00Z")}}}}
	got, err := Evaluate(o, Data{Availability: &series}, now)
	if err != nil {
		t.Fatal(err)
	}
	const min = 60.0
	// November: 43,200 minutes, 120 of them maintenance ahead: 43,080 eligible; budget 0.1% of
	// that = 43.08 minutes = 2,584.8 s. So far 10 days = 14,400 minutes, 30 down.
	budget := 0.001 * 43080 * min
	// The last day holds the 30 bad minutes: bad fraction 30/1440; the time ahead is 28,680
	// eligible minutes, of which 30/1440 go bad: 597.5.
	f := 30.0 / 1440
	want := Result{
		Objective: "web", Service: "webshop", Kind: Availability, Unit: Seconds, Target: 0.999,
		PeriodStart: utc("2026-11-01T00:00:00Z"), PeriodEnd: utc("2026-12-01T00:00:00Z"), PeriodLabel: "2026-11",
		Good: 14370 * min, Bad: 30 * min, Attainment: 14370.0 / 14400, HasData: true, Coverage: 1,
		ProjectedTotal: 43080 * min, BudgetTotal: budget, BudgetConsumed: 30 * min, BudgetRemaining: budget - 30*min,
		BudgetRemainingRatio: 1 - 30*min/budget,
		// 1d: 30/1440 / 0.001 = 20.83; 3d: 30/4320 / 0.001 = 6.94; shorter windows saw no outage.
		BurnRates: []BurnRate{{5 * time.Minute, 0}, {30 * time.Minute, 0}, {time.Hour, 0}, {2 * time.Hour, 0},
			{6 * time.Hour, 0}, {24 * time.Hour, f / 0.001}, {72 * time.Hour, 30.0 / 4320 / 0.001}},
		// (14,370 + 28,680 - 597.5) / 43,080.
		Forecast: (14370 + 28680 - 597.5) / 43080, HasForecast: true,
		// 784.8 s of budget left spent at 30/1440 s per s: 37,670.4 s = 10h27m50.4s.
		Exhaustion: utc("2026-11-11T10:27:50Z"),
		Status:     AtRisk,
	}
	if diff := cmp.Diff(want, got, approx); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

func TestEvaluateAvailabilityBreachedAndGap(t *testing.T) {
	// Two hours down on 11-02 spend more than the month's 43.2 minutes: breached, for good.
	now := utc("2026-11-03T00:00:00Z")
	samples := everyMinute(utc("2026-10-20T00:00:00Z"), now, func(t time.Time) bool {
		return t.Hour() >= 10 && t.Hour() < 12 && t.Day() == 2
	})
	// An hour without data on 11-01: the samples 05:00..05:59 removed. The one at 04:59 holds
	// for the default 5 minutes, to 05:04, so 05:04..06:00 is missing: 56 minutes.
	var kept []availability.Sample
	for _, s := range samples {
		if !(s.At.Day() == 1 && s.At.Month() == 11 && s.At.Hour() == 5) {
			kept = append(kept, s)
		}
	}
	series, err := availability.FromSamples(kept)
	if err != nil {
		t.Fatal(err)
	}
	o := &Objective{Name: "web", Service: "webshop", Kind: Availability, Target: 0.999, Period: mustPeriod(t, "month")}
	got, err := Evaluate(o, Data{Availability: &series}, now)
	if err != nil {
		t.Fatal(err)
	}
	// 2 days = 2,880 minutes, 56 missing and excluded (default gap policy), 120 bad.
	if got.Status != Breached || got.Bad != 120*60 || got.Excluded != 56*60 || got.Good != (2880-56-120)*60 {
		t.Errorf("status %s good %v bad %v excluded %v", got.Status, got.Good, got.Bad, got.Excluded)
	}
	// Coverage: 2,824 of 2,880 minutes observed.
	if math.Abs(got.Coverage-2824.0/2880) > 1e-12 {
		t.Errorf("coverage %v, want %v", got.Coverage, 2824.0/2880)
	}
}

func TestEvaluateEvents(t *testing.T) {
	var buckets []events.Bucket
	for t := utc("2026-11-01T00:00:00Z"); t.Before(utc("2026-11-11T00:00:00Z")); t = t.Add(time.Hour) {
		good := 100.0
		if t.Equal(utc("2026-11-10T12:00:00Z")) {
			good = 40
		}
		buckets = append(buckets, events.Bucket{Start: t, Good: good, Total: 100})
	}
	s, err := events.New(buckets)
	if err != nil {
		t.Fatal(err)
	}
	o := &Objective{Name: "api", Service: "api", Kind: EventRatio, Target: 0.99, Period: mustPeriod(t, "month")}
	got, err := Evaluate(o, Data{Events: s}, utc("2026-11-11T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	want := Result{
		Objective: "api", Service: "api", Kind: EventRatio, Unit: Events, Target: 0.99,
		PeriodStart: utc("2026-11-01T00:00:00Z"), PeriodEnd: utc("2026-12-01T00:00:00Z"), PeriodLabel: "2026-11",
		// 240 buckets of 100: 24,000 events, 60 bad.
		Good: 23940, Bad: 60, Attainment: 23940.0 / 24000, HasData: true, Coverage: 1,
		// 10 of 30 days: projected 72,000; budget 720; 660 left = 11/12.
		ProjectedTotal: 72000, BudgetTotal: 720, BudgetConsumed: 60, BudgetRemaining: 660, BudgetRemainingRatio: 660.0 / 720,
		// 1d and 3d hold the burst: 60/2,400 / 0.01 = 2.5 and 60/7,200 / 0.01 = 0.8333.
		BurnRates: []BurnRate{{5 * time.Minute, 0}, {30 * time.Minute, 0}, {time.Hour, 0}, {2 * time.Hour, 0},
			{6 * time.Hour, 0}, {24 * time.Hour, 2.5}, {72 * time.Hour, 60.0 / 7200 / 0.01}},
		// 48,000 events ahead at 2.5% bad: 1,200 more; 1 - 1,260/72,000.
		Forecast: 1 - 1260.0/72000, HasForecast: true,
		// 660 left at 60 per day: 11 days, before the period's end.
		Exhaustion: utc("2026-11-22T00:00:00Z"),
		Status:     AtRisk,
	}
	if diff := cmp.Diff(want, got, approx); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

func TestEvaluateNoData(t *testing.T) {
	now := utc("2026-11-11T00:00:00Z")
	for _, o := range []*Objective{
		resolutionObjective(t),
		{Name: "api", Service: "api", Kind: EventRatio, Target: 0.99, Period: mustPeriod(t, "month")},
		{Name: "web", Service: "web", Kind: Availability, Target: 0.99, Period: mustPeriod(t, "month")},
	} {
		got, err := Evaluate(o, Data{}, now)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != NoData || got.HasData || got.HasForecast || !got.Exhaustion.IsZero() {
			t.Errorf("%s: %+v, want no data", o.Name, got)
		}
	}
}

func TestProbabilityAbove(t *testing.T) {
	for _, tc := range []struct {
		name string
		ps   []float64
		k    float64
		want float64
	}{
		// P(X > 0) = 1 - P(none) = 1 - 0.5×0.25.
		{"any of two", []float64{0.5, 0.75}, 0, 0.875},
		// P(X > 1) = P(both) = 0.375.
		{"both", []float64{0.5, 0.75}, 1, 0.375},
		{"fractional threshold", []float64{0.5, 0.75}, 0.2, 0.875},
		{"negative threshold", []float64{0.5}, -0.5, 1},
		{"beyond all", []float64{0.5}, 1, 0},
		// 3000 fair coins: P(X > 1500) by the normal approximation with continuity
		// correction: z = (1500.5 - 1500)/sqrt(750) = 0.018257; 1 - Φ(z) = 0.492717.
		{"normal", fill(3000, 0.5), 1500, 0.4927167},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := probabilityAbove(tc.ps, tc.k); math.Abs(got-tc.want) > 1e-6 {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func fill(n int, p float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = p
	}
	return out
}

// TestBreachAfterFrozenPeriod: a deadline at 17:00 on Friday 2026-10-30, the last working instant
// of October, is overrun only when work resumes on Monday 11-02. October, evaluated at its end,
// saw the cycle still within target; the breach must count in November, not vanish into a
// frozen October.
func TestBreachAfterFrozenPeriod(t *testing.T) {
	spec := calendarSpecOffice()
	cal, err := calendar.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	clock, err := ticket.NewClock(ticket.ClockSpec{Kind: ticket.Resolution, Calendar: cal, Targets: map[string]time.Duration{"P1": 4 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	o := &Objective{Name: "p1", Service: "desk", Kind: TicketSLA, Target: 0.9, Period: mustPeriod(t, "month"), Clock: clock}
	st := ticket.NewStore(ticket.StoreOptions{})
	// Created Friday 13:00: 4 working hours end at 17:00; resolved Monday 10:00.
	if err := st.Add(incident("LATE", "P1", "2026-10-30T13:00:00Z", "2026-11-02T10:00:00Z", ticket.Resolved)); err != nil {
		t.Fatal(err)
	}
	oct, err := EvaluatePeriod(o, Data{Tickets: st}, utc("2026-10-01T00:00:00Z"), utc("2026-11-01T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	nov, err := Evaluate(o, Data{Tickets: st}, utc("2026-11-02T12:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	// October: nothing decided, the cycle open within target. November: one breach.
	if oct.Good+oct.Bad != 0 || oct.Open.Within+oct.Open.AtRisk != 1 {
		t.Errorf("october: good %v bad %v open %+v", oct.Good, oct.Bad, oct.Open)
	}
	if nov.Bad != 1 || nov.Good != 0 {
		t.Errorf("november: good %v bad %v, want the breach", nov.Good, nov.Bad)
	}
}

// calendarSpecOffice is Monday to Friday, 09:00-17:00 UTC.
func calendarSpecOffice() calendar.Spec {
	spec := calendar.Spec{Name: "office", FirstYear: 2020, LastYear: 2030}
	for d := time.Monday; d <= time.Friday; d++ {
		spec.Week[d] = []calendar.Interval{{Start: 9 * 3600, End: 17 * 3600}}
	}
	return spec
}

// TestYoungPeriodIsAtRiskNotBreached: one breach out of two cycles on the first day of a month
// leaves most of the month's projected budget: 2 decided in 1 of 30 days projects 60 cycles, a
// budget of 0.1 × 60 = 6 breaches, 1 spent. The forecast (1 good of 2) is below target: at risk.
func TestYoungPeriodIsAtRiskNotBreached(t *testing.T) {
	st := ticket.NewStore(ticket.StoreOptions{})
	for _, tk := range []*ticket.Ticket{
		incident("A", "P1", "2026-11-01T08:00:00Z", "2026-11-01T09:00:00Z", ticket.Resolved),
		incident("B", "P1", "2026-11-01T08:00:00Z", "2026-11-01T13:00:00Z", ticket.Resolved),
	} {
		if err := st.Add(tk); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Evaluate(resolutionObjective(t), Data{Tickets: st}, utc("2026-11-02T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if got.Status != AtRisk || !near(got.BudgetTotal, 6) || !near(got.BudgetRemaining, 5) || !near(got.Forecast, 0.5) {
		t.Errorf("status %s budget %v remaining %v forecast %v", got.Status, got.BudgetTotal, got.BudgetRemaining, got.Forecast)
	}
}
