package main

import (
	"log/slog"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/demo"
)

// demoName is how the built-in demo configuration is named in messages.
const demoName = "built-in demo configuration"

// loadConfig loads the configuration file, or the built-in demo when there is none.
func loadConfig(file string) (cfg *config.Config, isDemo bool, err error) {
	if file == "" {
		cfg, err = config.Load(demo.ConfigYAML, demoName, ".")
		return cfg, true, err
	}
	cfg, err = config.LoadFile(file)
	return cfg, false, err
}

// sourceConfigs builds the configured sources for the runner; now is their clock (time.Now but
// for one-shot evaluations at another instant).
func sourceConfigs(cfg *config.Config, logger *slog.Logger, requests *collector.Requests, now func() time.Time) ([]collector.SourceConfig, error) {
	out := make([]collector.SourceConfig, 0, len(cfg.Sources))
	for _, s := range cfg.Sources {
		sc, err := s.RunnerConfig(logger, requests, now)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}
