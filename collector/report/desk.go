package report

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/display"
	"github.com/sla-exporter/sla_exporter/slo/kpi"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// The service desk scorecard reuses the KPI engine for every figure, so that a group's reopen
// rate or a backlog age bucket counts tickets exactly as the configured KPIs do.

// groupColumns are the per-team table's columns, in order.
var groupColumns = []struct {
	kind  kpi.Kind
	title string
}{
	{kpi.Created, "Created"}, {kpi.Resolved, "Resolved"}, {kpi.Backlog, "Backlog at end"}, {kpi.MTTR, "MTTR"},
	{kpi.ReopenRate, "Reopen rate"}, {kpi.FCR, "FCR"}, {kpi.CSAT, "CSAT"},
}

// ageBuckets cut the backlog by age, in calendar days.
var ageBuckets = []struct {
	label    string
	from, to float64 // days; to 0 for no bound
}{{"under 1 day", 0, 1}, {"1-3 days", 1, 3}, {"3-7 days", 3, 7}, {"7-30 days", 7, 30}, {"30 days or more", 30, 0}}

// desk is the scorecard of the tickets in scope: nil when the report reads no tickets.
func (b *builder) desk() *Desk {
	if len(b.scope.ticketSources) == 0 {
		return nil
	}
	d := &Desk{Sources: b.scope.ticketSources, Incomplete: []string{}, KPIs: []KPI{}, Columns: []Column{}, Groups: []Group{}}
	if b.scope.customer != "" {
		d.Scope = "tickets whose customer field is " + b.scope.customer
	}
	for _, src := range d.Sources {
		for _, r := range b.ticketReasons(src, b.window) {
			d.Incomplete = append(d.Incomplete, fmt.Sprintf("source %q: %s", src, r))
		}
	}
	d.Complete = len(d.Incomplete) == 0
	for _, k := range b.scope.kpis {
		d.KPIs = append(d.KPIs, b.kpiRow(k))
	}
	d.Volumes = b.volumes()
	d.Backlog = b.backlog()
	d.Columns, d.Groups = b.groups()
	return d
}

// ticketReasons are why a source's tickets may not give final figures for the window.
func (b *builder) ticketReasons(source string, w window) []string {
	var out []string
	last := b.data.LastSuccess[source]
	switch {
	case b.now.Before(w.End):
		out = append(out, "the period is in progress: figures up to "+display.Time(b.now, b.loc))
	case last.IsZero():
		out = append(out, "has not synced yet")
	case last.Before(w.End):
		out = append(out, "last synced at "+display.Time(last, b.loc)+", before the period ended")
	}
	switch oldest, ok := b.oldestTicket(source); {
	case !ok:
		out = append(out, "holds no tickets")
	case oldest.After(w.Start):
		out = append(out, "the oldest ticket held was created "+display.Time(oldest, b.loc)+", after the period began")
	}
	return out
}

// kpiRow rates a configured KPI over the report's period and its trend.
func (b *builder) kpiRow(k *config.KPI) KPI {
	row := KPI{Name: k.Spec.Name, Description: k.Description, Service: k.Service, Kind: k.Spec.Kind.String(), Unit: k.Spec.Kind.Unit(),
		Direction: k.Spec.Direction.String()}
	for i, w := range b.trend {
		spec, note := b.scaledSpec(k, w)
		r, ok := b.computeKPI(spec, k.Source, k.Select, w, nil)
		v := Value{Label: w.Label, Value: ptr(r.Value, ok && r.OK), Status: kpi.Unknown.String()}
		if v.Value != nil {
			v.Status = r.Status.String()
		}
		row.Trend = append(row.Trend, v)
		switch i {
		case len(b.trend) - 2:
			row.Previous = v.Value
		case len(b.trend) - 1:
			row.Value, row.Status, row.Samples = v.Value, v.Status, r.Samples
			row.Target, row.Red, row.TargetNote = spec.Target, spec.Red, note
		}
	}
	return row
}

