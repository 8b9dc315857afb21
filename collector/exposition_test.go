package collector_test

import (
	"bytes"
	"flag"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/contract"
	c "github.com/sla-exporter/sla_exporter/slo/conventions"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

var update = flag.Bool("update", false, "rewrite golden files")

// expoNow is the evaluation instant of the hand-built snapshot: half-way through November 2026
// (UTC), so that 15 of the month's 30 days have passed and every projection to the period's end
// doubles what happened so far.
var expoNow = time.Date(2026, time.November, 16, 0, 0, 0, 0, time.UTC)

var (
	novStart = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)
	decStart = time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC)
)

func frozen(label string, attainment float64, hasData bool) collector.FrozenPeriod {
	start, err := time.Parse("2006-01", label)
	if err != nil {
		panic(err)
	}
	return collector.FrozenPeriod{Label: label, Start: start, End: start.AddDate(0, 1, 0), Attainment: attainment, HasData: hasData}
}

// expoSnapshot is a snapshot with one of everything the exposition must handle. The figures are
// what the engine would produce; the arithmetic is in the comments.
func expoSnapshot() *collector.Snapshot {
	desk := map[string]string{"team": "service-desk"}
	return &collector.Snapshot{
		At:       expoNow,
		Duration: 1500 * time.Millisecond,
		Staffing: expoStaffing(), // staffing_test.go
		Objectives: []collector.ObjectiveResult{
			{
				// A ticket SLA with open cycles and a breach forecast.
				Result: slo.Result{
					Objective: "incident-response", Service: "service-desk", Kind: slo.TicketSLA, Unit: slo.Cycles,
					Target: 0.95, PeriodStart: novStart, PeriodEnd: decStart, PeriodLabel: "2026-11",
					// 38 met and 2 breached: 38/40 = 0.95.
					Good: 38, Bad: 2, Attainment: 0.95, HasData: true, Coverage: 1,
					// 40 decided in 15 of 30 days projects 80 for the month: budget (1-0.95)×80 = 4
					// cycles, 2 spent, 2 left, half of it.
					ProjectedTotal: 80, BudgetTotal: 4, BudgetConsumed: 2, BudgetRemaining: 2, BudgetRemainingRatio: 0.5,
					// 1h: 1 bad of 2 decided, 0.5/0.05 = 10; 1d: 1 bad of 10, 0.1/0.05 = 2.
					BurnRates: []slo.BurnRate{{Window: time.Hour, Rate: 10}, {Window: 24 * time.Hour, Rate: 2}},
					// 6 undecided open cycles (3 within, 1 at risk, 2 paused) of which 1.25 are
					// expected to breach: (38 + 6 - 1.25) / (40 + 6).
					Forecast: (38 + 6 - 1.25) / (40 + 6), HasForecast: true,
					Status:            slo.AtRisk,
					Open:              slo.OpenCycles{Within: 3, AtRisk: 1, Breached: 1, Paused: 2},
					ExpectedBreaches:  1.25,
					BreachProbability: 0.3125, HasBreachProbability: true,
				},
				PeriodName: "month",
				Labels:     desk,
				History:    []collector.FrozenPeriod{frozen("2026-09", 0.97, true), frozen("2026-10", 0.93, true)},
				// RT's Due agrees with 5 open cycles' deadlines and not with 2.
				ToolDeadlines: &collector.ToolDeadlines{Field: "rt_due", Agree: 5, Disagree: 2},
				// Jira Service Management's records of 43 cycles compared: it breached one the
				// engine met, 2 deadlines are further apart than the tolerance, and one cycle
				// after a reopen is the engine's only.
				Native: &collector.NativeComparison{Cycles: 43, Disagreements: [...]int{ticket.VerdictDiffers: 1, ticket.DeadlineDiffers: 2, ticket.EngineOnly: 1}},
				// Of the 7 open cycles, 3 have used less than half their target; 2 are at the 50%
				// level, the one at risk at 75%, none at 90%, the breached one at 100%.
				Escalation: []collector.EscalationCount{{Level: 1, At: 0.5, Severity: "info", Open: 2}, {Level: 2, At: 0.75, Severity: "warning", Open: 1},
					{Level: 3, At: 0.9, Severity: "critical"}, {Level: 4, At: 1, Severity: "critical", Open: 1}},
			},
			{
				// An availability objective running out of budget, with maintenance excluded
				// and a finished period that had no data.
				Result: slo.Result{
					Objective: "webshop-availability", Service: "webshop", Kind: slo.Availability, Unit: slo.Seconds,
					Target: 0.999, PeriodStart: novStart, PeriodEnd: decStart, PeriodLabel: "2026-11",
					// 15 days = 1,296,000 s: 6,000 s of maintenance, 1,290 s bad, 1,288,710 s good;
					// 1,288,710 / 1,290,000 = 0.999.
					Good: 1288710, Bad: 1290, Excluded: 6000, Attainment: 0.999, HasData: true, Coverage: 0.998,
					// The month's 2,592,000 s less 12,000 s of maintenance is 2,580,000 s eligible:
					// budget 0.001 × 2,580,000 = 2,580 s, 1,290 s left, half of it.
					ProjectedTotal: 2580000, BudgetTotal: 2580, BudgetConsumed: 1290, BudgetRemaining: 1290, BudgetRemainingRatio: 0.5,
					BurnRates: []slo.BurnRate{
						{Window: 5 * time.Minute, Rate: 0}, {Window: 30 * time.Minute, Rate: 0}, {Window: time.Hour, Rate: 0.5},
						{Window: 2 * time.Hour, Rate: 1}, {Window: 6 * time.Hour, Rate: 1.5}, {Window: 24 * time.Hour, Rate: 2},
						{Window: 72 * time.Hour, Rate: 1.25},
					},
					Forecast: 0.9985, HasForecast: true,
					// 1,290 s left at 1,290 s per 4.5 days: runs out on the 20th at noon.
					Exhaustion: time.Date(2026, time.November, 20, 12, 0, 0, 0, time.UTC),
					Status:     slo.AtRisk,
				},
				PeriodName: "month",
				Labels:     map[string]string{"team": "web", "customer": "public"},
				History: []collector.FrozenPeriod{
					frozen("2026-08", 0, false), // no data: not published
					frozen("2026-09", 0.9995, true), frozen("2026-10", 0.9979, true),
				},
				// Zabbix's SLA over the same series and months: 99.91% so far in November,
				// 99.85% for October, each compared with the exporter's.
				ToolAttainments: []collector.ToolAttainment{
					{Period: "current", From: novStart, To: decStart, Exporter: 0.999, Tool: 0.9991, Difference: 0.999 - 0.9991},
					{Period: "previous", From: novStart.AddDate(0, -1, 0), To: novStart, Exporter: 0.9979, Tool: 0.9985, Difference: 0.9979 - 0.9985},
				},
			},
			{
				// An event ratio: 99,500 good of 100,000 = 0.995.
				Result: slo.Result{
					Objective: "api-requests", Service: "api", Kind: slo.EventRatio, Unit: slo.Events,
					Target: 0.99, PeriodStart: novStart, PeriodEnd: decStart, PeriodLabel: "2026-11",
					Good: 99500, Bad: 500, Attainment: 0.995, HasData: true, Coverage: 1,
					// 100,000 events in half the month projects 200,000: budget 0.01 × 200,000 =
					// 2,000, 1,500 left = 0.75.
					ProjectedTotal: 200000, BudgetTotal: 2000, BudgetConsumed: 500, BudgetRemaining: 1500, BudgetRemainingRatio: 0.75,
					// 1h: 0.4% bad, 0.004/0.01 = 0.4.
					BurnRates: []slo.BurnRate{{Window: time.Hour, Rate: 0.4}},
					// The 100,000 events ahead go bad at 0.4%: 1 - (500 + 400) / 200,000.
					Forecast: 1 - (500+400)/200000.0, HasForecast: true,
					Status: slo.OK,
				},
				PeriodName: "month",
				Labels:     map[string]string{"team": "platform", "customer": "partners"},
			},
			{
				// A stale objective: its source stopped syncing, so its figures are withheld and
				// it reads no_data; its frozen history still stands.
				Result: slo.Result{
					Objective: "hosting-availability", Service: "hosting", Kind: slo.Availability, Unit: slo.Seconds,
					Target: 0.9995, PeriodStart: novStart, PeriodEnd: decStart, PeriodLabel: "2026-11",
					Good: 1290000, Attainment: 1, HasData: true, Coverage: 1,
					BudgetTotal: 1290, BudgetRemaining: 1290, BudgetRemainingRatio: 1,
					BurnRates: []slo.BurnRate{{Window: time.Hour, Rate: 0}},
					Forecast:  1, HasForecast: true,
					Status: slo.OK,
				},
				PeriodName: "month",
				Labels:     map[string]string{"team": "platform", "supplier": "hostco", "contract": "hostco-hosting"},
				History:    []collector.FrozenPeriod{frozen("2026-10", 0.9996, true)},
				Stale:      true,
			},
			{
				// A ticket SLA with nothing decided yet in the period but one cycle running: the
				// open cycles, burn and forecast are known, the attainment and budget are not.
				// With no completed cycle to learn from, the cycle breaches with probability
				// (0+1)/(0+2) = 0.5; forecast (0 + 1 - 0.5) / 1 = 0.5; the period ends below
				// target when more than 0 + 1 - 0.9×1 = 0.1 cycles breach: P(X >= 1) = 0.5.
				Result: slo.Result{
					Objective: "p1-resolution", Service: "service-desk", Kind: slo.TicketSLA, Unit: slo.Cycles,
					Target: 0.9, PeriodStart: novStart, PeriodEnd: decStart, PeriodLabel: "2026-11",
					Coverage: 1, BudgetRemainingRatio: 1,
					BurnRates: []slo.BurnRate{{Window: 24 * time.Hour, Rate: 0}},
					Forecast:  0.5, HasForecast: true,
					Status:            slo.AtRisk,
					Open:              slo.OpenCycles{Within: 1},
					ExpectedBreaches:  0.5,
					BreachProbability: 0.5, HasBreachProbability: true,
				},
				PeriodName: "month",
				Labels:     desk,
			},
			{
				// An objective the engine refused: the evaluation marks it stale and the result
				// holds only what the configuration says (no period bounds).
				Result:     slo.Result{Objective: "api-latency", Service: "api", Kind: slo.EventRatio, Target: 0.9},
				PeriodName: "month",
				Stale:      true,
			},
		},
		KPIs: []collector.KPIResult{
			{Name: "mtta", Service: "service-desk", Kind: "mtta", Unit: "seconds", Value: 3600, Target: 3000, OK: true, Status: "amber"},
			{Name: "backlog", Service: "service-desk", Kind: "backlog", Unit: "tickets", Value: 42, Target: 120, OK: true, Status: "green"},
			{Name: "csat", Service: "service-desk", Kind: "csat", Unit: "ratio", Value: math.NaN(), Target: 0.9, Status: "unknown"},
		},
		Contracts: expoContracts(),
		// The shop's downtime known so far and forecast, its breached tickets forecast unknown
		// (one series), the API's downtime stale (none).
		Costs: []collector.CostResult{
			{Service: "webshop", Kind: c.CostKindDowntime, Currency: "EUR", SoFar: 3600, HasSoFar: true, Forecast: 5400, HasForecast: true, Quantity: 30},
			{Service: "webshop", Kind: c.CostKindBreachedTickets, Currency: "EUR", SoFar: 620, HasSoFar: true, Quantity: 3, Unknown: "resolution has no forecast"},
			{Service: "api", Kind: c.CostKindDowntime, Currency: "USD", Unknown: "api-latency is stale"},
		},
		Sources: []collector.SourceHealth{
			{
				Name: "demo", Up: true, State: collector.SourceOK, LastSuccess: expoNow.Add(-time.Minute), Records: 4500, Rejected: 2,
				// 2 of 400 rows read rejected: a ratio of 0.005.
				LastSync: collector.SyncCounts{Read: 400, Accepted: 398, Rejected: 2},
				API: &collector.APIStats{Syncs: 12, EarlyStops: 1, Pages: 40, Records: 3900, Retries: 2, RateLimitWaits: 3,
					RateLimitWaitSeconds: 4.5, Watermark: expoNow.Add(-2 * time.Minute), LastReconcile: expoNow.Add(-time.Hour), ReconciledIDs: 4500},
				SyncDuration: 250 * time.Millisecond, Requests: map[string]float64{"429": 3, "200": 12, "error": 1},
			},
			{
				Name: "probes", Up: true, State: collector.SourceOK, LastSuccess: expoNow.Add(-time.Minute),
				Probes: []collector.ProbeResult{
					{Series: "web", Target: "https://www.example.org/", Prober: "http", At: expoNow.Add(-10 * time.Second), Success: true,
						Duration: 120 * time.Millisecond, StatusCode: 200, CertExpiry: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)},
					{Series: "db", Target: "db.example.org:5432", Prober: "tcp", At: expoNow.Add(-20 * time.Second), Duration: 3 * time.Second},
					// Not probed yet: nothing published.
					{Series: "dns", Target: "example.org", Prober: "dns"},
				},
			},
			// Down since before its first success: its requests failed.
			{Name: "jira", Up: false, State: collector.SourceSyncFailed, SyncDuration: 30 * time.Second, Requests: map[string]float64{"503": 2, "error": 5}},
		},
		// One write failed (a full disk) and the next succeeded.
		Store: collector.StoreHealth{Configured: true, OK: true, Failures: 1},
	}
}

