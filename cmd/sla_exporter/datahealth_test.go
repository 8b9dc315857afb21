package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/demo"
)

// cause is how the rejections of wrongLayoutConfig's rows are grouped: without their values.
const cause = `column "opened_at": does not match layout "02-01-2006 15:04"; column "sys_updated_at": does not match layout "02-01-2006 15:04"`

// wrongLayoutConfig is deploy/config/servicenow.yml pointed at an export written as the full
// public data set writes dates (29/2/2016 01:16), but with the shipped sample's layout only.
func wrongLayoutConfig(t *testing.T) (cfgFile, dataFile string) {
	t.Helper()
	raw, err := os.ReadFile("../../deploy/config/servicenow.yml")
	if err != nil {
		t.Fatal(err)
	}
	data, err := filepath.Abs("../../collector/file/testdata/servicenow-real-style.csv")
	if err != nil {
		t.Fatal(err)
	}
	cfg := string(raw)
	for old, new := range map[string]string{
		"path: ../../collector/file/testdata/servicenow-incident-event-log-sample.csv": "path: " + data,
		`layout: ["02-01-2006 15:04", "2/1/2006 15:04", "2006-01-02 15:04:05"]`:        `layout: "02-01-2006 15:04"`,
	} {
		if !strings.Contains(cfg, old) {
			t.Fatalf("servicenow.yml has no %q", old)
		}
		cfg = strings.Replace(cfg, old, new, 1)
	}
	return writeFile(t, t.TempDir(), "servicenow.yml", cfg), data
}

// TestCheckWrongDateLayout: check reads the data and fails, naming the layout, the configuration
// line of the setting and a data line. --syntax-only does not read it.
func TestCheckWrongDateLayout(t *testing.T) {
	cfg, data := wrongLayoutConfig(t)
	stdout, _, err := runCmd(t, "check", "--config.file="+cfg)
	if err == nil {
		t.Fatalf("check passed a configuration whose date layout matches no row:\n%s", stdout)
	}
	// Line 20 is the source, line 49 its time.layout; the export's line 2 is its first row,
	// and every one of its 23 rows is rejected, both of its time columns missing the layout.
	want := cfg + `:20: sources[0] "servicenow": the daemon would refuse this data: all 23 records read were rejected` + "\n" +
		cfg + `:49: sources[0].file.time.layout: ` + cause + ` (23 records, e.g. ` + data + `:2)`
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error\n%s\nlacks\n%s", err, want)
	}
	if !strings.Contains(stdout, "23 × "+cause+", e.g. "+data+":2: the data does not fit "+cfg+":49: sources[0].file.time.layout") {
		t.Errorf("output does not list the cause with its count and a data line:\n%s", stdout)
	}
	if out, _, err := runCmd(t, "check", "--syntax-only", "--config.file="+cfg); err != nil || !strings.Contains(out, "configuration OK: 1 sources, 2 objectives, 5 KPIs, 0 contracts\n") {
		t.Errorf("check --syntax-only: %v\n%s", err, out)
	}
}

