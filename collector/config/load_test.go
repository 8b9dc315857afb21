package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector/demo"
	"github.com/sla-exporter/sla_exporter/collector/sources"
	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/kpi"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// base is a small valid configuration the error cases edit.
const base = `global:
  timezone: Europe/Rome
calendars:
  - name: office
    hours:
      weekdays: ["09:00-17:00"]
    holidays: ["12-25", "2026-12-24"]
sources:
  - name: desk
    type: demo
objectives:
  - name: resp
    service: desk
    kind: ticket
    source: desk
    clock: response
    calendar: office
    targets: {P1: 1h}
    target: 0.95
`

func TestLoadShippedConfigurations(t *testing.T) {
	files, err := filepath.Glob("../../deploy/config/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no configuration under deploy/config")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if _, err := LoadFile(f); err != nil {
				t.Error(err)
			}
		})
	}
	t.Run("demo", func(t *testing.T) {
		if _, err := Load(demo.ConfigYAML, "demo.yml", "."); err != nil {
			t.Error(err)
		}
	})
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		old  string // replaced in base by new
		new  string
		want string
	}{
		{"target out of range", "target: 0.95", "target: 0",
			"test.yml:19: objectives[0].target: 0 is not a ratio in (0, 1) (99.9% is 0.999)"},
		{"unknown key", "    target: 0.95", "    targt: 0.95",
			"test.yml:19: objectives[0].targt: unknown field (known: name, service, description, kind, target, period, timezone, source, series, labels, burn_windows, published_history_periods, forecast_window, clock, calendar, targets, pause_on, reopen, warn_at, tool_deadline_field, verdict, native_tolerance, select, escalation, availability, alerting)"},
		{"unknown timezone", "timezone: Europe/Rome", "timezone: Mars/Base",
			`test.yml:2: global.timezone: unknown timezone "Mars/Base" (want an IANA name such as Europe/Rome)`},
		{"unknown source type", "type: demo", "type: otrs",
			`test.yml:10: sources[0].type: unknown source type "otrs" (known: ` + strings.Join(sources.Names(), ", ") + `)`},
		{"source block of another type", "    type: demo", "    type: demo\n    file: {path: x}",
			`test.yml:11: sources[0]: file: not a setting of a source of type "demo" (its settings go under "demo")`},
		{"unknown key in a source block", "    type: demo", "    type: demo\n    demo: {seeds: 1}",
			"test.yml:11: sources[0].demo.seeds: unknown field (known: seed, history, scale)"},
		{"bad clock", "clock: response", "clock: reply",
			`test.yml:16: objectives[0].clock: unknown clock kind "reply" (want response or resolution)`},
		{"unknown calendar", "calendar: office", "calendar: offfice",
			`test.yml:17: objectives[0].calendar: no calendar named "offfice"`},
		{"bad target duration", "targets: {P1: 1h}", "targets: {P1: 1hour}",
			`test.yml:18: objectives[0].targets.P1: "1hour" is neither a duration (e.g. 30m, 4h) nor working days (e.g. 5bd)`},
		{"bad working hours", `"09:00-17:00"`, `"09:00-25:00"`,
			`test.yml:6: calendars[0].hours.weekdays: working hours "09:00-25:00": "25:00" is not a time of day between 00:00 and 24:00`},
		{"bad holiday", `"12-25"`, `"13-25"`,
			`test.yml:7: calendars[0].holidays[0]: recurring holiday "13-25" is not a day of the year MM-DD`},
		{"unknown source", "source: desk", "source: nodesk",
			`test.yml:15: objectives[0].source: no source named "nodesk" (sources: desk)`},
		{"bad duration", "  timezone: Europe/Rome", "  timezone: Europe/Rome\n  evaluation_interval: 5",
			`test.yml:3: global.evaluation_interval: not a valid duration string: "5"`},
		{"duplicate objective", "    target: 0.95\n", "    target: 0.95\n  - name: resp\n    service: desk\n    kind: ticket\n    source: desk\n    clock: response\n    targets: {P1: 1h}\n    target: 0.9\n",
			`test.yml:20: objectives[1].name: "resp" is used twice: first at test.yml:12`},
		{"series on a ticket objective", "    target: 0.95", "    target: 0.95\n    series: x",
			"test.yml:20: objectives[0].series: series applies to availability and event_ratio objectives"},
		{"period", "    target: 0.95", "    target: 0.95\n    period: monthly",
			`test.yml:20: objectives[0].period: parse period "monthly": want week, month, quarter, year, rolling:<N>d or <N>d, got "monthly"`},
		{"second document", "    target: 0.95\n", "    target: 0.95\n---\nglobal: {}\n",
			"test.yml:20: a configuration file holds one YAML document; found another"},
		{"unknown verdict", "    target: 0.95", "    target: 0.95\n    verdict: tool",
			`test.yml:20: objectives[0].verdict: unknown verdict "tool" (want recompute or native)`},
		{"native tolerance below a second", "    target: 0.95", "    target: 0.95\n    native_tolerance: 500ms",
			"test.yml:20: objectives[0].native_tolerance: 500ms is not a whole number of seconds"},
		{"verdict on an event objective", "    target: 0.95\n", "    target: 0.95\n  - {name: api, service: desk, kind: event_ratio, source: desk, series: api, target: 0.99, verdict: native}\n",
			"test.yml:20: objectives[1].kind: clock, calendar, targets, select, pause_on, reopen, warn_at, tool_deadline_field, verdict and native_tolerance apply to ticket objectives, not event_ratio"},
		{"wrong type", "target: 0.95", "target: high",
			`test.yml:19: objectives[0].target: "high" is not a ratio (write 0.95 or 95%)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(base, tc.old) {
				t.Fatalf("base has no %q", tc.old)
			}
			_, err := Load([]byte(strings.Replace(base, tc.old, tc.new, 1)), "test.yml", t.TempDir())
			if err == nil {
				t.Fatal("loaded")
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tc.want)
			}
		})
	}
}

// TestLoadContractPeriods checks that a contract's objectives must share one period: its
// finished periods pair up their frozen periods by label.
func TestLoadContractPeriods(t *testing.T) {
	objective := func(name, period, tz string) string {
		return "  - {name: " + name + ", service: desk, kind: ticket, source: desk, clock: response, targets: {P1: 1h}, target: 0.9, period: " + period + tz + "}\n"
	}
	for _, tc := range []struct {
		name, objectives, want string
	}{
		{"same month", objective("a", "month", "") + objective("b", "month", ""), ""},
		{"same rolling window", objective("a", "rolling:30d", "") + objective("b", "30d", ""), ""},
		{"month and quarter", objective("a", "month", "") + objective("b", "quarter", ""),
			`test.yml:11: contracts[0].objectives[1]: objective "b" has period quarter (Europe/Rome), but "a" has month (Europe/Rome): a contract's objectives must share one period`},
		{"months in two timezones", objective("a", "month", "") + objective("b", "month", ", timezone: UTC"),
			`test.yml:11: contracts[0].objectives[1]: objective "b" has period month (UTC), but "a" has month (Europe/Rome): a contract's objectives must share one period`},
		{"rolling windows of two lengths", objective("a", "rolling:30d", "") + objective("b", "rolling:28d", ""),
			`test.yml:11: contracts[0].objectives[1]: objective "b" has period rolling:28d, but "a" has rolling:30d: a contract's objectives must share one period`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			yml := `global: {timezone: Europe/Rome}
sources: [{name: desk, type: demo}]
objectives:
` + tc.objectives + `contracts:
  - name: c
    tiers: [{below: 0.9, credit: 0.1}]
    objectives:
      - a
      - b
`
			cfg, err := Load([]byte(yml), "test.yml", t.TempDir())
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Fatalf("error\n got: %s\nwant: %s", got, tc.want)
			}
			if err == nil && cfg.Contracts[0].PeriodName != cfg.Objectives[0].PeriodName {
				t.Errorf("contract period %q, want its objectives' %q", cfg.Contracts[0].PeriodName, cfg.Objectives[0].PeriodName)
			}
		})
	}
}

