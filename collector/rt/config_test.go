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
			"line 2: queue: unknown field (known: url, http_client_config, query, timezone, per_page, overlap, statuses, first_response, priority_ranges, custom_fields, type_custom_field)"},
		{"no url", "query: \"id > 0\"\n", "line 1: url: is required: RT's web address, such as https://rt.example.com"},
		{"not a URL", "url: rt.example.com\n", "line 1: url: not an http:// or https:// URL with a host"},
		{"credentials in the URL", "url: https://root:secret@rt.example.com\n",
			"line 1: url: has user information: set credentials in http_client_config (authorization with credentials_file, or basic_auth with password_file)"},
		{"a query in the URL", "url: https://rt.example.com/?user=root&pass=secret\n", "line 1: url: has a query or fragment: give RT's address only"},
		{"two kinds of credentials", "url: https://rt.example.com\nhttp_client_config:\n  basic_auth: {username: root, password_file: pw}\n  authorization: {type: token, credentials_file: tok}\n",
			"line 3: http_client_config: at most one of basic_auth, oauth2 & authorization must be configured"},
		{"a secret reference", "url: https://rt.example.com\nhttp_client_config:\n  authorization: {type: token, credentials_ref: rt}\n",
			"line 2: http_client_config: authorization.credentials_ref: secret references need a secret manager, which sla_exporter has not: use the _file form"},
		{"a line break in the query", "url: https://rt.example.com\nquery: \"Queue = 'A'\\nOR 1\"\n", "line 2: query: holds a line break or NUL"},
		{"unknown zone", "url: https://rt.example.com\ntimezone: Mars/Olympus\n", `line 2: timezone: unknown time zone "Mars/Olympus" (an IANA name such as Europe/Berlin)`},
		{"page too big", "url: https://rt.example.com\nper_page: 500\n", "line 2: per_page: 500 is not between 1 and 100 (RT's cap)"},
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
	got := struct {
		Base, Display, Query, Zone string
		PerPage                    int
		Overlap                    time.Duration
		Statuses                   map[string]ticket.Category
		Response                   map[string]bool
		FollowRedirects            bool
	}{p.base.String(), p.display, p.query, p.loc.String(), p.perPage, p.overlap, p.statuses, p.response, p.client.FollowRedirects}
	want := struct {
		Base, Display, Query, Zone string
		PerPage                    int
		Overlap                    time.Duration
		Statuses                   map[string]ticket.Category
		Response                   map[string]bool
		FollowRedirects            bool
	}{"https://example.com/rt", "https://example.com/rt", "id > 0", "UTC", 100, time.Minute,
		map[string]ticket.Category{"new": ticket.Open, "open": ticket.Open, "stalled": ticket.Paused, "resolved": ticket.Resolved, "rejected": ticket.Cancelled, "deleted": ticket.Cancelled},
		map[string]bool{"Correspond": true}, true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if f := p.searchFields(); f != "Status,Created,LastUpdated,Resolved,Due,Priority,SLA,Queue,Requestor" {
		t.Errorf("search fields %s: custom fields are asked for only when mapped", f)
	}
}

// TestConfigFingerprint: the checkpoint is kept across changes of the client or paging, and
// dropped when what is fetched or how it maps changes.
func TestConfigFingerprint(t *testing.T) {
	fp := func(block string) string {
		src, err := newFromYAML(t, block)
		if err != nil {
			t.Fatal(err)
		}
		return src.plan.fingerprint
	}
	base := fp("url: https://rt.example.com\n")
	for block, same := range map[string]bool{
		"url: https://rt.example.com/\nper_page: 10\noverlap: 5m\n":                        true,
		"url: https://rt.example.com\nhttp_client_config: {follow_redirects: false}\n":     true,
		"url: https://rt.example.com\nquery: \"Queue = 'A'\"\n":                            false,
		"url: https://rt2.example.com\n":                                                   false,
		"url: https://rt.example.com\nstatuses: {open: [new, open], resolved: [resolved]}": false,
		"url: https://rt.example.com\ncustom_fields: {customer: Customer}\n":               false,
		"url: https://rt.example.com\ntimezone: Europe/Rome\n":                             false,
		"url: https://rt.example.com\npriority_ranges: [{name: P1, min: 1}]\n":             false,
	} {
		if got := fp(block) == base; got != same {
			t.Errorf("%q: same fingerprint %v, want %v", block, got, same)
		}
	}
}
