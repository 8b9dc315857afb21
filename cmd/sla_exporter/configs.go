package main

import (
	"log/slog"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/demo"
	"github.com/sla-exporter/sla_exporter/collector/sources"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
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
		kind, err := sources.Lookup(s.Type)
		if err != nil {
			return nil, err
		}
		src, err := kind.New(s.Block, collector.Options{Name: s.Name, Dir: s.Dir, Logger: logger.With("source_name", s.Name), Now: now, Requests: requests})
		if err != nil {
			return nil, err
		}
		out = append(out, collector.SourceConfig{Name: s.Name, Type: s.Type, Source: src, Interval: s.Interval, Timeout: s.Timeout, Hash: s.Hash,
			Tickets: ticket.StoreOptions{Priorities: s.Priorities}})
	}
	return out, nil
}
