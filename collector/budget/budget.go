// Package budget estimates how many series a configuration publishes, so that an organisation
// can keep within a Prometheus series budget before deploying (sla_exporter check prints it).
// The estimate is counted, not computed by formula: each objective, KPI and contract is given a
// result with every figure its configuration can publish and emitted through the exposition
// itself, so the estimate follows any series the exposition adds.
package budget

import (
	"fmt"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/contract"
	c "github.com/sla-exporter/sla_exporter/slo/conventions"
)

// Estimate is the most series a configuration's objectives, KPIs and contracts publish: every
// burn window, every published frozen period with data, a forecast, a budget exhaustion, a
// breach probability. Not counted, because the data decides them: the comparisons with a ticket
// tool's native SLA records (5 series per ticket objective) and with a monitoring tool's own
// attainment (4 per objective); the sources' series (about 12 each, more for API and probing
// sources); the exporter's own (process, Go, HTTP: about 60).
type Estimate struct {
	// Objectives is each objective's count, by name.
	Objectives map[string]int
	// ByKind sums Objectives by objective kind.
	ByKind map[slo.Kind]int
	// KPIs and Contracts are the series of all KPIs and of all contracts.
	KPIs, Contracts int
	// Costs are the series of sla_cost_amount: so far and forecast of each service's priced
	// kinds and currencies.
	Costs int
	// Staffing is the series of all staffing groups.
	Staffing int
}

// Total is every series counted.
func (e Estimate) Total() int {
	n := e.KPIs + e.Contracts + e.Costs + e.Staffing
	for _, v := range e.ByKind {
		n += v
	}
	return n
}

// Count estimates cfg's series.
func Count(cfg *config.Config) (Estimate, error) {
	s := Full(cfg)
	expo := collector.NewExposition()
	expo.Set(s)
	mfs, err := expo.Gatherer().Gather()
	if err != nil {
		return Estimate{}, err
	}
	e := Estimate{Objectives: map[string]int{}, ByKind: map[slo.Kind]int{}}
	kind := map[string]slo.Kind{}
	for _, o := range cfg.Objectives {
		kind[o.Name] = o.Kind
		e.Objectives[o.Name] = 0
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			// The objective label first: sla_objective_info also carries the objectives' metadata,
			// which may name a contract.
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if name, ok := labels[c.LabelObjective]; ok {
				e.Objectives[name]++
				e.ByKind[kind[name]]++
			} else if _, ok := labels[c.LabelKPI]; ok {
				e.KPIs++
			} else if _, ok := labels[c.LabelContract]; ok {
				e.Contracts++
			} else if mf.GetName() == c.CostAmount {
				e.Costs++
			} else if _, ok := labels[c.LabelGroup]; ok {
				e.Staffing++
			}
		}
	}
	return e, nil
}

// Full is a snapshot of cfg in which every objective, KPI and contract publishes every figure
// its configuration allows (see Estimate).
func Full(cfg *config.Config) *collector.Snapshot {
	at := time.Date(2026, time.January, 15, 0, 0, 0, 0, time.UTC)
	start, end := at.AddDate(0, 0, -14), at.AddDate(0, 0, 16)
	s := &collector.Snapshot{At: at, Duration: time.Second}
	for _, o := range cfg.Objectives {
		r := slo.Result{
			Objective: o.Name, Service: o.Service, Kind: o.Kind, Unit: unit(o.Kind), Target: o.Target,
			PeriodStart: start, PeriodEnd: end, HasData: true, Coverage: 1, Attainment: 1,
			HasForecast: true, Forecast: 1, Exhaustion: end.Add(-time.Hour), Status: slo.OK,
		}
		for _, w := range o.BurnWindows {
			r.BurnRates = append(r.BurnRates, slo.BurnRate{Window: w})
		}
		if o.Kind == slo.TicketSLA {
			r.HasBreachProbability = true
		}
		res := collector.ObjectiveResult{Result: r, PeriodName: o.PeriodName, Labels: o.Labels}
		for i := range o.PublishedHistoryPeriods {
			res.History = append(res.History, collector.FrozenPeriod{Label: fmt.Sprintf("period-%d", i), HasData: true})
		}
		for i, l := range o.Escalation {
			res.Escalation = append(res.Escalation, collector.EscalationCount{Level: i + 1, At: l.At, Severity: l.Severity})
		}
		if o.ToolDeadlineField != "" {
			res.ToolDeadlines = &collector.ToolDeadlines{Field: o.ToolDeadlineField}
		}
		s.Objectives = append(s.Objectives, res)
	}
	for _, k := range cfg.KPIs {
		s.KPIs = append(s.KPIs, collector.KPIResult{Name: k.Spec.Name, Service: k.Service, Kind: string(k.Spec.Kind), OK: true, Status: "green"})
	}
	known := collector.ContractCredit{Result: contract.Result{Known: true}}
	for _, k := range cfg.Contracts {
		r := collector.ContractResult{Spec: k.Spec, Objectives: k.Objectives, PeriodName: k.PeriodName, Running: known, Forecast: known}
		for i := range cfg.Global.HistoryPeriods {
			r.History = append(r.History, collector.ContractPeriod{Label: fmt.Sprintf("period-%d", i), ContractCredit: known})
		}
		s.Contracts = append(s.Contracts, r)
	}
	s.Costs = fullCosts(cfg)
	for _, g := range cfg.Staffing {
		s.Staffing = append(s.Staffing, collector.StaffingResult{Group: g.Name, State: collector.StaffingOK, Roster: g.Roster, NextHour: 1})
	}
	return s
}

// fullCosts is every cost figure cfg prices, each known so far and forecast: a service's
// downtime and breached tickets when it has objectives of the kind, each contract's credits
// with a fee, one figure per service, kind and currency.
func fullCosts(cfg *config.Config) []collector.CostResult {
	var out []collector.CostResult
	add := func(service, kind, currency string) {
		for _, r := range out {
			if r.Service == service && r.Kind == kind && r.Currency == currency {
				return
			}
		}
		out = append(out, collector.CostResult{Service: service, Kind: kind, Currency: currency, HasSoFar: true, HasForecast: true})
	}
	for _, o := range cfg.Objectives {
		cost := cfg.Services[o.Service].Cost
		switch {
		case cost == nil:
		case o.Kind == slo.Availability && cost.HasDowntime:
			add(o.Service, c.CostKindDowntime, cost.Currency)
		case o.Kind == slo.TicketSLA && len(cost.BreachedTicket) > 0:
			add(o.Service, c.CostKindBreachedTickets, cost.Currency)
		}
	}
	for i := range cfg.Contracts {
		k := &cfg.Contracts[i]
		if k.Spec.Fee == 0 {
			continue
		}
		kind := c.CostKindCreditsOwed
		if supplier, _ := cfg.ContractSupplier(k); supplier {
			kind = c.CostKindCreditsEarned
		}
		add(cfg.ContractService(k), kind, k.Spec.Currency)
	}
	return out
}

func unit(k slo.Kind) slo.Unit {
	switch k {
	case slo.TicketSLA:
		return slo.Cycles
	case slo.Availability:
		return slo.Seconds
	}
	return slo.Events
}
