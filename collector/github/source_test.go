package github

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/github/githubsim"
)

func TestConfigErrors(t *testing.T) {
	tests := []struct{ doc, want string }{
		{"url: https://api.github.com\n", "line 1: repository: is required: owner/name, as in github.com/owner/name"},
		{"repository: acme\n", `line 1: repository: "acme" is not owner/name`},
		{"repository: acme/app\nrepo: x\n", "line 2: repo: unknown field (known: url, http_client_config, rate_limit, page_size, max_requests_per_sync, overlap, reconcile_interval, request_timeout, repository, labels, priority_label, default_priority, type_label, default_type, group_label, default_group, field_labels, paused_labels, cancelled_reasons, responders, bot_responses)"},
		{"repository: acme/app\nlabels: [support, 'a,b']\n", "line 2: labels: label 2 is empty or holds a comma, which the labels filter cannot take"},
		{"repository: acme/app\npriority_label: 'priority/(P[1-4]'\n", "line 2: priority_label: \"priority/(P[1-4]\" is not a regular expression: missing closing ): `^(?:priority/(P[1-4])$`"},
		{"repository: acme/app\nfield_labels:\n  component: ''\n", "line 3: field_labels.component: needs a pattern"},
		{"repository: acme/app\ncancelled_reasons: [wontfix]\n", `line 2: cancelled_reasons: "wontfix" is not a state_reason of a closed issue (completed, not_planned, duplicate)`},
		{"repository: acme/app\nresponders: [staff]\n", `line 2: responders: "STAFF" is not an author_association (COLLABORATOR, CONTRIBUTOR, FIRST_TIMER, FIRST_TIME_CONTRIBUTOR, MANNEQUIN, MEMBER, NONE, OWNER)`},
		{"repository: acme/app\npage_size: 101\n", "line 2: page_size: 101 is not between 1 and 100, the most the API returns per page"},
		{"repository: acme/app\nhttp_client_config:\n  authorization: {credentials: ghp_inline0123456789, credentials_file: x}\n", "line 3: http_client_config: at most one of authorization credentials & credentials_file must be configured"},
	}
	for _, tt := range tests {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(tt.doc), &n); err != nil {
			t.Fatal(err)
		}
		_, err := New(&n, collector.Options{Name: "gh"})
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q:\n got %v\nwant %s", tt.doc, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "ghp_inline") {
			t.Errorf("the error shows the token: %v", err)
		}
	}
	if _, err := New(nil, collector.Options{}); err == nil || err.Error() != "the github source needs a `github:` block with at least repository" {
		t.Errorf("no block: %v", err)
	}
}

func TestEnterpriseServer(t *testing.T) {
	e := newEnv(t, githubsim.Options{Prefix: "/api/v3"})
	desk(e.sim, 1, 3)
	b, err := e.source(t, "").Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Tickets) != 3 {
		t.Errorf("%d tickets from GitHub Enterprise Server, want 3", len(b.Tickets))
	}
}

func TestLabelsFilterAndUserAgent(t *testing.T) {
	e := newEnv(t, githubsim.Options{})
	e.sim.Add(githubsim.Issue{Number: 1, Author: alice, Created: at(0), Labels: []string{"support", "bug"}},
		githubsim.Issue{Number: 2, Author: alice, Created: at(1), Labels: []string{"bug"}})
	var ua string
	e.sim.Config.Handler = wrapHandler(e.sim.Config.Handler, func(r *http.Request) { ua = r.Header.Get("User-Agent") })
	b, err := e.source(t, "labels: [support]\n").Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"acme/support#1"}, idsOf(b.Tickets)); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(ua, "sla_exporter") {
		t.Errorf("User-Agent %q", ua)
	}
}

func wrapHandler(h http.Handler, see func(*http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		see(r)
		h.ServeHTTP(w, r)
	})
}

// TestDeletionsAndReconciliation: an issue whose timeline answers 404 (deleted, or transferred
// while the sync ran) is dropped at once; one deleted quietly, or one that lost the label the
// source filters on, is dropped by the daily reconciliation. Run through a Runner and its store.
func TestDeletionsAndReconciliation(t *testing.T) {
	f := newFaultRig(t)
	desk(f.e.sim, 1, 10)
	f.e.clk.Advance(30 * 24 * time.Hour)
	if err := f.r.SyncOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	// #3 changes and is deleted before its timeline is read.
	f.e.sim.AddComment(3, carol, "MEMBER", "x")
	f.e.sim.Inject(githubsim.Fault{Endpoint: "timeline", Status: http.StatusNotFound, Times: 1})
	if err := f.r.SyncOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	f.e.sim.Clear()
	stored, _ := f.stored(t)
	if _, ok := stored["acme/support#3"]; ok || len(stored) != 9 {
		t.Errorf("stored %d tickets, #3 held %v; want 9 without #3", len(stored), ok)
	}
	// #5 and #6 are deleted without a trace in the listing: they stay until the reconciliation.
	f.e.sim.Delete(5)
	f.e.sim.Delete(6)
	f.e.clk.Advance(time.Hour)
	if err := f.r.SyncOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if stored, _ := f.stored(t); len(stored) != 9 {
		t.Errorf("%d tickets before the reconciliation, want 9", len(stored))
	}
	f.e.clk.Advance(24 * time.Hour)
	if err := f.r.SyncOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	stored, _ = f.stored(t)
	want := []string{"acme/support#1", "acme/support#10", "acme/support#2", "acme/support#4", "acme/support#7", "acme/support#8", "acme/support#9"}
	var got []string
	for id := range stored {
		got = append(got, id)
	}
	if diff := cmp.Diff(want, sorted(got)); diff != "" {
		t.Errorf("tickets after the reconciliation (-want +got):\n%s", diff)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestPrimaryRateLimit: GitHub says no requests are left until the reset an hour away: the
// sync returns what it fetched; the next asks nothing and tells the runner to come back at the
// reset; after it, the sync goes on.
func TestPrimaryRateLimit(t *testing.T) {
	e := newEnv(t, githubsim.Options{})
	desk(e.sim, 1, 20)
	e.clk.Advance(time.Hour)
	reset := e.clk.Now().Add(time.Hour).Truncate(time.Second)
	e.sim.SetRemaining(6, reset) // the listing and 5 timelines
	src := e.source(t, "")
	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Tickets) != 5 || b.More {
		t.Errorf("%d tickets, more %v; want the 5 fetched before the limit, and no hurry", len(b.Tickets), b.More)
	}
	asked := e.sim.Requests("list") + e.sim.Requests("timeline")
	_, err = src.Sync(t.Context(), b.Checkpoint)
	ra, ok := errors.AsType[*collector.RetryAfterError](err)
	if !ok || ra.After != time.Hour {
		t.Fatalf("error %v, want a RetryAfterError of 1h", err)
	}
	if n := e.sim.Requests("list") + e.sim.Requests("timeline"); n != asked {
		t.Errorf("%d requests while the limit was exhausted, want none", n-asked)
	}
	e.clk.Advance(time.Hour)
	b, err = src.Sync(t.Context(), b.Checkpoint)
	if err != nil || len(b.Tickets) != 15 {
		t.Errorf("after the reset: %d tickets, error %v; want the other 15", len(b.Tickets), err)
	}
}
