package blackbox_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/probe"
)

// TestShippedExample loads deploy/config/uptime/blackbox.yml as the daemon would, its source
// built (a configuration check: nothing is requested before the first sync).
func TestShippedExample(t *testing.T) {
	cfg, err := config.LoadFile("../../deploy/config/uptime/blackbox.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sources) != 1 || cfg.Sources[0].Type != "blackbox" {
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
	var got []string
	for _, tg := range src.Scheduler().Targets() {
		got = append(got, tg.Series+" "+tg.Target+" "+tg.Prober)
	}
	if want := "web https://www.example.org/health http_2xx,db db.internal:5432 tcp_connect"; strings.Join(got, ",") != want {
		t.Errorf("targets %q, want %q", got, want)
	}
	if err := src.Close(); err != nil {
		t.Error(err)
	}
}
