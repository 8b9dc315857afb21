package probe_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/demo"
	"github.com/sla-exporter/sla_exporter/collector/probe"
)

// TestShippedExample loads deploy/config/uptime/probe.yml as the daemon would, its source built
// (a configuration check: the example probes hosts a test cannot reach).
func TestShippedExample(t *testing.T) {
	cfg, err := config.LoadFile("../../deploy/config/uptime/probe.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sources) != 1 || cfg.Sources[0].Type != "probe" {
		t.Fatalf("sources %+v", cfg.Sources)
	}
	rc, err := cfg.Sources[0].RunnerConfig(slog.New(slog.DiscardHandler), nil, time.Now)
	if err != nil {
		t.Fatalf("building the source: %v", err)
	}
	src, ok := rc.Source.(*probe.Source)
	if !ok {
		t.Fatalf("source %T", rc.Source)
	}
	if n := len(src.Scheduler().Targets()); n != 4 {
		t.Errorf("%d targets, want the example's 4", n)
	}
	if err := src.Close(); err != nil {
		t.Error(err)
	}
}

// TestDemoWithProbe: the change docs/configuration.md shows ("The demo with a real probe") to
// measure a real site in the demo's configuration loads, and the web shop's objective then
// reads the probe.
func TestDemoWithProbe(t *testing.T) {
	text := string(demo.ConfigYAML)
	for _, edit := range []struct{ old, new string }{
		{"    demo:\n      seed: 1\n", "    demo:\n      seed: 1\n" + `  - name: probes
    type: probe
    interval: 30s
    timeout: 20s
    probe:
      targets:
        - series: webshop
          http: {url: "https://www.example.org/"}
`},
		{"    source: demo\n    series: webshop\n", "    source: probes                    # was: demo\n    series: webshop\n"},
	} {
		if strings.Count(text, edit.old) != 1 {
			t.Fatalf("the demo configuration no longer has %q once: update the documentation's snippet", edit.old)
		}
		text = strings.Replace(text, edit.old, edit.new, 1)
	}
	cfg, err := config.Load([]byte(text), "sla.yml", ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range cfg.Objectives {
		if o.Name == "webshop-availability" && (o.Source != "probes" || o.Series != "webshop") {
			t.Errorf("webshop-availability reads %s/%s", o.Source, o.Series)
		}
	}
}
