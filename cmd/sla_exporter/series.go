package main

import (
	"fmt"
	"io"

	"github.com/sla-exporter/sla_exporter/collector/budget"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo"
)

// printSeries writes the configuration's series estimate (budget.Estimate): the total and its
// parts, so a large catalogue can be sized against a Prometheus series budget before it runs.
func printSeries(w io.Writer, name string, cfg *config.Config) error {
	e, err := budget.Count(cfg)
	if err != nil {
		return fmt.Errorf("%s: counting the series: %w", name, err)
	}
	staffing := ""
	if e.Staffing > 0 {
		staffing = fmt.Sprintf(", staffing %d", e.Staffing)
	}
	_, err = fmt.Fprintf(w, "%s: series at most %d: objectives %d (ticket %d, availability %d, event_ratio %d), KPIs %d, contracts %d, costs %d%s; plus each source's and the exporter's own (docs/configuration.md, \"Series budget\")\n",
		name, e.Total(), e.ByKind[slo.TicketSLA]+e.ByKind[slo.Availability]+e.ByKind[slo.EventRatio],
		e.ByKind[slo.TicketSLA], e.ByKind[slo.Availability], e.ByKind[slo.EventRatio], e.KPIs, e.Contracts, e.Costs, staffing)
	return err
}
