package redmine

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/sla-exporter/sla_exporter/collector"
)

// FuzzMapIssue feeds arbitrary answers to the mapping: it must never panic, a ticket it returns
// must be valid and carry the issue's id, and a rejection must say why.
func FuzzMapIssue(f *testing.F) {
	for _, ex := range readRecording(f, "sync1") {
		var doc issueDoc
		if json.Unmarshal(ex.Body, &doc) == nil && len(doc.Issue) > 0 {
			f.Add([]byte(doc.Issue))
		}
	}
	f.Add([]byte(issueJSON(`{"id":5,"name":"Closed","is_closed":true}`, `,"closed_on":"2026-03-02T12:00:00Z"`, journalJSON(1, 5, "10:00", "x", "1", "2"))))
	f.Add([]byte(`{"id":1,"status":{"id":9},"created_on":"2026-03-02T09:00:00Z","journals":[{"id":1,"details":[{"property":"attr","name":"status_id"}]}]}`))
	f.Add([]byte(`{"id":"1"}`))
	p, err := decode(mustNode(f, "url: https://r.example.com\nprojects: [a]\nfirst_response: {statuses: [In Progress]}\nfields: {c: custom_field:Customer, k: category}\n"), collector.Options{})
	if err != nil {
		f.Fatal(err)
	}
	statuses := statusSet{1: {1, "New", false}, 2: {2, "In Progress", false}, 3: {3, "Resolved", false},
		4: {4, "Feedback", false}, 5: {5, "Closed", true}, 6: {6, "Rejected", true}}
	f.Fuzz(func(t *testing.T, data []byte) {
		is, rj := decodeIssue(json.RawMessage(data))
		if rj != nil {
			if rj.reason == "" {
				t.Fatal("a rejection without a reason")
			}
			return
		}
		tk, rj := p.mapIssue(&is, statuses)
		if rj != nil {
			if rj.reason == "" {
				t.Fatal("a rejection without a reason")
			}
			return
		}
		if err := tk.Validate(); err != nil {
			t.Fatalf("an invalid ticket: %v", err)
		}
		if tk.ID != strconv.Itoa(is.ID) || len(tk.History) == 0 {
			t.Fatalf("ticket %s with %d history entries from issue %d", tk.ID, len(tk.History), is.ID)
		}
	})
}