// TestServeWrongDateLayout: served, the same configuration shows its source down, rejecting, and
// no figure: every objective no_data, every KPI unknown, nothing green.
func TestServeWrongDateLayout(t *testing.T) {
	cfg, _ := wrongLayoutConfig(t)
	d := startDaemon(t, "http", nil, "--config.file="+cfg)
	d.waitReady()
	metrics := d.get("/metrics")
	for _, want := range []string{
		`sla_source_up{source="servicenow"} 0`,
		`sla_source_status{source="servicenow",status="rejecting"} 1`,
		`sla_source_last_sync_rejected_ratio{source="servicenow"} 1`,
		`sla_status{objective="incident-resolution",service="service-desk",status="no_data"} 1`,
	} {
		if !hasLine(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, l := range strings.Split(metrics, "\n") {
		switch {
		case strings.HasPrefix(l, "sla_attainment_ratio"), strings.HasPrefix(l, "sla_kpi_value"),
			strings.HasPrefix(l, "sla_status{") && strings.Contains(l, `status="ok"} 1`),
			strings.HasPrefix(l, "sla_kpi_status{") && strings.Contains(l, `status="green"} 1`):
			t.Errorf("a figure is published on data that was all rejected: %s", l)
		}
	}
	api := d.get("/api/v1/sources")
	for _, want := range []string{`"state": "rejecting"`, `"refusal": "all 23 records read were rejected"`,
		`"setting": "file.time.layout"`, `"count": 23`} {
		if !strings.Contains(api, want) {
			t.Errorf("/api/v1/sources lacks %s:\n%s", want, api)
		}
	}
	if page := d.get("/"); !strings.Contains(page, "rejecting: too many malformed records") || !strings.Contains(page, "23 × column &#34;opened_at&#34;: does not match layout") {
		t.Errorf("the status page does not show the source rejecting with its cause:\n%.4000s", page)
	}
}

// TestReadyMeansFigures starts the demo on a fresh store and polls /-/ready as a load balancer
// would: the first 200 must come with an attainment for every objective, not with every
// objective no_data while the first sync is still being committed. Ready then stays ready.
func TestReadyMeansFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("syncs the demo's 100 days")
	}
	d := startDaemon(t, "http", nil)
	deadline := time.Now().Add(60 * time.Second)
	for {
		code, _, err := d.request("GET", "/-/ready", nil)
		if err == nil && code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready within 60s:\n%s", d.stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	metrics := d.get("/metrics")
	cfg, err := config.Load(demo.ConfigYAML, demoName, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range cfg.Objectives {
		if !hasLine(metrics, `sla_attainment_ratio{objective="`+o.Name+`"`) {
			t.Errorf("first ready answer: no sla_attainment_ratio for %s", o.Name)
		}
	}
	for range 20 {
		if code, body, err := d.request("GET", "/-/ready", nil); err != nil || code != 200 {
			t.Fatalf("ready flapped: %d %q %v", code, body, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCheckDataErrors: what only reading the data finds fails check, naming the configuration
// line at fault and, for records, a data line.
func TestCheckDataErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "tickets.csv", "id,opened,state\nT1,2026-11-02T09:00:00Z,New\nT2,2026-11-02T10:00:00Z,In Progress\nT3,2026-11-02T11:00:00Z,New\n")
	const base = `sources:
  - name: desk
    type: file
    file:
      path: tickets.csv
      columns: {id: id, created: opened, status: state}
      statuses:
        open: [New, In Progress]
objectives:
  - {name: resp, service: desk, kind: ticket, source: desk, clock: response, targets: {"*": 1h}, target: 0.9}
`
	for _, tc := range []struct{ name, old, new, want string }{
		{"missing file", "path: tickets.csv", "path: tickets-2026.csv",
			`:2: sources[0] "desk": file does not exist: ` + filepath.Join(dir, "tickets-2026.csv")},
		{"column not in the header", "status: state", "status: status",
			`:2: sources[0] "desk": tickets.csv: the header has no column "status" (columns.status, configuration line 6)`},
		{"unmapped status", "open: [New, In Progress]", "open: [New]",
			`:7: sources[0].file.statuses: column "state": status "In Progress" is not listed under statuses (1 records, e.g. tickets.csv:3)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeFile(t, dir, "sla.yml", strings.Replace(base, tc.old, tc.new, 1))
			out, _, err := runCmd(t, "check", "--config.file="+cfg)
			if err == nil || !strings.Contains(err.Error(), cfg+tc.want) {
				t.Errorf("check: %v, want an error with %s%s\n%s", err, cfg, tc.want, out)
			}
		})
	}
	cfg := writeFile(t, dir, "sla.yml", base)
	if out, _, err := runCmd(t, "check", "--config.file="+cfg); err != nil || !strings.HasSuffix(out, "data OK\n") {
		t.Errorf("check of the good configuration: %v\n%s", err, out)
	}
}

// TestEmptyConfigFile: --config.file= (a variable that expanded to nothing) is refused instead
// of serving the simulated demo; only leaving the flag out runs the demo.
func TestEmptyConfigFile(t *testing.T) {
	for _, args := range [][]string{{"--config.file=", "check"}, {"--config.file=", "serve", "--storage.path=" + t.TempDir()}} {
		_, _, err := runCmd(t, args...)
		if err == nil || err.Error() != "--config.file is empty: name the configuration file, or leave the flag out to run the built-in demo" {
			t.Errorf("%v: %v", args, err)
		}
	}
}
