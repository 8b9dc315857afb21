package jira_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/config"
)

// TestShippedConfig loads deploy/config/live/jira.yml as the daemon would, its source built (a
// configuration check, not a sync: the example points at a site a test cannot reach).
func TestShippedConfig(t *testing.T) {
	cfg, err := config.LoadFile("../../deploy/config/live/jira.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sources) != 1 || cfg.Sources[0].Type != "jira" {
		t.Fatalf("sources %+v", cfg.Sources)
	}
	if _, err := cfg.Sources[0].RunnerConfig(slog.New(slog.DiscardHandler), nil, time.Now); err != nil {
		t.Errorf("building the source: %v", err)
	}
}
