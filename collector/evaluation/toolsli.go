package evaluation

import (
	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo"
)

// toolAttainments compares an availability objective's attainment with the figures its
// source's tool computed for the objective's series (Zabbix's SLA SLI), for each figure whose
// period is exactly the objective's current period or its last finished one. Periods that do
// not line up (a Zabbix week starts on Sunday, the exporter's on Monday; another timezone; a
// rolling period) are not compared: the two figures would count different time. The last
// finished period is compared only with the tool's final figure, read after the period ended,
// and the exporter's frozen one.
func toolAttainments(o *config.Objective, res *collector.ObjectiveResult, sources []collector.SourceHealth) []collector.ToolAttainment {
	if res.Kind != slo.Availability || res.Stale || res.PeriodStart.IsZero() {
		return nil
	}
	var out []collector.ToolAttainment
	for _, src := range sources {
		if src.Name != o.Source {
			continue
		}
		for _, sli := range src.ToolSLIs {
			if sli.Series != o.Series {
				continue
			}
			a := collector.ToolAttainment{From: sli.From, To: sli.To, Tool: sli.SLI, SLI: sli}
			switch {
			case sli.From.Equal(res.PeriodStart) && sli.To.Equal(res.PeriodEnd):
				if !res.HasData {
					continue
				}
				a.Period, a.Exporter = collector.ToolPeriodCurrent, res.Attainment
			case sli.To.Equal(res.PeriodStart) && !sli.At.Before(sli.To):
				fp, ok := frozenAt(res.History, sli)
				if !ok {
					continue
				}
				a.Period, a.Exporter = collector.ToolPeriodPrevious, fp.Attainment
			default:
				continue
			}
			a.Difference = a.Exporter - a.Tool
			out = append(out, a)
		}
	}
	return out
}

// frozenAt finds the frozen period with the figure's bounds, if it had data.
func frozenAt(history []collector.FrozenPeriod, sli collector.ToolSLI) (collector.FrozenPeriod, bool) {
	for _, h := range history {
		if h.Start.Equal(sli.From) && h.End.Equal(sli.To) {
			return h, h.HasData
		}
	}
	return collector.FrozenPeriod{}, false
}
