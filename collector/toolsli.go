package collector

import (
	"time"

	"github.com/sla-exporter/sla_exporter/slo/conventions"
)

// ToolSLI is an availability figure a monitoring tool computes itself for one of a source's
// series over one of its own reporting periods (Zabbix's sla.getsli), read at a sync and
// compared by the evaluation with the exporter's attainment of the objectives on that series.
// It is held by the source, not stored: the tool keeps it and a sync reads it again.
type ToolSLI struct {
	// Tool names the tool ("Zabbix"), Name its SLA, Series the source's series the SLA's
	// service feeds.
	Tool, Name, Series string
	// From and To bound the tool's period, [From, To).
	From, To time.Time
	// At is when the figure was read: the tool counted [From, min(To, At)), so a figure read
	// before To is not the period's final one.
	At time.Time
	// SLI is the share of the counted time the service was up, 0-1; SLO the SLA's target, 0-1.
	SLI, SLO float64
	// Uptime and Downtime are the time counted up and down, the tool's own exclusions left
	// out; ErrorBudget is the downtime the tool says is left before the SLI falls below the
	// SLO, negative when overspent.
	Uptime, Downtime, ErrorBudget time.Duration
}

// toolSLIReporter is a source that reads a tool's own SLA figures.
type toolSLIReporter interface{ ToolSLIs() []ToolSLI }

// Values of ToolAttainment.Period, which sla_tool_attainment_ratio publishes as its period label.
const (
	ToolPeriodCurrent  = conventions.PeriodCurrent
	ToolPeriodPrevious = conventions.PeriodPrevious
)

// ToolAttainment compares an availability objective's attainment with a tool's figure for the
// same series over exactly the same period, so that a manager sees when the two disagree.
type ToolAttainment struct {
	// Period is ToolPeriodCurrent or ToolPeriodPrevious (the last finished period, compared
	// once its frozen figure and the tool's final one are both known).
	Period string
	// From and To are the period's bounds, which the objective's and the tool's share.
	From, To time.Time
	// Exporter is the objective's attainment over the period (so far, for the current one),
	// Tool the tool's; Difference is Exporter − Tool.
	Exporter, Tool, Difference float64
	// SLI is the tool's figure as read.
	SLI ToolSLI
}
