package config

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestAlertingOverrides pins what docs/configuration.md says of alerting blocks: an objective's
// block overrides the global one key by key, adds its labels to the global ones, replaces the
// burn-rate tiers when it sets them (an empty list meaning none), and may turn alerts back on
// that the global block disabled.
func TestAlertingOverrides(t *testing.T) {
	cfg, err := Load([]byte(`
global:
  alerting:
    disabled: true
    page_severity: critical
    runbook_url: https://wiki/sla
    burn_rates: [{long: 1h, short: 5m, budget: 0.02}]
    forecast_for: 2h
    labels: {team: ops}
sources: [{name: s, type: demo}]
objectives:
  - {name: inherits, service: svc, kind: availability, source: s, series: x, target: 0.99}
  - name: overrides
    service: svc
    kind: availability
    source: s
    series: x
    target: 0.99
    alerting:
      disabled: false
      ticket_severity: warning
      dashboard_url: "https://grafana/d/x?var-objective={{ $labels.objective }}"
      burn_rates: [{long: 6h, short: 30m, budget: 0.05, severity: ticket, for: 5m}]
      labels: {team: web, customer: acme}
  - {name: no-tiers, service: svc, kind: availability, source: s, series: x, target: 0.99, alerting: {burn_rates: []}}
`), "t.yml", ".")
	if err != nil {
		t.Fatal(err)
	}
	global := Alerting{Disabled: true, PageSeverity: "critical", TicketSeverity: "ticket", RunbookURL: "https://wiki/sla",
		BurnRates:   []BurnTier{{Long: time.Hour, Short: 5 * time.Minute, Budget: 0.02, Severity: "page"}}, // severity: page by default
		ForecastFor: 2 * time.Hour, Labels: map[string]string{"team": "ops"}}
	overrides := Alerting{PageSeverity: "critical", TicketSeverity: "warning", RunbookURL: "https://wiki/sla",
		DashboardURL: "https://grafana/d/x?var-objective={{ $labels.objective }}",
		BurnRates:    []BurnTier{{Long: 6 * time.Hour, Short: 30 * time.Minute, Budget: 0.05, Severity: "ticket", For: 5 * time.Minute}},
		ForecastFor:  2 * time.Hour, Labels: map[string]string{"team": "web", "customer": "acme"}}
	noTiers := global
	noTiers.BurnRates = nil
	want := []Alerting{global, global, overrides, noTiers}
	got := []Alerting{cfg.Global.Alerting}
	for _, o := range cfg.Objectives {
		got = append(got, o.Alerting)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alerting of global, inherits, overrides, no-tiers (-want +got):\n%s", diff)
	}
}
