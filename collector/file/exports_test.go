package file

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// sequenceLog is an event log shaped like ServiceNow's: its INC0000137 rows are those of the
// sample (a New row stamped 11:10 that sys_mod_count puts before the Resolved row of 11:03).
const sequenceLog = `number,state,sys_mod_count,opened_at,sys_updated_at,priority
INC0000137,New,1,29-02-2016 09:48,29-02-2016 11:10,3 - Moderate
INC0000137,New,1,29-02-2016 09:48,29-02-2016 09:52,3 - Moderate
INC0000137,Resolved,2,29-02-2016 09:48,29-02-2016 11:03,3 - Moderate
INC0000137,Closed,3,29-02-2016 09:48,05-03-2016 12:00,3 - Moderate
TIE,Resolved,3,01-03-2016 10:00,01-03-2016 10:30,2 - High
TIE,New,0,01-03-2016 10:00,01-03-2016 10:00,2 - High
TIE,Active,1,01-03-2016 10:00,01-03-2016 10:30,1 - Critical
TIE,Awaiting User Info,2,01-03-2016 10:00,01-03-2016 10:30,1 - Critical
BACK,Active,1,01-03-2016 09:00,01-03-2016 10:00,4 - Low
BACK,Resolved,2,01-03-2016 09:00,01-03-2016 09:30,4 - Low
BACK,Closed,3,01-03-2016 09:00,01-03-2016 12:00,4 - Low
BAD,New,,01-03-2016 09:00,01-03-2016 09:00,4 - Low
BAD,Active,x,01-03-2016 09:00,01-03-2016 09:10,4 - Low
`

