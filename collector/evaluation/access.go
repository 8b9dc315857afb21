package evaluation

import (
	"maps"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo"
)

// View calls fn with the configuration in use and the collected data, for readers that evaluate
// other windows than the current period (the service report). The data is shared with the
// sources and valid only during fn: read it, never keep or modify it. Sources wait to commit
// while fn runs, so fn should not take long.
func (e *Evaluator) View(fn func(cfg *config.Config, d collector.Data)) {
	cfg := e.cfg.Load()
	e.data.Read(func(d collector.Data) { fn(cfg, d) })
}

// FrozenPeriods returns an objective's frozen periods by label: those frozen since the start and
// those read from the store, which may reach further back than history_periods. The map is the
// caller's.
func (e *Evaluator) FrozenPeriods(objective string) map[string]collector.FrozenPeriod {
	e.frozenPeriod(objective, "") // loads the stored periods on first use
	e.mu.Lock()
	defer e.mu.Unlock()
	return maps.Clone(e.frozen[objective])
}

// DataFor picks the part of the collected data an objective reads, as the evaluation does: its
// source's tickets, or its series.
func DataFor(o *config.Objective, d collector.Data) slo.Data { return dataFor(o, d) }
