package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo"
)

// displaySnapshot has one figure of each unit, evaluated at evalAt (2026-11-15 12:00 UTC, 13:00
// in Rome), with Rome as the global timezone and New York as one objective's.
func displaySnapshot(t *testing.T) *collector.Snapshot {
	t.Helper()
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	return &collector.Snapshot{At: evalAt, Location: rome,
		Objectives: []collector.ObjectiveResult{
			{
				// November has 30 days: a 99.9% budget of 2,592,000 × 0.001 = 2,592 s; 62 s bad
				// leaves 2,530 s = 42m10s, 2,530 / 2,592 = 97.61%. Runs out on 2026-11-20 14:05
				// UTC, 09:05 in New York (EST, UTC-5). The month in New York starts at 04:00 UTC
				// (00:00 EDT, DST ends later that day) and ends at 05:00 UTC (00:00 EST).
				Result: slo.Result{Objective: "web", Service: "web", Kind: slo.Availability, Unit: slo.Seconds, Target: 0.999,
					PeriodStart: time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2026, 12, 1, 5, 0, 0, 0, time.UTC),
					PeriodLabel: "2026-11", Good: 1_250_000, Bad: 62, Attainment: 1_250_000.0 / 1_250_062, HasData: true, Coverage: 1,
					BudgetTotal: 2592, BudgetConsumed: 62, BudgetRemaining: 2530, BudgetRemainingRatio: 2530.0 / 2592,
					Forecast: 0.99896, HasForecast: true, Exhaustion: time.Date(2026, 11, 20, 14, 5, 0, 0, time.UTC), Status: slo.AtRisk},
				PeriodName: "month", Location: ny,
			},
			{
				// 57 met of 60 cycles = 95%, against 95%; a budget of 3 cycles projected to 120
				// cycles × 0.05 = 6, 3 left = 50%.
				Result: slo.Result{Objective: "p1", Service: "desk", Kind: slo.TicketSLA, Unit: slo.Cycles, Target: 0.95,
					PeriodLabel: "2026-11", Good: 57, Bad: 3, Attainment: 0.95, HasData: true, Coverage: 1,
					BudgetTotal: 6, BudgetConsumed: 3, BudgetRemaining: 3, BudgetRemainingRatio: 0.5, Status: slo.OK},
				PeriodName: "month",
			},
		},
		KPIs: []collector.KPIResult{
			{Name: "mttr", Service: "desk", Kind: "mttr", Unit: "seconds", Value: 65860, Target: 4 * 3600, OK: true, Status: "red"},
			{Name: "reopen", Service: "desk", Kind: "reopen_rate", Unit: "ratio", Value: 0.04999, Target: 0.05, OK: true, Status: "green"},
			{Name: "backlog", Service: "desk", Kind: "backlog", Unit: "tickets", Value: 42, Target: 120, OK: true, Status: "green"},
			{Name: "csat", Service: "desk", Kind: "csat", Unit: "ratio", Target: 0.9, Status: "unknown"},
		},
		Sources: []collector.SourceHealth{{Name: "desk", Up: true, LastSuccess: evalAt.Add(-time.Minute)}},
	}
}

