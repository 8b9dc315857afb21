package zendesk

import (
	"bytes"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/zendesk/zendesksim"
)

func TestConfigErrors(t *testing.T) {
	const auth = "http_client_config: {basic_auth: {username: a@example.com/token, password_file: t}}\n"
	tests := []struct{ doc, want string }{
		{"http_client_config: {}\n", "line 1: url: is required: the account's address, such as https://SUBDOMAIN.zendesk.com"},
		{"url: https://acme.zendesk.com/api/v2\n", "line 1: url: is the account's address, without /api/v2"},
		{"url: https://acme.zendesk.com\nsubdomain: acme\n", "line 2: subdomain: unknown field (known: url, http_client_config, rate_limit, page_size, max_requests_per_sync, overlap, reconcile_interval, request_timeout, incremental_rate_limit, statuses, default_priority, default_type, groups, brands, tag_fields, custom_fields, native_slas)"},
		{"url: https://acme.zendesk.com\nhttp_client_config:\n  basic_auth: {username: a@example.com, password_file: t}\n",
			"line 3: http_client_config.basic_auth.username: does not end in /token: an API token signs in as EMAIL/token, the token being the password"},
		{"url: https://acme.zendesk.com\n" + auth + "page_size: 1001\n", "line 3: page_size: 1001 is not between 1 and 1000, the most the API returns per page"},
		{"url: https://acme.zendesk.com\n" + auth + "incremental_rate_limit: {requests: 40, per: 1m}\n",
			"line 3: incremental_rate_limit: allows more than 30 requests in a minute, the most Zendesk's incremental exports take (10 without the High Volume API add-on)"},
		{"url: https://acme.zendesk.com\n" + auth + "incremental_rate_limit: {requests: 10}\n", "line 3: incremental_rate_limit.per: is required with requests (e.g. 1h)"},
		{"url: https://acme.zendesk.com\n" + auth + "statuses: {open: [open], paused: [pending, open]}\n", `line 3: statuses.paused[1]: status "open" is listed under open too`},
		{"url: https://acme.zendesk.com\n" + auth + "groups: {service: Desk}\n", `line 3: groups: "service" is not a group id (a positive whole number)`},
		{"url: https://acme.zendesk.com\n" + auth + "brands: {\"12\": \"\"}\n", "line 3: brands.12: needs a name"},
		{"url: https://acme.zendesk.com\n" + auth + "tag_fields: {customer: \"customer_(.+\"}\n", "line 3: tag_fields.customer: \"customer_(.+\" is not a regular expression: missing closing ): `^(?:customer_(.+)$`"},
		{"url: https://acme.zendesk.com\n" + auth + "custom_fields: {brand: 360001}\n", "line 3: custom_fields.brand: brand is set by the source (assignee, brand, channel, organization)"},
		{"url: https://acme.zendesk.com\n" + auth + "custom_fields: {product: 0}\n", "line 3: custom_fields.product: 0 is not a custom field id (a positive whole number)"},
		{"url: https://acme.zendesk.com\n" + auth + "native_slas: {first_reply_time: reply}\n", `line 3: native_slas.first_reply_time: "reply" is not a clock (response or resolution)`},
		{"url: https://acme.zendesk.com\nhttp_client_config:\n  authorization: {credentials: zd_inline0123456789, credentials_file: x}\n",
			"line 3: http_client_config: at most one of authorization credentials & credentials_file must be configured"},
	}
	for _, tt := range tests {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(tt.doc), &n); err != nil {
			t.Fatal(err)
		}
		_, err := New(&n, collector.Options{Name: "zd"})
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q:\n got %v\nwant %s", tt.doc, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "zd_inline") {
			t.Errorf("the error shows the token: %v", err)
		}
	}
	if _, err := New(nil, collector.Options{}); err == nil || err.Error() != "the zendesk source needs a `zendesk:` block with at least url and http_client_config" {
		t.Errorf("no block: %v", err)
	}
}

// TestOAuth signs in with an OAuth access token as Bearer instead of an API token.
func TestOAuth(t *testing.T) {
	start := utc("2026-03-02 09:00")
	e := newEnv(t, start, zendesksim.Options{})
	desk(e, start, 1, 3)
	e.clk.Set(start.Add(2 * time.Hour))
	var node yaml.Node
	if err := yaml.Unmarshal([]byte("url: "+e.sim.URL+"\nhttp_client_config:\n  authorization: {type: Bearer, credentials_file: oauth}\n"), &node); err != nil {
		t.Fatal(err)
	}
	src, err := newSource(&node, e.opts(), e.clk.Hooks())
	if err != nil {
		t.Fatal(err)
	}
	b, err := src.Sync(t.Context(), nil)
	if err != nil || len(b.Tickets) != 3 {
		t.Errorf("%d tickets, error %v; want 3", len(b.Tickets), err)
	}
}

