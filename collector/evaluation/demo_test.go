package evaluation

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/demo"
	"github.com/sla-exporter/sla_exporter/collector/sources"
	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/contract"
)

// demoSnapshot syncs the built-in demo configuration once through the real runner at now and
// evaluates it.
func demoSnapshot(t *testing.T, now time.Time) (*config.Config, *Evaluator, *collector.Snapshot) {
	t.Helper()
	cfg, ev := syncedEvaluator(t, demo.ConfigYAML, now)
	return cfg, ev, ev.Publish()
}

// syncedEvaluator loads the configuration yml, syncs its sources once through the real runner
// at now and returns an evaluator over them.
func syncedEvaluator(tb testing.TB, yml []byte, now time.Time) (*config.Config, *Evaluator) {
	tb.Helper()
	cfg, err := config.Load(yml, "demo.yml", tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	clock := fixedClock{now}
	runner := collector.NewRunner(collector.RunnerOptions{Clock: clock})
	var srcs []collector.SourceConfig
	for _, s := range cfg.Sources {
		kind, err := sources.Lookup(s.Type)
		if err != nil {
			tb.Fatal(err)
		}
		src, err := kind.New(s.Block, collector.Options{Name: s.Name, Dir: s.Dir, Now: clock.Now})
		if err != nil {
			tb.Fatal(err)
		}
		srcs = append(srcs, collector.SourceConfig{Name: s.Name, Type: s.Type, Source: src, Interval: s.Interval, Timeout: s.Timeout, Hash: s.Hash})
	}
	if err := runner.Update(srcs); err != nil {
		tb.Fatal(err)
	}
	if err := runner.SyncOnce(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return cfg, New(cfg, Options{Data: runner, Now: clock.Now})
}

func inUnit(v float64) bool { return v >= 0 && v <= 1 }

// TestDemoConfiguration evaluates the configuration a newcomer sees first, on a Wednesday
// morning in November 2026: every objective must have data, be fresh, and give ratios in [0, 1].
func TestDemoConfiguration(t *testing.T) {
	now := time.Date(2026, time.November, 18, 10, 17, 23, 0, time.UTC)
	cfg, ev, s := demoSnapshot(t, now)

	if len(s.Objectives) != len(cfg.Objectives) {
		t.Fatalf("%d objectives evaluated, %d configured", len(s.Objectives), len(cfg.Objectives))
	}
	for _, o := range s.Objectives {
		t.Run(o.Objective, func(t *testing.T) {
			if o.Stale {
				t.Error("stale")
			}
			if !o.HasData || o.Status == slo.NoData {
				t.Errorf("no data (status %s)", o.Status)
			}
			for name, v := range map[string]float64{"attainment": o.Attainment, "coverage": o.Coverage, "target": o.Target} {
				if !inUnit(v) {
					t.Errorf("%s %v is not in [0, 1]", name, v)
				}
			}
			if o.HasForecast && !inUnit(o.Forecast) {
				t.Errorf("forecast %v is not in [0, 1]", o.Forecast)
			}
			if o.HasBreachProbability && !inUnit(o.BreachProbability) {
				t.Errorf("breach probability %v is not in [0, 1]", o.BreachProbability)
			}
			if !(o.BudgetRemainingRatio <= 1) {
				t.Errorf("budget remaining ratio %v is over 1", o.BudgetRemainingRatio)
			}
			if len(o.BurnRates) != len(slo.DefaultBurnWindows) {
				t.Errorf("%d burn rates, want %d", len(o.BurnRates), len(slo.DefaultBurnWindows))
			}
			for _, b := range o.BurnRates {
				if !(b.Rate >= 0) || math.IsInf(b.Rate, 0) {
					t.Errorf("burn rate over %s is %v", b.Window, b.Rate)
				}
			}
			// The demo's 100 days of history cover October whole: its result is frozen.
			if o.PeriodName == "month" {
				if n := len(o.History); n == 0 || o.History[n-1].Label != "2026-10" || !o.History[n-1].HasData || !inUnit(o.History[n-1].Attainment) {
					t.Errorf("history %+v: want October 2026 frozen last, with data", o.History)
				}
			}
		})
	}
	for _, k := range s.KPIs {
		if k.OK && (math.IsNaN(k.Value) || k.Value < 0) {
			t.Errorf("KPI %s: value %v", k.Name, k.Value)
		}
		if k.Status == "" {
			t.Errorf("KPI %s: no status", k.Name)
		}
	}
	if len(s.Contracts) != 1 || s.Contracts[0].Spec.Fee == 0 {
		t.Fatalf("contracts %+v: want one, with a fee", s.Contracts)
	}
	// The demo has data throughout: every credit is known, October's is the last finished one.
	k := s.Contracts[0]
	last, ok := k.LastPeriod()
	for name, cr := range map[string]collector.ContractCredit{"running": k.Running, "forecast": k.Forecast, "last period": last.ContractCredit} {
		if !cr.Known || !inUnit(cr.Ratio) {
			t.Errorf("contract %s credit %+v: want known, a ratio in [0, 1]", name, cr)
		}
	}
	if !ok || last.Label != "2026-10" || k.Status == contract.Unknown {
		t.Errorf("contract: last period %q (%v), status %s; want 2026-10 and a known status", last.Label, ok, k.Status)
	}
	if len(s.Sources) != 1 || !s.Sources[0].Up || !s.Sources[0].LastSuccess.Equal(now) {
		t.Errorf("sources %+v: want the demo source up, synced at %v", s.Sources, now)
	}
	// The exposition takes the snapshot on a pedantic registry.
	scrape(t, s)

	// The drill-down lists exactly what the engine counted.
	for _, co := range cfg.Objectives {
		if co.Kind != slo.TicketSLA {
			continue
		}
		t.Run(co.Name+"/drill-down", func(t *testing.T) {
			o := objectiveNamed(t, s, co.Name)
			rows, err := ev.Cycles(co.Name, "", now)
			if err != nil {
				t.Fatal(err)
			}
			checkDrillDown(t, o, rows, co.Clock.Calendar(), now)
		})
	}
}

// checkDrillDown checks that the rows account for the engine's figures: the met cycles are the
// good units, the breached ones whose breach became a fact in the period the bad ones, and the
// open ones by state are sla_tickets_open.
func checkDrillDown(t *testing.T, o collector.ObjectiveResult, rows []CycleRow, cal *calendar.Calendar, now time.Time) {
	t.Helper()
	var good, bad float64
	var open slo.OpenCycles
	for _, r := range rows {
		switch {
		case r.State == "met":
			good++
		case r.State == "breached":
			// A breach counts from the first working instant after the deadline.
			at := cal.NextWorkingUnix(r.BreachedAt.Unix())
			if at == calendar.Never {
				at = r.BreachedAt.Unix()
			}
			if at >= o.PeriodStart.Unix() && at <= now.Unix() {
				bad++
			}
		}
		if r.Stop != nil {
			continue
		}
		switch {
		case r.State == "breached":
			open.Breached++
		case r.State == "paused":
			open.Paused++
		case r.AtRisk:
			open.AtRisk++
		default:
			open.Within++
		}
	}
	if good != o.Good || bad != o.Bad {
		t.Errorf("rows: %v met and %v breached in the period; engine: %v good, %v bad", good, bad, o.Good, o.Bad)
	}
	if open != o.Open {
		t.Errorf("rows: open %+v; engine: %+v", open, o.Open)
	}
	if o.Good+o.Bad == 0 {
		t.Error("nothing decided in the period: the check proves nothing")
	}
}
