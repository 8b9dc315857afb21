package file

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

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

// jiraBlock returns the file: block of the shipped Jira example (deploy/config/jira.yml), its
// path replaced by path when path is not empty. The rest of that configuration (the source's
// priorities mapping, the objectives) is the configuration loader's to test.
func jiraBlock(t *testing.T, path string) *yaml.Node {
	t.Helper()
	data, err := os.ReadFile("../../deploy/config/jira.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Sources []struct {
			File yaml.Node `yaml:"file"`
		} `yaml:"sources"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sources) != 1 {
		t.Fatalf("jira.yml has %d sources, want 1", len(cfg.Sources))
	}
	node := &cfg.Sources[0].File
	for i := 0; path != "" && i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value == "path" {
			node.Content[i+1].Value = path
		}
	}
	return node
}

// TestSync_jiraExport reads the sample Jira export with the shipped example's mapping: every
// issue comes out, the Closed, Done and Canceled ones included, though the export has no status
// time.
func TestSync_jiraExport(t *testing.T) {
	src, err := New(jiraBlock(t, ""), collector.Options{Name: "jira", Dir: "../../deploy/config"})
	if err != nil {
		t.Fatal(err)
	}
	b := syncOK(t, src, nil)
	berlin := func(s string) time.Time { return in("Europe/Berlin", s) } // CET, UTC+1, in March 2024
	issue := func(id, created, prio, typ string, fields map[string]string, firstResponse string, h ...ticket.StatusChange) ticket.Ticket {
		tk := ticket.Ticket{ID: id, Created: berlin(created), Priority: prio, Type: typ, Fields: fields, History: h}
		if firstResponse != "" {
			tk.FirstResponse = berlin(firstResponse)
		}
		return tk
	}
	comp := func(c, resolution string) map[string]string {
		m := map[string]string{"component": c}
		if resolution != "" {
			m["resolution"] = resolution
		}
		return m
	}
	want := collector.Batch{Replace: true, Tickets: []ticket.Ticket{
		// Done 4/Mar/24 1:40 PM: closed at its Resolved time.
		issue("SD-101", "2024-03-04 09:15", "Highest", "Incident", comp("Network", "Done"), "2024-03-04 09:32",
			change(berlin("2024-03-04 13:40"), "Done", ticket.Closed)),
		issue("SD-102", "2024-03-04 10:02", "High", "Incident", comp("Mail", "Fixed"), "2024-03-04 11:30",
			change(berlin("2024-03-05 16:10"), "Closed", ticket.Closed)),
		// Won't Do: withdrawn at its Resolved time, no resolution counted.
		issue("SD-103", "2024-03-04 11:20", "Medium", "Service Request", comp("Hardware", "Won't Do"), "2024-03-04 14:00",
			change(berlin("2024-03-06 08:05"), "Canceled", ticket.Cancelled)),
		// Canceled without a Resolved date: withdrawn at creation.
		issue("SD-104", "2024-03-05 14:00", "Low", "Incident", comp("Hardware", ""), "",
			change(berlin("2024-03-05 14:00"), "Canceled", ticket.Cancelled)),
		issue("SD-105", "2024-03-05 15:45", "High", "Incident", comp("Apps", ""), "2024-03-05 16:00",
			change(berlin("2024-03-05 15:45"), "In Progress", ticket.Open)),
		// A summary over two lines (CRLF inside quotes); waiting is open here.
		issue("SD-106", "2024-03-06 09:00", "Medium", "Incident", comp("Storage", ""), "2024-03-06 09:20",
			change(berlin("2024-03-06 09:00"), "Waiting for customer", ticket.Open)),
		// 12:00 PM is noon.
		issue("SD-107", "2024-03-06 10:10", "Lowest", "Service Request", comp("Apps", "Done"), "2024-03-06 15:15",
			change(berlin("2024-03-07 12:00"), "Resolved", ticket.Resolved)),
		// 11:55 PM, then 12:30 AM the next day: 23:55 and 00:30.
		issue("SD-108", "2024-03-07 23:55", "Highest", "Incident", comp("Web", "Done"), "2024-03-08 00:02",
			change(berlin("2024-03-08 00:30"), "Done", ticket.Closed)),
		issue("SD-109", "2024-03-08 08:00", "High", "Incident", comp("Telephony", ""), "",
			change(berlin("2024-03-08 08:00"), "Open", ticket.Open)),
	}}
	if d := diffBatch(want, b); d != "" {
		t.Errorf("batch (-want +got):\n%s", d)
	}

	// Rows the mapping cannot read say why: the column, the value, the layout or the status.
	dir := t.TempDir()
	data := string(fixture(t, "jira-issues.csv")) +
		"Bad date,SD-110,10110,Incident,Open,High,,,Sam Lee,2024-03-08 10:00,8/Mar/24 10:00 AM,,,,Web,\r\n" +
		"Unknown status,SD-111,10111,Incident,Escalated to vendor,High,,,Sam Lee,8/Mar/24 10:00 AM,8/Mar/24 10:00 AM,,,,Web,\r\n"
	write(t, filepath.Join(dir, "jira-issues.csv"), data)
	src, err = New(jiraBlock(t, "jira-issues.csv"), collector.Options{Name: "jira", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	b = syncOK(t, src, nil)
	wantRej := rejections(
		`jira-issues.csv:12|column "Created": "2024-03-08 10:00" does not match layout "2/Jan/06 3:04 PM"`,
		`jira-issues.csv:13|column "Status": status "Escalated to vendor" has no category: list it under statuses, or set default_category (the category of statuses not listed)`,
	)
	if d := cmp.Diff(wantRej, b.Rejected, reasonsOnly); d != "" || len(b.Tickets) != 9 {
		t.Errorf("%d tickets, rejections (-want +got):\n%s", len(b.Tickets), d)
	}
}
