package evaluation

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
)

// escalationConfig is testConfig with the default levels (50, 75, 90, 100%) on the resolution
// objective (P1 4h, 24x7).
func escalationConfig() string {
	return strings.Replace(testConfig, "    targets: {P1: 4h}\n", "    targets: {P1: 4h}\n    escalation: default\n", 1)
}

// TestEscalation_CountsAndDrill: drillDesk's open cycles at cyclesNow, each share worked out of
// 4h = 14,400 s: T-within ran 1h (0.25) and T-waiting 1h before pausing (0.25), below the first
// level; T-risk 3h30 (0.875) is at the 75% level; T-late 5h (1.25, breached and open) at 100%.
// The drill-down's level filter lists exactly the cycles the metric counts.
func TestEscalation_CountsAndDrill(t *testing.T) {
	ev := New(loadConfig(t, escalationConfig()), Options{Data: drillDesk(t)})
	s := ev.Evaluate(cyclesNow)
	got := objectiveNamed(t, s, "resolution").Escalation
	want := []collector.EscalationCount{
		{Level: 1, At: 0.5, Severity: "info"},
		{Level: 2, At: 0.75, Severity: "warning", Open: 1},
		{Level: 3, At: 0.9, Severity: "critical"},
		{Level: 4, At: 1, Severity: "critical", Open: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("escalation (-want +got):\n%s", diff)
	}
	// Objectives without levels publish none.
	if e := objectiveNamed(t, s, "office-resolution").Escalation; e != nil {
		t.Errorf("office-resolution escalation %v, want none", e)
	}
	for level, tickets := range map[int][]string{1: nil, 2: {"T-risk"}, 3: nil, 4: {"T-late"}} {
		d, err := ev.Drill("resolution", CycleFilter{Level: level}, cyclesNow)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range d.Rows {
			ids = append(ids, r.Ticket)
		}
		if diff := cmp.Diff(tickets, ids); diff != "" {
			t.Errorf("level %d (-want +got):\n%s", level, diff)
		}
	}
	// With a state filter too: the open breached cycles at 100%.
	d, err := ev.Drill("resolution", CycleFilter{Level: 4, State: "breached"}, cyclesNow)
	if err != nil || len(d.Rows) != 1 || d.Rows[0].Ticket != "T-late" {
		t.Errorf("level 4, breached: %v, %v", d.Rows, err)
	}
}

func TestEscalation_DrillErrors(t *testing.T) {
	ev := New(loadConfig(t, escalationConfig()), Options{Data: drillDesk(t)})
	for _, tc := range []struct {
		objective string
		f         CycleFilter
		want      string
	}{
		{"resolution", CycleFilter{Level: 5}, `level 5: objective "resolution" has levels 1 to 4`},
		{"resolution", CycleFilter{Level: -1}, `level -1: objective "resolution" has levels 1 to 4`},
		{"office-resolution", CycleFilter{Level: 1}, `level: objective "office-resolution" has no escalation levels`},
		{"resolution", CycleFilter{Level: 1, Period: "previous"}, "level: only the current period has open cycles to escalate"},
	} {
		_, err := ev.Drill(tc.objective, tc.f, cyclesNow)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s %+v: error %v, want %s", tc.objective, tc.f, err, tc.want)
		}
	}
}
