package github

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/github/githubsim"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

const mappingConfig = `
priority_label: "priority/(P[1-4])"
default_priority: P3
type_label: "type/(.+)"
group_label: "team/(.+)"
field_labels: {component: "component/(.+)"}
paused_labels: [status/waiting]
`

// scenario fills the simulator with issues whose tickets are worked out by hand in
// TestMapping.
func scenario(sim *githubsim.Server) {
	comments := []githubsim.Comment{
		{User: alice, Association: "NONE", At: at(5), Body: "more details"},     // the author: no response
		{User: bot, Association: "NONE", At: at(6), Body: "thanks, we'll look"}, // a bot: no response
		{User: bob, Association: "MEMBER", At: at(15), Body: "on it"},           // the response
		{User: carol, Association: "MEMBER", At: at(20)},
	}
	sim.Add(
		githubsim.Issue{Number: 1, Title: "VPN down", Author: alice, Created: at(0), Updated: at(300), Closed: at(300), State: "closed", StateReason: "completed",
			Labels: []string{"priority/P1", "team/network", "type/incident", "component/vpn"}, Assignees: []string{"bob"}, Milestone: "March",
			Comments: comments,
			Events: []githubsim.Event{
				{Kind: "labeled", Actor: bob, At: at(60), Label: "status/waiting"},
				{Kind: "unlabeled", Actor: bob, At: at(180), Label: "status/waiting"},
				{Kind: "closed", Actor: bob, At: at(300), StateReason: "completed"},
			}},
		// Closed as not planned (cancelled), reopened, then closed as completed.
		githubsim.Issue{Number: 2, Title: "Printer", Author: carol, Created: at(10), Updated: at(200), Closed: at(200), State: "closed", StateReason: "completed",
			Labels: []string{"priority/P2", "priority/P4"},
			Events: []githubsim.Event{
				{Kind: "closed", Actor: bob, At: at(40), StateReason: "not_planned"},
				{Kind: "reopened", Actor: carol, At: at(100)},
				{Kind: "closed", Actor: bob, At: at(200), StateReason: "completed"},
			}},
		// A pull request: not a ticket.
		githubsim.Issue{Number: 3, Title: "Fix VPN", Author: bob, Created: at(20), PullRequest: true, Labels: []string{"priority/P1"}},
		// Opened already waiting (the label at creation has no labeled event), no priority label.
		githubsim.Issue{Number: 4, Title: "Access", Author: alice, Created: at(30), Updated: at(30), Labels: []string{"status/waiting"}},
	)
	// A timeline longer than a page: 150 comments by the author, then carol answers.
	var long []githubsim.Comment
	for i := range 150 {
		long = append(long, githubsim.Comment{User: bob, Association: "MEMBER", At: at(40 + i)})
	}
	long = append(long, githubsim.Comment{User: carol, Association: "MEMBER", At: at(400)})
	sim.Add(githubsim.Issue{Number: 5, Title: "Chatty", Author: bob, Created: at(40), Updated: at(400), Comments: long})
}