// TestSync_eventLogSequence: with columns.sequence, a ticket's rows are ordered by sequence, then
// time; without it, by time, which turns the rows above into spurious reopens.
func TestSync_eventLogSequence(t *testing.T) {
	const config = `file:
  path: log.csv
  layout: event_log
  columns: {id: number, created: opened_at, status: state, status_time: sys_updated_at, priority: priority%s}
  time: {layout: "02-01-2006 15:04"}
  statuses: {open: [New, Active], paused: [Awaiting User Info], resolved: [Resolved], closed: [Closed]}
`
	d := func(s string) string { return "2016-03-" + s }
	inc137 := func(h ...ticket.StatusChange) ticket.Ticket {
		return ticket.Ticket{ID: "INC0000137", Created: utc("2016-02-29 09:48"), Priority: "3 - Moderate", History: h}
	}
	tests := []struct {
		name, sequence string
		want           collector.Batch
	}{{
		name:     "ordered by sequence, then time",
		sequence: ", sequence: sys_mod_count",
		want: collector.Batch{Replace: true, Tickets: []ticket.Ticket{
			// New(1) 09:52, New(1) 11:10 (a repeat, dropped), Resolved(2) 11:03, Closed(3): no
			// reopen. Attributes from the Closed row, the highest sequence.
			inc137(
				change(utc("2016-02-29 09:52"), "New", ticket.Open),
				change(utc("2016-02-29 11:03"), "Resolved", ticket.Resolved),
				change(utc(d("05 12:00")), "Closed", ticket.Closed),
			),
			{
				// Three changes in the minute 10:30, in sequence order, not file order; the
				// attributes from the Resolved row (sequence 3), though a later line.
				ID: "TIE", Created: utc(d("01 10:00")), Priority: "2 - High",
				History: []ticket.StatusChange{
					change(utc(d("01 10:00")), "New", ticket.Open),
					change(utc(d("01 10:30")), "Active", ticket.Open),
					change(utc(d("01 10:30")), "Awaiting User Info", ticket.Paused),
					change(utc(d("01 10:30")), "Resolved", ticket.Resolved),
				},
			},
			{
				// Its Resolved row (sequence 2, 09:30) is stamped before the Active row that
				// sequence 1 puts first (10:00): left out, not moved.
				ID: "BACK", Created: utc(d("01 09:00")), Priority: "4 - Low",
				History: []ticket.StatusChange{
					change(utc(d("01 10:00")), "Active", ticket.Open),
					change(utc(d("01 12:00")), "Closed", ticket.Closed),
				},
			},
		}, Rejected: rejections(
			`log.csv:11|column "sys_updated_at": status time 01-03-2016 09:30 is before 01-03-2016 10:00, the time of status "Active", which column "sys_mod_count" puts first (1, this row 2): row left out of ticket BACK's history`,
			`log.csv:13|column "sys_mod_count": no sequence number, so the row cannot be placed among the ticket's others`,
			`log.csv:14|column "sys_mod_count": "x" is not a whole number`,
		)},
	}, {
		name: "ordered by time alone",
		want: collector.Batch{Replace: true, Tickets: []ticket.Ticket{
			// The New row of 11:10 after the Resolved of 11:03: a reopen that never was.
			inc137(
				change(utc("2016-02-29 09:52"), "New", ticket.Open),
				change(utc("2016-02-29 11:03"), "Resolved", ticket.Resolved),
				change(utc("2016-02-29 11:10"), "New", ticket.Open),
				change(utc(d("05 12:00")), "Closed", ticket.Closed),
			),
			{
				// File order within 10:30: resolved, then active and paused again. The
				// attributes from the last line of 10:30.
				ID: "TIE", Created: utc(d("01 10:00")), Priority: "1 - Critical",
				History: []ticket.StatusChange{
					change(utc(d("01 10:00")), "New", ticket.Open),
					change(utc(d("01 10:30")), "Resolved", ticket.Resolved),
					change(utc(d("01 10:30")), "Active", ticket.Open),
					change(utc(d("01 10:30")), "Awaiting User Info", ticket.Paused),
				},
			},
			{
				ID: "BACK", Created: utc(d("01 09:00")), Priority: "4 - Low",
				History: []ticket.StatusChange{
					change(utc(d("01 09:30")), "Resolved", ticket.Resolved),
					change(utc(d("01 10:00")), "Active", ticket.Open),
					change(utc(d("01 12:00")), "Closed", ticket.Closed),
				},
			},
			{
				ID: "BAD", Created: utc(d("01 09:00")), Priority: "4 - Low",
				History: []ticket.StatusChange{
					change(utc(d("01 09:00")), "New", ticket.Open),
					change(utc(d("01 09:10")), "Active", ticket.Open),
				},
			},
		}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "log.csv"), sequenceLog)
			b := syncOK(t, newSource(t, dir, fmt.Sprintf(config, tt.sequence)), nil)
			if diff := diffBatch(tt.want, b); diff != "" {
				t.Errorf("batch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSync_rowStopTimes: without status_time, a resolved, closed or cancelled status takes its
// time from the resolved and closed columns, and replaces the entries at that instant.
func TestSync_rowStopTimes(t *testing.T) {
	const config = `file:
  path: rows.csv
  columns: {id: key, created: created, status: status, resolved: resolved, closed: closed}
  time: {layout: "2006-01-02 15:04"}
  statuses: {open: [Open], paused: [Waiting], resolved: [Resolved], closed: [Closed, Done], cancelled: [Canceled]}
`
	const rows = `key,created,status,resolved,closed
A,2024-01-01 09:00,Done,2024-01-01 12:00,
B,2024-01-01 09:00,Closed,,2024-01-02 10:00
C,2024-01-01 09:00,Resolved,2024-01-01 12:00,2024-01-01 12:00
D,2024-01-01 09:00,Closed,2024-01-01 12:00,2024-01-01 12:00
E,2024-01-01 09:00,Canceled,2024-01-01 11:00,
F,2024-01-01 09:00,Canceled,,
G,2024-01-01 09:00,Closed,,
H,2024-01-01 09:00,Closed,2024-01-01 12:00,2024-01-02 08:00
I,2024-01-01 09:00,Resolved,2024-01-01 12:00,2024-01-02 08:00
J,2024-01-01 09:00,Open,2024-01-01 12:00,
K,2024-01-01 09:00,Waiting,,
`
	created := utc("2024-01-01 09:00")
	tk := func(id string, h ...ticket.StatusChange) ticket.Ticket {
		return ticket.Ticket{ID: id, Created: created, History: h}
	}
	noon := utc("2024-01-01 12:00")
	want := collector.Batch{Replace: true, Tickets: []ticket.Ticket{
		// Jira: Done with only a Resolved time: done then, one entry.
		tk("A", change(noon, "Done", ticket.Closed)),
		tk("B", change(utc("2024-01-02 10:00"), "Closed", ticket.Closed)),
		// Equal resolved and closed times: the status says which it is.
		tk("C", change(noon, "Resolved", ticket.Resolved)),
		tk("D", change(noon, "Closed", ticket.Closed)),
		// Cancelled at its Resolved time (Won't Do sets it): no resolution is counted.
		tk("E", change(utc("2024-01-01 11:00"), "Canceled", ticket.Cancelled)),
		// Cancelled, no time at all: at creation.
		tk("F", change(created, "Canceled", ticket.Cancelled)),
		tk("H", change(noon, "Resolved", ticket.Resolved), change(utc("2024-01-02 08:00"), "Closed", ticket.Closed)),
		tk("K", change(created, "Waiting", ticket.Paused)),
	}, Rejected: rejections(
		`rows.csv:8|ticket G: status "Closed" is closed, but columns.status_time is not mapped and the row has no resolved or closed time, so the status has no time`,
		`rows.csv:10|ticket I: the current status "Resolved" (resolved, since 2024-01-01 12:00) is not the latest: closed at 2024-01-02 08:00 is later`,
		`rows.csv:11|ticket J: status "Open" is open after a resolution or closure, but columns.status_time is not mapped, so the reopen has no time`,
	)}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "rows.csv"), rows)
	b := syncOK(t, newSource(t, dir, config), nil)
	if diff := diffBatch(want, b); diff != "" {
		t.Errorf("batch (-want +got):\n%s", diff)
	}
}