// TestStatusPageFigures checks the page shows each unit readably: durations in days, hours and
// minutes, ratios as percentages with the precision a comparison needs, counts as numbers, and
// times in the objective's or the configuration's timezone.
func TestStatusPageFigures(t *testing.T) {
	s := newDemoServer(t, nil)
	s.expo.Set(displaySnapshot(t))
	_, body := s.get(t, "/")
	checkHTML(t, body)
	for _, want := range []string{
		"Evaluated 2026-11-15 13:00 CET",
		// web: attainment 1,250,000 / 1,250,062 = 0.9999504 needs three decimals, as two would
		// round it to 100.00%; the forecast 0.99896 needs three to show it is below the 99.90%
		// target.
		`<td class="n">99.995%</td>`,
		`<td class="n">99.90%</td><td class="n">42m10s (97.61%)</td>`,
		`<td class="n">99.896%</td>`,
		`<td>2026-11-20 09:05 EST</td>`,
		// p1: at its target exactly; budget in cycles.
		`<td class="n">95.00%</td>`,
		`<td class="n">3 cycles (50.00%)</td>`,
		// KPIs: 65,860 s = 18h17m40s, rounded to 18h18m, against 4h; 4.999% under a 5.00%
		// target; 42 tickets against 120; csat unmeasured shows no value.
		`<td>mttr</td><td>desk</td><td>mttr</td><td class="red">red</td><td class="n">18h18m</td><td class="n">4h</td>`,
		`<td class="n">4.999%</td><td class="n">5.00%</td>`,
		`<td class="n">42</td><td class="n">120</td>`,
		`<td class="unknown">unknown</td><td class="n"></td><td class="n">90.00%</td>`,
		// The source's last success in the global timezone.
		`<td>2026-11-15 12:59 CET</td>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, bad := range []string{"e+0", "e-0", "UTC"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
}

func TestObjectivesAPIDisplay(t *testing.T) {
	objs := ObjectivesJSON(displaySnapshot(t))
	want := []ObjectiveDisplay{
		{Attainment: "99.995%", Target: "99.90%", Forecast: "99.896%", BudgetRemaining: "42m10s (97.61%)",
			Exhaustion: "2026-11-20 09:05 EST", PeriodStart: "2026-11-01 00:00 EDT", PeriodEnd: "2026-12-01 00:00 EST"},
		{Attainment: "95.00%", Target: "95.00%", BudgetRemaining: "3 cycles (50.00%)"},
	}
	var got []ObjectiveDisplay
	for _, o := range objs {
		got = append(got, o.Display)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("display (-want +got):\n%s", diff)
	}
	// The numeric fields stay in base units.
	if b := objs[0].Budget; b == nil || *b.Remaining != 2530 || *b.RemainingRatio != 2530.0/2592 {
		t.Errorf("error budget %+v, want 2530 s and 2530/2592", b)
	}
}

func TestKPIsAPIDisplay(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	want := []KPIJSON{
		{Name: "mttr", Service: "desk", Kind: "mttr", Value: v(65860), Target: 14400, Unit: "seconds", Status: "red",
			Display: KPIDisplay{Value: "18h18m", Target: "4h"}},
		{Name: "reopen", Service: "desk", Kind: "reopen_rate", Value: v(0.04999), Target: 0.05, Unit: "ratio", Status: "green",
			Display: KPIDisplay{Value: "4.999%", Target: "5.00%"}},
		{Name: "backlog", Service: "desk", Kind: "backlog", Value: v(42), Target: 120, Unit: "tickets", Status: "green",
			Display: KPIDisplay{Value: "42", Target: "120"}},
		{Name: "csat", Service: "desk", Kind: "csat", Target: 0.9, Unit: "ratio", Status: "unknown",
			Display: KPIDisplay{Target: "90.00%"}},
	}
	if diff := cmp.Diff(want, KPIsJSON(displaySnapshot(t))); diff != "" {
		t.Errorf("KPIs (-want +got):\n%s", diff)
	}
}

// TestKPIsAPIUnits checks every demo KPI's kind and unit as served: the kind configured, the
// unit of that kind, never empty.
func TestKPIsAPIUnits(t *testing.T) {
	s := newDemoServer(t, nil)
	_, body := s.get(t, "/api/v1/kpis")
	var got []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	cfg := demoFor(t).cfg
	if len(got) != len(cfg.KPIs) {
		t.Fatalf("%d KPIs served, %d configured", len(got), len(cfg.KPIs))
	}
	for i, k := range cfg.KPIs {
		var j KPIJSON
		raw, _ := json.Marshal(got[i])
		if err := json.Unmarshal(raw, &j); err != nil {
			t.Fatal(err)
		}
		if j.Name != k.Spec.Name || j.Kind != k.Spec.Kind.String() || j.Unit != k.Spec.Kind.Unit() || j.Unit == "" {
			t.Errorf("KPI %d: %s kind %q unit %q, want %s kind %q unit %q", i, j.Name, j.Kind, j.Unit, k.Spec.Name, k.Spec.Kind, k.Spec.Kind.Unit())
		}
		if j.Display.Target == "" || (j.Value != nil) != (j.Display.Value != "") || strings.Contains(j.Display.Value+j.Display.Target, "e+") {
			t.Errorf("%s: value %v, display %+v", j.Name, j.Value, j.Display)
		}
		if _, ok := got[i]["display"]; !ok {
			t.Errorf("%s: no display key", j.Name)
		}
	}
}