// expoContracts are the contracts of the hand-built snapshot, over its objectives; the credits are
// what slo/contract computes, the arithmetic in the comments.
func expoContracts() []collector.ContractResult {
	nan := math.NaN()
	rate := func(s contract.Spec, attainments ...float64) collector.ContractCredit {
		return collector.ContractCredit{Result: s.Credit(attainments), Attainments: attainments}
	}
	month := func(s contract.Spec, label string, attainments ...float64) collector.ContractPeriod {
		fp := frozen(label, 0, false)
		return collector.ContractPeriod{Label: label, Start: fp.Start, End: fp.End, ContractCredit: rate(s, attainments...)}
	}
	webshop := contract.Spec{Name: "webshop-sla", Tiers: []contract.Tier{{Below: 0.999, Credit: 0.10}, {Below: 0.995, Credit: 0.25}}, Fee: 12000, Currency: "EUR"}
	hostco := contract.Spec{Name: "hostco-hosting", Tiers: []contract.Tier{{Below: 0.9995, Credit: 0.10}, {Below: 0.995, Credit: 0.25}}, Fee: 12000, Currency: "EUR"}
	partners := contract.Spec{Name: "partners-api", Tiers: []contract.Tier{{Below: 0.999, Credit: 0.05}}}
	return []collector.ContractResult{
		{
			Spec: webshop, Objectives: []string{"webshop-availability"}, PeriodName: "month",
			PeriodLabel: "2026-11", PeriodStart: novStart, PeriodEnd: decStart,
			// 99.9% so far is not below 99.9%: nothing yet. The forecast 99.85% is: 10% ×
			// 12,000 = 1,200 EUR, so the status is at_risk.
			Running: rate(webshop, 0.999), Forecast: rate(webshop, 0.9985),
			History: []collector.ContractPeriod{
				month(webshop, "2026-08", nan), // frozen without data: unknown, no series
				month(webshop, "2026-09", 0.9995),
				month(webshop, "2026-10", 0.9979), // 10%, 1,200 EUR: the invoice
			},
			Status: contract.AtRisk,
		},
		{
			// Over the stale hosting-availability: the current period is unknown; October's
			// frozen 99.96% is not below 99.95%, a known zero.
			Spec: hostco, Objectives: []string{"hosting-availability"}, PeriodName: "month",
			PeriodLabel: "2026-11", PeriodStart: novStart, PeriodEnd: decStart,
			Running: rate(hostco, nan), Forecast: rate(hostco, nan),
			History: []collector.ContractPeriod{month(hostco, "2026-10", 0.9996)},
			Status:  contract.Unknown,
		},
		{
			// No fee, so ratios only: 99.5% so far and 99.55% forecast are below 99.9%: 5%.
			Spec: partners, Objectives: []string{"api-requests"}, PeriodName: "month",
			PeriodLabel: "2026-11", PeriodStart: novStart, PeriodEnd: decStart,
			Running: rate(partners, 0.995), Forecast: rate(partners, 0.9955),
			Status: contract.CreditDue,
		},
	}
}

