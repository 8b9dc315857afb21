package collector

import c "github.com/sla-exporter/sla_exporter/slo/conventions"

var costLabels = []string{c.LabelService, c.LabelKind, c.LabelWindow, c.LabelCurrency}

// costs emits sla_cost_amount: the amount so far and the forecast one of each known figure. A
// figure that is not known has no series: zero would say nothing was lost.
func (e emitter) costs(cs []CostResult) {
	const help = "What the service's missed promises cost in its current period, in the currency labelled: downtime (bad minutes of its availability objectives × downtime_per_minute), breached_tickets (breached cycles of its ticket objectives × the priority's price), credits_owed (customers' contracts) and credits_earned (suppliers'); window so_far or forecast (at the period's end). No series when the data behind it is stale or missing." + cached
	for i := range cs {
		k := &cs[i]
		if k.HasSoFar {
			e.gauge(c.CostAmount, help, costLabels, []string{k.Service, k.Kind, c.CostWindowSoFar, k.Currency}, k.SoFar)
		}
		if k.HasForecast {
			e.gauge(c.CostAmount, help, costLabels, []string{k.Service, k.Kind, c.CostWindowForecast, k.Currency}, k.Forecast)
		}
	}
}