// scaledSpec is a KPI's spec for a window: a volume target (created, resolved) set for a period
// of another length is scaled to the window's length, so that a target of 1200 incidents per
// 30 days reads 1240 for a 31-day month; other targets are rates or instants and stand as set.
func (b *builder) scaledSpec(k *config.KPI, w window) (kpi.Spec, string) {
	spec := k.Spec
	if spec.Kind != kpi.Created && spec.Kind != kpi.Resolved || samePeriod(k.Period, w.Period) {
		return spec, ""
	}
	own := time.Duration(k.Period.Days) * 24 * time.Hour
	if k.Period.Calendar() {
		s, e := k.Period.Bounds(w.Start)
		own = e.Sub(s)
	}
	// Multiplied before dividing: 30 × 31 days / 30 days is 31 exactly.
	length, ownLength := b.measuredEnd(w).Sub(w.Start).Seconds(), own.Seconds()
	spec.Target = k.Spec.Target * length / ownLength
	if k.Spec.Red != nil {
		red := *k.Spec.Red * length / ownLength
		spec.Red = &red
	}
	return spec, fmt.Sprintf("target %s per %s, scaled to the period's length", display.Count(k.Spec.Target), k.PeriodName)
}

// measuredEnd is where the figures of a window stop: its end, or now for the period in progress.
func (b *builder) measuredEnd(w window) time.Time {
	if b.now.Before(w.End) {
		return b.now
	}
	return w.End
}

// computeKPI evaluates a spec over the window on one source's tickets, those the selector, the
// report's customer filter and extra (when not nil) accept. ok is false when the source's
// records do not reach the window (it holds no ticket, or none created before the window's end):
// no data, not a zero.
func (b *builder) computeKPI(spec kpi.Spec, source string, sel ticket.Selector, w window, extra func(ticket.View) bool) (kpi.Result, bool) {
	st := b.data.Tickets[source]
	end := b.measuredEnd(w)
	if !b.ticketsReach(source, w) || !w.Start.Before(end) {
		return kpi.Result{Value: math.NaN()}, false
	}
	filter := b.ticketFilter(st, sel, extra)
	r, err := kpi.Compute(spec, st, filter, w.Start.Unix(), max(end.Unix(), w.Start.Unix()+1), end.Unix())
	if err != nil {
		return kpi.Result{Value: math.NaN()}, false
	}
	return r, true
}

// ticketsReach reports whether a source's ticket records reach back into the window.
func (b *builder) ticketsReach(source string, w window) bool {
	oldest, ok := b.oldestTicket(source)
	return ok && oldest.Before(w.End)
}

// ticketFilter combines a selector, the report's customer filter and extra; nil accepts all.
func (b *builder) ticketFilter(st *ticket.Store, sel ticket.Selector, extra func(ticket.View) bool) func(ticket.View) bool {
	var m *ticket.Matcher
	if len(sel) > 0 {
		c := sel.Compile(st)
		m = &c
	}
	customer := b.scope.customer
	if m == nil && customer == "" && extra == nil {
		return nil
	}
	return func(v ticket.View) bool {
		if m != nil && !m.Match(v) {
			return false
		}
		if customer != "" {
			if c, _ := v.Field(labelCustomer); !strings.EqualFold(c, customer) {
				return false
			}
		}
		return extra == nil || extra(v)
	}
}

// columnSpec is how a column is measured on a source: as the configured KPI of its kind on that
// source with the broadest selection (fewest selector keys, the first listed on a tie: mttr over
// all incidents rather than mttr-p1), or plainly (every ticket, calendar time, the mean) and
// unrated.
func (b *builder) columnSpec(kind kpi.Kind, source string) (spec kpi.Spec, sel ticket.Selector, name string, rated bool) {
	var best *config.KPI
	for _, k := range b.scope.kpis {
		if k.Spec.Kind == kind && k.Source == source && (best == nil || len(k.Select) < len(best.Select)) {
			best = k
		}
	}
	if best != nil {
		return best.Spec, best.Select, best.Spec.Name, true
	}
	spec = kpi.Spec{Name: kind.String(), Kind: kind, Direction: kpi.LowerIsBetter}
	switch kind {
	case kpi.MTTR:
		spec.Stat = kpi.Mean
	case kpi.FCR, kpi.CSAT, kpi.Resolved:
		spec.Direction = kpi.HigherIsBetter
	}
	return spec, nil, "", false
}

