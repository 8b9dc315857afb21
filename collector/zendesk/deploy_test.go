package zendesk_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/config"
)

// TestShippedExample loads deploy/config/zendesk.yml as the daemon would, sources built (a
// configuration check, not a sync: the example points at an account a test cannot reach).
func TestShippedExample(t *testing.T) {
	cfg, err := config.LoadFile("../../deploy/config/zendesk.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sources) != 1 || cfg.Sources[0].Type != "zendesk" {
		t.Fatalf("sources %+v", cfg.Sources)
	}
	if _, err := cfg.Sources[0].RunnerConfig(slog.New(slog.DiscardHandler), nil, time.Now); err != nil {
		t.Errorf("building the source: %v", err)
	}
}
