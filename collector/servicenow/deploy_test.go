package servicenow_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/config"
)

// TestShippedExample loads deploy/config/servicenow-api.yml as the daemon would, sources built
// (a configuration check, not a sync: the example points at an instance a test cannot reach).
func TestShippedExample(t *testing.T) {
	cfg, err := config.LoadFile("../../deploy/config/servicenow-api.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sources) != 2 || cfg.Sources[0].Type != "servicenow" || cfg.Sources[1].Type != "servicenow" {
		t.Fatalf("sources %+v", cfg.Sources)
	}
	for _, s := range cfg.Sources {
		if _, err := s.RunnerConfig(slog.New(slog.DiscardHandler), nil, time.Now); err != nil {
			t.Errorf("building source %s: %v", s.Name, err)
		}
	}
}
