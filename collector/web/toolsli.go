package web

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/display"
)

// ToolAttainmentJSON is a monitoring tool's own attainment for an availability objective's
// series over one of its periods (Zabbix's SLA SLI), beside the exporter's for the same period.
type ToolAttainmentJSON struct {
	// Period is current or previous (the last finished period).
	Period string    `json:"period"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	// Tool names the tool ("Zabbix") and SLA the tool's SLA; ReadAt is when the figure was
	// read from it.
	Tool   string    `json:"tool"`
	SLA    string    `json:"sla"`
	ReadAt time.Time `json:"read_at"`
	// Attainment is the tool's, Exporter the objective's, Difference the objective's less the
	// tool's (ratios).
	Attainment *float64 `json:"attainment"`
	Exporter   *float64 `json:"exporter_attainment"`
	Difference *float64 `json:"difference"`
	// Display says it for people: `Zabbix SLA "DB SLA" says 98.58%; the exporter 99.86%, 1.28
	// points higher`.
	Display string `json:"display"`
}

// toolAttainmentsJSON renders an objective's comparisons with its tool's figures.
func toolAttainmentsJSON(as []collector.ToolAttainment) []ToolAttainmentJSON {
	var out []ToolAttainmentJSON
	for _, a := range as {
		out = append(out, ToolAttainmentJSON{Period: a.Period, Start: a.From, End: a.To, Tool: a.SLI.Tool, SLA: a.SLI.Name, ReadAt: a.SLI.At,
			Attainment: num(a.Tool, true), Exporter: num(a.Exporter, true), Difference: num(a.Difference, true),
			Display: toolSays(a)})
	}
	return out
}

// toolSays words a comparison: what the tool says, and how far the exporter is from it.
func toolSays(a collector.ToolAttainment) string {
	theirs, ours := display.PercentVs(a.Tool, a.Exporter), display.PercentVs(a.Exporter, a.Tool)
	head := fmt.Sprintf("%s SLA %q says %s", a.SLI.Tool, a.SLI.Name, theirs)
	switch {
	case theirs == "" || ours == "":
		return head
	case a.Difference == 0:
		return head + "; the exporter agrees"
	case a.Difference > 0:
		return fmt.Sprintf("%s; the exporter %s, %s points higher", head, ours, percentPoints(a.Difference))
	}
	return fmt.Sprintf("%s; the exporter %s, %s points lower", head, ours, percentPoints(-a.Difference))
}

// percentPoints writes a positive difference of ratios in percentage points, with the decimals it
// takes not to read 0.00 (at most four).
func percentPoints(d float64) string {
	p := 100 * d
	decimals := 2
	for decimals < 4 && math.Round(p*math.Pow(10, float64(decimals))) == 0 {
		decimals++
	}
	return strconv.FormatFloat(p, 'f', decimals, 64)
}

// toolFigures are the objective page's figures of its tool's attainment.
func toolFigures(res *collector.ObjectiveResult) []figure {
	var out []figure
	for _, a := range res.ToolAttainments {
		when := "this period"
		if a.Period == collector.ToolPeriodPrevious {
			when = "the last period"
			for _, h := range res.History {
				if h.Start.Equal(a.From) {
					when = h.Label
				}
			}
		}
		out = append(out, figure{Label: fmt.Sprintf("%s says, %s", a.SLI.Tool, when), Value: display.PercentVs(a.Tool, a.Exporter),
			Note: toolSays(a) + " (read " + display.Time(a.SLI.At, res.Location) + ")"})
	}
	return out
}