// newExpo returns an exposition serving s after a successful configuration load.
func newExpo(s *collector.Snapshot) *collector.Exposition {
	e := collector.NewExposition()
	e.SetReload(true, time.Date(2026, time.November, 15, 8, 0, 0, 0, time.UTC))
	e.Set(s)
	return e
}

// gather collects e on a pedantic registry, which checks each family's consistency (one help
// text and one set of label names per name, no duplicate series).
func gather(t testing.TB, e prometheus.Collector) []*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(e)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	return mfs
}

// golden compares got with the golden file, or rewrites it under -update.
func golden(t *testing.T, name string, got []*dto.MetricFamily, compare func(*os.File) error) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		var buf bytes.Buffer
		enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
		for _, mf := range got {
			if err := enc.Encode(mf); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	defer f.Close()
	if err := compare(f); err != nil {
		t.Errorf("exposition differs from %s (rerun with -update after checking the change):\n%v", path, err)
	}
}

func TestExposition_Golden(t *testing.T) {
	e := newExpo(expoSnapshot())
	golden(t, "exposition.prom", gather(t, e), func(f *os.File) error {
		return testutil.CollectAndCompare(e, f)
	})
}

func TestExposition_Lint(t *testing.T) {
	problems, err := testutil.CollectAndLint(newExpo(expoSnapshot()))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}

