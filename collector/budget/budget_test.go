package budget

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo"
)

const cfgYAML = `global:
  history_periods: 12
  burn_windows: [1h]
%GLOBAL%
sources:
  - {name: desk, type: demo}
objectives:
  - {name: resp, service: desk, kind: ticket, source: desk, clock: response, targets: {P1: 1h}, target: 0.95%TICKET%}
  - {name: web, service: desk, kind: availability, source: desk, series: webshop, target: 0.999}
  - {name: api, service: desk, kind: event_ratio, source: desk, series: api, target: 0.99}
`

// TestCount checks the estimate by kind against counts worked out by hand from the exposition.
// Every objective: info, target, period start and end, 4 statuses, 3 outcomes, coverage,
// forecast, attainment, budget remaining and consumed, remaining in units, exhaustion = 18, plus
// one per burn window and per published frozen period; a ticket objective adds breach
// probability, expected breaches and 4 open-cycle states = 6.
func TestCount(t *testing.T) {
	for _, tc := range []struct {
		name, global, ticket string
		want                 map[slo.Kind]int
	}{
		// Default tiers read 5m 30m 1h 2h 6h 1d 3d: 7 windows; 12 periods: 18+7+12 = 37.
		{"defaults", "", "", map[slo.Kind]int{slo.TicketSLA: 43, slo.Availability: 37, slo.EventRatio: 37}},
		// Alerting off: global.burn_windows' one window; 3 periods: 18+1+3 = 22.
		{"trimmed", "  published_history_periods: 3\n  alerting: {disabled: true}", "",
			map[slo.Kind]int{slo.TicketSLA: 28, slo.Availability: 22, slo.EventRatio: 22}},
		// The ticket objective publishes no period and names two windows: 18+6+2 = 26.
		{"objective overrides", "  published_history_periods: 3\n  alerting: {disabled: true}", ", published_history_periods: 0, burn_windows: [1h, 1d]",
			map[slo.Kind]int{slo.TicketSLA: 26, slo.Availability: 22, slo.EventRatio: 22}},
		// Escalation levels: one sla_tickets_escalated series per level, the default four: 43+4.
		{"escalation", "", ", escalation: default", map[slo.Kind]int{slo.TicketSLA: 47, slo.Availability: 37, slo.EventRatio: 37}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.NewReplacer("%GLOBAL%", tc.global, "%TICKET%", tc.ticket).Replace(cfgYAML)
			cfg, err := config.Load([]byte(src), "test.yml", t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			e, err := Count(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, e.ByKind); diff != "" {
				t.Errorf("series by kind (-want +got):\n%s", diff)
			}
			if e.Total() != tc.want[slo.TicketSLA]+tc.want[slo.Availability]+tc.want[slo.EventRatio] {
				t.Errorf("total %d is not the sum of the kinds", e.Total())
			}
		})
	}
}

// TestCount_Costs counts sla_cost_amount by hand: the desk prices downtime (web) and breached
// tickets (resp) in EUR, 2 kinds; a customer contract in EUR and one in USD add credits_owed
// twice; a supplier's contract (its objective labelled supplier) credits_earned; a contract
// without a fee nothing. 5 figures × (so far, forecast) = 10.
func TestCount_Costs(t *testing.T) {
	src := strings.NewReplacer("%GLOBAL%", "", "%TICKET%", "").Replace(cfgYAML) + `  - {name: hosting, service: hosting, kind: availability, source: desk, series: hosting, target: 0.999, labels: {supplier: cloudco}}
services:
  - name: desk
    cost: {currency: EUR, downtime_per_minute: 10, breached_ticket: {"*": 20}}
  - name: hosting
contracts:
  - {name: eu, objectives: [web], tiers: [{below: 0.999, credit: 0.1}], fee: 100, currency: EUR}
  - {name: us, objectives: [web], tiers: [{below: 0.999, credit: 0.1}], fee: 100, currency: USD}
  - {name: eu2, objectives: [api], tiers: [{below: 0.999, credit: 0.1}], fee: 100, currency: EUR}
  - {name: cloud, objectives: [hosting], tiers: [{below: 0.999, credit: 0.1}], fee: 100, currency: EUR}
  - {name: ratios, objectives: [web], tiers: [{below: 0.999, credit: 0.1}]}
`
	cfg, err := config.Load([]byte(src), "test.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e, err := Count(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// eu and eu2 are one figure: desk, credits_owed, EUR.
	if e.Costs != 10 {
		t.Errorf("%d cost series, want 10", e.Costs)
	}
}
