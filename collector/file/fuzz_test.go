package file

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
)

// fuzzPlans compiles the fixed mappings the fuzz targets read arbitrary bytes with.
func fuzzPlans(f *testing.F, configs ...string) []*plan {
	f.Helper()
	var plans []*plan
	for _, c := range configs {
		src, err := New(block(f, c), collector.Options{Name: "fuzz", Dir: "/fuzz"})
		if err != nil {
			f.Fatal(err)
		}
		plans = append(plans, src.(*Source).plan)
	}
	return plans
}

// fuzzRead reads data with p as Sync would, and checks what comes out: a parse either fails as a
// whole or yields valid records and rejections that say where.
func fuzzRead(t *testing.T, p *plan, data []byte) {
	rd := newReading(p, []string{"fuzz"})
	emit := func(rw *row) error { rd.b.add(rw); return nil }
	if err := p.read(bytes.NewReader(data), 0, "fuzz", emit); err != nil {
		if !strings.HasPrefix(err.Error(), "fuzz") {
			t.Errorf("error does not name the file: %v", err)
		}
		return
	}
	b := rd.finish(time.Unix(1e9, 0))
	for _, tk := range b.Tickets {
		if err := tk.Validate(); err != nil {
			t.Errorf("returned ticket does not validate: %v", err)
		}
	}
	for _, r := range b.Rejected {
		if !strings.HasPrefix(r.Where, "fuzz:") || r.Reason == "" {
			t.Errorf("rejection %+v does not say where and why", r)
		}
	}
	for _, s := range b.Uptime {
		for _, o := range s.Outages {
			if !o.Start.Before(o.End) {
				t.Errorf("outage %v does not end after its start", o)
			}
		}
	}
	for _, s := range b.Events {
		for _, bk := range s.Buckets {
			if !(bk.Good >= 0 && bk.Good <= bk.Total) {
				t.Errorf("bucket %v is not 0 <= good <= total", bk)
			}
		}
	}
}

func addSeeds(f *testing.F, files ...string) {
	for _, name := range files {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzParseCSV(f *testing.F) {
	plans := fuzzPlans(f, `file:
  path: a.csv
  layout: event_log
  csv: {delimiter: ";", comment: "#"}
  columns: {id: number, created: opened_at, status: state, status_time: updated_at, priority: priority, reassignments: reassignment_count, fields: {category: category}}
  time: {layout: "02.01.2006 15:04"}
  null_values: ["?"]
  statuses: {open: [New, Active], paused: [Awaiting User Info], resolved: [Resolved], closed: [Closed]}
  response_statuses: [Active]
`, `file:
  path: a.csv
  columns: {id: id, created: opened, status: state, status_time: updated, first_response: first_reply, resolved: resolved, closed: closed, reassignments: reassigned, rating: csat}
  time: {layout: "2006-01-02 15:04", timezone: Europe/Rome}
  statuses: {open: [New], paused: [Waiting], resolved: [Resolved], closed: [Closed], cancelled: [Cancelled]}
  ratings: {good: ["5"], bad: ["1"]}
`, `file:
  path: a.csv
  content: uptime
  columns: {series: service, start: from, end: to, state: severity}
  time: {layout: "2006-01-02 15:04"}
  states: {down: [major], degraded: [minor], up: [ok]}
  coverage: {from: "2024-01-01T00:00:00Z"}
`, `file:
  path: a.csv
  content: events
  columns: {time: minute, good: ok, total: all, series: endpoint}
`, `file:
  path: a.csv
  layout: event_log
  columns: {id: number, created: opened_at, status: state, status_time: updated_at, sequence: seq}
  time: {layout: ["02-01-2006 15:04", "2/1/2006 15:04", "2/Jan/06 3:04 PM", rfc3339]}
  statuses: {open: [New, Active], paused: [Waiting], resolved: [Resolved], closed: [Closed]}
`)
	addSeeds(f, "log_incidents.csv", "row_tickets.csv", "uptime_outages.csv", "events.csv")
	f.Add([]byte("number,state,seq,opened_at,updated_at\nA,New,1,29/2/2016 09:48,29/2/2016 11:10\nA,New,1,29-02-2016 09:48,29-02-2016 09:52\nA,Resolved,2,,29/Feb/16 11:03 AM\nA,Active,1.0,,2016-02-29T12:00:00Z\nA,Closed,x,,\n"))
	f.Add([]byte("number;opened_at;state;updated_at;priority;reassignment_count;category\nA;\"x\n"))
	f.Add([]byte("\ufeffid,opened\n\"a\"\"b\",\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, p := range plans {
			fuzzRead(t, p, data)
		}
	})
}

func FuzzParseJSON(f *testing.F) {
	plans := fuzzPlans(f, `file:
  path: a.json
  json: {records: result}
  columns: {id: number, created: opened_at, status: state, status_time: sys_updated_on, priority: priority.value, resolved: resolved_at, closed: closed_at, reassignments: reassignment_count, rating: csat, fields: {service: service}}
  statuses: {open: [New, In Progress], paused: [Waiting], resolved: [Resolved], closed: [Closed], cancelled: [Cancelled]}
  ratings: {good: ["4", "5"], bad: ["1", "2"]}
`, `file:
  path: a.json
  content: uptime
  columns: {time: at, state: up}
`, `file:
  path: a.ndjson
  layout: event_log
  columns: {id: key, status: change.to, status_time: change.at, priority: fields.priority.name}
  statuses: {open: [Open], paused: [Waiting for customer], closed: [Done]}
`, `file:
  path: a.ndjson
  columns: {id: id, created: t.open, status: state, status_time: t.upd, resolved: t.res, closed: t.clo, reassignments: "n"}
  time: {layout: unix}
  statuses: {open: [In Progress], paused: [waiting], resolved: [Resolved], closed: [Closed], cancelled: [Cancelled]}
`, `file:
  path: a.json
  content: events
  columns: {time: ts, bad: errors, total: requests}
  time: {layout: unix_ms}
`)
	addSeeds(f, "row_tickets.json", "uptime_samples.json", "log_requests.ndjson", "row_tickets.ndjson", "events.json")
	f.Add([]byte(`{"result": [{"number": "A", "opened_at": "2024-01-01T00:00:00Z"}], "x": [1, {"y": null}]}`))
	f.Add([]byte("[1, \"a\", null, {}, []]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, p := range plans {
			fuzzRead(t, p, data)
		}
	})
}

// FuzzParseTime reads arbitrary values with a list of layouts: a value read is what the first
// layout reading it gives; a value not read is an error quoting it.
func FuzzParseTime(f *testing.F) {
	p := fuzzPlans(f, `file:
  path: a.csv
  columns: {id: id, created: created}
  time: {layout: ["02-01-2006 15:04", "2/1/2006 15:04", "2/Jan/06 3:04 PM", rfc3339, unix_ms], timezone: Europe/Rome}
`)[0]
	for _, s := range []string{"29-02-2016 01:16", "29/2/2016 1:16", "4/Mar/24 9:15 AM", "2016-02-29T01:16:00Z", "1456708560000", "31/2/2016 1:16", "", "1e30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := p.times.parse(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), quote(s)) {
				t.Errorf("error %q does not start with the value", err)
			}
			return
		}
		for _, n := range p.times.notations {
			if want, err := n.read(s, p.times.loc); err == nil {
				if !got.Equal(want) {
					t.Errorf("parse(%q) = %v, but %q, the first layout reading it, gives %v", s, got, n.name(), want)
				}
				return
			}
		}
		t.Errorf("parse(%q) = %v, but no layout reads it", s, got)
	})
}
