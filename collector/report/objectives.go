package report

import (
	"maps"
	"slices"

	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo"
)

// services is the per-service section: each objective in scope over the report's period, with
// its trend and what cost it most, grouped by service in the order the configuration lists them.
func (b *builder) services() []Service {
	out := []Service{}
	index := map[string]int{}
	for _, o := range b.scope.objectives {
		i, ok := index[o.Service]
		if !ok {
			i = len(out)
			index[o.Service] = i
			out = append(out, Service{Name: o.Service, Description: b.cfg.Services[o.Service].Description})
		}
		out[i].Objectives = append(out[i].Objectives, b.objective(o))
	}
	return out
}

// objective measures one objective over the trend's periods, the last being the report's.
func (b *builder) objective(o *config.Objective) Objective {
	ob := Objective{
		Name: o.Name, Description: o.Description, Service: o.Service, Kind: string(o.Kind), Unit: string(unitOf(o.Kind)),
		Target: o.Target, OwnPeriod: o.PeriodName, Labels: maps.Clone(o.Labels), Incomplete: []string{}, Costliest: []Cost{},
	}
	if len(ob.Labels) == 0 {
		ob.Labels = nil
	}
	for _, k := range b.cfg.Contracts {
		if slices.Contains(k.Objectives, o.Name) {
			ob.Contracts = append(ob.Contracts, k.Spec.Name)
		}
	}
	if !samePeriod(o.Period, b.window.Period) {
		ob.Note = "measured over " + b.window.name() + "; its own period is " + o.PeriodName
		if o.Period.Calendar() {
			ob.Note += " in " + zoneName(o.Period.Location)
		}
	}
	var m measurement
	for i, w := range b.trend {
		mi := b.measure(o, w, i == len(b.trend)-1)
		ob.Trend = append(ob.Trend, Point{Label: w.Label, Start: w.Start, End: w.End, Attainment: mi.attainment(),
			Verdict: mi.verdict(o.Target), Complete: mi.complete()})
		switch i {
		case len(b.trend) - 2:
			ob.Previous = mi.attainment()
			b.previousVerdicts[o.Name] = mi.verdict(o.Target)
		case len(b.trend) - 1:
			m = mi
		}
	}
	ob.Attainment, ob.Verdict, ob.Basis = m.attainment(), m.verdict(o.Target), m.basis
	ob.BudgetUsed = budgetUsed(o, m)
	ob.Complete = m.complete()
	ob.Incomplete = append(ob.Incomplete, m.reasons...)
	if r := m.result; r != nil && r.HasData {
		ob.Good, ob.Bad = ptr(r.Good, true), ptr(r.Bad, true)
		if o.Kind == slo.Availability {
			ob.Coverage = ptr(r.Coverage, true)
		}
	}
	if r := m.result; r != nil {
		ob.Costliest = b.costliest(o, b.window, r.BudgetTotal)
	} else if m.has {
		ob.CostliestNote = "the records of the period are no longer held"
	}
	return ob
}

// unitOf is what an objective of the kind counts.
func unitOf(k slo.Kind) slo.Unit {
	switch k {
	case slo.Availability:
		return slo.Seconds
	case slo.EventRatio:
		return slo.Events
	}
	return slo.Cycles
}
