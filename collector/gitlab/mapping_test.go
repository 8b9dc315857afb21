package gitlab

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/gitlab/gitlabsim"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

const mappingConfig = `
priority_label: "priority::(\\d)"
default_priority: "3"
group_label: "team::(.+)"
field_labels: {component: "component::(.+)"}
paused_labels: ["status::waiting"]
severity_priorities: {CRITICAL: "1", HIGH: "2", MEDIUM: "3", LOW: "4"}
`

func scenario(sim *gitlabsim.Server) {
	sim.Add(
		// An issue: responses by the author, a system note and a bot do not count, nor an
		// internal note; carol's comment at 25 does. Waiting from 60 to 180, closed at 300.
		gitlabsim.Issue{IID: 1, Author: alice, Created: at(0), Updated: at(300), Closed: at(300), State: "closed",
			Labels: []string{"priority::1", "team::network", "component::vpn"}, Assignees: []string{"bob"}, Milestone: "16.9",
			Notes: []gitlabsim.Note{
				{Author: alice, At: at(2)},
				{Author: bob, At: at(3), System: true, Body: "changed the description"},
				{Author: bot, At: at(4)},
				{Author: bob, At: at(10), Internal: true},
				{Author: carol, At: at(25)},
			},
			LabelLog: []gitlabsim.LabelEvent{
				{User: alice, At: at(0), Label: "priority::1", Action: "add"},
				{User: bob, At: at(60), Label: "status::waiting", Action: "add"},
				{User: bob, At: at(180), Label: "status::waiting", Action: "remove"},
			},
			States: []gitlabsim.StateEvent{{User: bob, At: at(300), State: "closed"}}},
		// An incident without a priority label: CRITICAL gives 1. Closed, reopened, closed.
		gitlabsim.Issue{IID: 2, Author: carol, Created: at(10), Updated: at(200), Closed: at(200), State: "closed", Type: "incident", Severity: "CRITICAL",
			States: []gitlabsim.StateEvent{{User: bob, At: at(40), State: "closed"}, {User: carol, At: at(100), State: "reopened"}, {User: bob, At: at(200), State: "closed"}}},
		// An incident with a priority label: the label wins over the severity.
		gitlabsim.Issue{IID: 3, Author: carol, Created: at(20), Type: "incident", Severity: "LOW", Labels: []string{"priority::2"}},
		// A test case: not a ticket by default.
		gitlabsim.Issue{IID: 4, Author: carol, Created: at(30), Type: "test_case"},
		// Closed before GitLab recorded state events: the issue's state and closed_at tell.
		gitlabsim.Issue{IID: 5, Author: alice, Created: at(40), Updated: at(90), Closed: at(90), State: "closed", Labels: []string{"status::waiting"}},
	)
}

func TestMapping(t *testing.T) {
	e := newEnv(t)
	scenario(e.sim)
	b, err := e.source(t, mappingConfig).Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]ticket.Ticket{}
	for _, tk := range b.Tickets {
		got[tk.ID] = tk
	}
	want := map[string]ticket.Ticket{
		"acme/support#1": {ID: "acme/support#1", Created: at(0), Priority: "1", Type: "issue", Group: "network",
			Fields: map[string]string{"project": "acme/support", "component": "vpn", "assignee": "bob", "milestone": "16.9"},
			History: []ticket.StatusChange{
				{At: at(0), Status: "opened", Category: ticket.Open},
				{At: at(60), Status: "status::waiting", Category: ticket.Paused},
				{At: at(180), Status: "opened", Category: ticket.Open},
				{At: at(300), Status: "closed", Category: ticket.Closed},
			},
			FirstResponse: at(25)},
		"acme/support#2": {ID: "acme/support#2", Created: at(10), Priority: "1", Type: "incident",
			Fields: map[string]string{"project": "acme/support", "severity": "critical"},
			History: []ticket.StatusChange{
				{At: at(10), Status: "opened", Category: ticket.Open},
				{At: at(40), Status: "closed", Category: ticket.Closed},
				{At: at(100), Status: "opened", Category: ticket.Open},
				{At: at(200), Status: "closed", Category: ticket.Closed},
			}},
		"acme/support#3": {ID: "acme/support#3", Created: at(20), Priority: "2", Type: "incident",
			Fields:  map[string]string{"project": "acme/support", "severity": "low"},
			History: []ticket.StatusChange{{At: at(20), Status: "opened", Category: ticket.Open}}},
		// Waiting since creation (no add event), closed at 90 by its state alone.
		"acme/support#5": {ID: "acme/support#5", Created: at(40), Priority: "3", Type: "issue",
			Fields: map[string]string{"project": "acme/support"},
			History: []ticket.StatusChange{
				{At: at(40), Status: "status::waiting", Category: ticket.Paused},
				{At: at(90), Status: "closed", Category: ticket.Closed},
			}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}
	// Per ticket: state events and label events; notes only for #1, which has user notes.
	if l, se, le, n := e.sim.Requests("list"), e.sim.Requests("state_events"), e.sim.Requests("label_events"), e.sim.Requests("notes"); l != 1 || se != 4 || le != 4 || n != 1 {
		t.Errorf("requests: %d listing, %d state events, %d label events, %d notes; want 1, 4, 4, 1", l, se, le, n)
	}
	golden(t, "scenario.json", b)
}

func golden(t *testing.T, name string, b collector.Batch) {
	t.Helper()
	tickets := slices.Clone(b.Tickets)
	slices.SortFunc(tickets, func(a, b ticket.Ticket) int { return strings.Compare(a.ID, b.ID) })
	got, err := json.MarshalIndent(tickets, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; rerun with -update if the change is meant):\n%s", path, diff)
	}
}
