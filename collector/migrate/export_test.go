package migrate

import (
	"bytes"
	"strings"
	"testing"

	"github.com/OpenSLO/go-sdk/pkg/openslosdk"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sla-exporter/sla_exporter/collector/config"
)

// exportImport loads a configuration, exports it to OpenSLO, checks the documents with
// go-sdk's validator (decoding them again first, as a reader would), and imports them back.
func exportImport(t *testing.T, c *Config) (*Config, []string) {
	t.Helper()
	out, err := c.Marshal("")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(out, "roundtrip.yml", t.TempDir())
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	objects, skipped, err := ExportOpenSLO(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var doc bytes.Buffer
	if err := openslosdk.Encode(&doc, openslosdk.FormatYAML, objects...); err != nil {
		t.Fatal(err)
	}
	decoded, err := openslosdk.Decode(bytes.NewReader(doc.Bytes()), openslosdk.FormatYAML)
	if err != nil {
		t.Fatal(err)
	}
	if err := openslosdk.Validate(decoded...); err != nil {
		t.Fatalf("go-sdk's validator refuses the export: %v\n%s", err, doc.String())
	}
	res, err := Import("openslo", []Input{{Name: "export.yaml", Data: doc.Bytes()}}, Options{PrometheusURL: c.Sources[0].Prometheus.URL})
	if err != nil {
		t.Fatal(err)
	}
	return res.Config, skipped
}

// TestExportRoundTrip: the OpenSLO fixtures' import, exported and imported again, is the same
// configuration (objectives, targets, periods, timezones, labels, SLIs), and a second round
// changes nothing more.
func TestExportRoundTrip(t *testing.T) {
	in, err := ReadPaths([]string{"testdata/openslo"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Import("openslo", in, Options{PrometheusURL: "http://prometheus.example.com:9090"})
	if err != nil {
		t.Fatal(err)
	}
	c1 := res.Config
	c2, skipped := exportImport(t, c1)
	c3, _ := exportImport(t, c2)
	ignore := cmpopts.IgnoreUnexported(Config{})
	if diff := cmp.Diff(c2, c3, ignore); diff != "" {
		t.Errorf("a second round trip changed the configuration (-first +second):\n%s", diff)
	}
	// The first round keeps everything but alerting (skipped, listed) and gives each objective
	// of a several-objective SLO a series of its own.
	strip := func(c *Config) []Objective {
		var out []Objective
		for _, o := range c.Objectives {
			o.Alerting, o.Series = nil, ""
			out = append(out, o)
		}
		return out
	}
	if diff := cmp.Diff(strip(c1), strip(c2)); diff != "" {
		t.Errorf("export → import changed the objectives (-imported +round trip):\n%s", diff)
	}
	if len(c2.Sources[0].Prometheus.Availability) != len(c1.Sources[0].Prometheus.Availability) ||
		c2.Sources[0].Prometheus.Availability[0].Query != c1.Sources[0].Prometheus.Availability[0].Query {
		t.Errorf("availability entries differ: %+v vs %+v", c1.Sources[0].Prometheus.Availability, c2.Sources[0].Prometheus.Availability)
	}
	for _, e := range c2.Sources[0].Prometheus.Events {
		if e.Bad != `http_requests_total{job="checkout",code=~"5.."}` || e.Total != `http_requests_total{job="checkout"}` {
			t.Errorf("events entry %+v: want the fixture's selectors", e)
		}
	}
	if len(skipped) != 2 || !strings.Contains(skipped[0], "burn-rate tiers") {
		t.Errorf("skipped = %q, want the two objectives' alerting", skipped)
	}
}

// TestExportSkipsTicketSLAs: a ticket SLA is listed as skipped, with its line, and the
// event-ratio objective beside it is exported.
func TestExportSkipsTicketSLAs(t *testing.T) {
	const conf = `
sources:
  - name: tickets
    type: demo
  - name: prom
    type: prometheus
    prometheus:
      url: http://127.0.0.1:9090
      events:
        - series: api
          good: 'http_requests_total{code!~"5.."}'
          total: http_requests_total
objectives:
  - name: p1-resolution
    service: desk
    kind: ticket
    source: tickets
    clock: resolution
    targets: {"*": 4h}
    target: 95%
  - name: api-requests
    service: web
    kind: event_ratio
    source: prom
    series: api
    target: 99%
    period: rolling:28d
`
	cfg, err := config.Load([]byte(conf), "sla.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	objects, skipped, err := ExportOpenSLO(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`sla.yml:14: objective "p1-resolution": a ticket SLA: OpenSLO has no ticket clocks`}
	if diff := cmp.Diff(want, skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	// One Service and one SLO: the event ratio.
	if len(objects) != 2 || objects[1].GetName() != "api-requests" {
		t.Fatalf("objects = %v", objects)
	}
}
