package prometheus_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/config"
)

// TestShippedExample loads deploy/config/uptime/prometheus.yml as the daemon would, the source
// built (a configuration check, not a sync: the example points at a server a test cannot reach).
func TestShippedExample(t *testing.T) {
	cfg, err := config.LoadFile("../../deploy/config/uptime/prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sources) != 1 || cfg.Sources[0].Type != "prometheus" {
		t.Fatalf("sources %+v", cfg.Sources)
	}
	if _, err := cfg.Sources[0].RunnerConfig(slog.New(slog.DiscardHandler), nil, time.Now); err != nil {
		t.Errorf("building the source: %v", err)
	}
}
