package file

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/events"
)

func sample(unix int64, s availability.State) availability.Sample {
	return availability.Sample{At: time.Unix(unix, 0).UTC(), State: s}
}

func outage(start, end time.Time, s availability.State) availability.Outage {
	return availability.Outage{Start: start, End: end, State: s}
}

func TestSync_uptime(t *testing.T) {
	covFrom, covTo := utc("2024-01-01 00:00"), utc("2024-02-01 00:00")
	tests := []struct {
		name   string
		config string
		want   collector.Batch
	}{{
		name: "csv samples with series and custom states",
		config: `file:
  path: uptime_samples.csv
  content: uptime
  columns: {time: ts, state: status, series: check}
  time: {layout: unix}
  states: {up: [OK], down: [CRITICAL], degraded: [WARNING], unknown: [UNKNOWN]}
`,
		want: collector.Batch{Replace: true, Uptime: []collector.UptimeSeries{
			{Series: "web", Samples: []availability.Sample{
				sample(1704067200, availability.Up), sample(1704067260, availability.Up),
				sample(1704067320, availability.Degraded), sample(1704067440, availability.Down),
			}},
			{Series: "api", Samples: []availability.Sample{
				sample(1704067200, availability.Down), sample(1704067260, availability.Unknown),
			}},
		}, Rejected: rejections(
			`uptime_samples.csv:7|column "status": state "BOGUS" is not listed under states (up, down, degraded, unknown)`,
			`uptime_samples.csv:8|column "ts": no time`,
			`uptime_samples.csv:9|column "status": no state`,
		)},
	}, {
		name: "json samples with default states, series named after the source",
		config: `file:
  path: uptime_samples.json
  content: uptime
  columns: {time: at, state: up}
`,
		want: collector.Batch{Replace: true, Uptime: []collector.UptimeSeries{
			{Series: "probe", Samples: []availability.Sample{
				sample(1704067200, availability.Up), sample(1704067260, availability.Down), sample(1704067320, availability.Up),
			}},
		}, Rejected: rejections(
			`uptime_samples.json:5|column "up": state "maybe" is not listed under states (up, down, degraded, unknown)`,
		)},
	}, {
		name: "csv outage rows with a coverage",
		config: `file:
  path: uptime_outages.csv
  content: uptime
  columns: {series: service, start: from, end: to, state: severity}
  time: {layout: "2006-01-02 15:04"}
  states: {down: [major], degraded: [minor], up: [ok]}
  coverage: {from: "2024-01-01T00:00:00Z", to: "2024-02-01T00:00:00Z", series: [shop, mail, dns]}
`,
		want: collector.Batch{Replace: true, Uptime: []collector.UptimeSeries{
			{Series: "shop", CoveredFrom: covFrom, CoveredTo: covTo, Outages: []availability.Outage{
				outage(utc("2024-01-05 08:00"), utc("2024-01-05 08:10"), availability.Degraded),
				outage(utc("2024-01-10 10:00"), utc("2024-01-10 10:30"), availability.Down),
				outage(utc("2024-01-17 10:00"), utc("2024-01-17 11:00"), availability.Down),
			}},
			// Still going on: to the end of the coverage.
			{Series: "mail", CoveredFrom: covFrom, CoveredTo: covTo, Outages: []availability.Outage{
				outage(utc("2024-01-12 00:00"), covTo, availability.Down),
			}},
			// Listed in coverage.series, never down.
			{Series: "dns", CoveredFrom: covFrom, CoveredTo: covTo, Outages: []availability.Outage{}},
		}, Rejected: rejections(
			`uptime_outages.csv:5|column "to": the outage ends at 2024-01-15 09:00, not after its start 2024-01-15 10:00`,
			`uptime_outages.csv:6|column "severity": an outage is down or degraded, not up`,
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

// TestSync_uptimeCoverageToModTime: without coverage.to the record vouches up to the file's last
// write.
func TestSync_uptimeCoverageToModTime(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("testdata/uptime_outages.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "outages.ndjson")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	written := utc("2024-01-31 00:00")
	if err := os.Chtimes(path, written, written); err != nil {
		t.Fatal(err)
	}
	src := newSource(t, dir, `file:
  path: outages.ndjson
  content: uptime
  columns: {start: start, end: end}
  constants: {series: shop}
  coverage: {from: "2024-01-01T00:00:00Z"}
`)
	want := collector.Batch{Replace: true, Uptime: []collector.UptimeSeries{
		{Series: "shop", CoveredFrom: utc("2024-01-01 00:00"), CoveredTo: written, Outages: []availability.Outage{
			outage(utc("2024-01-10 10:00"), utc("2024-01-10 10:05"), availability.Down),
			outage(utc("2024-01-20 10:00"), written, availability.Down),
		}},
	}}
	if d := diffBatch(want, syncOK(t, src, nil)); d != "" {
		t.Errorf("batch (-want +got):\n%s", d)
	}
}

func TestSync_events(t *testing.T) {
	bucket := func(at time.Time, good, total float64) events.Bucket {
		return events.Bucket{Start: at, Good: good, Total: total}
	}
	tests := []struct {
		name   string
		config string
		want   collector.Batch
	}{{
		name: "csv with good and total",
		config: `file:
  path: events.csv
  content: events
  columns: {time: minute, good: ok, total: all, series: endpoint}
`,
		want: collector.Batch{Replace: true, Events: []collector.EventSeries{
			{Series: "checkout", Buckets: []events.Bucket{
				bucket(utc("2024-01-01 00:00"), 104, 105), // two rows at 00:00 add up
				bucket(utc("2024-01-01 00:01"), 95, 100),
				bucket(utc("2024-01-01 00:07"), 0, 0),
			}},
			{Series: "search", Buckets: []events.Bucket{bucket(utc("2024-01-01 00:00"), 10, 10)}},
		}, Rejected: rejections(
			`events.csv:6|column "ok": 101 good events is more than the total 100`,
			`events.csv:7|column "ok": "-1" is negative`,
			`events.csv:8|column "ok": "NaN" is not a finite number`,
			`events.csv:9|column "all": "1e400" is not a finite number; column "ok": "1e400" is not a finite number`,
			`events.csv:10|column "ok": "abc" is not a number`,
		)},
	}, {
		name: "json with bad and total, unix_ms, constant series",
		config: `file:
  path: events.json
  content: events
  columns: {time: ts, bad: errors, total: requests}
  constants: {series: api}
  time: {layout: unix_ms}
`,
		want: collector.Batch{Replace: true, Events: []collector.EventSeries{
			{Series: "api", Buckets: []events.Bucket{
				bucket(utc("2024-01-01 00:00"), 800.5, 800.5),
				bucket(utc("2024-01-01 00:01"), 997, 1000),
			}},
		}, Rejected: rejections(
			`events.json:4|column "errors": 5 bad events is more than the total 2`,
			`events.json:5|column "errors": no count`,
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
