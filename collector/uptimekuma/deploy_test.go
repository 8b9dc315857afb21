package uptimekuma_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/config"
)

// TestShippedExample loads deploy/config/uptime/uptime_kuma.yml as the daemon would, sources
// built (a configuration check, not a sync).
func TestShippedExample(t *testing.T) {
	cfg, err := config.LoadFile("../../deploy/config/uptime/uptime_kuma.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sources) != 1 || cfg.Sources[0].Type != "uptime_kuma" {
		t.Fatalf("sources %+v", cfg.Sources)
	}
	if _, err := cfg.Sources[0].RunnerConfig(slog.New(slog.DiscardHandler), nil, time.Now); err != nil {
		t.Errorf("building the source: %v", err)
	}
}
