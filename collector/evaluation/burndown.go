package evaluation

import (
	"errors"
	"fmt"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo"
)

// ErrNoObjective is returned for an objective that is not configured.
var ErrNoObjective = errors.New("no such objective")

// BudgetPoint is an objective's error budget at one instant of its period.
type BudgetPoint struct {
	At time.Time
	// Remaining and Total are in the objective's unit; RemainingRatio is Remaining / Total
	// (see slo.Result). Attainment is meaningful only when HasData.
	Remaining, Total, RemainingRatio float64
	Attainment                       float64
	HasData                          bool
}

// MaxBurnDownPoints bounds the instants BurnDown evaluates at: each costs an evaluation of the
// objective.
const MaxBurnDownPoints = 120

// BurnDown replays an objective's error budget over its current period: the objective evaluated
// at points instants from the period's start to now, evenly spaced, the last at now. Each point
// is the figure the engine would have published then from the data held now (a ticket reopened
// since, or data back-filled, shows as it is now). A rolling period's points are each the
// rolling window ending at them, over the last period's length.
func (e *Evaluator) BurnDown(objective string, now time.Time, points int) ([]BudgetPoint, error) {
	cfg := e.cfg.Load()
	var o *config.Objective
	for i := range cfg.Objectives {
		if cfg.Objectives[i].Name == objective {
			o = &cfg.Objectives[i]
		}
	}
	if o == nil {
		return nil, fmt.Errorf("%w: %q", ErrNoObjective, objective)
	}
	points = min(max(points, 2), MaxBurnDownPoints)
	start, _ := o.Period.Bounds(now)
	step := now.Sub(start) / time.Duration(points-1)
	if step <= 0 {
		return nil, nil
	}
	out := make([]BudgetPoint, 0, points)
	for i := range points {
		at := start.Add(time.Duration(i) * step)
		if i == points-1 {
			at = now
		}
		var r slo.Result
		var err error
		// One read per point, so that a sync waiting to commit is not held up by them all.
		e.data.Read(func(d collector.Data) {
			r, err = slo.Evaluate(o.Objective, dataFor(o, d), at)
		})
		if err != nil {
			return nil, fmt.Errorf("objective %q at %s: %w", objective, at.UTC().Format(time.RFC3339), err)
		}
		out = append(out, BudgetPoint{At: at, Remaining: r.BudgetRemaining, Total: r.BudgetTotal,
			RemainingRatio: r.BudgetRemainingRatio, Attainment: r.Attainment, HasData: r.HasData})
	}
	return out, nil
}
