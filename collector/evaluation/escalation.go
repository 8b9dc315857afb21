package evaluation

import (
	"fmt"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// escalation pairs the engine's open cycles per level (slo.Result.Escalated) with the objective's
// configured levels; nil for an objective without levels, or whose figures are withheld.
func escalation(o *config.Objective, r *slo.Result, stale bool) []collector.EscalationCount {
	if len(o.Escalation) == 0 || stale || len(r.Escalated) != len(o.Escalation) {
		return nil
	}
	out := make([]collector.EscalationCount, len(o.Escalation))
	for i, l := range o.Escalation {
		out[i] = collector.EscalationCount{Level: i + 1, At: l.At, Severity: l.Severity, Open: r.Escalated[i]}
	}
	return out
}

// escalationLevel is the 1-based escalation level of an open cycle that has used share of its
// target, 0 below the first level: the last level whose share it has reached, as the engine
// counts it (slo.Result.Escalated).
func escalationLevel(levels []config.EscalationLevel, share float64) int {
	k := len(levels)
	for k > 0 && share < levels[k-1].At {
		k--
	}
	return k
}

// cycleLevel is the escalation level of a cycle as the engine counts it: an open cycle's (running,
// paused, or breached and still open) by its elapsed share of its target; 0 for a decided cycle
// or one below the first level.
func cycleLevel(levels []config.EscalationLevel, c *ticket.Cycle) int {
	open := c.Stop == 0 && (c.State == ticket.InProgress || c.State == ticket.PausedState || c.State == ticket.Breached)
	if !open || c.Target <= 0 {
		return 0
	}
	return escalationLevel(levels, float64(c.Elapsed)/float64(c.Target))
}

// checkLevelFilter refuses a drill-down's level filter that can list nothing: a level the
// objective does not have, or a finished period (its cycles are decided, at no level).
func checkLevelFilter(o *config.Objective, level int, current bool) error {
	switch {
	case level == 0:
		return nil
	case len(o.Escalation) == 0:
		return fmt.Errorf("level: objective %q has no escalation levels", o.Name)
	case level < 0 || level > len(o.Escalation):
		return fmt.Errorf("level %d: objective %q has levels 1 to %d", level, o.Name, len(o.Escalation))
	case !current:
		return fmt.Errorf("level: only the current period has open cycles to escalate")
	}
	return nil
}