// TestExposition_HelpSaysCached checks that every metric computed by the evaluation says in its
// HELP text that it is served from the last evaluation, as the exporter guide asks of cached
// values, and that the others do not claim it.
func TestExposition_HelpSaysCached(t *testing.T) {
	const phrase = "Served from the last evaluation"
	// Metrics about the exporter itself, the sources' syncs and the configuration, which are
	// not figures of the evaluation.
	notComputed := map[string]bool{
		c.ObjectiveInfo: true, c.KPIInfo: true, c.SourceUp: true, c.SourceLastSuccess: true, c.SourceRecords: true,
		c.SourceRejectedRecords: true, c.SourceSyncDuration: true, c.SourceRequests: true,
		c.SourceStatus: true, c.SourceLastSyncRecords: true, c.SourceLastSyncRejected: true,
		c.StoreWriteFailures: true, c.StoreLastWriteSuccessful: true,
		c.SourcePages: true, c.SourceFetchedRecords: true, c.SourceRetries: true, c.SourceEarlyStops: true,
		c.SourceRateLimitWaits: true, c.SourceRateLimitWaitSeconds: true, c.SourceWatermark: true, c.SourceLastReconcile: true,
		c.ProbeSuccess: true, c.ProbeDuration: true, c.ProbeLast: true, c.ProbeHTTPStatusCode: true, c.ProbeCertExpiry: true,
		c.EvaluationDuration: true, c.LastEvaluation: true, c.SnapshotRestored: true,
		c.ConfigLastReloadSuccessful: true, c.ConfigLastReloadSuccess: true,
	}
	mfs := gather(t, newExpo(expoSnapshot()))
	seen := map[string]bool{}
	for _, mf := range mfs {
		name := mf.GetName()
		seen[name] = true
		if got := strings.Contains(mf.GetHelp(), phrase); got == notComputed[name] {
			t.Errorf("%s: HELP %q: contains %q = %v, want %v", name, mf.GetHelp(), phrase, got, !notComputed[name])
		}
	}
	// The snapshot must exercise every metric of the contract but those the command registers
	// beside the exposition: the build info, the report deliveries' (collector/delivery) and the
	// rejected HTTP requests' (collector/web).
	registered := map[string]bool{c.BuildInfo: true, c.ReportDeliveries: true, c.ReportLastDelivery: true, c.ReportLastDeliverySuccessful: true,
		c.HTTPRequestsRejected: true}
	for _, name := range contractNames() {
		if !seen[name] && !registered[name] {
			t.Errorf("%s: not exercised by the test snapshot", name)
		}
	}
}

