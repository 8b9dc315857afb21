package jira

import (
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
)

func TestConfigErrors(t *testing.T) {
	const base = "url: https://acme.atlassian.net\njql: project = SUP\n"
	tests := []struct{ doc, want string }{
		{"jql: project = SUP\n", "line 1: url: is required: the site, such as https://acme.atlassian.net, or a Data Center's base URL"},
		{"url: https://acme.atlassian.net\n", `line 1: jql: is required: the JQL that selects the issues, such as "project = SUP"`},
		{base + "deployment: server\n", `line 3: deployment: "server" is not cloud or data_center`},
		{base + "overlap: 30s\n", "line 3: overlap: 30s is under 1m: JQL dates are to the minute, so each sync must list at least the minute it stopped in again"},
		{"url: https://acme.atlassian.net\njql: project = SUP ORDER BY created\n", "line 2: jql: has an ORDER BY: the source orders the search itself (by updated, then by id)"},
		{base + "timezone: Mars/Olympus\n", `line 3: timezone: unknown time zone "Mars/Olympus" (an IANA name such as Europe/Berlin, as the user's Jira profile shows it)`},
		{base + "group: team\n", `line 3: group: "team" is not a Jira field this source reads (assignee, components, issuetype, labels, priority, project, reporter, resolution, status, or customfield_NNNNN)`},
		{base + "fields: {customer: organisation}\n", `line 3: fields.customer: "organisation" is not a Jira field this source reads (assignee, components, issuetype, labels, priority, project, reporter, resolution, status, or customfield_NNNNN)`},
		{base + "statuses: {open: [Open], paused: [open]}\n", `line 3: statuses.paused: status "open" is listed under open too`},
		{base + "status_categories: {done: finished}\n", `line 3: status_categories.done: unknown status category "finished" (want open, paused, resolved, closed or cancelled)`},
		{base + "status_categories: {todo: open}\n", `line 3: status_categories.todo: "todo" is not a Jira status category (new, indeterminate, done)`},
		{base + "first_response: {sla: Time to first response}\n", "line 3: first_response.sla: needs the SLA's field in sla_fields"},
		{base + "sla_fields: [TTR]\n", `line 3: sla_fields: entry 1: "TTR" is not a custom field id (customfield_NNNNN: Jira's field list, GET /rest/api/3/field, names the SLA fields)`},
		{base + "sla_fields: [customfield_1]\nnative_slas: {TTR: resolve}\n", `line 4: native_slas.TTR: "resolve" is not response or resolution`},
		{base + "native_slas: {TTR: resolution}\n", "line 3: native_slas: maps SLA names, but sla_fields lists no SLA field to read them from"},
		{base + "page_size: 6000\n", "line 3: page_size: 6000 is not between 1 and 5000, the most the API returns per page"},
		{"url: https://jira.example.com\njql: project = SUP\npage_size: 2000\n", "line 3: page_size: 2000 is not between 1 and 1000, the most the API returns per page"},
		{base + "projects: [SUP]\n", "line 3: projects: unknown field (known: url, http_client_config, rate_limit, page_size, max_requests_per_sync, overlap, reconcile_interval, request_timeout, deployment, jql, timezone, priority, type, group, fields, statuses, status_categories, first_response, sla_fields, native_slas)"},
	}
	for _, tt := range tests {
		_, err := New(apitest.Node(t, tt.doc), collector.Options{Name: "jsm", Dir: t.TempDir()})
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q:\n got %v\nwant %s", tt.doc, err, tt.want)
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	for doc, want := range map[string]string{
		"url: https://acme.atlassian.net\njql: project = SUP\n":                        Cloud,
		"url: https://api.atlassian.com/ex/jira/1234\njql: project = SUP\n":            Cloud,
		"url: https://jira.example.com/jira\njql: project = SUP\n":                     DataCenter,
		"url: https://jira.example.com\ndeployment: cloud\njql: project = SUP\n":       Cloud,
		"url: https://acme.atlassian.net\ndeployment: data_center\njql: project = SUP": DataCenter,
	} {
		s, err := compile(apitest.Node(t, doc), collector.Options{Name: "jsm"})
		if err != nil {
			t.Fatal(err)
		}
		if s.deployment != want || s.api.Overlap != 5*time.Minute || s.priority != "priority" || s.typ != "issuetype" {
			t.Errorf("%q: deployment %s overlap %v priority %s type %s", doc, s.deployment, s.api.Overlap, s.priority, s.typ)
		}
	}
}

// TestJQLTime checks the dates a search is written with: the minute's start in the profile's
// zone, and the hour Berlin shows twice (25 October 2026, 02:00-03:00) written from before it.
func TestJQLTime(t *testing.T) {
	tests := []struct {
		at   time.Time
		want string
	}{
		{utc("2026-03-02 09:15:59"), "2026-03-02 10:15"},                   // CET
		{utc("2026-07-01 09:15:00"), "2026-07-01 11:15"},                   // CEST
		{utc("2026-10-25 00:30:00"), "2026-10-25 01:30"},                   // 02:30 CEST, the first of two 02:30s: written as 01:30
		{utc("2026-10-25 01:30:00"), "2026-10-25 02:30"},                   // 02:30 CET, the second: either reading is at or before it
		{utc("2026-03-29 01:00:00"), "2026-03-29 03:00"},                   // 03:00 CEST, the first instant after the skipped hour
		{time.Date(2026, 3, 2, 9, 0, 30, 0, time.UTC), "2026-03-02 10:00"}, // seconds dropped
	}
	for _, tt := range tests {
		if got := jqlTime(tt.at, berlin); got != tt.want {
			t.Errorf("jqlTime(%v) = %s, want %s", tt.at, got, tt.want)
		}
	}
	if got, want := updatedJQL("project = SUP", utc("2026-03-02 09:15"), berlin), "(project = SUP) AND updated >= '2026-03-02 10:15' ORDER BY updated ASC, id ASC"; got != want {
		t.Errorf("updatedJQL = %s, want %s", got, want)
	}
}
