package rt_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/config"
)

// liveConfig is the shipped example for a live RT. It sits outside deploy/config/*.yml, which
// cmd/sla_exporter checks with their data: it needs a running RT.
const liveConfig = "../../deploy/config/live/rt.yml"

// TestLiveConfig loads the shipped example whole and builds its rt source; TestRealRT syncs the
// same rt block from a real RT.
func TestLiveConfig(t *testing.T) {
	cfg, err := config.LoadFile(liveConfig)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, s := range cfg.Sources {
		if _, err := s.RunnerConfig(slog.New(slog.DiscardHandler), nil, time.Now); err != nil {
			t.Errorf("source %s: %v", s.Name, err)
		}
		kinds = append(kinds, s.Type)
	}
	if got := strings.Join(kinds, ","); got != "rt" {
		t.Errorf("source types %s, want rt", got)
	}
}