// contractNames lists every metric name of the conventions package.
func contractNames() []string {
	return []string{
		c.ObjectiveInfo, c.ObjectiveTarget, c.Attainment, c.BudgetRemainingRatio, c.BudgetConsumedRatio,
		c.BudgetRemainingSeconds, c.BudgetRemainingEvents, c.BurnRate, c.ForecastAttainment, c.BudgetExhaustion,
		c.BreachProbability, c.ExpectedBreaches, c.Status, c.PeriodStart, c.PeriodEnd, c.PeriodEvents,
		c.PeriodFinalAttainment, c.DataCoverage, c.TicketsOpen, c.KPIInfo, c.KPIValue, c.KPITarget, c.KPIStatus,
		c.ContractPeriodFinalCreditRatio, c.ContractPeriodFinalCreditAmount, c.ContractForecastCreditRatio,
		c.ContractForecastCreditAmount, c.ContractRunningCreditRatio, c.ContractRunningCreditAmount,
		c.ContractStatus, c.CostAmount, c.SourceUp, c.SourceLastSuccess, c.SourceRecords,
		c.SourceRejectedRecords, c.SourceSyncDuration, c.SourceRequests, c.EvaluationDuration,
		c.LastEvaluation, c.SnapshotRestored, c.ConfigLastReloadSuccessful, c.ConfigLastReloadSuccess, c.BuildInfo,
		c.SourceStatus, c.SourceLastSyncRecords, c.SourceLastSyncRejected, c.StoreWriteFailures,
		c.StoreLastWriteSuccessful, c.ToolDeadlineCycles, c.NativeCycles, c.NativeDisagreements, c.ToolAttainment, c.ToolAttainmentDifference,
		c.SourcePages, c.SourceFetchedRecords, c.SourceRetries,
		c.SourceEarlyStops, c.SourceRateLimitWaits, c.SourceRateLimitWaitSeconds, c.SourceWatermark, c.SourceLastReconcile,
		c.ProbeSuccess, c.ProbeDuration, c.ProbeLast, c.ProbeHTTPStatusCode, c.ProbeCertExpiry,
		c.ReportDeliveries, c.ReportLastDelivery, c.ReportLastDeliverySuccessful, c.HTTPRequestsRejected,
		c.StaffingRequiredAgents, c.StaffingRosteredAgents, c.StaffingExpectedAttainment, c.StaffingArrivalsPerHour,
		c.TicketsEscalated,
	}
}

