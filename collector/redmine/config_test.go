package redmine

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

func decodeBlock(t *testing.T, block string) (*plan, error) {
	t.Helper()
	return decode(mustNode(t, block), collector.Options{})
}

func mustNode(t testing.TB, block string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(block), &n); err != nil {
		t.Fatal(err)
	}
	return &n
}

// TestConfigErrors pins each configuration error: its line, its key and its words. Line 1 is
// the block's first line.
func TestConfigErrors(t *testing.T) {
	const ok = "url: https://redmine.example.com\nprojects: [support]\n"
	for _, tc := range []struct{ block, want string }{
		{"projects: [support]\n", "line 1: url: required: Redmine's base URL, as https://redmine.example.com"},
		{"url: ftp://x\nprojects: [a]\n", "line 1: url: not an http:// or https:// URL with a host"},
		{"url: https://admin:s3cret@redmine.example.com\nprojects: [a]\n",
			"line 1: url: has user information: put credentials in http_client_config (basic_auth, or http_headers with X-Redmine-API-Key)"},
		{"url: https://redmine.example.com/?key=0123456789abcdef\nprojects: [a]\n",
			"line 1: url: has a query: the API key goes in http_client_config (http_headers with X-Redmine-API-Key), not in ?key="},
		{"url: https://redmine.example.com\n", "line 1: projects: required: the identifiers of the projects to read, as [support]"},
		{"url: https://redmine.example.com\nprojects: [a, 'b c']\n", `line 2: projects: entry 2, "b c", is not a project identifier`},
		{"url: https://redmine.example.com\nprojects: [a, a]\n", `line 2: projects: "a" is listed twice`},
		{ok + "projets: [x]\n", "line 3: projets: unknown field (known: url, http_client_config, rate_limit, page_size, max_requests_per_sync, overlap, reconcile_interval, request_timeout, projects, statuses, default_category, first_response, type, group, fields)"},
		{ok + "statuses:\n  opne: [New]\n", "line 4: statuses.opne: unknown field (known: open, paused, resolved, closed, cancelled)"},
		{ok + "statuses:\n  open: [New]\n  paused: [new]\n", `line 5: statuses.paused: status "new" is also listed under open`},
		{ok + "statuses: {}\n", "line 3: statuses: lists no status: leave it out for Redmine's default statuses"},
		{ok + "default_category: waiting\n", `line 3: default_category: unknown status category "waiting" (want open, paused, resolved, closed or cancelled)`},
		{ok + "first_response:\n  statuses: [Resolved]\n", `line 4: first_response.statuses: status "Resolved" is resolved: a resolution already counts as the response`},
		{ok + "first_response:\n  notes: false\n", "line 3: first_response: notes is false and no statuses are listed: nothing would be a first response"},
		{ok + "type: trakcer\n", `line 3: type: "trakcer" is not an issue attribute (want project, tracker, category, assigned_to, author, fixed_version or custom_field:<name>)`},
		{ok + "fields:\n  customer: 'custom_field: '\n", "line 4: fields.customer: custom_field: needs the custom field's name, as in custom_field:Customer"},
		{ok + "page_size: 500\n", "line 3: page_size: 500 is not between 1 and 100, the most the API returns per page"},
		{ok + "overlap: 8d\n", "line 3: overlap: 8d is longer than 1w: every sync would list that much again"},
		{ok + "reconcile_interval: 30m\n", "line 3: reconcile_interval: 30m is shorter than 1h: each reconciliation lists every ticket id in scope (0s turns it off)"},
		{ok + "max_requests_per_sync: 1\n", "line 3: max_requests_per_sync: 1 is too few: a sync needs a listing and a request per changed ticket"},
		{ok + "rate_limit: {requests: 10}\n", "line 3: rate_limit.per: is required with requests (e.g. 1h)"},
		{ok + "http_client_config:\n  http_headers:\n    X-Redmine-API-Key: {values: [k]}\n", "line 5: http_client_config.http_headers.X-Redmine-API-Key.values: a credential in plain values shows wherever the configuration is printed: use secrets, or better files"},
		{"url: https://redmine.example.com/r?\nprojects: [a]\n", "line 1: url: has a query: the API key goes in http_client_config (http_headers with X-Redmine-API-Key), not in ?key="},
		{ok + "overlap: soon\n", `line 3: overlap: not a valid duration string: "soon"`},
		{ok + "http_client_config:\n  bearer_token: x\n  bearer_token_file: y\n",
			"line 4: http_client_config: at most one of bearer_token & bearer_token_file must be configured"},
		{ok + "http_client_config:\n  http_headers:\n    X-Redmine-API-Key: {secret: [k]}\n",
			"line 5: http_client_config.http_headers.X-Redmine-API-Key.secret: unknown field (known: values, secrets, files)"},
	} {
		_, err := decodeBlock(t, tc.block)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got %v\nwant %s", tc.block, err, tc.want)
		}
	}
	if _, err := New(nil, collector.Options{}); err == nil || err.Error() != "the redmine source needs a `redmine:` block with at least url and projects" {
		t.Errorf("no block: %v", err)
	}
}

// TestConfigDefaults checks what an almost empty block means.
func TestConfigDefaults(t *testing.T) {
	p, err := decodeBlock(t, "url: https://redmine.example.com/redmine/\nprojects: [support, 7]\n")
	if err != nil {
		t.Fatal(err)
	}
	if p.api.Display() != "https://redmine.example.com/redmine/" || p.api.Base.Path != "/redmine/" {
		t.Errorf("base %s, path %q", p.api.Display(), p.api.Base.Path)
	}
	a := p.api
	if a.PageSize != 100 || a.Overlap != 2*time.Minute || a.MaxRequests != 1000 || a.Reconcile != 24*time.Hour ||
		a.RequestTimeout != 30*time.Second || a.Limit != rate.Inf || !p.responseNotes || len(p.responseStatus) != 0 {
		t.Errorf("page size %d, overlap %s, max requests %d, reconcile %s, timeout %s, limit %v, notes %v, response statuses %v",
			a.PageSize, a.Overlap, a.MaxRequests, a.Reconcile, a.RequestTimeout, a.Limit, p.responseNotes, p.responseStatus)
	}
	if p.typ.String() != "tracker" || p.group.String() != "project" || len(p.fields) != 0 {
		t.Errorf("type %s, group %s, fields %v", p.typ, p.group, p.fields)
	}
	want := map[string]ticket.Category{"new": ticket.Open, "in progress": ticket.Open, "feedback": ticket.Paused,
		"resolved": ticket.Resolved, "closed": ticket.Closed, "rejected": ticket.Cancelled}
	if diff := cmp.Diff(want, p.statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"support", "7"}, p.projects); diff != "" {
		t.Errorf("projects (-want +got):\n%s", diff)
	}
}
