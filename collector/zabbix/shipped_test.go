package zabbix_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/config"
)

// shippedConfig is the shipped example. It sits outside deploy/config/*.yml, which
// cmd/sla_exporter checks with their data: it needs a running Zabbix.
const shippedConfig = "../../deploy/config/uptime/zabbix.yml"

// TestShippedConfig loads the shipped example whole and builds its zabbix source.
func TestShippedConfig(t *testing.T) {
	cfg, err := config.LoadFile(shippedConfig)
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
	if got := strings.Join(kinds, ","); got != "zabbix" {
		t.Errorf("source types %s, want zabbix", got)
	}
}