// familiesOf maps each objective to the metric names it has series in.
func familiesOf(mfs []*dto.MetricFamily) map[string][]string {
	out := map[string][]string{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == c.LabelObjective && !slices.Contains(out[lp.GetValue()], mf.GetName()) {
					out[lp.GetValue()] = append(out[lp.GetValue()], mf.GetName())
				}
			}
		}
	}
	for _, names := range out {
		slices.Sort(names)
	}
	return out
}

// TestExposition_WhatEachObjectivePublishes states, per kind of objective, which metrics it has:
// the golden file shows the values, this test the rules.
func TestExposition_WhatEachObjectivePublishes(t *testing.T) {
	// Every objective has these, stale or not.
	always := []string{c.ObjectiveInfo, c.ObjectiveTarget, c.Status}
	bounds := []string{c.PeriodStart, c.PeriodEnd}
	current := []string{c.PeriodEvents, c.DataCoverage, c.BurnRate}
	attained := []string{c.Attainment, c.BudgetRemainingRatio, c.BudgetConsumedRatio}
	ticketRisk := []string{c.TicketsOpen, c.ExpectedBreaches, c.BreachProbability, c.ForecastAttainment}
	cat := func(parts ...[]string) []string {
		out := slices.Concat(parts...)
		slices.Sort(out)
		return out
	}
	want := map[string][]string{
		"incident-response": cat(always, bounds, current, attained, ticketRisk,
			[]string{c.PeriodFinalAttainment, c.BudgetRemainingEvents, c.ToolDeadlineCycles, c.NativeCycles, c.NativeDisagreements, c.TicketsEscalated}),
		"webshop-availability": cat(always, bounds, current, attained,
			[]string{c.PeriodFinalAttainment, c.BudgetRemainingSeconds, c.ForecastAttainment, c.BudgetExhaustion, c.ToolAttainment, c.ToolAttainmentDifference}),
		"api-requests": cat(always, bounds, current, attained, []string{c.BudgetRemainingEvents, c.ForecastAttainment}),
		// Stale: no figure of the current period, only its bounds and the frozen history.
		"hosting-availability": cat(always, bounds, []string{c.PeriodFinalAttainment}),
		// Nothing decided yet: no attainment or budget, but the open cycles and the burn.
		"p1-resolution": cat(always, bounds, current, ticketRisk),
		// Refused by the engine: no period either.
		"api-latency": cat(always),
	}
	if diff := cmp.Diff(want, familiesOf(gather(t, newExpo(expoSnapshot())))); diff != "" {
		t.Errorf("metrics per objective (-want +got):\n%s", diff)
	}
}

