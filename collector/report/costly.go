package report

import (
	"cmp"
	"slices"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Kinds of cost.
const (
	costOutage = "outage"
	costTicket = "ticket"
	costEvents = "events"
)

// costliest lists what cost an objective the most error budget in the window, most first, at
// most top: the outages of an availability objective (runs of bad timeslices), the breached
// cycles of a ticket SLA (by how far past their target they ran), the hours with most failed
// events of an event ratio. budget is the window's error budget in the objective's unit, for
// each cost's share of it (0 for none).
func (b *builder) costliest(o *config.Objective, w window, budget float64) []Cost {
	end := w.End
	if b.now.Before(end) {
		end = b.now
	}
	var out []Cost
	switch o.Kind {
	case slo.Availability:
		out = b.outages(o, w.Start, end)
	case slo.TicketSLA:
		out = b.breachedCycles(o, w.Start, end)
	case slo.EventRatio:
		out = b.badHours(o, w.Start, end)
	}
	slices.SortStableFunc(out, func(a, c Cost) int {
		if a.Overrun != nil && c.Overrun != nil {
			if x := cmp.Compare(*c.Overrun, *a.Overrun); x != 0 {
				return x
			}
		}
		if x := cmp.Compare(c.Amount, a.Amount); x != 0 {
			return x
		}
		if x := a.Start.Compare(c.Start); x != 0 {
			return x
		}
		return cmp.Compare(a.Ticket, c.Ticket)
	})
	out = out[:min(len(out), b.cfg.Global.Report.Top)]
	for i := range out {
		out[i].BudgetShare = ptr(out[i].Amount/budget, budget > 0)
	}
	return out
}

// outages are the runs of bad timeslices, each costing its bad time.
func (b *builder) outages(o *config.Objective, start, end time.Time) []Cost {
	u := b.data.Uptime[collector.SeriesName(o.Source, o.Series)]
	if u == nil || u.Series == nil || !start.Before(end) {
		return nil
	}
	tl, err := availability.Build(o.Availability, *u.Series, start, end)
	if err != nil {
		return nil
	}
	var out []Cost
	slice := tl.Slice()
	from := tl.From()
	open := -1
	flush := func(i int) {
		if open < 0 {
			return
		}
		s, e := from.Add(time.Duration(open)*slice), from.Add(time.Duration(i)*slice)
		out = append(out, Cost{Kind: costOutage, Start: s.In(b.loc), End: e.In(b.loc), Amount: e.Sub(s).Seconds()})
		open = -1
	}
	for i := range tl.Len() {
		t := from.Add(time.Duration(i) * slice)
		if tl.Counts(t, t.Add(slice)).Bad > 0 {
			if open < 0 {
				open = i
			}
			continue
		}
		flush(i)
	}
	flush(tl.Len())
	return out
}

// breachedCycles are the ticket cycles whose breach the engine counts in the window: breached
// at the first working instant after the deadline, as the attainment counts them.
func (b *builder) breachedCycles(o *config.Objective, start, end time.Time) []Cost {
	st := b.data.Tickets[o.Source]
	if st == nil {
		return nil
	}
	m := o.Select.Compile(st)
	cal := o.Clock.Calendar()
	startU, endU := start.Unix(), end.Unix()
	var out []Cost
	var buf []ticket.Cycle
	for i := range st.Len() {
		v := st.View(i)
		if !m.Match(v) || v.Created() >= endU {
			continue
		}
		buf = o.Clock.Cycles(st, i, endU, buf[:0])
		for _, c := range buf {
			if c.State != ticket.Breached {
				continue
			}
			at := ticket.BreachCounts(c.BreachedAt, cal)
			if at < startU || at >= endU {
				continue
			}
			stop := endU
			if c.Stop != 0 {
				stop = c.Stop
			}
			overrun := float64(c.Elapsed - c.Target)
			breached := time.Unix(c.BreachedAt, 0).In(b.loc)
			out = append(out, Cost{Kind: costTicket, Ticket: v.ID(), TicketURL: b.ticketURL(o.Source, v.ID()), Cycle: c.N,
				Priority: v.Priority(), Group: v.Group(), Start: time.Unix(c.Start, 0).In(b.loc), End: time.Unix(stop, 0).In(b.loc),
				BreachedAt: &breached, Amount: 1, Overrun: &overrun})
		}
	}
	return out
}

// badHours are the hours of the window with failed events, each costing its failures.
func (b *builder) badHours(o *config.Objective, start, end time.Time) []Cost {
	e := b.data.Events[collector.SeriesName(o.Source, o.Series)]
	if e == nil || e.Series == nil {
		return nil
	}
	var out []Cost
	for h := start; h.Before(end); h = h.Add(time.Hour) {
		to := h.Add(time.Hour)
		if end.Before(to) {
			to = end
		}
		if c := e.Series.Counts(h, to); c.Bad > 0 {
			out = append(out, Cost{Kind: costEvents, Start: h.In(b.loc), End: to.In(b.loc), Amount: c.Bad})
		}
	}
	return out
}

// ticketURL is the link to a ticket in its system, from the source's ticket link template;
// empty while sources have none.
func (b *builder) ticketURL(source, id string) string {
	if b.in.TicketURL == nil {
		return ""
	}
	return b.in.TicketURL(source, id)
}
