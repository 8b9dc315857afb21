package evaluation

import (
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/kpi"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Evaluate computes a snapshot of every objective, KPI and contract at now.
func (e *Evaluator) Evaluate(now time.Time) *collector.Snapshot {
	cfg := e.cfg.Load()
	began := time.Now()
	s := &collector.Snapshot{At: now, Location: cfg.Global.Location}
	var breaches map[string]map[string]float64
	e.data.Read(func(d collector.Data) {
		s.DataGen = d.Gen
		var cached int64 // bytes the ticket caches of the objectives so far hold
		for i := range cfg.Objectives {
			s.Objectives = append(s.Objectives, e.objective(cfg, &cfg.Objectives[i], d, now, &cached))
		}
		for i := range cfg.KPIs {
			s.KPIs = append(s.KPIs, e.kpi(cfg, &cfg.KPIs[i], d, now))
		}
		s.Staffing = e.staffingGroups(cfg, d, now)                  // staffing.go
		breaches = e.priorities.breaches(cfg, s.Objectives, d, now) // cost.go
	})
	e.save()
	s.Contracts = contracts(cfg, s.Objectives, now)
	s.Costs = costs(cfg, s.Objectives, s.Contracts, breaches, now)
	s.Sources = e.data.Health()
	// Read fills s.Objectives in the order of cfg.Objectives.
	for i := range s.Objectives {
		s.Objectives[i].ToolAttainments = toolAttainments(&cfg.Objectives[i], &s.Objectives[i], s.Sources)
	}
	s.Store = e.data.StoreHealth()
	s.Duration = time.Since(began)
	return s
}

// ticketCount is the number of tickets an objective's data holds.
func ticketCount(d slo.Data) int {
	if d.Tickets == nil {
		return 0
	}
	return d.Tickets.Len()
}

// stale reports whether a source's data is too old to publish: it never synced, or not within the
// staleness limit.
func stale(cfg *config.Config, d collector.Data, source string, now time.Time) bool {
	last, ok := d.LastSuccess[source]
	return !ok || last.IsZero() || now.Sub(last) > cfg.Global.Staleness
}

// dataFor picks the part of the collected data an objective reads.
func dataFor(o *config.Objective, d collector.Data) slo.Data {
	switch o.Kind {
	case slo.TicketSLA:
		return slo.Data{Tickets: d.Tickets[o.Source]}
	case slo.Availability:
		if u := d.Uptime[collector.SeriesName(o.Source, o.Series)]; u != nil {
			return slo.Data{Availability: u.Series}
		}
	case slo.EventRatio:
		if ev := d.Events[collector.SeriesName(o.Source, o.Series)]; ev != nil {
			// Built once per change of the data by the runner, not per evaluation.
			return slo.Data{Events: ev.Series}
		}
	}
	return slo.Data{}
}

func (e *Evaluator) objective(cfg *config.Config, o *config.Objective, d collector.Data, now time.Time, cached *int64) (out collector.ObjectiveResult) {
	out = collector.ObjectiveResult{PeriodName: o.PeriodName, Labels: o.Labels, Location: o.Location}
	out.Objective, out.Service, out.Kind, out.Target = o.Name, o.Service, o.Kind, o.Target
	out.Stale = stale(cfg, d, o.Source, now)
	defer func() {
		// An engine bug must cost one objective's figures, not the exporter.
		if v := recover(); v != nil {
			e.logOnce(o.Name, panicError(v))
			e.dropCache(o.Name)
			out.Stale = true
		}
	}()
	data := dataFor(o, d)
	var r slo.Result
	var err error
	if c := e.ticketCache(o, ticketCount(data), cached); c != nil {
		r, err = slo.EvaluateIncremental(o.Objective, data, now, c)
	} else {
		r, err = slo.Evaluate(o.Objective, data, now)
	}
	e.logOnce(o.Name, err)
	if err != nil {
		out.Stale = true
		return out
	}
	out.Result = r
	out.History = e.history(cfg, o, data, d, now)
	out.UnpublishedPeriods = max(0, len(out.History)-o.PublishedHistoryPeriods)
	out.Escalation = escalation(o, &out.Result, out.Stale)
	if o.ToolDeadlineField != "" && data.Tickets != nil && !out.Stale {
		out.ToolDeadlines = toolDeadlines(o, data.Tickets, now)
	}
	if o.Kind == slo.TicketSLA && data.Tickets != nil && !out.Stale {
		out.Native = nativeComparison(o, data.Tickets, now)
	}
	return out
}

// history returns the objective's last finished periods, oldest first, freezing those not yet
// frozen. A period is frozen only once its source has synced after the period ended, so a restart
// or a slow source cannot freeze a figure that was missing data.
func (e *Evaluator) history(cfg *config.Config, o *config.Objective, data slo.Data, d collector.Data, now time.Time) []collector.FrozenPeriod {
	n := cfg.Global.HistoryPeriods
	if n == 0 || !o.Period.Calendar() {
		return nil
	}
	out := make([]collector.FrozenPeriod, 0, n)
	start, _ := o.Period.Bounds(now)
	last := d.LastSuccess[o.Source]
	for range n {
		ps, pe := o.Period.Previous(start)
		start = ps
		label := o.Period.Label(ps)
		if fp, ok := e.frozenPeriod(o.Name, label); ok {
			out = append(out, fp)
			continue
		}
		if last.Before(pe) {
			continue
		}
		r, err := slo.EvaluatePeriod(o.Objective, data, ps, pe)
		if err != nil {
			continue
		}
		fp := collector.FrozenPeriod{Label: label, Start: ps, End: pe, Attainment: r.Attainment, HasData: r.HasData}
		e.freeze(o.Name, fp)
		out = append(out, fp)
	}
	// Collected newest first.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

func (e *Evaluator) kpi(cfg *config.Config, k *config.KPI, d collector.Data, now time.Time) (out collector.KPIResult) {
	// Kind and unit come from the configuration, so that a KPI with nothing to measure still
	// says what it would measure.
	unknown := collector.KPIResult{Name: k.Spec.Name, Service: k.Service, Kind: k.Spec.Kind.String(), Unit: k.Spec.Kind.Unit(),
		Target: k.Spec.Target, Status: kpi.Unknown.String()}
	out = unknown
	defer func() {
		// As for objectives: an engine bug costs one KPI's value, not the exporter.
		if v := recover(); v != nil {
			e.logOnce("kpi:"+k.Spec.Name, panicError(v))
			out = unknown
		}
	}()
	if stale(cfg, d, k.Source, now) {
		return out
	}
	st := d.Tickets[k.Source]
	if st == nil || st.Len() == 0 {
		// No ticket at all is no data, not a backlog of zero: an export that lost its rows must
		// not read green.
		return out
	}
	var filter func(ticket.View) bool
	if len(k.Select) > 0 {
		m := k.Select.Compile(st)
		filter = m.Match
	}
	from, to := k.Period.Bounds(now)
	if to.After(now) {
		to = now
	}
	r, err := kpi.Compute(k.Spec, st, filter, from.Unix(), max(to.Unix(), from.Unix()+1), now.Unix())
	e.logOnce("kpi:"+k.Spec.Name, err)
	if err != nil {
		return out
	}
	out.Value, out.OK, out.Status = r.Value, r.OK, r.Status.String()
	return out
}
