package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

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
// times in the objective's or the configuration's timezone; and that each figure is the one the
// API's display gives.
func TestStatusPageFigures(t *testing.T) {
	s := newDemoServer(t, nil)
	snap := displaySnapshot(t)
	s.expo.Set(snap)
	_, body := s.get(t, "/")
	doc := parsePage(t, body)
	type row struct{ status, attainment, target, forecast, budget, exhaustion, burn, open string }
	want := map[string]row{
		// web: attainment 1,250,000 / 1,250,062 = 0.9999504 needs three decimals, as two would
		// round it to 100.00%; the forecast 0.99896 needs three to show it is below the 99.90%
		// target (which the reason writes with as many). From 2026-11-15 12:00 UTC to 2026-11-20 14:05 UTC is 5d2h5m: 5d2h.
		"web": {status: "▲ at risk forecast 99.896% < 99.900% target if the recent burn continues budget runs out on 20 Nov 09:05 EST at the current burn (in 5d2h)",
			attainment: "99.995%", target: "99.90%", forecast: "99.896%", budget: "42m10s (97.61%)", exhaustion: "2026-11-20 09:05 EST"},
		// p1: at its target exactly; budget in cycles; no forecast: ok.
		"p1": {status: "● kept on track: 95.00% ≥ 95.00% target, 50.00% of budget left", attainment: "95.00%", target: "95.00%",
			budget: "3 cycles (50.00%)", open: "0 open"},
	}
	api := map[string]ObjectiveDisplay{}
	for _, o := range ObjectivesJSON(snap) {
		api[o.Name] = o.Display
	}
	for name, w := range want {
		r := one(t, doc, name, withAttr("data-objective", name))
		exhaustion := ""
		if e := findAll(r, withAttr("data-figure", "exhaustion")); len(e) == 1 {
			exhaustion = text(e[0])
		}
		got := row{figureOf(t, r, "status"), figureOf(t, r, "attainment"), figureOf(t, r, "target"), figureOf(t, r, "forecast"),
			figureOf(t, r, "budget"), exhaustion, figureOf(t, r, "burn"), figureOf(t, r, "open")}
		if diff := cmp.Diff(w, got, cmp.AllowUnexported(row{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
		d := api[name]
		if got.attainment != d.Attainment || got.target != d.Target || got.forecast != d.Forecast || got.budget != d.BudgetRemaining || got.exhaustion != d.Exhaustion {
			t.Errorf("%s: page %+v, API display %+v", name, got, d)
		}
	}
	// KPIs: 65,860 s = 18h17m40s, rounded to 18h18m, against 4h; 4.999% under a 5.00%
	// target; 42 tickets against 120; csat unmeasured shows no value.
	for name, vt := range map[string][2]string{"mttr": {"18h18m", "4h"}, "reopen": {"4.999%", "5.00%"}, "backlog": {"42", "120"}, "csat": {"", "90.00%"}} {
		r := one(t, doc, name, withAttr("data-kpi", name))
		if got := [2]string{figureOf(t, r, "value"), figureOf(t, r, "target")}; got != vt {
			t.Errorf("KPI %s: %v, want %v", name, got, vt)
		}
	}
	// The summary counts the statuses: one at risk, one kept.
	tiles := map[string]string{}
	for _, li := range findAll(doc, func(n *html.Node) bool { c, _ := attr(n, "class"); return strings.HasPrefix(c, "tile ") }) {
		c, _ := attr(li, "class")
		tiles[strings.TrimPrefix(c, "tile ")] = text(li)
	}
	if diff := cmp.Diff(map[string]string{"breached": "0 ✕ breached", "at_risk": "1 ▲ at risk", "no_data": "0 ○ no data", "ok": "1 ● kept"}, tiles); diff != "" {
		t.Errorf("tiles (-want +got):\n%s", diff)
	}
	// The source's last success in the global timezone.
	if !strings.Contains(body, `<td class="t">2026-11-15 12:59 CET</td>`) {
		t.Error("the source's last success is not in the global timezone")
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
			Exhaustion: "2026-11-20 09:05 EST", PeriodStart: "2026-11-01 00:00 EDT", PeriodEnd: "2026-12-01 00:00 EST",
			// The same reasons as the status page's (TestStatusPageFigures).
			Reasons: []string{"forecast 99.896% < 99.900% target if the recent burn continues",
				"budget runs out on 20 Nov 09:05 EST at the current burn (in 5d2h)"}},
		{Attainment: "95.00%", Target: "95.00%", BudgetRemaining: "3 cycles (50.00%)",
			Reasons: []string{"on track: 95.00% ≥ 95.00% target, 50.00% of budget left"}},
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
