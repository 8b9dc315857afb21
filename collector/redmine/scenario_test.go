package redmine

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// The scenario the integration test plays on a real Redmine, and the tickets it must give. The
// issues are walked through their statuses through the API, as an agent and a customer would;
// then their creation, journal and update times are set (the API cannot) to the times below, so
// that every expected value is worked out by hand here. The recordings in testdata are this
// scenario's answers, so the replay tests expect the same tickets.
//
// Users: admin (id 1), alice (id 5, the agent, Manager: only managers may reject), carol (id 6, the customer, Reporter).
// Projects: support ("Support desk", in scope) and internal (not in scope).

func mon(h, m int) time.Time { return time.Date(2026, 3, 2, h, m, 0, 0, time.UTC) } // a Monday
func tue(h, m int) time.Time { return time.Date(2026, 3, 3, h, m, 0, 0, time.UTC) }
func wed(h, m int) time.Time { return time.Date(2026, 3, 4, h, m, 0, 0, time.UTC) }

// Redmine's default statuses, trackers and priorities (ids of the default data).
const (
	stNew, stInProgress, stResolved, stFeedback, stClosed, stRejected = 1, 2, 3, 4, 5, 6
	trBug, trFeature, trSupport                                       = 1, 2, 3
	prNormal, prHigh, prUrgent                                        = 2, 3, 4
	cfCustomer                                                        = 1 // made by install-redmine.sh
)

// step is one update of an issue, made through the API by who, then dated at.
type step struct {
	who    string // alice or carol
	at     time.Time
	fields map[string]any
}

// world is the scenario as played on a server.
type world struct {
	r              *redmineServer
	keys           map[string]string // user -> API key
	aliceID        int
	a, b, c, other int // issue ids
}

// scenarioConfig is the source's configuration for the scenario; url and the key file vary.
const scenarioConfig = `
url: %s
projects: [support]
http_client_config:
  http_headers:
    X-Redmine-API-Key:
      files: [%s]
first_response:
  statuses: [In Progress]   # an agent taking the issue answers it too
fields:
  customer: custom_field:Customer
  category: category
  assignee: assigned_to
`

// playScenario builds the world on a fresh server: users, projects, issues walked through their
// statuses, then every time set.
func playScenario(t *testing.T, r *redmineServer) *world {
	t.Helper()
	w := &world{r: r, keys: map[string]string{}}
	var carolID int
	w.aliceID, w.keys["alice"] = r.createUser(t, "alice", "Alice", "Agent")
	carolID, w.keys["carol"] = r.createUser(t, "carol", "Carol", "Customer")
	if w.aliceID != 5 || carolID != 6 {
		t.Fatalf("users alice %d and carol %d, want 5 and 6: the prepared database changed", w.aliceID, carolID)
	}
	r.createProject(t, "support", "Support desk")
	r.createProject(t, "internal", "Internal")
	for _, p := range []string{"support", "internal"} {
		r.addMember(t, p, w.aliceID, roleManager)
		r.addMember(t, p, carolID, roleReporter)
	}
	network := r.createCategory(t, "support", "Network")

	// A: the whole walk. new → in progress → feedback (waiting) → resolved → reopened → closed.
	w.a = r.createIssue(t, w.keys["carol"], map[string]any{"project_id": "support", "tracker_id": trSupport,
		"priority_id": prUrgent, "category_id": network, "subject": "VPN drops every hour",
		"custom_fields": []map[string]any{{"id": cfCustomer, "value": "ACME"}}})
	stepsA := []step{
		{"alice", mon(9, 30), map[string]any{"status_id": stInProgress, "assigned_to_id": w.aliceID, "notes": "Looking into it."}},
		{"alice", mon(11, 0), map[string]any{"status_id": stFeedback, "notes": "Please send the client logs."}},
		{"carol", mon(14, 0), map[string]any{"notes": "Logs attached."}},
		{"alice", mon(15, 0), map[string]any{"status_id": stResolved, "notes": "Fixed the keepalive."}},
		{"carol", tue(10, 0), map[string]any{"notes": "Still dropping."}},
		{"alice", tue(10, 30), map[string]any{"status_id": stInProgress, "notes": "Reopened."}},
		{"alice", tue(16, 0), map[string]any{"status_id": stClosed, "notes": "Confirmed by the customer."}},
	}
	// B: the author's note, a private note and a status change without a note come before the
	// first public note by the agent.
	w.b = r.createIssue(t, w.keys["carol"], map[string]any{"project_id": "support", "tracker_id": trBug,
		"priority_id": prHigh, "subject": "Printer jammed",
		"custom_fields": []map[string]any{{"id": cfCustomer, "value": "Globex"}}})
	stepsB := []step{
		{"carol", mon(16, 10), map[string]any{"notes": "It is still jammed."}},
		{"alice", mon(16, 30), map[string]any{"notes": "Probably the fuser.", "private_notes": true}},
		{"alice", mon(17, 30), map[string]any{"status_id": stInProgress}},
		{"alice", tue(9, 15), map[string]any{"notes": "Technician booked."}},
		{"alice", tue(11, 0), map[string]any{"status_id": stRejected, "notes": "Hardware out of warranty."}},
	}
	// C: new, untouched until the incremental step.
	w.c = r.createIssue(t, w.keys["carol"], map[string]any{"project_id": "support", "tracker_id": trFeature,
		"priority_id": prNormal, "subject": "New laptop"})
	// An issue of a project the source does not read.
	w.other = r.createIssue(t, w.keys["alice"], map[string]any{"project_id": "internal", "tracker_id": trSupport,
		"priority_id": prNormal, "subject": "Rotate the backups"})
	if w.a != 1 || w.b != 2 || w.c != 3 || w.other != 4 {
		t.Fatalf("issues %d %d %d %d, want 1 2 3 4", w.a, w.b, w.c, w.other)
	}

	var stmts []string
	walk := func(id int, steps []step) {
		for _, s := range steps {
			j := r.updateIssue(t, w.keys[s.who], id, s.fields)
			stmts = append(stmts, fmt.Sprintf("UPDATE journals SET created_on = %s WHERE id = %d", sqlTime(s.at), j))
		}
	}
	walk(w.a, stepsA)
	walk(w.b, stepsB)
	stmts = append(stmts,
		setTimes(w.a, mon(9, 0), tue(16, 0), tue(16, 0)),
		setTimes(w.b, mon(16, 0), tue(11, 0), tue(11, 0)),
		setTimes(w.c, tue(8, 0), tue(8, 0), time.Time{}),
		setTimes(w.other, mon(10, 0), mon(10, 0), time.Time{}),
	)
	r.sql(t, stmts...)
	return w
}

