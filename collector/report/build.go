package report

import (
	"errors"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/display"
)

// trendPeriods is how many periods a trend shows, the report's the last.
const trendPeriods = 12

// Source is where a report reads the configuration, the collected data and the frozen periods:
// the evaluator (*evaluation.Evaluator).
type Source interface {
	View(fn func(cfg *config.Config, d collector.Data))
	FrozenPeriods(objective string) map[string]collector.FrozenPeriod
}

// Inputs are what a report is built from.
type Inputs struct {
	Source Source
	// Current is the latest evaluation, whose objectives in danger are the summary's risks; nil
	// for none.
	Current *collector.Snapshot
	// Now is the report's instant; zero means Current's.
	Now time.Time
	// Demo marks a report of the built-in demo configuration.
	Demo bool
	// TicketURL, when set, links a ticket id of a source to the ticket in its system.
	TicketURL func(source, id string) string
}

// Request is what a report is asked for.
type Request struct {
	// Period is a month "2026-11" or a quarter "2026-Q4"; empty for the last finished month.
	Period string
	Filter Filter
}

// Build builds the report of a period. A period that does not parse, has not begun or has no
// data, and a filter naming nothing, are InputErrors.
func Build(in Inputs, req Request) (*Report, error) {
	now := in.Now
	if now.IsZero() && in.Current != nil {
		now = in.Current.At
	}
	if now.IsZero() {
		return nil, errors.New("report: no instant to report at: nothing has been evaluated yet")
	}
	var (
		rep *Report
		err error
	)
	in.Source.View(func(cfg *config.Config, d collector.Data) {
		b := &builder{in: in, cfg: cfg, data: d, now: now, loc: cfg.Global.Location,
			frozen: map[string]map[string]collector.FrozenPeriod{}, held: map[string]heldSpan{}, oldest: map[string]heldSpan{},
			previousVerdicts: map[string]string{}}
		if b.loc == nil {
			b.loc = time.UTC
		}
		rep, err = b.build(req)
	})
	return rep, err
}

// builder builds one report over data it may read only while Build runs.
type builder struct {
	in   Inputs
	cfg  *config.Config
	data collector.Data
	now  time.Time
	loc  *time.Location

	scope scope
	// window is the report's period; trend the trendPeriods periods ending with it.
	window window
	trend  []window

	frozen           map[string]map[string]collector.FrozenPeriod
	held             map[string]heldSpan
	oldest           map[string]heldSpan
	previousVerdicts map[string]string
}

func (b *builder) build(req Request) (*Report, error) {
	w, err := parsePeriod(req.Period, b.loc, b.now)
	if err != nil {
		return nil, err
	}
	if !w.Start.Before(b.now) {
		return nil, inputErrorf("period %s has not begun: it starts %s", w.Label, display.Time(w.Start, b.loc))
	}
	if b.scope, err = resolveScope(b.cfg, req.Filter); err != nil {
		return nil, err
	}
	b.window, b.trend = w, w.last(trendPeriods)
	rep := &Report{
		Title: "Service report " + w.name(), GeneratedAt: b.now.In(b.loc), Timezone: b.loc.String(), Demo: b.in.Demo,
		Period: w.model(b.now), Previous: b.trend[len(b.trend)-2].model(b.now), Filter: req.Filter,
		Settings:   Settings{Top: b.cfg.Global.Report.Top, RecurringIncidents: b.cfg.Global.Report.RecurringIncidents},
		Incomplete: []string{},
	}
	if f := filterText(req.Filter); f != "" {
		rep.Title += ", " + f
	}
	rep.Services = b.services()
	rep.Escalations = b.escalations()
	rep.CustomerContracts, rep.Suppliers = b.contracts()
	rep.Desk = b.desk()
	rep.Problems = b.problems()
	rep.Staffing = b.staffing() // staffing.go
	for _, s := range rep.Services {
		for _, o := range s.Objectives {
			for _, r := range o.Incomplete {
				rep.Incomplete = append(rep.Incomplete, o.Name+": "+r)
			}
		}
	}
	if rep.Desk != nil {
		for _, r := range rep.Desk.Incomplete {
			rep.Incomplete = append(rep.Incomplete, "service desk: "+r)
		}
	}
	rep.Complete = len(rep.Incomplete) == 0
	if !b.hasData(rep) {
		return nil, b.noData(w)
	}
	rep.Summary = b.summary(rep)
	return rep, nil
}

// filterText names the filter for the title: "customer acme".
func filterText(f Filter) string {
	switch {
	case f.Service != "":
		return "service " + f.Service
	case f.Customer != "":
		return "customer " + f.Customer
	case f.Supplier != "":
		return "supplier " + f.Supplier
	case f.Contract != "":
		return "contract " + f.Contract
	}
	return ""
}

// hasData reports whether anything was measured in the report's period: an objective's
// attainment, a KPI's value, or a ticket created or resolved.
func (b *builder) hasData(rep *Report) bool {
	for _, s := range rep.Services {
		for _, o := range s.Objectives {
			if o.Attainment != nil {
				return true
			}
		}
	}
	if d := rep.Desk; d != nil {
		for _, k := range d.KPIs {
			if k.Value != nil && k.Samples > 0 {
				return true
			}
		}
		return d.Volumes.Created != nil && *d.Volumes.Created > 0 || d.Volumes.Resolved != nil && *d.Volumes.Resolved > 0
	}
	return false
}

// noData is the error for a period nothing was measured in, saying what the records reach.
func (b *builder) noData(w window) error {
	var oldest time.Time
	for _, o := range b.scope.objectives {
		if from, ok := b.heldFrom(o); ok && (oldest.IsZero() || from.Before(oldest)) {
			oldest = from
		}
	}
	for _, src := range b.scope.ticketSources {
		if from, ok := b.oldestTicket(src); ok && (oldest.IsZero() || from.Before(oldest)) {
			oldest = from
		}
	}
	if oldest.IsZero() {
		return inputErrorf("period %s has no data: nothing was frozen for it and no records are held", w.Label)
	}
	return inputErrorf("period %s has no data: nothing was frozen for it, and the oldest record held is from %s", w.Label, display.Time(oldest, b.loc))
}
