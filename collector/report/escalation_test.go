package report

import (
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo"
)

// TestReportEscalations: the demo's report lists its two ticket objectives with levels, each
// level's open cycles being the evaluation's (sla_tickets_escalated), in the configuration's
// order; a report limited to the supplier hostco has none, its objectives having no levels.
func TestReportEscalations(t *testing.T) {
	f, err := loadDemo()
	if err != nil {
		t.Fatal(err)
	}
	rep := mustDemoReport(t, Request{})
	var names []string
	for _, e := range rep.Escalations {
		names = append(names, e.Objective)
		var res *collector.ObjectiveResult
		for i := range f.snap.Objectives {
			if f.snap.Objectives[i].Objective == e.Objective {
				res = &f.snap.Objectives[i]
			}
		}
		if res == nil || len(res.Escalation) != len(e.Levels) || e.Withheld != "" || e.Period != res.PeriodLabel || !e.At.Equal(f.snap.At) {
			t.Fatalf("%s: %+v, the evaluation has %+v", e.Objective, e, res)
		}
		for i, l := range e.Levels {
			if l.OpenCycles == nil || *l.OpenCycles != res.Escalation[i].Open || l.At != res.Escalation[i].At || l.Severity != res.Escalation[i].Severity {
				t.Errorf("%s level %d: %+v, the evaluation has %+v", e.Objective, l.Level, l, res.Escalation[i])
			}
		}
	}
	if diff := cmp.Diff([]string{"incident-response", "incident-resolution"}, names); diff != "" {
		t.Errorf("objectives with escalation levels (-want +got):\n%s", diff)
	}
	// escalations.csv has a row per objective and level: 4 + 3 in the demo.
	rows := escalationsTable(rep).Rows
	if len(rows) != 7 {
		t.Fatalf("escalations.csv: %d rows, want 7", len(rows))
	}
	last := rep.Escalations[1].Levels[2]
	want := []string{"incident-resolution", "service-desk", rep.Escalations[1].Period, stamp(rep.Escalations[1].At), "3", "1.5", "critical", "notify=manager", strconv.Itoa(*last.OpenCycles), ""}
	if diff := cmp.Diff(want, rows[6]); diff != "" {
		t.Errorf("escalations.csv's last row (-want +got):\n%s", diff)
	}
	if rep := mustDemoReport(t, Request{Filter: Filter{Supplier: "hostco"}}); len(rep.Escalations) != 0 {
		t.Errorf("hostco's report lists escalations %+v", rep.Escalations)
	}
}

// TestEscalationsFromSnapshot builds the escalations of a hand-made evaluation: an objective's
// counts are copied level by level with the configuration's labels; a stale one's are withheld
// (null, with the reason), never zeros; an objective without levels is left out; no evaluation
// gives an empty list.
func TestEscalationsFromSnapshot(t *testing.T) {
	levels := []config.EscalationLevel{
		{At: 0.5, Severity: "info", Labels: map[string]string{"notify": "team"}},
		{At: 1.5, Severity: "critical"},
	}
	objective := func(name string, l []config.EscalationLevel) *config.Objective {
		return &config.Objective{Objective: &slo.Objective{Name: name, Service: "desk"}, Escalation: l}
	}
	objectives := []*config.Objective{objective("a", levels), objective("b", levels), objective("c", nil)}
	result := func(name string, stale bool, counts []collector.EscalationCount) collector.ObjectiveResult {
		r := collector.ObjectiveResult{Stale: stale, Escalation: counts}
		r.Objective, r.Service, r.PeriodLabel = name, "desk", "2026-12"
		return r
	}
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	counts := []collector.EscalationCount{{Level: 1, At: 0.5, Severity: "info", Open: 3}, {Level: 2, At: 1.5, Severity: "critical", Open: 1}}
	snap := &collector.Snapshot{At: at, Objectives: []collector.ObjectiveResult{result("a", false, counts), result("b", true, nil), result("c", false, nil)}}
	b := &builder{in: Inputs{Current: snap}, loc: time.UTC, scope: scope{objectives: objectives}}
	three, one := 3, 1
	want := []Escalation{
		{Objective: "a", Service: "desk", Period: "2026-12", At: at, Levels: []EscalationLevel{
			{Level: 1, At: 0.5, Severity: "info", Labels: map[string]string{"notify": "team"}, OpenCycles: &three},
			{Level: 2, At: 1.5, Severity: "critical", Labels: map[string]string{}, OpenCycles: &one},
		}},
		{Objective: "b", Service: "desk", Period: "2026-12", At: at, Withheld: withheldStale, Levels: []EscalationLevel{
			{Level: 1, At: 0.5, Severity: "info", Labels: map[string]string{"notify": "team"}},
			{Level: 2, At: 1.5, Severity: "critical", Labels: map[string]string{}},
		}},
	}
	if diff := cmp.Diff(want, b.escalations()); diff != "" {
		t.Errorf("escalations (-want +got):\n%s", diff)
	}
	b.in.Current = nil
	if got := b.escalations(); got == nil || len(got) != 0 {
		t.Errorf("without an evaluation: %#v, want an empty list", got)
	}
}