// incrementalStep answers C: one issue changes after the first sync. Its update time is set to
// Wednesday 09:00, after every other, so that the next sync lists it.
func (w *world) incrementalStep(t *testing.T) {
	t.Helper()
	j := w.r.updateIssue(t, w.keys["alice"], w.c, map[string]any{"notes": "Ordered."})
	w.r.sql(t,
		fmt.Sprintf("UPDATE journals SET created_on = %s WHERE id = %d", sqlTime(wed(9, 0)), j),
		setTimes(w.c, tue(8, 0), wed(9, 0), time.Time{}))
}

// setTimes sets an issue's creation, update and closing times (no closing when zero).
func setTimes(id int, created, updated, closed time.Time) string {
	c := "NULL"
	if !closed.IsZero() {
		c = sqlTime(closed)
	}
	return fmt.Sprintf("UPDATE issues SET created_on = %s, updated_on = %s, closed_on = %s WHERE id = %d", sqlTime(created), sqlTime(updated), c, id)
}

// wantFirstSync are the tickets of the first sync, worked out from the steps above.
func wantFirstSync() []ticket.Ticket {
	return []ticket.Ticket{
		// The listing is in order of update: C (Tue 08:00), B (Tue 11:00), A (Tue 16:00).
		{
			ID: "3", Created: tue(8, 0), Priority: "Normal", Type: "Feature", Group: "Support desk",
			History: []ticket.StatusChange{{At: tue(8, 0), Status: "New", Category: ticket.Open}},
			// No journal: no response yet.
		},
		{
			ID: "2", Created: mon(16, 0), Priority: "High", Type: "Bug", Group: "Support desk",
			Fields: map[string]string{"customer": "Globex"},
			History: []ticket.StatusChange{
				{At: mon(16, 0), Status: "New", Category: ticket.Open},
				{At: mon(17, 30), Status: "In Progress", Category: ticket.Open},
				{At: tue(11, 0), Status: "Rejected", Category: ticket.Cancelled},
			},
			// Candidates: carol's note at 16:10 is the author's; alice's at 16:30 is private;
			// the change to In Progress at 17:30 is listed under first_response.statuses; the
			// first public note by another user is Tue 09:15. The earliest: Mon 17:30.
			FirstResponse: mon(17, 30),
		},
		{
			ID: "1", Created: mon(9, 0), Priority: "Urgent", Type: "Support", Group: "Support desk",
			Fields: map[string]string{"customer": "ACME", "category": "Network", "assignee": "Alice Agent"},
			History: []ticket.StatusChange{
				{At: mon(9, 0), Status: "New", Category: ticket.Open},
				{At: mon(9, 30), Status: "In Progress", Category: ticket.Open},
				{At: mon(11, 0), Status: "Feedback", Category: ticket.Paused},
				{At: mon(15, 0), Status: "Resolved", Category: ticket.Resolved},
				{At: tue(10, 30), Status: "In Progress", Category: ticket.Open},
				{At: tue(16, 0), Status: "Closed", Category: ticket.Closed},
			},
			// alice's note "Looking into it." (and her change to In Progress) at 09:30.
			FirstResponse: mon(9, 30),
		},
	}
}

// wantSecondSync is C after alice's note: answered Wednesday 09:00.
func wantSecondSync() []ticket.Ticket {
	c := wantFirstSync()[0]
	c.FirstResponse = wed(9, 0)
	return []ticket.Ticket{c}
}

// keyFile writes an API key into a file for http_client_config.
func keyFile(t *testing.T, key string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "redmine.key")
	if err := os.WriteFile(p, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
