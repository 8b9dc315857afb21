package gitlab

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/gitlab/gitlabsim"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
	"github.com/sla-exporter/sla_exporter/collector/store"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

func TestConfigErrors(t *testing.T) {
	tests := []struct{ doc, want string }{
		{"url: https://gitlab.example.com/api/v4\n", "line 1: project: is required: the project's path (group/name) or numeric id"},
		{"project: a/b\nissue_types: [bug]\n", `line 2: issue_types: "bug" is not an issue type (issue, incident, test_case, task)`},
		{"project: a/b\nissue_types: []\n", "line 2: issue_types: is empty: no issue would be read"},
		{"project: a/b\nseverity_priorities: {SEVERE: P1}\n", `line 2: severity_priorities.SEVERE: "SEVERE" is not a severity (UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL)`},
		{"project: a/b\ntype_label: '['\n", "line 2: type_label: \"[\" is not a regular expression: missing closing ]: `[)$`"},
		{"project: a/b\nhttp_client_config:\n  http_headers:\n    PRIVATE-TOKEN: {values: [glpat-plain0123]}\n",
			"line 4: http_client_config.http_headers.PRIVATE-TOKEN.values: a credential in plain values shows wherever the configuration is printed: use secrets, or better files"},
		{"project: a/b\nseverities: {}\n", "line 2: severities: unknown field (known: url, http_client_config, rate_limit, page_size, max_requests_per_sync, overlap, reconcile_interval, request_timeout, project, labels, issue_types, priority_label, default_priority, type_label, default_type, group_label, default_group, field_labels, paused_labels, severity_priorities, internal_notes_respond, bot_responses)"},
	}
	for _, tt := range tests {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(tt.doc), &n); err != nil {
			t.Fatal(err)
		}
		_, err := New(&n, collector.Options{Name: "gl"})
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q:\n got %v\nwant %s", tt.doc, err, tt.want)
		}
	}
}

// TestIncremental is the cost of staying current on GitLab, which has no ETag on the listing:
// after a first sync of 2,000 issues, a sync with no change costs one request (the listing of
// the overlap window, whose issues are all seen), and a change to one issue costs the listing,
// its state events and its notes. The driver is the one the github kind's 10,000-issue test
// measures.
func TestIncremental(t *testing.T) {
	const n = 2000
	e := newEnv(t)
	desk(e.sim, 1, n)
	e.clk.Advance(time.Duration(2*n) * time.Minute)
	src := e.source(t, "max_requests_per_sync: 10000\n")
	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Every issue's state events; notes for the third with a comment.
	if len(b.Tickets) != n || e.sim.Requests("state_events") != n || e.sim.Requests("notes") != n/3 {
		t.Fatalf("first sync: %d tickets, %d state events, %d notes requests", len(b.Tickets), e.sim.Requests("state_events"), e.sim.Requests("notes"))
	}
	e.sim.ResetCounts()
	b, err = src.Sync(t.Context(), b.Checkpoint)
	if err != nil || len(b.Tickets) != 0 || e.sim.Requests("list") != 1 || e.sim.Requests("state_events") != 0 {
		t.Errorf("unchanged sync: %d tickets, %d listing, %d state events requests, error %v; want 0, 1, 0",
			len(b.Tickets), e.sim.Requests("list"), e.sim.Requests("state_events"), err)
	}
	e.clk.Advance(time.Hour)
	e.sim.AddNote(1000, carol, "any news?")
	e.sim.ResetCounts()
	b, err = src.Sync(t.Context(), b.Checkpoint)
	if err != nil || len(b.Tickets) != 1 || b.Tickets[0].ID != "acme/support#1000" {
		t.Fatalf("changed sync: %v, error %v", b.Tickets, err)
	}
	if l, se, no := e.sim.Requests("list"), e.sim.Requests("state_events"), e.sim.Requests("notes"); l != 1 || se != 1 || no != 1 {
		t.Errorf("changed sync: %d listing, %d state events, %d notes requests; want 1 each", l, se, no)
	}
}

func TestContract(t *testing.T) {
	e := newEnv(t)
	desk(e.sim, 1, 30)
	sourcetest.RunContract(t, func() collector.Source { return e.source(t, "page_size: 10\n") })
}

