package main

import (
	"errors"
	"log/slog"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/demo"
)

// demoName is how the built-in demo configuration is named in messages.
const demoName = "built-in demo configuration"

// configFlag is --config.file, and whether it was given at all: the demo runs only without the
// flag, so that a deployment whose variable expanded to nothing (--config.file=${CONFIG_FILE})
// is refused instead of serving simulated figures and alerting on them.
type configFlag struct {
	file string
	set  bool
}

// errEmptyConfigFile refuses --config.file with an empty value.
var errEmptyConfigFile = errors.New("--config.file is empty: name the configuration file, or leave the flag out to run the built-in demo")

// load loads the configuration file, or the built-in demo when the flag was not given.
func (f *configFlag) load() (cfg *config.Config, isDemo bool, err error) {
	switch {
	case f.set && f.file == "":
		return nil, false, errEmptyConfigFile
	case !f.set:
		cfg, err = config.Load(demo.ConfigYAML, demoName, ".")
		return cfg, true, err
	}
	cfg, err = config.LoadFile(f.file)
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
