package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/contract"
)

// reportBase is base with a contract, for claim_within.
const reportBase = base + `contracts:
  - name: acme
    objectives: [resp]
    tiers: [{below: 0.95, credit: 0.1}]
`

func TestReportSettings(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want Report
	}{
		{"defaults", base, Report{Top: 5, RecurringIncidents: 5, ProblemFields: []string{"category", "service", "ci"}, IncidentTypes: []string{"incident"}}},
		{"set", strings.Replace(base, "  timezone: Europe/Rome\n", "  timezone: Europe/Rome\n  report: {top: 3, recurring_incidents: 10, problem_fields: [cmdb_ci, group], incident_types: [incident, problem]}\n", 1),
			Report{Top: 3, RecurringIncidents: 10, ProblemFields: []string{"cmdb_ci", "group"}, IncidentTypes: []string{"incident", "problem"}}},
		// Empty lists are kept: no problem trends, and every ticket type counted.
		{"empty lists", strings.Replace(base, "  timezone: Europe/Rome\n", "  timezone: Europe/Rome\n  report: {problem_fields: [], incident_types: []}\n", 1),
			Report{Top: 5, RecurringIncidents: 5, ProblemFields: []string{}, IncidentTypes: []string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Load([]byte(tt.yaml), "test.yml", t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, cfg.Global.Report); diff != "" {
				t.Errorf("global.report (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClaimWithin(t *testing.T) {
	cfg, err := Load([]byte(reportBase+"    claim_within: 2 months\n"), "test.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Contracts[0].ClaimWithin; got != (contract.ClaimWindow{Months: 2}) {
		t.Errorf("claim_within = %+v, want 2 months", got)
	}
	cfg, err = Load([]byte(reportBase), "test.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Contracts[0].ClaimWithin; !got.IsZero() {
		t.Errorf("claim_within not set = %+v, want none", got)
	}
}

func TestReportErrors(t *testing.T) {
	global := func(report string) string {
		return strings.Replace(reportBase, "  timezone: Europe/Rome\n", "  timezone: Europe/Rome\n  report:\n"+report, 1)
	}
	tests := []struct {
		name, yaml, want string
	}{
		{"top zero", global("    top: 0\n"), "test.yml:4: global.report.top: 0 is not between 1 and 50"},
		{"top too many", global("    top: 51\n"), "test.yml:4: global.report.top: 51 is not between 1 and 50"},
		{"recurring zero", global("    recurring_incidents: 0\n"), "test.yml:4: global.report.recurring_incidents: 0 is not a count of incidents of 1 or more"},
		{"empty field", global("    problem_fields: [category, \"\"]\n"), "test.yml:4: global.report.problem_fields[1]: empty name"},
		{"field twice", global("    problem_fields:\n      - ci\n      - ci\n"), `test.yml:6: global.report.problem_fields[1]: "ci" is listed twice`},
		{"type twice", global("    incident_types: [incident, incident]\n"), `test.yml:4: global.report.incident_types[1]: "incident" is listed twice`},
		{"unknown key", global("    topn: 3\n"), "test.yml:4: global.report.topn: unknown field (known: top, recurring_incidents, problem_fields, incident_types)"},
		{"claim_within minutes", reportBase + "    claim_within: 2m\n", `test.yml:24: contracts[0].claim_within: "2m": write months as "2 months" (m is minutes in a duration)`},
		{"claim_within words", reportBase + "    claim_within: two months\n", `test.yml:24: contracts[0].claim_within: "two months" is not a claim window such as "2 months", "30 days", "6 weeks" or "1 year"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load([]byte(tt.yaml), "test.yml", t.TempDir())
			if err == nil || err.Error() != tt.want {
				t.Errorf("error\n got: %v\nwant: %s", err, tt.want)
			}
		})
	}
}
