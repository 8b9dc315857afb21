package main

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/budget"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/demo"
	"github.com/sla-exporter/sla_exporter/slo"
	c "github.com/sla-exporter/sla_exporter/slo/conventions"
)

// TestSeriesEstimate_MatchesExposition evaluates the demo at several instants and checks each
// objective's estimate against the series the exposition actually serves, less the figures the
// data withheld (a period without data, a stale source, no forecast yet) and plus the ones the
// estimate leaves to the data (native and tool comparisons): a series added to the exposition
// and not to the estimate, or the reverse, fails here.
func TestSeriesEstimate_MatchesExposition(t *testing.T) {
	cfg, err := config.Load(demo.ConfigYAML, demoName, ".")
	if err != nil {
		t.Fatal(err)
	}
	est, err := budget.Count(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{
		time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 20, 15, 30, 0, 0, time.UTC),
	} {
		expo := collector.NewExposition()
		eval, err := evaluateAt(t.Context(), cfg, slog.New(slog.DiscardHandler), at, expo)
		if err != nil {
			t.Fatal(err)
		}
		eval.Publish()
		snap := expo.Snapshot()
		mfs, err := expo.Gatherer().Gather()
		if err != nil {
			t.Fatal(err)
		}
		actual := map[string]int{}
		kpis, contracts, costs := 0, 0, 0
		for _, mf := range mfs {
			for _, m := range mf.GetMetric() {
				labels := map[string]string{}
				for _, l := range m.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
				if name, ok := labels[c.LabelObjective]; ok {
					actual[name]++
				} else if _, ok := labels[c.LabelKPI]; ok {
					kpis++
				} else if _, ok := labels[c.LabelContract]; ok {
					contracts++
				} else if mf.GetName() == c.CostAmount {
					costs++
				}
			}
		}
		if len(snap.Objectives) != len(cfg.Objectives) {
			t.Fatalf("%d objectives evaluated, %d configured", len(snap.Objectives), len(cfg.Objectives))
		}
		for i, o := range snap.Objectives {
			if o.Objective != cfg.Objectives[i].Name {
				t.Fatalf("objective %d is %s, configured %s", i, o.Objective, cfg.Objectives[i].Name)
			}
			want := est.Objectives[o.Objective] - withheld(cfg.Objectives[i], o)
			if got := actual[o.Objective]; got != want {
				t.Errorf("%s: objective %s publishes %d series, the estimate %d less %d withheld",
					at.Format(time.RFC3339), o.Objective, got, est.Objectives[o.Objective], withheld(cfg.Objectives[i], o))
			}
		}
		if kpis > est.KPIs || contracts > est.Contracts || costs > est.Costs {
			t.Errorf("KPIs %d, contracts %d and costs %d series, above the estimate's %d, %d and %d", kpis, contracts, costs, est.KPIs, est.Contracts, est.Costs)
		}
	}
}

// withheld is how many fewer series than its estimate an objective's result publishes: what the
// data withheld, less what the estimate leaves to the data. Hand-written from the exposition's
// rules (collector/exposition.go), on purpose: the test is that both agree.
func withheld(cfg config.Objective, o collector.ObjectiveResult) int {
	n := 0
	if o.PeriodStart.IsZero() {
		n += 2 // period start and end
	}
	withData := 0
	for _, h := range o.History[min(o.UnpublishedPeriods, len(o.History)):] {
		if h.HasData {
			withData++
		}
	}
	n += cfg.PublishedHistoryPeriods - withData
	ticketFigures := 0
	if o.Kind == slo.TicketSLA {
		// breach probability, expected breaches, open cycles by state and by escalation level
		ticketFigures = 1 + 1 + 4 + len(cfg.Escalation)
	}
	toolDeadlines := 0
	if cfg.ToolDeadlineField != "" {
		toolDeadlines = 2
	}
	if o.Stale {
		// events by outcome, coverage, burn rates, forecast, then the data block.
		return n + 3 + 1 + len(cfg.BurnWindows) + 1 + toolDeadlines + ticketFigures + 5
	}
	n += len(cfg.BurnWindows) - len(o.BurnRates)
	if !o.HasForecast {
		n++
	}
	if o.Kind == slo.TicketSLA && !o.HasBreachProbability {
		n++
	}
	if cfg.ToolDeadlineField != "" && o.ToolDeadlines == nil {
		n -= 2
	}
	if o.Native != nil {
		n -= 1 + 4 // cycles compared, disagreements by kind
	}
	n -= 2 * len(o.ToolAttainments)
	if !o.HasData {
		return n + 5 // attainment, budget remaining and consumed, remaining in units, exhaustion
	}
	if o.Exhaustion.IsZero() {
		n++
	}
	return n
}

// TestCheckPrintsSeries: check prints the estimate after the configuration's summary.
func TestCheckPrintsSeries(t *testing.T) {
	stdout, stderr, err := runCmd(t, "check", "--syntax-only")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "built-in demo configuration: series at most ") || !strings.Contains(stdout, "(ticket ") {
		t.Errorf("check does not print the series estimate:\n%s", stdout)
	}
}
