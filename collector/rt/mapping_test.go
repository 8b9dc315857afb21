package rt

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// testPlan compiles an rt block (url added) for mapping tests.
func testPlan(t testing.TB, block string) *plan {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("url: https://rt.example.com\n"+block), &doc); err != nil {
		t.Fatal(err)
	}
	p, err := compile(doc.Content[0], collector.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// item is a search item: ticket 12, with the given fields in place of its own.
func item(t *testing.T, fields string) *rtTicket {
	t.Helper()
	const base = `{"type":"ticket","id":"12","Status":"open","Created":"2025-03-10T10:00:00Z","LastUpdated":"2025-03-10T12:00:00Z",
"Priority":"50","Queue":{"id":"3","Name":"Support"},"Requestor":[{"type":"user","id":"bob"}],"Due":"1970-01-01T00:00:00Z","SLA":""}`
	var m, over map[string]json.RawMessage
	if err := json.Unmarshal([]byte(base), &m); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte("{"+fields+"}"), &over); err != nil {
		t.Fatal(err)
	}
	for k, v := range over {
		m[k] = v
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var it rtTicket
	if err := json.Unmarshal(data, &it); err != nil {
		t.Fatal(err)
	}
	return &it
}

// txns reads history items.
func txns(t *testing.T, items ...string) []rtTxn {
	t.Helper()
	var out []rtTxn
	if err := json.Unmarshal([]byte("["+strings.Join(items, ",")+"]"), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

const createTxn = `{"type":"transaction","id":"100","Type":"Create","Created":"2025-03-10T10:00:00Z","Creator":{"id":"bob"}}`

func TestMapTicket(t *testing.T) {
	defaults := testPlan(t, "")
	configured := testPlan(t, `
priority_ranges: [{name: high, min: 60}, {name: low, max: 59}]
custom_fields: {customer: Customer, components: Components}
type_custom_field: Kind
first_response: {transactions: [Correspond, Comment, Status]}
statuses: {open: [New, Open, "In Progress"], paused: [Stalled], resolved: [Resolved], cancelled: [Rejected]}
`)
	base := ticket.Ticket{ID: "12", Created: utc("2025-03-10 10:00"), Priority: "50", Group: "Support", Fields: map[string]string{},
		History: []ticket.StatusChange{change("2025-03-10 10:00", "open", ticket.Open)}}
	with := func(f func(*ticket.Ticket)) ticket.Ticket {
		tk := base
		tk.Fields = map[string]string{}
		tk.History = append([]ticket.StatusChange{}, base.History...)
		f(&tk)
		return tk
	}
	tests := []struct {
		name string
		p    *plan
		it   *rtTicket
		txns []rtTxn
		want ticket.Ticket
	}{
		{"no status change: the current status since creation", defaults, item(t, ""), txns(t, createTxn), base},
		{
			// The first Status transaction's old value is the status at creation.
			"status history", defaults, item(t, `"Status":"resolved"`), txns(t, createTxn,
				`{"id":"102","Type":"Status","Field":"Status","OldValue":"new","NewValue":"stalled","Created":"2025-03-10T11:00:00Z","Creator":{"id":"carol"}}`,
				`{"id":"101","Type":"Status","Field":"Status","OldValue":"stalled","NewValue":"resolved","Created":"2025-03-10T12:00:00Z","Creator":{"id":"carol"}}`),
			with(func(tk *ticket.Ticket) {
				tk.History = []ticket.StatusChange{change("2025-03-10 10:00", "new", ticket.Open),
					change("2025-03-10 11:00", "stalled", ticket.Paused), change("2025-03-10 12:00", "resolved", ticket.Resolved)}
			}),
		},
		{
			// Transactions in the same second keep id order, whatever order they come in.
			"same second, id order", defaults, item(t, `"Status":"resolved"`), txns(t, createTxn,
				`{"id":"111","Type":"Status","OldValue":"open","NewValue":"resolved","Created":"2025-03-10T11:00:00Z","Creator":{"id":"carol"}}`,
				`{"id":"110","Type":"Status","OldValue":"new","NewValue":"open","Created":"2025-03-10T11:00:00Z","Creator":{"id":"carol"}}`),
			with(func(tk *ticket.Ticket) {
				tk.History = []ticket.StatusChange{change("2025-03-10 10:00", "new", ticket.Open),
					change("2025-03-10 11:00", "open", ticket.Open), change("2025-03-10 11:00", "resolved", ticket.Resolved)}
			}),
		},
		{
			// The requestor's reply, RT's own status change and a comment are no response by
			// default; carol's reply is.
			"first response by a non-requestor", defaults, item(t, ""), txns(t, createTxn,
				`{"id":"101","Type":"Correspond","Created":"2025-03-10T10:10:00Z","Creator":{"id":"bob"}}`,
				`{"id":"102","Type":"Comment","Created":"2025-03-10T10:20:00Z","Creator":{"id":"carol"}}`,
				`{"id":"103","Type":"Status","OldValue":"new","NewValue":"open","Created":"2025-03-10T10:30:00Z","Creator":{"id":"RT_System"}}`,
				`{"id":"104","Type":"Correspond","Created":"2025-03-10T10:40:00Z","Creator":{"id":"carol"}}`,
				`{"id":"105","Type":"Correspond","Created":"2025-03-10T10:50:00Z","Creator":{"id":"dave"}}`),
			with(func(tk *ticket.Ticket) {
				tk.History = []ticket.StatusChange{change("2025-03-10 10:00", "new", ticket.Open), change("2025-03-10 10:30", "open", ticket.Open)}
				tk.FirstResponse = utc("2025-03-10 10:40")
			}),
		},
		{
			// With Comment among the response types, carol's comment is the first response.
			"a comment counts when configured", configured, item(t, `"Priority":"60"`), txns(t, createTxn,
				`{"id":"101","Type":"Correspond","Created":"2025-03-10T10:10:00Z","Creator":{"id":"bob"}}`,
				`{"id":"102","Type":"Comment","Created":"2025-03-10T10:20:00Z","Creator":{"id":"carol"}}`),
			with(func(tk *ticket.Ticket) { tk.Priority = "high"; tk.FirstResponse = utc("2025-03-10 10:20") }),
		},
		{
			// With Status, a change by hand counts; RT's own does not.
			"a status change by hand counts when configured", configured, item(t, `"Priority":"59"`), txns(t, createTxn,
				`{"id":"101","Type":"Status","OldValue":"New","NewValue":"Open","Created":"2025-03-10T10:10:00Z","Creator":{"id":"RT_System"}}`,
				`{"id":"102","Type":"Set","Field":"Status","OldValue":"Open","NewValue":"In Progress","Created":"2025-03-10T10:30:00Z","Creator":{"id":"carol"}}`),
			with(func(tk *ticket.Ticket) {
				tk.Priority = "low"
				tk.History = []ticket.StatusChange{change("2025-03-10 10:00", "New", ticket.Open),
					change("2025-03-10 10:10", "Open", ticket.Open), change("2025-03-10 10:30", "In Progress", ticket.Open)}
				tk.FirstResponse = utc("2025-03-10 10:30")
			}),
		},
		{
			// RT's Due and SLA; custom fields by name, several values joined, empty ones left
			// out; the type from its custom field; a queue without its name read is its id.
			"fields", configured, item(t, `"Due":"2025-03-11T10:00:00Z","SLA":"gold","Queue":{"id":"3"},"CustomFields":[
{"name":"Customer","values":["acme"]},{"name":"Components","values":["printer"," ","network"]},{"name":"Kind","values":["incident"]},{"name":"Other","values":["x"]}]`),
			txns(t, createTxn),
			with(func(tk *ticket.Ticket) {
				tk.Priority, tk.Group, tk.Type = "low", "3", "incident"
				tk.Fields = map[string]string{"rt_due": "2025-03-11T10:00:00Z", "rt_sla": "gold", "customer": "acme", "components": "printer, network"}
			}),
		},
		{
			// encoding/json matches keys case-insensitively: REST2's "type" (the record type) must
			// not be read as the transaction's Type, before or after it.
			"type and Type in either order", defaults, item(t, `"Status":"resolved"`), txns(t,
				`{"Type":"Create","type":"transaction","id":"100","Created":"2025-03-10T10:00:00Z","Creator":{"id":"bob"}}`,
				`{"type":"transaction","Type":"Status","OldValue":"open","NewValue":"resolved","id":"101","Created":"2025-03-10T11:00:00Z","Creator":{"id":"carol","type":"user"}}`,
				`{"Type":"Correspond","id":"102","type":"transaction","Created":"2025-03-10T10:30:00Z","Creator":{"type":"user","id":"carol"}}`),
			with(func(tk *ticket.Ticket) {
				tk.History = append(tk.History, change("2025-03-10 11:00", "resolved", ticket.Resolved))
				tk.FirstResponse = utc("2025-03-10 10:30")
			}),
		},
		{"a numeric id and priority", defaults, item(t, `"id":12,"Priority":50`), txns(t, createTxn), base},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, rj := tc.p.mapTicket(tc.it, tc.txns)
			if rj != nil {
				t.Fatalf("rejected: %+v", *rj)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ticket (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMapTicketRejects pins each rejection: the record's values in the reason, none in the rule,
// and the setting when the settings do not fit the data.
func TestMapTicketRejects(t *testing.T) {
	defaults := testPlan(t, "")
	ranged := testPlan(t, "priority_ranges: [{name: high, min: 60}]\ncustom_fields: {photo: Photo}\n")
	tests := []struct {
		name string
		p    *plan
		it   *rtTicket
		txns []rtTxn
		want rejection
	}{
		{"bad id", defaults, item(t, `"id":"12a"`), txns(t, createTxn),
			rejection{`id "12a" is not a positive whole number`, "id is not a positive whole number", ""}},
		{"no creation", defaults, item(t, `"Created":"1970-01-01T00:00:00Z"`), txns(t, createTxn),
			rejection{"Created is unset", "Created is unset", ""}},
		{"bad creation", defaults, item(t, `"Created":"2025-03-10 10:00:00"`), txns(t, createTxn),
			rejection{`Created "2025-03-10 10:00:00" is not an RFC 3339 time`, "Created is not an RFC 3339 time", ""}},
		{"no status", defaults, item(t, `"Status":""`), txns(t, createTxn),
			rejection{"Status is empty (can the user see the ticket?)", "Status is empty", ""}},
		{"bad priority", defaults, item(t, `"Priority":"High"`), txns(t, createTxn),
			rejection{`Priority "High" is not a whole number`, "Priority is not a whole number", ""}},
		{"priority out of the ranges", ranged, item(t, `"Priority":"10"`), txns(t, createTxn),
			rejection{"Priority 10 is in no range of priority_ranges", "Priority is in no range of priority_ranges", "rt.priority_ranges"}},
		{"unknown status", defaults, item(t, `"Status":"triage"`), txns(t, createTxn),
			rejection{`status "triage" has no category: list it under statuses`, `status "triage" is not listed under statuses`, "rt.statuses"}},
		{"unknown status in the history", defaults, item(t, ""), txns(t, createTxn,
			`{"id":"101","Type":"Status","OldValue":"open","NewValue":"escalated","Created":"2025-03-10T11:00:00Z","Creator":{"id":"carol"}}`),
			rejection{`status "escalated" has no category: list it under statuses`, `status "escalated" is not listed under statuses`, "rt.statuses"}},
		{"no Create transaction", defaults, item(t, ""), nil,
			rejection{"history has no Create transaction (can the user see the ticket's transactions?)", "history has no Create transaction", ""}},
		{"bad transaction time", defaults, item(t, ""), txns(t, createTxn, `{"id":"101","Type":"Comment","Created":"yesterday"}`),
			rejection{`transaction 101: Created "yesterday" is not an RFC 3339 time`, "transaction Created is not an RFC 3339 time", ""}},
		{"bad Due", defaults, item(t, `"Due":"soon"`), txns(t, createTxn),
			rejection{`Due "soon" is not an RFC 3339 time`, "Due is not an RFC 3339 time", ""}},
		{"a file in a custom field", ranged, item(t, `"Priority":"60","CustomFields":[{"name":"Photo","values":[{"content_type":"image/png","filename":"a.png"}]}]`), txns(t, createTxn),
			rejection{`custom field "Photo" holds an object, not text (an image or a file?)`, "a custom field holds a value that is not text", ""}},
		{"a status change before creation", defaults, item(t, ""), txns(t, createTxn,
			`{"id":"101","Type":"Status","OldValue":"open","NewValue":"resolved","Created":"2025-03-10T09:00:00Z","Creator":{"id":"carol"}}`),
			rejection{"resolved at 2025-03-10T09:00:00Z is before creation 2025-03-10T10:00:00Z", "a transaction is dated before the ticket's creation", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tk, rj := tc.p.mapTicket(tc.it, tc.txns)
			if rj == nil {
				t.Fatalf("mapped to %+v", tk)
			}
			if diff := cmp.Diff(tc.want, *rj, cmp.AllowUnexported(rejection{})); diff != "" {
				t.Errorf("rejection (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRejectionWhere: the rejection names the ticket.
func TestRejectionWhere(t *testing.T) {
	r := reject("rule", "reason").asRejection("12")
	if r.Where != "ticket 12" || r.Reason != "reason" || r.Rule != "rule" {
		t.Errorf("%+v", r)
	}
	if r := reject("rule", "reason").asRejection(""); r.Where != "a ticket without an id" {
		t.Errorf("%+v", r)
	}
}

func TestText(t *testing.T) {
	for in, want := range map[string]string{`"12"`: "12", `12`: "12", `null`: "", `1.5e3`: "1.5e3"} {
		var got text
		if err := json.Unmarshal([]byte(in), &got); err != nil || string(got) != want {
			t.Errorf("%s: %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]string{`{"a":1}`: "want a string or a number, got an object", `[1]`: "want a string or a number, got an array", `true`: "want a string or a number, got a boolean"} {
		var got text
		if err := got.UnmarshalJSON([]byte(in)); err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
}

func TestClip(t *testing.T) {
	long := strings.Repeat("é", 40) // 80 bytes
	got := clip(long)
	if len(got) > 64+len("…") || !strings.HasSuffix(got, "…") || !strings.HasPrefix(long, strings.TrimSuffix(got, "…")) {
		t.Errorf("clip = %q", got)
	}
	if clip("short") != "short" {
		t.Error("clip changed a short value")
	}
}
