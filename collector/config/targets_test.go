package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// targets has a ticket objective on the office calendar (Mon-Fri 09:00-17:00 in base) and one on
// 24x7, with every form of target.
const targets = base + `  - name: res
    service: desk
    kind: ticket
    source: desk
    clock: resolution
    calendar: office
    targets: {P1: 4h, P2: 5bd, P3: 5d, P4: 1w, "*": 120h}
    target: 95%
  - name: res24
    service: desk
    kind: ticket
    source: desk
    clock: resolution
    targets: {P3: 5d}
    target: 99.9%
    warn_at: 80%
`

func TestLoadTargets(t *testing.T) {
	cfg, err := Load([]byte(targets), "test.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	res := cfg.Objectives[1].Clock
	type target struct {
		Hours float64
		Days  int
	}
	var got []target
	for _, p := range []string{"P1", "P2", "P3", "P4", "P9"} {
		d, _ := res.Target(p)
		got = append(got, target{d.Hours(), res.BusinessDays(p)})
	}
	// 5bd is five working days; 5d stays 120 hours of working time, 1w 168.
	want := []target{{4, 0}, {0, 5}, {120, 0}, {168, 0}, {120, 0}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
	// On a business-hours calendar a target in days of 24 hours loads with a warning; on 24x7 a
	// day is a day and needs none; 120h says what it means.
	wantWarnings := []string{
		`test.yml:26: objectives[1].targets.P3: 5d is 120h of working time in calendar "office", not 5 working days: write 5bd for working days, or 120h to keep this target without this warning`,
		`test.yml:26: objectives[1].targets.P4: 1w is 168h of working time in calendar "office", not a number of working days: write Nbd for working days, or 168h to keep this target without this warning`,
	}
	if diff := cmp.Diff(wantWarnings, cfg.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	// Percentages are ratios, exactly: 99.9% is 0.999, not 99.9/100.
	ratios := []float64{cfg.Objectives[1].Target, cfg.Objectives[2].Target, cfg.Objectives[2].Clock.WarnAt()}
	if diff := cmp.Diff([]float64{0.95, 0.999, 0.8}, ratios); diff != "" {
		t.Errorf("ratios (-want +got):\n%s", diff)
	}
}

func TestLoadTargetErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new string
		want     string
	}{
		{"zero working days", "P2: 5bd", "P2: 0bd",
			`test.yml:26: objectives[1].targets.P2: "0bd" is not a number of working days between 1bd and 2500bd`},
		{"fractional working days", "P2: 5bd", "P2: 1.5bd",
			`test.yml:26: objectives[1].targets.P2: "1.5bd" is neither a duration (e.g. 30m, 4h) nor working days (e.g. 5bd)`},
		{"a percentage as a number", "target: 95%", "target: 95",
			`test.yml:27: objectives[1].target: 95 is not a ratio between 0 and 1 (write 0.95 or 95%)`},
		{"a fractional percentage as a number", "target: 99.9%", "target: 99.9",
			`test.yml:34: objectives[2].target: 99.9 is not a ratio between 0 and 1 (write 0.999 or 99.9%)`},
		{"more than 100%", "target: 95%", "target: 150%",
			`test.yml:27: objectives[1].target: 150% is more than 100%`},
		{"not a percentage", "target: 95%", "target: ninety%",
			`test.yml:27: objectives[1].target: "ninety%" is not a percentage such as 95% or 99.9%`},
		{"warn_at as a number", "warn_at: 80%", "warn_at: 80",
			`test.yml:35: objectives[2].warn_at: 80 is not a ratio between 0 and 1 (write 0.8 or 80%)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(targets, tc.old) {
				t.Fatalf("targets has no %q", tc.old)
			}
			_, err := Load([]byte(strings.Replace(targets, tc.old, tc.new, 1)), "test.yml", t.TempDir())
			if err == nil {
				t.Fatal("loaded")
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// ratios has every other ratio of the file written as a percentage.
const ratios = base + `  - name: web
    service: desk
    kind: availability
    source: desk
    series: web
    target: 99.95%
    availability: {good_threshold: 90%, degraded_weight: 50%}
    alerting:
      burn_rates: [{long: 1h, short: 5m, budget: 2%, severity: page}]
kpis:
  - {name: csat, service: desk, kind: csat, source: desk, target: 90%, red: 80%}
  - {name: mttr, service: desk, kind: mttr, source: desk, stat: p90, target: 4h}
contracts:
  - {name: c, objectives: [web], tiers: [{below: 99.9%, credit: 10%}, {below: 99%, credit: 25%}], cap: 50%}
`

func TestLoadRatios(t *testing.T) {
	cfg, err := Load([]byte(ratios), "test.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	web, csat, c := cfg.Objectives[1], cfg.KPIs[0].Spec, cfg.Contracts[0].Spec
	got := []float64{web.Target, web.Availability.GoodThreshold, web.Availability.DegradedWeight, web.Alerting.BurnRates[0].Budget,
		csat.Target, *csat.Red, c.Tiers[0].Below, c.Tiers[0].Credit, c.Tiers[1].Below, c.Tiers[1].Credit, c.Cap}
	want := []float64{0.9995, 0.9, 0.5, 0.02, 0.9, 0.8, 0.999, 0.1, 0.99, 0.25, 0.5}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ratios (-want +got):\n%s", diff)
	}
}

func TestLoadRatioErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new string
		want     string
	}{
		{"a KPI ratio as a number", "target: 90%, red", "target: 90, red",
			`test.yml:30: kpis[0].target: target 90 is not a ratio between 0 and 1 (write 0.9 or 90%)`},
		{"a percentage for a time KPI", "stat: p90, target: 4h", "stat: p90, target: 90%",
			`test.yml:31: kpis[1].target: target 90% is a percentage, but mttr is measured in seconds`},
		{"a credit as a number", "credit: 10%}", "credit: 10}",
			`test.yml:33: contracts[0].tiers[0].credit: 10 is not a ratio between 0 and 1 (write 0.1 or 10%)`},
		{"an attainment as a number", "below: 99.9%", "below: 99.9",
			`test.yml:33: contracts[0].tiers[0].below: 99.9 is not a ratio between 0 and 1 (write 0.999 or 99.9%)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(ratios, tc.old) {
				t.Fatalf("ratios has no %q", tc.old)
			}
			_, err := Load([]byte(strings.Replace(ratios, tc.old, tc.new, 1)), "test.yml", t.TempDir())
			if err == nil {
				t.Fatal("loaded")
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}
