package probe_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/config"
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