// TestExposition_StatusOfStaleObjective checks the state set: exactly one status is 1, and a
// stale objective's is no_data whatever the engine said.
func TestExposition_StatusOfStaleObjective(t *testing.T) {
	got := map[string]string{}
	for _, mf := range gather(t, newExpo(expoSnapshot())) {
		if mf.GetName() != c.Status {
			continue
		}
		for _, m := range mf.GetMetric() {
			if m.GetGauge().GetValue() != 1 {
				continue
			}
			labels := map[string]string{}
			for _, lp := range m.GetLabel() {
				labels[lp.GetName()] = lp.GetValue()
			}
			o := labels[c.LabelObjective]
			if prev, dup := got[o]; dup {
				t.Errorf("%s: statuses %s and %s both 1", o, prev, labels[c.LabelStatus])
			}
			got[o] = labels[c.LabelStatus]
		}
	}
	want := map[string]string{
		"incident-response": "at_risk", "webshop-availability": "at_risk", "api-requests": "ok",
		"hosting-availability": "no_data", "p1-resolution": "at_risk", "api-latency": "no_data",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status per objective (-want +got):\n%s", diff)
	}
}

// TestExposition_FollowsTheSnapshot checks that a scrape serves the snapshot set last: an
// objective removed from the configuration disappears, and before any evaluation only the
// reload metrics are served.
func TestExposition_FollowsTheSnapshot(t *testing.T) {
	e := collector.NewExposition()
	if n := testutil.CollectAndCount(e); n != 0 {
		t.Errorf("empty exposition: %d series, want 0", n)
	}
	e.SetReload(false, time.Time{})
	if n := testutil.CollectAndCount(e); n != 2 {
		t.Errorf("after a refused load: %d series, want 2 (reload successful, timestamp)", n)
	}
	s := expoSnapshot()
	e.Set(s)
	before := testutil.CollectAndCount(e, c.ObjectiveInfo)
	s2 := *s
	s2.Objectives = s.Objectives[:1]
	e.Set(&s2)
	if got := familiesOf(gather(t, e)); len(got) != 1 || got["incident-response"] == nil {
		t.Errorf("after removing objectives: objectives %v, want only incident-response", slices.Sorted(maps.Keys(got)))
	}
	if before != len(s.Objectives) {
		t.Errorf("info series before removal: %d, want %d", before, len(s.Objectives))
	}
}

