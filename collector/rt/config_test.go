package rt

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// newFromYAML builds a source from an rt block; lines count from 1 at the block's first line.
func newFromYAML(t *testing.T, block string) (*Source, error) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(block), &doc); err != nil {
		t.Fatal(err)
	}
	src, err := New(doc.Content[0], collector.Options{Name: "rt", Dir: "/etc/sla"})
	if err != nil {
		return nil, err
	}
	return src.(*Source), nil
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name, block, want string
	}{
		{"unknown key", "url: https://rt.example.com\nstatuses:\n  opn: [new]\n",
			"line 3: statuses.opn: unknown field (known: open, paused, resolved, closed, cancelled)"},
		{"unknown top key", "url: https://rt.example.com\nqueue: General\n",
			"line 2: queue: unknown field (known: url, http_client_config, rate_limit, page_size, max_requests_per_sync, overlap, reconcile_interval, request_timeout, query, timezone, statuses, first_response, priority_ranges, custom_fields, type_custom_field)"},
		{"no url", "query: \"id > 0\"\n", "line 1: url: is required: RT's web address, such as https://rt.example.com"},
		{"not a URL", "url: rt.example.com\n", "line 1: url: not an http:// or https:// URL with a host"},
		{"credentials in the URL", "url: https://root:secret@rt.example.com\n",
			"line 1: url: has user information, a query or a fragment: credentials go in http_client_config, and the base URL is only scheme://host/path"},
		{"a query in the URL", "url: https://rt.example.com/?user=root&pass=secret\n", "line 1: url: has user information, a query or a fragment: credentials go in http_client_config, and the base URL is only scheme://host/path"},
		{"two kinds of credentials", "url: https://rt.example.com\nhttp_client_config:\n  basic_auth: {username: root, password_file: pw}\n  authorization: {type: token, credentials_file: tok}\n",
			"line 3: http_client_config: at most one of basic_auth, oauth2 & authorization must be configured"},
		{"a secret reference", "url: https://rt.example.com\nhttp_client_config:\n  authorization: {type: token, credentials_ref: rt}\n",
			"line 3: http_client_config.authorization.credentials_ref: secret references need a secret manager, which sla_exporter has not: use the _file form"},
		{"a line break in the query", "url: https://rt.example.com\nquery: \"Queue = 'A'\\nOR 1\"\n", "line 2: query: holds a line break or NUL"},
		{"unknown zone", "url: https://rt.example.com\ntimezone: Mars/Olympus\n", `line 2: timezone: unknown time zone "Mars/Olympus" (an IANA name such as Europe/Berlin)`},
		{"page too big", "url: https://rt.example.com\npage_size: 500\n", "line 2: page_size: 500 is not between 1 and 100, the most the API returns per page"},
		{"the key of old versions", "url: https://rt.example.com\nper_page: 50\n", "line 2: per_page: is now page_size, the key every API source has"},
		{"reconciling too often", "url: https://rt.example.com\nreconcile_interval: 10m\n",
			"line 2: reconcile_interval: 10m is shorter than 1h: each reconciliation lists every ticket id in scope (0s turns it off)"},
		{"negative overlap", "url: https://rt.example.com\noverlap: -1m\n", "line 2: overlap: not a valid duration string: \"-1m\""},
		{"overlap under a second", "url: https://rt.example.com\noverlap: 1500ms\n", "line 2: overlap: 1s500ms is not a whole number of seconds (RT dates are to the second)"},
		{"a status twice", "url: https://rt.example.com\nstatuses:\n  open: [new, open]\n  paused: [Open]\n",
			`line 4: statuses.paused[0]: status "Open" is listed under open too`},
		{"an empty status", "url: https://rt.example.com\nstatuses:\n  open: [new, \" \"]\n", "line 3: statuses.open[1]: an empty status name"},
		{"no status", "url: https://rt.example.com\nstatuses: {}\n", "line 2: statuses: lists no status"},
		{"unknown response type", "url: https://rt.example.com\nfirst_response:\n  transactions: [Correspond, Reply]\n",
			`line 3: first_response.transactions[1]: unknown transaction type "Reply" (want Correspond, Comment, Status)`},
		{"no response type", "url: https://rt.example.com\nfirst_response:\n  transactions: []\n",
			"line 3: first_response.transactions: lists no transaction type (want Correspond, Comment, Status)"},
		{"a range without a name", "url: https://rt.example.com\npriority_ranges:\n  - {min: 1}\n", "line 3: priority_ranges[0]: name is required"},
		{"a range without bounds", "url: https://rt.example.com\npriority_ranges:\n  - {name: P1}\n", "line 3: priority_ranges[0]: set min, max or both"},
		{"a range upside down", "url: https://rt.example.com\npriority_ranges:\n  - {name: P1, min: 1}\n  - {name: P2, min: 9, max: 2}\n",
			"line 4: priority_ranges[1]: min 9 is above max 2"},
		{"a field the source sets", "url: https://rt.example.com\ncustom_fields:\n  rt_due: Deadline\n", "line 3: custom_fields.rt_due: rt_due is set by the source (RT's Due)"},
		{"an empty custom field", "url: https://rt.example.com\ncustom_fields:\n  customer: \"\"\n", "line 3: custom_fields.customer: an empty custom field name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newFromYAML(t, tc.block)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error\n got %v\nwant %s", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "secret") && strings.Contains(tc.block, "secret@") {
				t.Errorf("the error quotes the password")
			}
		})
	}
	if _, err := New(nil, collector.Options{}); err == nil || err.Error() != "the rt source needs an `rt:` block with at least url" {
		t.Errorf("New(nil) = %v", err)
	}
}

// TestConfigDefaults: a block with only url gets the documented defaults.
func TestConfigDefaults(t *testing.T) {
	src, err := newFromYAML(t, "url: https://example.com/rt/\n")
	if err != nil {
		t.Fatal(err)
	}
	p := src.plan
	type view struct {
		Base, Query, Zone           string
		PageSize, MaxRequests       int
		Overlap, Reconcile, Timeout time.Duration
		Limit                       float64
		Burst                       int
		Statuses                    map[string]ticket.Category
		Response                    map[string]bool
		FollowRedirects             bool
	}
	got := view{p.api.Base.String(), p.query, p.loc.String(), p.api.PageSize, p.api.MaxRequests, p.api.Overlap, p.api.Reconcile,
		p.api.RequestTimeout, float64(p.api.Limit), p.api.Burst, p.statuses, p.response, p.api.Client.FollowRedirects}
	want := view{"https://example.com/rt/", "id > 0", "UTC", 100, 2000, time.Minute, 24 * time.Hour, 30 * time.Second, 20, 20,
		map[string]ticket.Category{"new": ticket.Open, "open": ticket.Open, "stalled": ticket.Paused, "resolved": ticket.Resolved, "rejected": ticket.Cancelled, "deleted": ticket.Cancelled},
		map[string]bool{"Correspond": true}, true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if f := p.searchFields(); f != "Status,Created,LastUpdated,Resolved,Due,Priority,SLA,Queue,Requestor,TimeWorked" {
		t.Errorf("search fields %s: custom fields are asked for only when mapped", f)
	}
}