// TestPoliciesAndRejections: the SLA policies are read once and a native_slas metric none of
// them measures is warned of; a status the statuses do not map rejects its ticket, naming the
// setting; a plan without SLA policies (403) only warns.
func TestPoliciesAndRejections(t *testing.T) {
	start := utc("2026-03-02 09:00")
	e := newEnv(t, start, zendesksim.Options{})
	e.sim.Create(zendesksim.Ticket{ID: 1, Requester: carol, Priority: "high"}, "a")
	e.sim.Create(zendesksim.Ticket{ID: 2, Requester: carol, Priority: "high"}, "b")
	e.clk.Set(start.Add(10 * time.Minute))
	e.sim.Change(2, alice, zendesksim.Update{Status: "hold"})
	e.clk.Set(start.Add(time.Hour))
	var logs bytes.Buffer
	opts := e.opts()
	opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	src, err := newSource(e.node(t, "statuses: {open: [new, open], paused: [pending], resolved: [solved], closed: [closed]}\n"+
		"native_slas: {first_reply_time: response, agent_work_time: resolution}\n"), opts, e.clk.Hooks())
	if err != nil {
		t.Fatal(err)
	}
	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []collector.Rejection{{Where: "ticket 2", Reason: `status "hold" is not mapped to a category`, Rule: "status not mapped", Setting: "statuses"}}
	if diff := cmp.Diff(want, b.Rejected); diff != "" || !slices.Equal(idsOf(b.Tickets), []string{"1"}) {
		t.Errorf("tickets %v; rejected (-want +got):\n%s", idsOf(b.Tickets), diff)
	}
	for _, line := range []string{`msg="SLA policies read" policies=2 metrics="[first_reply_time requester_wait_time]"`,
		`msg="native_slas maps a metric no SLA policy measures: it is never imported" metric=agent_work_time clock=resolution`} {
		if !strings.Contains(logs.String(), line) {
			t.Errorf("the log lacks %s:\n%s", line, logs.String())
		}
	}
	if _, err := src.Sync(t.Context(), b.Checkpoint); err != nil || e.sim.Requests("policies") != 1 {
		t.Errorf("second sync: error %v, %d policies requests; want them read once", err, e.sim.Requests("policies"))
	}

	// A plan without SLA policies.
	e.sim.Inject(zendesksim.Fault{Endpoint: "policies", Status: 403})
	logs.Reset()
	src, err = newSource(e.node(t, ""), opts, e.clk.Hooks())
	if err != nil {
		t.Fatal(err)
	}
	if b, err := src.Sync(t.Context(), nil); err != nil || len(b.Tickets) != 2 {
		t.Errorf("without policies: %d tickets, error %v; want 2", len(b.Tickets), err)
	}
	if !strings.Contains(logs.String(), "the account has no SLA policies to read") {
		t.Errorf("no warning of the missing policies:\n%s", logs.String())
	}
}

// TestReconciliation lists the ids of the tickets not deleted through the export when
// reconcile_interval asks it.
func TestReconciliation(t *testing.T) {
	start := utc("2026-03-02 09:00")
	e := newEnv(t, start, zendesksim.Options{})
	desk(e, start, 1, 25)
	e.clk.Set(start.Add(3 * time.Hour))
	src := e.source(t, "page_size: 10\nreconcile_interval: 24h\n")
	b, err := src.Sync(t.Context(), nil)
	if err != nil || len(b.Tickets) != 25 {
		t.Fatalf("%d tickets, error %v", len(b.Tickets), err)
	}
	e.sim.Delete(3)
	e.clk.Advance(25 * time.Hour)
	e.sim.ResetCounts()
	b, err = src.Sync(t.Context(), b.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	if !b.Reconciled || len(b.Present) != 24 || slices.Contains(b.Present, "3") || !slices.Equal(b.Deleted, []string{"3"}) {
		t.Errorf("reconciled %v, %d present, deleted %v; want 24 without 3, and 3 deleted", b.Reconciled, len(b.Present), b.Deleted)
	}
	// The ids take 3 pages of 10; the incremental sync one more.
	if n := e.sim.Requests("export"); n != 4 {
		t.Errorf("%d export requests, want 4", n)
	}
}
