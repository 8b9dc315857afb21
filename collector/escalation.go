package collector

import (
	"strconv"

	c "github.com/sla-exporter/sla_exporter/slo/conventions"
)

// EscalationCount is the number of open cycles at one escalation level of a ticket objective.
type EscalationCount struct {
	// Level is 1-based, lowest first: the level label.
	Level int
	// At is the share of the target the level starts at (0.5 for 50%).
	At float64
	// Severity is the level's configured severity.
	Severity string
	// Open counts the open cycles at this level and no higher one.
	Open int
}

// escalation emits sla_tickets_escalated, one series per level: a level with no open cycle is a
// 0, so that the alert on it resolves and dashboards draw every level.
func (e emitter) escalation(o *ObjectiveResult) {
	for _, l := range o.Escalation {
		e.gauge(c.TicketsEscalated, "Open ticket clock cycles at each escalation level of the objective: those whose used share of their target is at or above the level's and below the next level's (level 1-based, with the level's severity)."+cached,
			[]string{c.LabelObjective, c.LabelService, c.LabelLevel, c.LabelSeverity}, []string{o.Objective, o.Service, strconv.Itoa(l.Level), l.Severity}, float64(l.Open))
	}
}
