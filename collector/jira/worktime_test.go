package jira

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/collector/jira/jirasim"
)

// TestWorkTime maps fields.timespent, Jira's time logged in seconds: 2280 s is 38m; null (no
// work logged) and absent (time tracking off) are no work time; a negative or non-numeric value
// rejects the issue. The fixture is a search page as Jira's IssueBean describes it.
func TestWorkTime(t *testing.T) {
	raw, err := os.ReadFile("testdata/worktime_issues.json")
	if err != nil {
		t.Fatal(err)
	}
	var pg searchPage
	if err := json.Unmarshal(raw, &pg); err != nil {
		t.Fatal(err)
	}
	s, err := compile(apitest.Node(t, "url: https://acme.atlassian.net\njql: project = OPS\n"), collector.Options{Name: "jira"})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		key      string
		work     time.Duration
		rejected bool
	}{{"OPS-1", 38 * time.Minute, false}, {"OPS-2", 0, false}, {"OPS-3", 0, false}, {"OPS-4", 0, true}, {"OPS-5", 0, true}}
	if len(pg.Issues) != len(want) {
		t.Fatalf("%d issues in the fixture", len(pg.Issues))
	}
	for i, w := range want {
		var is issue
		if err := json.Unmarshal(pg.Issues[i], &is); err != nil {
			t.Fatal(err)
		}
		tk, rej, err := s.mapIssue(&is, nil, &categories{})
		switch {
		case err != nil:
			t.Errorf("%s: %v", w.key, err)
		case w.rejected != (rej != nil):
			t.Errorf("%s: rejection %v, want rejected %v", w.key, rej, w.rejected)
		case !w.rejected && tk.WorkTime != w.work:
			t.Errorf("%s: WorkTime %s, want %s", w.key, tk.WorkTime, w.work)
		}
	}
}

// TestWorkTimeSync reads the time logged through the simulator's search, which the source asks
// for the timespent field.
func TestWorkTimeSync(t *testing.T) {
	e := newEnv(t, syncAt, jirasim.Options{})
	month(e.sim)
	e.sim.Edit("SUP-1", func(is *jirasim.Issue) { is.TimeSpent = 95 * time.Minute })
	b, err := e.source(t, deskConfig).Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := byID(b.Tickets)
	if w := got["SUP-1"].WorkTime; w != 95*time.Minute {
		t.Errorf("SUP-1: WorkTime %s, want 1h35m", w)
	}
	if w := got["SUP-2"].WorkTime; w != 0 {
		t.Errorf("SUP-2: WorkTime %s, want none", w)
	}
}
