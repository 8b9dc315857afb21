package config

import (
	"fmt"
	"slices"
	"time"

	"github.com/prometheus/common/model"

	"github.com/sla-exporter/sla_exporter/slo"
)

// The series budget: what an objective publishes grows with its burn windows and its frozen
// periods (docs/configuration.md, "Series budget"), so both can be trimmed globally and per
// objective, an objective's setting overriding the global one.

// burnWindows decodes a burn_windows list: nil when absent (the caller's default), and an
// explicit empty list kept empty, which publishes only the windows the alert tiers read.
func (b *builder) burnWindows(raw []model.Duration, at ...any) ([]time.Duration, error) {
	if raw == nil {
		return nil, nil
	}
	out := []time.Duration{}
	for i, w := range raw {
		d := time.Duration(w)
		if d <= 0 {
			return nil, b.fail(fmt.Errorf("window %s is not positive", w), append(at, i)...)
		}
		if slices.Contains(out, d) {
			return nil, b.fail(fmt.Errorf("window %s is listed twice", w), append(at, i)...)
		}
		out = append(out, d)
	}
	slices.Sort(out)
	return out, nil
}

// globalBudget reads global.burn_windows and global.published_history_periods.
func (b *builder) globalBudget(raw *rawGlobal, g *Global) error {
	var err error
	if g.BurnWindows, err = b.burnWindows(raw.BurnWindows, "global", "burn_windows"); err != nil {
		return err
	}
	if g.BurnWindows == nil {
		g.BurnWindows = slices.Clone(slo.DefaultBurnWindows)
	}
	g.PublishedHistoryPeriods = g.HistoryPeriods
	if p := raw.PublishedHistoryPeriods; p != nil {
		if *p < 0 || *p > g.HistoryPeriods {
			return b.fail(fmt.Errorf("%d is not between 0 and history_periods (%d)", *p, g.HistoryPeriods), "global", "published_history_periods")
		}
		g.PublishedHistoryPeriods = *p
	}
	return nil
}

// objectiveBudget sets the objective's burn windows (its own, else the global ones, with the
// windows of its alert tiers added, so the rules never read a series that is not published) and
// the frozen periods it publishes. The alerting must be built first.
func (b *builder) objectiveBudget(ro *rawObjective, o *Objective, field func(string) []any) error {
	windows, err := b.burnWindows(ro.BurnWindows, field("burn_windows")...)
	if err != nil {
		return err
	}
	if windows == nil {
		windows = slices.Clone(b.cfg.Global.BurnWindows)
	}
	if !o.Alerting.Disabled {
		windows = withAlertWindows(windows, o.Alerting)
	}
	if len(windows) == 0 {
		// The engine publishes at least one window; an empty list would silently mean its default.
		return b.fail(fmt.Errorf("no window: with alerting disabled, name at least one"), field("burn_windows")...)
	}
	o.BurnWindows = windows
	o.PublishedHistoryPeriods = b.cfg.Global.PublishedHistoryPeriods
	if p := ro.PublishedHistoryPeriods; p != nil {
		if *p < 0 || *p > b.cfg.Global.HistoryPeriods {
			return b.fail(fmt.Errorf("%d is not between 0 and global.history_periods (%d)", *p, b.cfg.Global.HistoryPeriods), field("published_history_periods")...)
		}
		o.PublishedHistoryPeriods = *p
	}
	return nil
}
