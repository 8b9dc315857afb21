package file

import (
	"fmt"
	"testing"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// rowTicketsWant are the good tickets of row_tickets.{csv,json,ndjson}: the same tickets in three
// formats.
func rowTicketsWant() []ticket.Ticket {
	return []ticket.Ticket{
		{
			ID: "T1", Created: rome("2024-01-02 09:00"), Priority: "P1", Type: "incident", Group: "Network",
			Fields: map[string]string{"service": "web", "customer": "ACME", "region": "EU"},
			History: []ticket.StatusChange{
				change(rome("2024-01-02 15:00"), "Resolved", ticket.Resolved),
				change(rome("2024-01-03 12:00"), "Closed", ticket.Closed),
			},
			FirstResponse: rome("2024-01-02 09:10"), Rating: ticket.Good,
		},
		{
			ID: "T2", Created: rome("2024-01-02 10:00"), Priority: "P2", Type: "incident", Group: "Apps",
			Fields:        map[string]string{"service": "api", "region": "EU"},
			History:       []ticket.StatusChange{change(rome("2024-01-02 11:00"), "In Progress", ticket.Open)},
			Reassignments: 1,
		},
		{
			ID: "T3", Created: rome("2024-01-02 11:00"), Priority: "P3", Type: "incident", Group: "Apps",
			Fields:        map[string]string{"service": "web", "customer": "Globex, Inc.", "region": "EU"},
			History:       []ticket.StatusChange{change(rome("2024-01-02 12:30"), "waiting", ticket.Paused)},
			FirstResponse: rome("2024-01-02 11:30"), Reassignments: 2, // rating 3 is neither good nor bad
		},
		{
			ID: "T4", Created: rome("2024-01-02 12:00"), Priority: "P2", Type: "incident", Group: "Network",
			Fields:  map[string]string{"service": "web", "customer": "ACME\nEurope", "region": "EU"},
			History: []ticket.StatusChange{change(rome("2024-01-02 18:00"), "Resolved", ticket.Resolved)},
			Rating:  ticket.Bad,
		},
		{
			ID: "T5", Created: rome("2024-01-03 09:00"), Priority: "P4", Type: "incident", Group: "Apps",
			Fields:  map[string]string{"service": "api", "region": "EU"},
			History: []ticket.StatusChange{change(rome("2024-01-03 10:00"), "Cancelled", ticket.Cancelled)},
		},
	}
}

// rowTicketsCommon is what the three one_row_per_ticket configurations share.
const rowTicketsCommon = `
  constants: {type: incident, fields: {region: EU}}
  null_values: ["?", "n/a"]
  statuses:
    open: [New, In Progress]
    paused: [Waiting]
    resolved: [Resolved]
    closed: [Closed]
    cancelled: [Cancelled]
  ratings: {good: ["4", "5"], bad: ["1", "2"]}
`

func TestSync_oneRowPerTicket(t *testing.T) {
	csvWant := append(rowTicketsWant(), ticket.Ticket{
		ID: "T15", Created: rome("2024-01-07 10:00"), Type: "incident",
		Fields:  map[string]string{"region": "EU"},
		History: []ticket.StatusChange{change(rome("2024-01-07 10:00"), "New", ticket.Open)},
	})
	tests := []struct {
		name   string
		config string
		want   collector.Batch
	}{{
		name:   "csv",
		config: fmt.Sprintf(rowTicketsCSV, "path: row_tickets.csv"),
		want: collector.Batch{Replace: true, Tickets: csvWant, Rejected: rejections(
			`row_tickets.csv:8|column "opened": "2024-02-31 10:00" does not match layout "2006-01-02 15:04"`,
			`row_tickets.csv:9|column "state": status "Bogus" has no category: list it under statuses, or set default_category (the category of statuses not listed)`,
			`row_tickets.csv:10|ticket T8: resolved at 2024-01-05T08:00:00Z is before creation 2024-01-05T09:00:00Z`,
			`row_tickets.csv:11|column "id": ticket "T1" was already read at row_tickets.csv:2; the first row is kept`,
			`row_tickets.csv:12|3 fields where the header has 13`,
			`row_tickets.csv:13|column "reassigned": "-1" is negative`,
			`row_tickets.csv:14|ticket T11: status "New" is open after a resolution or closure, but column "updated" is empty, so the reopen has no time`,
			`row_tickets.csv:15|ticket T12: the current status "In Progress" (open, since 2024-01-06 11:00) is not the latest: resolved at 2024-01-06 12:00 is later`,
			`row_tickets.csv:16|column "id": no ticket id`,
			`row_tickets.csv:17|ticket T13: first response 2024-01-06T08:00:00Z is before creation 2024-01-06T09:00:00Z`,
			`row_tickets.csv:18|malformed CSV: bare " in non-quoted-field`,
		)},
	}, {
		name: "json with a records path and nested keys",
		config: `file:
  path: row_tickets.json
  json: {records: result}
  columns:
    id: number
    created: opened_at
    status: state
    status_time: sys_updated_on
    priority: priority.value
    group: assignment_group.display_value
    first_response: first_reply
    resolved: resolved_at
    closed: closed_at
    reassignments: reassignment_count
    rating: csat
    fields: {service: service, customer: customer}
  time: {layout: rfc3339}` + rowTicketsCommon,
		want: collector.Batch{Replace: true, Tickets: rowTicketsWant(), Rejected: rejections(
			`row_tickets.json:29|column "opened_at": "yesterday" is not an RFC 3339 time`,
			`row_tickets.json:30|the record is a string, not an object`,
			`row_tickets.json:31|column "number": is an object, not a value; column "state": is an array, not a value`,
			`row_tickets.json:32|column "reassignment_count": "true" is not a whole number`,
		)},
	}, {
		name: "ndjson with unix times",
		config: `file:
  path: row_tickets.ndjson
  columns:
    id: id
    created: t.open
    status: state
    status_time: t.upd
    priority: p
    group: g
    first_response: t.resp
    resolved: t.res
    closed: t.clo
    reassignments: "n"
    rating: csat
    fields: {service: service, customer: customer}
  time: {layout: unix}` + rowTicketsCommon,
		want: collector.Batch{Replace: true, Tickets: rowTicketsWant(), Rejected: rejections(
			`row_tickets.ndjson:7|malformed JSON: the line ends early`,
			`row_tickets.ndjson:8|the record is an array, not an object`,
			`row_tickets.ndjson:9|malformed JSON: data after the object`,
			`row_tickets.ndjson:10|column "t.open": "soon" is not a Unix time in seconds`,
		)},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := syncOK(t, newSource(t, "testdata", tt.config), nil)
			if d := diffBatch(tt.want, b); d != "" {
				t.Errorf("batch (-want +got):\n%s", d)
			}
			for _, tk := range b.Tickets {
				if err := tk.Validate(); err != nil {
					t.Errorf("a returned ticket does not validate: %v", err)
				}
			}
		})
	}
}