// TestFaults runs the source in a Runner over a store: each fault fails the sync naming the
// source, the path and the status, leaves the store as it was, and the next sync after the
// server recovers brings everything.
func TestFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault gitlabsim.Fault
		want  string
		retry time.Duration
	}{
		{"500 on the listing", gitlabsim.Fault{Endpoint: "list", Status: 500},
			`gitlab source "gl": GET /api/v4/projects/acme%2Fsupport/issues: HTTP 500 Internal Server Error: "{\"message\":\"500 Internal Server Error\"}"`, 0},
		{"a truncated page", gitlabsim.Fault{Endpoint: "list", Truncate: true},
			`gitlab source "gl": GET /api/v4/projects/acme%2Fsupport/issues: the JSON answer is cut short after`, 0},
		{"bad JSON in state events", gitlabsim.Fault{Endpoint: "state_events", BadJSON: true},
			`gitlab source "gl": GET /api/v4/projects/acme%2Fsupport/issues/`, 0},
		{"a revoked token", gitlabsim.Fault{Endpoint: "notes", Status: 401},
			`/notes: HTTP 401 Unauthorized (credentials missing, expired or refused: check http_client_config.http_headers (PRIVATE-TOKEN)): "{\"message\":\"401 Unauthorized\"}"`, 0},
		{"429 with Retry-After", gitlabsim.Fault{Endpoint: "list", Status: 429, RetryAfter: "90"},
			`gitlab source "gl": rate limited until`, 90 * time.Second},
		{"a slow page", gitlabsim.Fault{Endpoint: "list", Delay: 5 * time.Second},
			`gitlab source "gl": GET /api/v4/projects/acme%2Fsupport/issues: no complete answer within 200ms (request_timeout)`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			db, err := store.Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			r := collector.NewRunner(collector.RunnerOptions{Store: db, Logger: slog.New(slog.DiscardHandler)})
			cfg := collector.SourceConfig{Name: "gl", Type: "gitlab", Source: e.source(t, "request_timeout: 200ms\n"), Interval: time.Hour, Timeout: time.Minute, Hash: "1"}
			if err := r.Update([]collector.SourceConfig{cfg}); err != nil {
				t.Fatal(err)
			}
			desk(e.sim, 1, 40)
			e.clk.Advance(24 * time.Hour)
			if err := r.SyncOnce(t.Context()); err != nil {
				t.Fatal(err)
			}
			before, _ := db.Load("gl")
			for i := 3; i <= 30; i += 3 {
				e.sim.AddNote(i, carol, "update")
				e.clk.Advance(time.Minute)
			}
			e.sim.Inject(tt.fault)
			err = r.SyncOnce(t.Context())
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), token) {
				t.Fatalf("error %v\nwant %s", err, tt.want)
			}
			if ra, ok := errors.AsType[*collector.RetryAfterError](err); (tt.retry != 0) != ok || (ok && ra.After != tt.retry) {
				t.Errorf("error %v, want a RetryAfterError of %v", err, tt.retry)
			}
			after, _ := db.Load("gl")
			if string(after.Checkpoint) != string(before.Checkpoint) || !cmp.Equal(after.Tickets, before.Tickets, cmpopts.EquateEmpty()) {
				t.Error("a failed sync changed the store")
			}
			e.sim.Clear()
			e.clk.Advance(tt.retry)
			if err := r.SyncOnce(t.Context()); err != nil {
				t.Fatalf("after recovery: %v", err)
			}
			want, err := e.source(t, "").Sync(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := db.Load("gl")
			byID := func(ts []ticket.Ticket) map[string]ticket.Ticket {
				m := map[string]ticket.Ticket{}
				for _, tk := range ts {
					m[tk.ID] = tk
				}
				return m
			}
			if diff := cmp.Diff(byID(want.Tickets), byID(got.Tickets), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("after recovery (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNextPageHeaderOnly: a proxy that strips the Link header leaves X-Next-Page, which pages too.
func TestNextPageHeaderOnly(t *testing.T) {
	e := newEnv(t)
	desk(e.sim, 1, 25)
	inner := e.sim.Config.Handler
	e.sim.Config.Handler = stripLink{inner}
	b, err := e.source(t, "page_size: 10\n").Sync(t.Context(), nil)
	if err != nil || len(b.Tickets) != 25 {
		t.Errorf("%d tickets, error %v; want 25", len(b.Tickets), err)
	}
}
