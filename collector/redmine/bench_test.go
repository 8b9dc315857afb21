package redmine

import (
	"encoding/json"
	"testing"

	"github.com/sla-exporter/sla_exporter/collector"
)

// BenchmarkMapIssue decodes and maps the recorded issue A (6 journals, 5 status changes, a custom
// field), as a sync does with each fetched issue.
func BenchmarkMapIssue(b *testing.B) {
	var raw json.RawMessage
	for _, ex := range readRecording(b, "sync1") {
		if ex.Request == "GET /issues/1.json?include=journals" {
			var doc issueDoc
			if err := json.Unmarshal(ex.Body, &doc); err != nil {
				b.Fatal(err)
			}
			raw = doc.Issue
		}
	}
	_, statuses := recordedIssue(b, 1)
	p, err := decode(mustNode(b, scenarioBlockForBench), collector.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		is, rj := decodeIssue(raw)
		if rj == nil {
			_, rj = p.mapIssue(&is, statuses)
		}
		if rj != nil {
			b.Fatal(rj.reason)
		}
	}
}

const scenarioBlockForBench = `
url: https://r.example.com
projects: [support]
first_response: {statuses: [In Progress]}
fields: {customer: custom_field:Customer, category: category, assignee: assigned_to}
`