func TestSync_eventLog(t *testing.T) {
	d := func(s string) string { return "2024-01-" + s } // day and time in January 2024, UTC
	tests := []struct {
		name   string
		config string
		want   collector.Batch
	}{{
		name: "csv with delimiter, comments, unsorted and interleaved rows",
		config: `file:
  path: log_incidents.csv
  layout: event_log
  csv: {delimiter: ";", comment: "#"}
  columns:
    id: number
    created: opened_at
    status: state
    status_time: updated_at
    priority: priority
    group: group
    reassignments: reassignment_count
    fields: {category: category}
  constants: {type: incident}
  time: {layout: "02.01.2006 15:04"}
  null_values: ["?"]
  statuses:
    open: [New, Active]
    paused: [Awaiting User Info, Awaiting Vendor]
    resolved: [Resolved]
    closed: [Closed]
  response_statuses: [active]
`,
		want: collector.Batch{Replace: true, Tickets: []ticket.Ticket{
			{
				// Rows sorted by time; the repeated Active (09:20) and RESOLVED (12:30) dropped;
				// attributes from the Closed row, the last in time.
				ID: "INC1", Created: utc(d("02 09:00")), Priority: "2 - High", Type: "incident", Group: "Team B",
				Fields: map[string]string{"category": "Network"},
				History: []ticket.StatusChange{
					change(utc(d("02 09:00")), "New", ticket.Open),
					change(utc(d("02 09:05")), "Active", ticket.Open),
					change(utc(d("02 10:00")), "Awaiting User Info", ticket.Paused),
					change(utc(d("02 11:00")), "Active", ticket.Open),
					change(utc(d("02 12:00")), "Resolved", ticket.Resolved),
					change(utc(d("02 14:00")), "Closed", ticket.Closed),
				},
				FirstResponse: utc(d("02 09:05")), Reassignments: 1,
			},
			{
				// Two rows at 10:00 keep file order; the later one gives the attributes.
				ID: "INC2", Created: utc(d("02 09:30")), Priority: "4 - Low", Type: "incident", Group: "Team C",
				Fields: map[string]string{"category": "Mail"},
				History: []ticket.StatusChange{
					change(utc(d("02 09:30")), "New", ticket.Open),
					change(utc(d("02 10:00")), "Active", ticket.Open),
					change(utc(d("02 10:00")), "Resolved", ticket.Resolved),
				},
				FirstResponse: utc(d("02 10:00")),
			},
			{
				// Its New row, stamped before creation, is rejected; the ticket is open before 11:10.
				ID: "INC3", Created: utc(d("02 11:00")), Priority: "3 - Moderate", Type: "incident", Group: "Team A",
				Fields:        map[string]string{"category": "Net"},
				History:       []ticket.StatusChange{change(utc(d("02 11:10")), "Active", ticket.Open)},
				FirstResponse: utc(d("02 11:10")),
			},
			{
				ID: "INC4", Created: utc(d("03 08:00")), Priority: "3 - Moderate", Type: "incident", Group: "Team A",
				Fields:  map[string]string{"category": "Net"},
				History: []ticket.StatusChange{change(utc(d("03 08:00")), "New", ticket.Open)},
			},
			{
				// The Active row is rejected (bad reassignment count): attributes from the New row.
				ID: "INC7", Created: utc(d("03 13:00")), Priority: "3 - Moderate", Type: "incident", Group: "Team A",
				Fields:  map[string]string{"category": "Net"},
				History: []ticket.StatusChange{change(utc(d("03 13:00")), "New", ticket.Open)},
			},
			{
				ID: "INC8", Created: utc(d("04 08:00")), Priority: "3 - Moderate", Type: "incident", Group: "Team A",
				Fields: map[string]string{"category": "Net"},
				History: []ticket.StatusChange{
					change(utc(d("04 08:00")), "New", ticket.Open),
					change(utc(d("04 09:00")), "Resolved", ticket.Resolved),
					change(utc(d("04 10:00")), "Active", ticket.Open),
					change(utc(d("04 11:00")), "Resolved", ticket.Resolved),
				},
				FirstResponse: utc(d("04 10:00")),
			},
			{
				// Created from the first row that has a creation time.
				ID: "INC9", Created: utc(d("04 11:55")), Priority: "3 - Moderate", Type: "incident", Group: "Team A",
				Fields: map[string]string{"category": "Net"},
				History: []ticket.StatusChange{
					change(utc(d("04 12:00")), "New", ticket.Open),
					change(utc(d("04 12:05")), "Active", ticket.Open),
				},
				FirstResponse: utc(d("04 12:05")),
			},
		}, Rejected: rejections(
			`log_incidents.csv:15|column "updated_at": status time 02.01.2024 10:45 is before the ticket's creation 02.01.2024 11:00 (column "opened_at"): row left out of ticket INC3's history`,
			`log_incidents.csv:18|column "state": status "Escalated" has no category: list it under statuses, or set default_category (the category of statuses not listed)`,
			`log_incidents.csv:19|column "updated_at": "03.01.2024 25:00" does not match layout "02.01.2006 15:04"`,
			`log_incidents.csv:20|ticket INC5: column "opened_at" is empty on every row, so the ticket has no creation time`,
			`log_incidents.csv:22|column "updated_at": status time 03.01.2024 11:00 is before the ticket's creation 03.01.2024 12:00 (column "opened_at"): row left out of ticket INC6's history`,
			`log_incidents.csv:24|column "reassignment_count": "x" is not a whole number`,
		)},
	}, {
		name: "ndjson without a created column, with default_category",
		config: `file:
  path: log_requests.ndjson
  layout: event_log
  columns:
    id: key
    status: change.to
    status_time: change.at
    priority: fields.priority.name
  constants: {type: request, priority: Medium}
  statuses:
    open: [Open]
    paused: [Waiting for customer]
    closed: [Done]
  default_category: open
`,
		want: collector.Batch{Replace: true, Tickets: []ticket.Ticket{
			{
				ID: "REQ-1", Created: utc("2024-03-01 09:00"), Priority: "Highest", Type: "request",
				History: []ticket.StatusChange{
					change(utc("2024-03-01 09:00"), "Open", ticket.Open),
					change(utc("2024-03-01 10:00"), "Waiting for customer", ticket.Paused),
					change(utc("2024-03-01 10:30"), "In Review", ticket.Open),
					change(utc("2024-03-01 11:00"), "Done", ticket.Closed),
				},
			},
			{
				ID: "REQ-2", Created: utc("2024-03-02 08:00"), Priority: "Medium", Type: "request",
				History: []ticket.StatusChange{change(utc("2024-03-02 08:00"), "open", ticket.Open)},
			},
		}, Rejected: rejections(
			`log_requests.ndjson:6|column "change.at": "2024-03-01 09:00" is not an RFC 3339 time`,
		)},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := syncOK(t, newSource(t, "testdata", tt.config), nil)
			if d := diffBatch(tt.want, b); d != "" {
				t.Errorf("batch (-want +got):\n%s", d)
			}
		})
	}
}
