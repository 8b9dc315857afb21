package servicenow

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

func TestConfigErrors(t *testing.T) {
	const base = "url: https://acme.service-now.com\n"
	tests := []struct {
		name, doc, want string
	}{
		{"no url", "table: incident\n", "line 1: url: is required: the instance's address, such as https://acme.service-now.com"},
		{"unknown key", base + "tabel: incident\n", "line 2: tabel: unknown field (known: url, http_client_config, rate_limit, page_size, max_requests_per_sync, overlap, " +
			"reconcile_interval, request_timeout, table, query, states, paused_hold_reasons, response_states, priorities, type, fields, native_slas)"},
		{"credentials in the url", "url: https://admin:secret@acme.service-now.com\n",
			"line 1: url: has user information, a query or a fragment: credentials go in http_client_config, and the base URL is only scheme://host/path"},
		{"another table", base + "table: problem\n", `line 2: table: "problem" is not a table this source reads (incident, change_request)`},
		{"ORDERBY in the query", base + "query: active=true^ORDERBYnumber\n",
			"line 2: query: holds ORDERBY: the source orders by sys_updated_on and sys_id itself"},
		{"^NQ in the query", base + "query: priority=1^NQpriority=2\n",
			"line 2: query: holds ^NQ, which would OR the source's own conditions away: use one query"},
		{"^EQ in the query", base + "query: priority=1^EQ\n", "line 2: query: holds ^EQ, after which ServiceNow ignores the source's own conditions"},
		{"a state without a name", base + "states: {\"9\": {category: paused}}\n", "line 2: states.9: name is required (the state's label)"},
		{"a state of no category", base + "states:\n  \"9\": {name: Awaiting Parts, category: waiting}\n",
			`line 3: states.9: unknown status category "waiting" (want open, paused, resolved, closed or cancelled)`},
		{"hold reasons of changes", base + "table: change_request\npaused_hold_reasons: [\"1\"]\n",
			"line 3: paused_hold_reasons: applies to incidents: change_request has no hold_reason"},
		{"an unknown response state", base + "response_states: [\"4\"]\n",
			`line 2: response_states: state "4" is not a state of incident (1 New, 2 In Progress, 3 On Hold, 6 Resolved, 7 Closed, 8 Canceled); add it to states`},
		{"a field the source sets", base + "fields: {close_code: u_code}\n", "line 2: fields.close_code: close_code is set by the source"},
		{"a field that is no field name", base + "fields: {customer: \"company.Name\"}\n",
			`line 2: fields.customer: "company.Name" is not a ServiceNow field name (lower case, dot-walked as company.name)`},
		{"a native SLA of no clock", base + "native_slas:\n  P1 resolution: resolve\n", `line 3: native_slas.P1 resolution: "resolve" is not a clock (response, resolution)`},
		{"an overlap in milliseconds", base + "overlap: 1500ms\n", "line 2: overlap: 1s500ms is not a whole number of seconds (ServiceNow dates are to the second)"},
		{"a page too large", base + "page_size: 20000\n", "line 2: page_size: 20000 is not between 1 and 10000, the most the API returns per page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(apitest.Node(t, tt.doc), collector.Options{Name: "snow"})
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v\nwant %s", err, tt.want)
			}
		})
	}
	if _, err := New(nil, collector.Options{}); err == nil || err.Error() != "the servicenow source needs a `servicenow:` block with at least url" {
		t.Errorf("no block: %v", err)
	}
}

func TestConfigDefaults(t *testing.T) {
	s, err := compile(apitest.Node(t, "url: https://acme.service-now.com\n"), collector.Options{Name: "snow", Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	if s.api.PageSize != 100 || s.api.MaxRequests != 1000 || s.api.Overlap != 5*time.Minute || s.api.Reconcile != 24*time.Hour ||
		s.api.RequestTimeout != time.Minute || s.api.Base.String() != "https://acme.service-now.com/" {
		t.Errorf("api settings %+v", s.api)
	}
	if s.table != "incident" || s.typ != "incident" || s.query != "" || s.paused != nil || s.native != nil {
		t.Errorf("settings %+v", s)
	}
	if diff := cmp.Diff([]string{"2"}, s.response); diff != "" {
		t.Errorf("response states (-want +got):\n%s", diff)
	}
	if s.states["3"] != ticket.Paused || s.names["8"] != "Canceled" || s.prios["3"] != "3 - Moderate" {
		t.Errorf("states %v names %v priorities %v", s.states, s.names, s.prios)
	}

	// A change: its states, type change, no response state; a custom state added.
	s, err = compile(apitest.Node(t, "url: https://acme.service-now.com\ntable: change_request\nstates: {\"-6\": {name: Draft, category: open}}\n"+
		"priorities: {\"1\": P1}\n"), collector.Options{Name: "snow", Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	if s.typ != "change" || s.response != nil || s.names["-6"] != "Draft" || s.states["0"] != ticket.Resolved || s.incident || len(s.prios) != 1 {
		t.Errorf("change settings %+v", s)
	}
}