func TestLoadEmpty(t *testing.T) {
	_, err := Load(nil, "empty.yml", ".")
	if err == nil || err.Error() != "empty.yml: the configuration is empty" {
		t.Errorf("got %v", err)
	}
}

// TestLoadValues checks defaults and the translation into engine values.
func TestLoadValues(t *testing.T) {
	yml := base + `    labels: {team: desk}
  - name: web
    service: desk
    kind: availability
    source: desk
    series: web
    target: 0.999
    period: rolling:30d
    burn_windows: [1h, 1d]
    alerting: {disabled: true}
    availability:
      gaps: bad
      recurring_maintenance:
        - {weekdays: [weekend], start: "02:30", duration: 90m}
kpis:
  - {name: mttr, service: desk, kind: mttr, source: desk, stat: p90, target: 4h, red: 1d}
  - {name: csat, service: desk, kind: csat, source: desk, target: 0.9}
contracts:
  - {name: c, objectives: [web], tiers: [{below: 0.999, credit: 0.1}]}
`
	cfg, err := Load([]byte(yml), "test.yml", "/etc/sla")
	if err != nil {
		t.Fatal(err)
	}
	type global struct {
		Interval, Staleness time.Duration
		Zone                string
		History             int
	}
	if diff := cmp.Diff(global{30 * time.Second, 2 * time.Hour, "Europe/Rome", 12},
		global{cfg.Global.EvaluationInterval, cfg.Global.Staleness, cfg.Global.Location.String(), cfg.Global.HistoryPeriods}); diff != "" {
		t.Errorf("global (-want +got):\n%s", diff)
	}
	s := cfg.Sources[0]
	if len(s.Priorities) != 0 {
		t.Errorf("priorities %v, want none", s.Priorities)
	}
	if s.Interval != 5*time.Minute || s.Timeout != time.Minute || s.Dir != "/etc/sla" || s.Hash == "" {
		t.Errorf("source defaults: %+v", s)
	}
	resp, web := cfg.Objectives[0], cfg.Objectives[1]
	if d, ok := resp.Clock.Target("P1"); !ok || d != time.Hour || resp.Clock.Kind() != ticket.Response || resp.Clock.Calendar().Name() != "office" {
		t.Errorf("clock: %v %v %v", d, resp.Clock.Kind(), resp.Clock.Calendar().Name())
	}
	if diff := cmp.Diff(map[string]string{"team": "desk"}, resp.Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	if resp.Verdict != slo.Recompute || resp.NativeTolerance != time.Minute {
		t.Errorf("native defaults: verdict %s, tolerance %s; want recompute, 1m", resp.Verdict, resp.NativeTolerance)
	}
	if resp.PeriodName != "month" || web.PeriodName != "rolling:30d" || web.Kind != slo.Availability {
		t.Errorf("periods %q %q", resp.PeriodName, web.PeriodName)
	}
	// With alerting off, the configured windows; with the default alerting, the default windows,
	// which hold every window of the default burn-rate tiers.
	if diff := cmp.Diff([]time.Duration{time.Hour, 24 * time.Hour}, web.BurnWindows); diff != "" {
		t.Errorf("burn windows (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(slo.DefaultBurnWindows, resp.BurnWindows); diff != "" {
		t.Errorf("default burn windows (-want +got):\n%s", diff)
	}
	if a := resp.Alerting; a.PageSeverity != "page" || a.TicketSeverity != "ticket" || len(a.BurnRates) != 4 || a.ForecastFor != time.Hour {
		t.Errorf("default alerting %+v", a)
	}
	// The weekend group expands to Saturday and Sunday; 02:30 is 9,000 s after midnight.
	rec := web.Availability.Recurring[0]
	if diff := cmp.Diff([]time.Weekday{time.Saturday, time.Sunday}, rec.Weekdays); diff != "" || rec.Start != 150*time.Minute || rec.Duration != 90*time.Minute {
		t.Errorf("recurring %+v %s", rec, diff)
	}
	// A duration target is seconds; mttr defaults to lower is better, csat to higher.
	if k := cfg.KPIs[0].Spec; k.Target != 4*3600 || *k.Red != 86400 || k.Direction != kpi.LowerIsBetter || k.Stat != kpi.P90 {
		t.Errorf("mttr spec %+v", k)
	}
	if k := cfg.KPIs[1].Spec; k.Direction != kpi.HigherIsBetter {
		t.Errorf("csat direction %v", k.Direction)
	}
	if c := cfg.Contracts[0]; c.Spec.Credit([]float64{0.998}).Ratio != 0.1 {
		t.Errorf("contract %+v", c)
	}
}

func TestLoadNativeSettings(t *testing.T) {
	cfg, err := Load([]byte(strings.Replace(base, "    target: 0.95", "    target: 0.95\n    verdict: native\n    native_tolerance: 5m", 1)), "test.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if o := cfg.Objectives[0]; o.Verdict != slo.Native || o.NativeTolerance != 5*time.Minute {
		t.Errorf("verdict %s, tolerance %s; want native, 5m", o.Verdict, o.NativeTolerance)
	}
	cfg, err = Load([]byte(strings.Replace(base, "    target: 0.95", "    target: 0.95\n    native_tolerance: 0s", 1)), "test.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if o := cfg.Objectives[0]; o.NativeTolerance != 0 {
		t.Errorf("an explicit 0s tolerance reads %s", o.NativeTolerance)
	}
}

// FuzzLoad feeds mutations of the shipped configurations to the loader: it must return a
// configuration or an error, never panic.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(base))
	f.Add([]byte(costBase)) // cost_test.go
	f.Add(demo.ConfigYAML)
	files, _ := filepath.Glob("../../deploy/config/*.yml")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Load(data, "fuzz.yml", t.TempDir())
		if err == nil && cfg == nil {
			t.Fatal("nil configuration without an error")
		}
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz.yml") {
			t.Fatalf("error without the file name: %v", err)
		}
	})
}
