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
	rc, err := cfg.Sources[0].RunnerConfig(slog.New(slog.DiscardHandler), nil, time.Now)
	if err != nil {
		t.Fatalf("building the source: %v", err)
	}
	// The API lists only recent history: a change of settings must keep what is stored.
	if !rc.Live {
		t.Error("the kind is not live: a change of settings would drop history the API no longer lists")
	}
}