// benchSnapshot is n objectives in equal shares of the three kinds, each with the seven default
// burn windows and twelve frozen periods, as a large configuration evaluates to.
func benchSnapshot(n int) *collector.Snapshot {
	s := &collector.Snapshot{At: expoNow, Duration: time.Second}
	kinds := []struct {
		kind slo.Kind
		unit slo.Unit
	}{{slo.TicketSLA, slo.Cycles}, {slo.Availability, slo.Seconds}, {slo.EventRatio, slo.Events}}
	for i := range n {
		k := kinds[i%len(kinds)]
		r := slo.Result{
			Objective: fmt.Sprintf("objective-%04d", i), Service: fmt.Sprintf("service-%02d", i%50),
			Kind: k.kind, Unit: k.unit, Target: 0.99, PeriodStart: novStart, PeriodEnd: decStart,
			Good: 990, Bad: 10, Attainment: 0.99, HasData: true, Coverage: 1,
			BudgetRemaining: 10, BudgetRemainingRatio: 0.5, Forecast: 0.99, HasForecast: true,
			Status: slo.OK,
		}
		for _, w := range slo.DefaultBurnWindows {
			r.BurnRates = append(r.BurnRates, slo.BurnRate{Window: w, Rate: 1})
		}
		if k.kind == slo.TicketSLA {
			r.Open = slo.OpenCycles{Within: 5, AtRisk: 1, Breached: 1, Paused: 1}
			r.HasBreachProbability, r.BreachProbability, r.ExpectedBreaches = true, 0.2, 1.5
		}
		if i%10 == 0 {
			r.Exhaustion = expoNow.Add(48 * time.Hour)
		}
		o := collector.ObjectiveResult{
			Result: r, PeriodName: "month",
			Labels: map[string]string{"team": fmt.Sprintf("team-%d", i%7), "customer": fmt.Sprintf("customer-%d", i%13)},
		}
		for m := range 12 {
			o.History = append(o.History, frozen(time.Date(2025, time.November+time.Month(m), 1, 0, 0, 0, 0, time.UTC).Format("2006-01"), 0.99, true))
		}
		s.Objectives = append(s.Objectives, o)
	}
	s.Sources = []collector.SourceHealth{{Name: "src", Up: true, LastSuccess: expoNow, Requests: map[string]float64{"200": 1}}}
	return s
}

// The disagreement label values are the conventions', in the order of ticket.Disagreements.
func TestExposition_DisagreementLabels(t *testing.T) {
	var got []string
	for _, d := range ticket.Disagreements {
		got = append(got, d.String())
	}
	want := []string{c.DisagreementVerdict, c.DisagreementDeadline, c.DisagreementNativeOnly, c.DisagreementEngineOnly}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("disagreement label values (-conventions +ticket):\n%s", diff)
	}
}