// count is a ticket count of a column on every source in scope, with extra filtering; nil when
// no source's records reach the window.
func (b *builder) count(kind kpi.Kind, w window, extra func(ticket.View) bool) *int {
	n, held := 0, false
	for _, src := range b.scope.ticketSources {
		spec, sel, _, _ := b.columnSpec(kind, src)
		if r, ok := b.computeKPI(spec, src, sel, w, extra); ok {
			n += r.Samples
			held = true
		}
	}
	if !held {
		return nil
	}
	return &n
}

func (b *builder) volumes() Volumes {
	v := Volumes{Trend: []VolumePoint{}}
	for _, w := range b.trend {
		v.Trend = append(v.Trend, VolumePoint{Label: w.Label, Created: b.count(kpi.Created, w, nil), Resolved: b.count(kpi.Resolved, w, nil)})
	}
	n := len(v.Trend)
	v.Created, v.Resolved = v.Trend[n-1].Created, v.Trend[n-1].Resolved
	v.PreviousCreated, v.PreviousResolved = v.Trend[n-2].Created, v.Trend[n-2].Resolved
	return v
}

// backlog counts the tickets open at the period's end (or now), by calendar age.
func (b *builder) backlog() Backlog {
	at := b.measuredEnd(b.window)
	bl := Backlog{At: at.In(b.loc), Open: b.count(kpi.Backlog, b.window, nil), Ages: []AgeBucket{}}
	const day = 86400.0
	for _, a := range ageBuckets {
		lo, hi := at.Unix()-int64(a.from*day), int64(math.MinInt64)
		if a.to > 0 {
			hi = at.Unix() - int64(a.to*day)
		}
		// Created in (hi, lo]: aged at least from and under to.
		n := b.count(kpi.Backlog, b.window, func(v ticket.View) bool { return v.Created() <= lo && v.Created() > hi })
		bucket := AgeBucket{Label: a.label, From: a.from * day, Count: n}
		if a.to > 0 {
			bucket.To = ptr(a.to*day, true)
		}
		bl.Ages = append(bl.Ages, bucket)
	}
	return bl
}

// groups is the per-team table: every assignment group with tickets in scope, on each source.
// Durations and ratios are rated against the configured KPI's thresholds; volumes are not, since
// their targets are the whole desk's.
func (b *builder) groups() ([]Column, []Group) {
	cols := make([]Column, len(groupColumns))
	for i, c := range groupColumns {
		cols[i] = Column{Kind: c.kind.String(), Title: c.title, Unit: c.kind.Unit()}
		for _, src := range b.scope.ticketSources {
			if _, _, name, ok := b.columnSpec(c.kind, src); ok && cols[i].KPI == "" {
				cols[i].KPI = name
			}
		}
	}
	out := []Group{}
	end := b.measuredEnd(b.window).Unix()
	for _, src := range b.scope.ticketSources {
		st := b.data.Tickets[src]
		if st == nil {
			continue
		}
		inScope := b.ticketFilter(st, nil, nil)
		var names []string
		for i := range st.Len() {
			v := st.View(i)
			if v.Created() < end && (inScope == nil || inScope(v)) && !slices.Contains(names, v.Group()) {
				names = append(names, v.Group())
			}
		}
		slices.Sort(names)
		for _, g := range names {
			row := Group{Source: src, Group: g}
			inGroup := func(v ticket.View) bool { return v.Group() == g }
			active := false
			for _, c := range groupColumns {
				spec, sel, _, rated := b.columnSpec(c.kind, src)
				r, ok := b.computeKPI(spec, src, sel, b.window, inGroup)
				cell := Cell{Value: ptr(r.Value, ok && r.OK)}
				// A volume target is the whole desk's: a team is not rated against it.
				if rated && cell.Value != nil && c.kind.Unit() != "tickets" {
					cell.Status = r.Status.String()
				}
				if cell.Value != nil && *cell.Value != 0 {
					active = true
				}
				row.Cells = append(row.Cells, cell)
			}
			if active {
				out = append(out, row)
			}
		}
	}
	return cols, out
}