func TestMapping(t *testing.T) {
	e := newEnv(t, githubsim.Options{})
	scenario(e.sim)
	src := e.source(t, mappingConfig)
	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]ticket.Ticket{}
	for _, tk := range b.Tickets {
		got[tk.ID] = tk
	}
	want := map[string]ticket.Ticket{
		// Responses: alice is the author, the bot does not count: bob at 15. Paused from 60 to
		// 180 by status/waiting, closed at 300.
		"acme/support#1": {ID: "acme/support#1", Created: at(0), Priority: "P1", Type: "incident", Group: "network",
			Fields: map[string]string{"repository": "acme/support", "component": "vpn", "assignee": "bob", "milestone": "March", "state_reason": "completed"},
			History: []ticket.StatusChange{
				{At: at(0), Status: "open", Category: ticket.Open},
				{At: at(60), Status: "status/waiting", Category: ticket.Paused},
				{At: at(180), Status: "open", Category: ticket.Open},
				{At: at(300), Status: "closed", Category: ticket.Closed},
			},
			FirstResponse: at(15)},
		// Two priority labels: the first in name order, P2. Not planned at 40 cancels; reopened
		// at 100; closed at 200. No comment: no response.
		"acme/support#2": {ID: "acme/support#2", Created: at(10), Priority: "P2", Type: "issue",
			Fields: map[string]string{"repository": "acme/support", "state_reason": "completed"},
			History: []ticket.StatusChange{
				{At: at(10), Status: "open", Category: ticket.Open},
				{At: at(40), Status: "closed: not_planned", Category: ticket.Cancelled},
				{At: at(100), Status: "open", Category: ticket.Open},
				{At: at(200), Status: "closed", Category: ticket.Closed},
			}},
		// No priority label: default P3; paused from creation.
		"acme/support#4": {ID: "acme/support#4", Created: at(30), Priority: "P3", Type: "issue",
			Fields:  map[string]string{"repository": "acme/support"},
			History: []ticket.StatusChange{{At: at(30), Status: "status/waiting", Category: ticket.Paused}}},
		// 150 comments by the author over two timeline pages; carol answers at 400.
		"acme/support#5": {ID: "acme/support#5", Created: at(40), Priority: "P3", Type: "issue",
			Fields:        map[string]string{"repository": "acme/support"},
			History:       []ticket.StatusChange{{At: at(40), Status: "open", Category: ticket.Open}},
			FirstResponse: at(400)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}
	// Four tickets: one listing page and five timeline pages (#5 has two).
	if n, m := e.sim.Requests("list"), e.sim.Requests("timeline"); n != 1 || m != 5 {
		t.Errorf("%d listing and %d timeline requests, want 1 and 5", n, m)
	}
	for _, tk := range b.Tickets {
		if err := tk.Validate(); err != nil {
			t.Error(err)
		}
	}
	golden(t, "scenario.json", b)
}

// golden compares the batch's tickets, as JSON, with testdata/golden/name (rewritten with
// -update): the full mapping of the scenario, so that any change of it shows in review.
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

func TestMapping_Options(t *testing.T) {
	e := newEnv(t, githubsim.Options{})
	e.sim.Add(githubsim.Issue{Number: 7, Author: alice, Created: at(0), Updated: at(90), Closed: at(90), State: "closed", StateReason: "not_planned",
		Comments: []githubsim.Comment{
			{User: bot, At: at(1)},
			{User: carol, Association: "CONTRIBUTOR", At: at(2)},
			{User: bob, Association: "MEMBER", At: at(3)},
		},
		Events: []githubsim.Event{{Kind: "closed", Actor: bob, At: at(90), StateReason: "not_planned"}}})
	tests := []struct {
		name         string
		extra        string
		wantResponse time.Time
		wantLast     ticket.StatusChange
	}{
		{"defaults: any non-author but bots; not_planned cancels", "", at(2), ticket.StatusChange{At: at(90), Status: "closed: not_planned", Category: ticket.Cancelled}},
		{"bots count", "bot_responses: true\n", at(1), ticket.StatusChange{At: at(90), Status: "closed: not_planned", Category: ticket.Cancelled}},
		{"members only; not_planned closes", "responders: [member, owner]\ncancelled_reasons: [duplicate]\n", at(3), ticket.StatusChange{At: at(90), Status: "closed", Category: ticket.Closed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := e.source(t, tt.extra).Sync(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			tk := b.Tickets[0]
			if !tk.FirstResponse.Equal(tt.wantResponse) {
				t.Errorf("first response %v, want %v", tk.FirstResponse, tt.wantResponse)
			}
			if diff := cmp.Diff(tt.wantLast, tk.History[len(tk.History)-1]); diff != "" {
				t.Errorf("last status (-want +got):\n%s", diff)
			}
		})
	}
}
