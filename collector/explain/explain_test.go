package explain

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo"
)

// at is the evaluation instant of the cases: 2026-12-06 05:00 UTC, 06:00 in Rome (CET).
var at = time.Date(2026, 12, 6, 5, 0, 0, 0, time.UTC)

func rome(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// availability is a 99.9% December objective in Rome with data and nothing wrong: 31 days are
// 2,678,400 s, a budget of 2,678.4 s (44m38s); 600 s bad leaves 2,078.4 s, 2,078.4 / 2,678.4 =
// 77.60%.
func availability(loc *time.Location) collector.ObjectiveResult {
	return collector.ObjectiveResult{Result: slo.Result{
		Objective: "web", Service: "web", Kind: slo.Availability, Unit: slo.Seconds, Target: 0.999, PeriodLabel: "2026-12",
		Good: 450_000, Bad: 600, Attainment: 450_000.0 / 450_600, HasData: true, Coverage: 1,
		BudgetTotal: 2678.4, BudgetConsumed: 600, BudgetRemaining: 2078.4, BudgetRemainingRatio: 2078.4 / 2678.4,
		Forecast: 0.99938, HasForecast: true, Status: slo.OK,
		BurnRates: []slo.BurnRate{{Window: time.Hour, Rate: 0}, {Window: 24 * time.Hour, Rate: 0.5}},
	}, PeriodName: "month", Location: loc}
}

// tickets is a 95% December ticket objective: 57 met, 3 breached, 12 open (10 within, 2 past
// the warning point), 2.4 of which are expected to breach. The forecast is (57 + 12 - 2.4) /
// (60 + 12) = 66.6 / 72 = 92.50%. The budget, 0.05 × a projected 132 cycles = 6.6, less 3 is
// 3.6 left, 3.6 / 6.6 = 54.55%.
func tickets(loc *time.Location) collector.ObjectiveResult {
	return collector.ObjectiveResult{Result: slo.Result{
		Objective: "incidents", Service: "desk", Kind: slo.TicketSLA, Unit: slo.Cycles, Target: 0.95, PeriodLabel: "2026-12",
		Good: 57, Bad: 3, Attainment: 0.95, HasData: true, Coverage: 1,
		BudgetTotal: 6.6, BudgetConsumed: 3, BudgetRemaining: 3.6, BudgetRemainingRatio: 3.6 / 6.6,
		Forecast: 66.6 / 72, HasForecast: true, Status: slo.AtRisk,
		Open: slo.OpenCycles{Within: 10, AtRisk: 2}, ExpectedBreaches: 2.4, BreachProbability: 0.62, HasBreachProbability: true,
	}, PeriodName: "month", Location: loc}
}

func TestObjective(t *testing.T) {
	loc := rome(t)
	ctx := Context{At: at, Staleness: 2 * time.Hour}
	src := func(up bool, state string, last time.Time) Context {
		c := ctx
		c.Source = &collector.SourceHealth{Name: "rt", Up: up, State: state, LastSuccess: last}
		return c
	}
	type edit func(*collector.ObjectiveResult)
	for _, tc := range []struct {
		name string
		base func(*time.Location) collector.ObjectiveResult
		edit edit
		ctx  Context
		want Explanation
	}{
		{
			name: "ok availability", base: availability, ctx: ctx,
			// 450,000 / 450,600 = 99.8668%, below the target so far but with a forecast of
			// 99.938% above it: ok, as the budget is not spent and the forecast meets the target.
			want: Explanation{Status: "ok", Reasons: []Reason{{OnTrack, "on track: forecast 99.94% ≥ 99.90% target (99.87% so far), 77.60% of budget left"}}},
		},
		{
			name: "ok rolling without forecast", base: availability, ctx: ctx,
			edit: func(o *collector.ObjectiveResult) { o.HasForecast, o.PeriodName = false, "rolling:30d" },
			want: Explanation{Status: "ok", Reasons: []Reason{{OnTrack, "on track: 99.87% ≥ 99.90% target, 77.60% of budget left"}}},
		},
		{
			// 14.4 rounds to 14; the budget left is the base case's 77.60%.
			name: "ok with a hot hour", base: availability, ctx: ctx,
			edit: func(o *collector.ObjectiveResult) {
				o.BurnRates = []slo.BurnRate{{Window: 5 * time.Minute, Rate: 1.5}, {Window: time.Hour, Rate: 14.4}, {Window: 6 * time.Hour, Rate: 3}}
			},
			want: Explanation{Status: "ok", Reasons: []Reason{{OnTrack, "on track: forecast 99.94% ≥ 99.90% target (99.87% so far), 77.60% of budget left"}},
				Notes: []string{"77.60% of budget left, but burning 14× the sustainable rate over the last 1h"}},
		},
		{
			name: "availability with gaps", base: availability, ctx: ctx,
			edit: func(o *collector.ObjectiveResult) { o.Coverage = 0.93 },
			want: Explanation{Status: "ok", Reasons: []Reason{{OnTrack, "on track: forecast 99.94% ≥ 99.90% target (99.87% so far), 77.60% of budget left"}},
				Notes: []string{"probe data covers 93.00% of the period so far"}},
		},
		{
			// The forecast 94.1% against 95%: the example of the issue.
			name: "at risk: forecast", base: availability, ctx: ctx,
			edit: func(o *collector.ObjectiveResult) { o.Target, o.Forecast, o.Status = 0.95, 0.941, slo.AtRisk },
			want: Explanation{Status: "at_risk", Reasons: []Reason{{ForecastBelowTarget, "forecast 94.10% < 95.00% target if the recent burn continues"}}},
		},
		{
			// From 2026-12-06 05:00 to 2026-12-17 13:05 UTC is 11 days 8 h 5 min: 11d8h. 13:05
			// UTC is 14:05 CET.
			name: "at risk: budget runs out", base: availability, ctx: ctx,
			edit: func(o *collector.ObjectiveResult) {
				o.Exhaustion, o.Status = time.Date(2026, 12, 17, 13, 5, 0, 0, time.UTC), slo.AtRisk
			},
			want: Explanation{Status: "at_risk", Reasons: []Reason{{BudgetRunsOut, "budget runs out on 17 Dec 14:05 CET at the current burn (in 11d8h)"}}},
		},
		{
			// Every at-risk cause of a ticket objective, in the engine's order, with its notes.
			name: "at risk: tickets", base: tickets, ctx: ctx,
			edit: func(o *collector.ObjectiveResult) { o.Open.Breached = 1 },
			want: Explanation{Status: "at_risk", Reasons: []Reason{
				{ForecastBelowTarget, "forecast 92.50% < 95.00% target (2.4 of 12 open tickets expected to breach)"},
				{LikelyBreach, "the period is 62% likely to end below the 95.00% target, with 12 tickets still open"},
			}, Notes: []string{"1 open ticket has already breached", "2 open tickets are past their warning point"}},
		},
		{
			// 90.9% of the budget left and the forecast on target: at risk only because the
			// breach probability is 50% or more.
			name: "at risk: likely breach only", base: tickets,
			ctx: Context{At: at, AtRiskByPriority: map[string]int{"P1": 2, "P3": 1}},
			edit: func(o *collector.ObjectiveResult) {
				o.Forecast, o.BudgetRemainingRatio, o.BreachProbability = 0.951, 0.909, 0.5
			},
			want: Explanation{Status: "at_risk", Reasons: []Reason{{LikelyBreach, "the period is 50% likely to end below the 95.00% target, with 12 tickets still open"}},
				Notes: []string{"2 open P1 tickets and 1 P3 ticket are past their warning point"}},
		},
		{
			// Just under one half is not "more likely than not": ok, and the 0.4999 chance is no
			// reason.
			name: "ok: breach probability under one half", base: tickets, ctx: ctx,
			edit: func(o *collector.ObjectiveResult) { o.Forecast, o.BreachProbability, o.Status = 0.951, 0.4999, slo.OK },
			want: Explanation{Status: "ok", Reasons: []Reason{{OnTrack, "on track: forecast 95.10% ≥ 95.00% target (95.00% so far), 54.55% of budget left"}},
				Notes: []string{"2 open tickets are past their warning point"}},
		},
		{
			// Nothing decided, 3 open, 0.3 expected to breach: (3 - 0.3) / 3 = 90% < 95%.
			name: "at risk: tickets open, none decided", base: tickets, ctx: ctx,
			edit: func(o *collector.ObjectiveResult) {
				o.Good, o.Bad, o.HasData, o.Open, o.ExpectedBreaches = 0, 0, false, slo.OpenCycles{Within: 3}, 0.3
				o.Forecast, o.BreachProbability, o.Status = (3-0.3)/3.0, 0.03, slo.AtRisk
			},
			want: Explanation{Status: "at_risk", Reasons: []Reason{{ForecastBelowTarget, "forecast 90.00% < 95.00% target (0.3 of 3 open tickets expected to breach)"}}},
		},
		{
			name: "ok: tickets open, none decided, none expected to breach", base: tickets, ctx: ctx,
			edit: func(o *collector.ObjectiveResult) {
				o.Good, o.Bad, o.HasData, o.Open, o.ExpectedBreaches = 0, 0, false, slo.OpenCycles{Within: 3}, 0
				o.Forecast, o.BreachProbability, o.Status = 1, 0, slo.OK
			},
			want: Explanation{Status: "ok", Reasons: []Reason{{OnTrack, "on track: nothing decided yet, 3 open tickets, 0 expected to breach"}}},
		},
		{
			// 0.999 × 30 days: 2,592 s allowed is 43m12s; 3,120 s bad is 52m.
			name: "breached availability", base: availability, ctx: ctx,
			edit: func(o *collector.ObjectiveResult) {
				o.PeriodLabel, o.BudgetTotal, o.BudgetConsumed, o.BudgetRemaining = "2026-11", 2592, 3120, -528
				o.BudgetRemainingRatio, o.Status, o.Forecast = -528.0/2592, slo.Breached, 0.998
				o.BurnRates = []slo.BurnRate{{Window: time.Hour, Rate: 30}} // no burn note on a spent budget
			},
			want: Explanation{Status: "breached", Reasons: []Reason{{BudgetSpent, "error budget spent: 52m of downtime against 43m12s allowed in 2026-11: the target can no longer be met"}}},
		},
		{
			// 9 breaches against 0.05 × 132 = 6.6.
			name: "breached tickets", base: tickets, ctx: ctx,
			edit: func(o *collector.ObjectiveResult) {
				o.Good, o.Bad, o.BudgetConsumed, o.BudgetRemaining, o.BudgetRemainingRatio, o.Status = 51, 9, 9, -2.4, -2.4/6.6, slo.Breached
			},
			want: Explanation{Status: "breached", Reasons: []Reason{{BudgetSpent, "error budget spent: 9 breaches against 6.6 allowed at this volume in 2026-12"}},
				Notes: []string{"2 open tickets are past their warning point"}},
		},
		{
			name: "breached events", base: availability, ctx: ctx,
			edit: func(o *collector.ObjectiveResult) {
				o.Kind, o.Unit, o.Target, o.BudgetTotal, o.BudgetConsumed, o.BudgetRemaining = slo.EventRatio, slo.Events, 0.99, 10_000, 12_345, -2_345
				o.Status = slo.Breached
			},
			want: Explanation{Status: "breached", Reasons: []Reason{{BudgetSpent, "error budget spent: 12,345 bad events against 10,000 allowed at this volume in 2026-12"}}},
		},
		{
			name: "no data: tickets", base: tickets, ctx: ctx,
			edit: func(o *collector.ObjectiveResult) {
				o.Result = slo.Result{Objective: "incidents", Kind: slo.TicketSLA, Unit: slo.Cycles, Target: 0.95, PeriodLabel: "2026-12", Status: slo.NoData}
			},
			want: Explanation{Status: "no_data", Reasons: []Reason{{NoData, "no data: no ticket decided or open in 2026-12 yet"}}},
		},
		{
			name: "no data: availability, rolling", base: availability, ctx: ctx,
			edit: func(o *collector.ObjectiveResult) {
				o.Result = slo.Result{Objective: "web", Kind: slo.Availability, Unit: slo.Seconds, Target: 0.999, PeriodLabel: "rolling_30d", Status: slo.NoData}
				o.PeriodName = "rolling:30d"
			},
			want: Explanation{Status: "no_data", Reasons: []Reason{{NoData, "no data: no probe results cover any time in the last 30d yet"}}},
		},
		{
			name: "no data: events", base: availability, ctx: ctx,
			edit: func(o *collector.ObjectiveResult) {
				o.Result = slo.Result{Objective: "api", Kind: slo.EventRatio, Unit: slo.Events, Target: 0.99, PeriodLabel: "2026-12", Status: slo.NoData}
			},
			want: Explanation{Status: "no_data", Reasons: []Reason{{NoData, "no data: no events counted in 2026-12 yet"}}},
		},
		{
			name: "stale: source unknown", base: tickets, ctx: ctx,
			edit: func(o *collector.ObjectiveResult) { o.Stale = true },
			want: Explanation{Status: "no_data", Reasons: []Reason{{Stale, "no data: figures withheld, as the source's data is too old or the evaluation failed (see the log)"}}},
		},
		{
			name: "stale: source pending", base: tickets, ctx: src(false, collector.SourcePending, time.Time{}),
			edit: func(o *collector.ObjectiveResult) { o.Stale = true },
			want: Explanation{Status: "no_data", Reasons: []Reason{{Stale, "no data: source rt has not synced yet"}}},
		},
		{
			name: "stale: source never synced", base: tickets, ctx: src(false, collector.SourceSyncFailed, time.Time{}),
			edit: func(o *collector.ObjectiveResult) { o.Stale = true },
			want: Explanation{Status: "no_data", Reasons: []Reason{{Stale, "no data: source rt is down (its syncs fail) and has never synced"}}},
		},
		{
			// Last synced 09:42 UTC the day before, 10:42 CET: 19h18m before 05:00 UTC.
			name: "stale: source down", base: tickets, ctx: src(false, collector.SourceSyncFailed, time.Date(2026, 12, 5, 9, 42, 0, 0, time.UTC)),
			edit: func(o *collector.ObjectiveResult) { o.Stale = true },
			want: Explanation{Status: "no_data", Reasons: []Reason{{Stale, "no data: source rt is down (its syncs fail), last synced 5 Dec 10:42 CET (19h18m ago)"}}},
		},
		{
			name: "stale: source refusing batches", base: tickets, ctx: src(false, collector.SourceRejecting, time.Date(2026, 12, 5, 9, 42, 0, 0, time.UTC)),
			edit: func(o *collector.ObjectiveResult) { o.Stale = true },
			want: Explanation{Status: "no_data", Reasons: []Reason{{Stale, "no data: source rt is down (too many malformed records: batches refused), last synced 5 Dec 10:42 CET (19h18m ago)"}}},
		},
		{
			// Up, but its last sync 3h17m ago is past the 2h limit.
			name: "stale: source too old", base: tickets, ctx: src(true, collector.SourceOK, at.Add(-(3*time.Hour + 17*time.Minute))),
			edit: func(o *collector.ObjectiveResult) { o.Stale = true },
			want: Explanation{Status: "no_data", Reasons: []Reason{{Stale, "no data: source rt last synced 6 Dec 02:43 CET (3h17m ago), beyond the 2h staleness limit"}}},
		},
		{
			name: "stale: evaluation failed", base: tickets, ctx: src(true, collector.SourceOK, at.Add(-time.Minute)),
			edit: func(o *collector.ObjectiveResult) { o.Stale = true },
			want: Explanation{Status: "no_data", Reasons: []Reason{{Stale, "no data: the objective's evaluation failed (the error is in the log)"}}},
		},
		{
			// A status the figures do not give says so rather than inventing a reason.
			name: "unexplained", base: availability, ctx: ctx,
			edit: func(o *collector.ObjectiveResult) { o.Status = slo.Breached },
			want: Explanation{Status: "breached", Reasons: []Reason{{Unexplained, "status breached, but its figures give ok: attainment 99.87%, forecast 99.94%, 77.60% of budget left"}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.base(loc)
			if tc.edit != nil {
				tc.edit(&o)
			}
			if diff := cmp.Diff(tc.want, Objective(&o, tc.ctx)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestExplanationText(t *testing.T) {
	e := Explanation{Reasons: []Reason{{ForecastBelowTarget, "forecast 92.50% < 95.00% target"}, {BudgetRunsOut, "budget runs out on 17 Dec"}}}
	if got, want := e.Text(), "forecast 92.50% < 95.00% target; budget runs out on 17 Dec"; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
}

func TestChance(t *testing.T) {
	for p, want := range map[float64]string{0.5: "50%", 0.624: "62%", 0.995: ">99%", 1: "100%", 0.004: "0%"} {
		if got := chance(p); got != want {
			t.Errorf("chance(%v) = %q, want %q", p, got, want)
		}
	}
}
