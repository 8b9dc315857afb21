package file

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
)

func TestNew_errors(t *testing.T) {
	tests := []struct {
		name, config, want string
	}{
		{"unknown key", `file:
  path: a.csv
  columns:
    id: id
    prioritty: p
`, "line 5: columns.prioritty: unknown field (known: id, created, status, status_time, sequence, priority, type, group, first_response, resolved, closed, reassignments, work_time, rating, fields, time, state, series, start, end, good, bad, total)"},
		{"wrong type", `file:
  path: [a.csv]
`, "yaml: unmarshal errors:\n  line 2: cannot unmarshal !!seq into string"},
		{"max_size not a size", `file:
  path: a.csv
  max_size: 12 parsecs
`, "yaml: unmarshal errors:\n  line 3: \"12 parsecs\" is not a size: want a positive whole number of bytes, with an optional unit (B, KiB, MiB, GiB, TiB, kB, MB, GB, TB) such as 512MiB"},
		{"max_size zero", `file:
  path: a.csv
  max_size: 0
`, "yaml: unmarshal errors:\n  line 3: \"0\" is not a size: want a positive whole number of bytes, with an optional unit (B, KiB, MiB, GiB, TiB, kB, MB, GB, TB) such as 512MiB"},
		{"max_size a list", `file:
  path: a.csv
  max_size: [1]
`, "yaml: unmarshal errors:\n  line 3: cannot unmarshal !!seq into a size"},
		{"no path", `file:
  format: csv
`, "line 2: path: required: the file to read, or a glob (or url, to fetch the export over HTTP)"},
		{"bad glob", `file:
  path: "exports/[a.csv"
`, `line 2: path: "exports/[a.csv" is not a valid glob: syntax error in pattern`},
		{"format not known", `file:
  path: a.csv
  format: xlsx
`, `line 3: format: "xlsx" is not a format (want csv, json or ndjson)`},
		{"format not told by the extension", `file:
  path: export.txt
`, `line 2: path: the extension of "export.txt" does not tell the format: set format (csv, json or ndjson)`},
		{"content not known", `file:
  path: a.csv
  content: changes
`, `line 3: content: "changes" is not a content (want tickets, uptime or events)`},
		{"layout not known", `file:
  path: a.csv
  layout: wide
`, `line 3: layout: "wide" is not a layout (want one_row_per_ticket or event_log)`},
		{"layout for uptime", `file:
  path: a.csv
  content: uptime
  layout: event_log
`, "line 4: layout: applies to tickets, not uptime"},
		{"csv options for json", `file:
  path: a.json
  csv: {delimiter: ";"}
`, "line 3: csv: applies to the csv format, not json"},
		{"json options for csv", `file:
  path: a.csv
  json: {records: result}
`, "line 3: json.records: applies to the json format, not csv"},
		{"long delimiter", `file:
  path: a.csv
  csv: {delimiter: ";;"}
`, `line 3: csv.delimiter: ";;" is not one character`},
		{"quote delimiter", `file:
  path: a.csv
  csv: {delimiter: '"'}
`, `line 3: csv.delimiter: "\"" cannot separate CSV fields`},
		{"comment is the delimiter", `file:
  path: a.csv
  csv: {delimiter: ";", comment: ";"}
`, `line 3: csv.comment: ";" is also the delimiter`},
		{"empty records key", `file:
  path: a.json
  json: {records: "data..items"}
`, `line 3: json.records: "data..items" has an empty key`},
		{"id missing", `file:
  path: a.csv
  columns: {created: opened}
`, "line 3: columns.id: required for layout one_row_per_ticket"},
		{"created missing", `file:
  path: a.csv
  columns: {id: number}
`, "line 3: columns.created: required for layout one_row_per_ticket"},
		{"event log without status time", `file:
  path: a.csv
  layout: event_log
  columns: {id: number, status: state}
  statuses: {open: [New]}
`, "line 4: columns.status_time: required for layout event_log"},
		{"resolved column in an event log", `file:
  path: a.csv
  layout: event_log
  columns:
    id: number
    status: state
    status_time: updated
    resolved: resolved_at
  statuses: {open: [New]}
`, "line 8: columns.resolved: does not apply to layout event_log (an event log's history comes from its status rows; resolved and closed columns build the history of one_row_per_ticket)"},
		{"ticket column for events", `file:
  path: a.csv
  content: events
  columns: {time: t, good: g, total: n, priority: p}
`, "line 4: columns.priority: does not apply to events"},
		{"samples and outages", `file:
  path: a.csv
  content: uptime
  columns: {time: t, start: s, state: x}
`, "line 4: columns.time: uptime rows are samples (time, state) or outages (start, end), not both"},
		{"samples without state", `file:
  path: a.csv
  content: uptime
  columns: {time: t}
`, "line 4: columns.state: required for uptime samples"},
		{"events with good and bad", `file:
  path: a.csv
  content: events
  columns: {time: t, good: g, bad: b, total: n}
`, "line 4: columns.good: map one of good or bad (good = total - bad)"},
		{"events with neither good nor bad", `file:
  path: a.csv
  content: events
  columns: {time: t, total: n}
`, "line 4: columns.good: map one of good or bad (good = total - bad)"},
		{"fields for uptime", `file:
  path: a.csv
  content: uptime
  columns: {time: t, state: s, fields: {a: b}}
`, "line 4: columns.fields: applies to tickets, not uptime"},
		{"field without a column", `file:
  path: a.csv
  columns:
    id: number
    created: opened
    fields: {category: ""}
`, "line 6: columns.fields.category: a field needs a name and a column"},
		{"ticket constants for events", `file:
  path: a.csv
  content: events
  columns: {time: t, good: g, total: n}
  constants: {type: x}
`, "line 5: constants: priority, type, group and fields apply to tickets, not events"},
		{"series constant for tickets", `file:
  path: a.csv
  columns: {id: number, created: opened}
  constants: {series: web}
`, "line 4: constants.series: applies to uptime and events, not tickets"},
		{"not a Go layout", `file:
  path: a.csv
  columns: {id: number, created: opened}
  time: {layout: "dd-mm-yyyy HH:MM"}
`, `line 4: time.layout: "dd-mm-yyyy HH:MM" is not a Go time layout with a full date: write the reference time Mon Jan 2 15:04:05 MST 2006 as the file does, e.g. "02-01-2006 15:04" for 29-02-2016 13:04 (or use rfc3339, unix, unix_ms)`},
		{"layout without a year", `file:
  path: a.csv
  columns: {id: number, created: opened}
  time: {layout: "02-01 15:04"}
`, `line 4: time.layout: "02-01 15:04" is not a Go time layout with a full date: write the reference time Mon Jan 2 15:04:05 MST 2006 as the file does, e.g. "02-01-2006 15:04" for 29-02-2016 13:04 (or use rfc3339, unix, unix_ms)`},
		{"a bad layout in a list", `file:
  path: a.csv
  columns: {id: number, created: opened}
  time:
    layout:
      - "2/1/2006 15:04"
      - "dd-mm-yyyy"
`, `line 7: time.layout[1]: "dd-mm-yyyy" is not a Go time layout with a full date: write the reference time Mon Jan 2 15:04:05 MST 2006 as the file does, e.g. "02-01-2006 15:04" for 29-02-2016 13:04 (or use rfc3339, unix, unix_ms)`},
		{"an empty layout in a list", `file:
  path: a.csv
  columns: {id: number, created: opened}
  time: {layout: [rfc3339, ""]}
`, `line 4: time.layout[1]: entry 1 is empty`},
		{"a layout listed twice", `file:
  path: a.csv
  columns: {id: number, created: opened}
  time:
    layout: ["2006-01-02 15:04", unix, "2006-01-02 15:04"]
`, `line 5: time.layout[2]: "2006-01-02 15:04" is also entry 0`},
		{"day-first and month-first layouts", `file:
  path: a.csv
  columns: {id: number, created: opened}
  time:
    layout:
      - "2/1/2006 15:04"
      - "1/2/2006 15:04"
`, `line 7: time.layout[1]: "1/2/2006 15:04" writes 2016-03-04 05:06:00 as "3/4/2016 05:06", which the earlier "2/1/2006 15:04" reads as 2016-04-03 05:06:00: list only layouts that cannot be confused (not day-first and month-first together)`},
		// 20160304 s = 233 days (20,131,200 s) and 29,104 s (8:05:04): 1970-01-01 + 233 days.
		{"digits read as unix seconds", `file:
  path: a.csv
  columns: {id: number, created: opened}
  time: {layout: [unix, "20060102"]}
`, `line 4: time.layout[1]: "20060102" writes 2016-03-04 00:00:00 as "20160304", which the earlier "unix" reads as 1970-08-22 08:05:04: list only layouts that cannot be confused (not day-first and month-first together)`},
		{"a mapping for a layout", `file:
  path: a.csv
  columns: {id: number, created: opened}
  time:
    layout: {day: 2}
`, "yaml: unmarshal errors:\n  line 5: cannot unmarshal !!map into a time layout or a list of layouts"},
		{"zone with rfc3339 only", `file:
  path: a.csv
  columns: {id: number, created: opened}
  time: {layout: [RFC3339], timezone: Europe/Rome}
`, "line 4: time.timezone: applies to layouts without an offset, not rfc3339"},
		{"sequence for one row per ticket", `file:
  path: a.csv
  columns: {id: number, created: opened, sequence: sys_mod_count}
`, "line 3: columns.sequence: does not apply to layout one_row_per_ticket (it orders the rows of a ticket in an event_log)"},
		{"unknown zone", `file:
  path: a.csv
  columns: {id: number, created: opened}
  time: {layout: "2006-01-02 15:04", timezone: Europe/Atlantis}
`, `line 4: time.timezone: "Europe/Atlantis" is not an IANA time zone`},
		{"zone with rfc3339", `file:
  path: a.csv
  columns: {id: number, created: opened}
  time: {timezone: Europe/Rome}
`, "line 4: time.timezone: applies to layouts without an offset, not rfc3339"},
		{"status without statuses", `file:
  path: a.csv
  columns: {id: number, created: opened, status: state}
`, "line 2: statuses: required with columns.status: list the status names of each category (open, paused, resolved, closed, cancelled), or set default_category"},
		{"status in two categories", `file:
  path: a.csv
  columns: {id: number, created: opened, status: state}
  statuses:
    open: [New, Active]
    paused: [active]
`, `line 6: statuses.paused: "active" is also listed under open`},
		{"empty status name", `file:
  path: a.csv
  columns: {id: number, created: opened, status: state}
  statuses: {open: [New, ""]}
`, "line 4: statuses.open: entry 1 is empty"},
		{"default category not known", `file:
  path: a.csv
  columns: {id: number, created: opened, status: state}
  default_category: done
`, `line 4: default_category: unknown status category "done" (want open, paused, resolved, closed or cancelled)`},
		{"statuses without status column", `file:
  path: a.csv
  columns: {id: number, created: opened}
  statuses: {open: [New]}
`, "line 4: statuses: columns.status is not mapped, so no status is read"},
		{"statuses for uptime", `file:
  path: a.csv
  content: uptime
  columns: {time: t, state: s}
  statuses: {open: [New]}
`, "line 5: statuses: applies to tickets, not uptime"},
		{"response statuses for one row per ticket", `file:
  path: a.csv
  columns: {id: number, created: opened, status: state}
  statuses: {open: [New]}
  response_statuses: [Active]
`, "line 5: response_statuses: applies to layout event_log"},
		{"response statuses and column", `file:
  path: a.csv
  layout: event_log
  columns: {id: number, status: state, status_time: t, first_response: fr}
  statuses: {open: [New]}
  response_statuses: [Active]
`, "line 6: response_statuses: set either response_statuses or columns.first_response, not both"},
		{"ratings without column", `file:
  path: a.csv
  columns: {id: number, created: opened}
  ratings: {good: ["5"]}
`, "line 4: ratings: columns.rating is not mapped, so no rating is read"},
		{"rating column without ratings", `file:
  path: a.csv
  columns: {id: number, created: opened, rating: csat}
`, "line 3: columns.rating: ratings is empty: list the answers that are good and bad"},
		{"rating both good and bad", `file:
  path: a.csv
  columns: {id: number, created: opened, rating: csat}
  ratings: {good: ["3", "4"], bad: ["1", "3"]}
`, `line 4: ratings.bad: "3" is both good and bad`},
		{"states for tickets", `file:
  path: a.csv
  columns: {id: number, created: opened}
  states: {up: [ok]}
`, "line 4: states: applies to uptime, not tickets"},
		{"state in two lists", `file:
  path: a.csv
  content: uptime
  columns: {time: t, state: s}
  states: {up: [OK], down: [ok]}
`, `line 5: states.down: "ok" is also listed under up`},
		{"coverage for samples", `file:
  path: a.csv
  content: uptime
  columns: {time: t, state: s}
  coverage: {from: "2024-01-01T00:00:00Z"}
`, "line 5: coverage: applies to outage rows (columns.start), not samples"},
		{"outages without coverage", `file:
  path: a.csv
  content: uptime
  columns: {start: s, end: e}
`, "line 2: coverage.from: required with outage rows: the time (RFC 3339) since when the file records every outage"},
		{"coverage not a time", `file:
  path: a.csv
  content: uptime
  columns: {start: s, end: e}
  coverage: {from: "2024-01-01"}
`, `line 5: coverage.from: "2024-01-01" is not an RFC 3339 time (2024-01-31T00:00:00Z)`},
		{"coverage backwards", `file:
  path: a.csv
  content: uptime
  columns: {start: s, end: e}
  coverage: {from: "2024-02-01T00:00:00Z", to: "2024-01-01T00:00:00Z"}
`, "line 5: coverage.to: 2024-01-01T00:00:00Z is not after coverage.from 2024-02-01T00:00:00Z"},
		{"coverage for tickets", `file:
  path: a.csv
  columns: {id: number, created: opened}
  coverage: {from: "2024-01-01T00:00:00Z"}
`, "line 4: coverage: applies to uptime outage rows, not tickets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(block(t, tt.config), collector.Options{Name: "x", Dir: "/etc/sla"})
			if err == nil {
				t.Fatalf("New succeeded, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("New error:\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

// TestNew_defaults checks what an omitted key means.
func TestNew_defaults(t *testing.T) {
	tests := []struct {
		name, config string
		check        func(t *testing.T, p *plan)
	}{
		{"tsv is tab-separated csv of tickets, one row each", `file:
  path: exports/a.TSV
  columns: {id: number, created: opened}
`, func(t *testing.T, p *plan) {
			got := []any{p.format, p.delimiter, p.content, p.layout, p.pattern, p.glob, p.times.notations[0].name(), len(p.times.notations), p.times.loc.String()}
			want := []any{"csv", '\t', "tickets", "one_row_per_ticket", "/etc/sla/exports/a.TSV", false, "rfc3339", 1, "UTC"}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		}},
		{"jsonl is ndjson; absolute paths stay; globs are globs", `file:
  path: /var/exports/*.jsonl
  content: events
  columns: {time: t, good: g, total: n}
`, func(t *testing.T, p *plan) {
			got := []any{p.format, p.pattern, p.glob, p.seriesDef}
			want := []any{"ndjson", "/var/exports/*.jsonl", true, "x"}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		}},
		{"a layout list reads each value with the first layout that fits", `file:
  path: a.csv
  columns: {id: number, created: opened}
  time: {layout: ["02-01-2006 15:04", "2/1/2006 15:04", rfc3339, unix], timezone: Europe/Rome}
`, func(t *testing.T, p *plan) {
			for _, tc := range []struct {
				in   string
				want time.Time
			}{
				{"29-02-2016 01:16", rome("2016-02-29 01:16")},
				{"29/2/2016 1:16", rome("2016-02-29 01:16")},
				{"05/03/2016 12:00", rome("2016-03-05 12:00")},
				{"2016-02-29T01:16:00Z", utc("2016-02-29 01:16")},
				{"1456708560", utc("2016-02-29 01:16")}, // 16,860 days and 76 minutes: 16860*86400 + 76*60
			} {
				got, err := p.times.parse(tc.in)
				if err != nil || !got.Equal(tc.want) {
					t.Errorf("parse(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
				}
			}
			_, err := p.times.parse("2016/02/29")
			if want := `"2016/02/29" matches none of the layouts "02-01-2006 15:04", "2/1/2006 15:04", "rfc3339", "unix"`; err == nil || err.Error() != want {
				t.Errorf("parse error %v, want %s", err, want)
			}
			// Messages comparing times write them in the first layout.
			if got := p.times.format(rome("2016-02-29 01:16")); got != "29-02-2016 01:16" {
				t.Errorf("format = %q", got)
			}
		}},
		{"uptime states default", `file:
  path: a.json
  content: uptime
  columns: {time: t, state: s}
`, func(t *testing.T, p *plan) {
			if len(p.states) != 8 || p.states["true"] != 1 || p.states["0"] != 2 {
				t.Errorf("default states = %v", p.states)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := New(block(t, tt.config), collector.Options{Name: "x", Dir: "/etc/sla"})
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, src.(*Source).plan)
		})
	}
}

// TestNew_examples keeps the example mapping in testdata valid.
func TestNew_examples(t *testing.T) {
	data, err := os.ReadFile("testdata/servicenow.yml")
	if err != nil {
		t.Fatal(err)
	}
	// Drop the comment lines before the block, which block() does not mind anyway.
	if _, err := New(block(t, strings.TrimSpace(string(data))), collector.Options{Name: "servicenow", Dir: "testdata"}); err != nil {
		t.Fatal(err)
	}
}
