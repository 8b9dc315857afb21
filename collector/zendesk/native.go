package zendesk

import (
	"slices"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// The import of Zendesk's own SLA state: each entry of the ticket's slas.policy_metrics (the
// latest instance of each metric of the SLA policy that applies) is one ticket.NativeSLA.
// Zendesk gives the metric, its stage and its deadline (breach_at); when the metric started
// and stopped is read from the audits, by the metric's definition (SLA Policies, "Metrics"):
//
//   - first_reply_time starts at the creation and stops at the first reply (a public comment
//     by an agent), or at the first solve if that comes first;
//   - requester_wait_time and agent_work_time start at the creation and stop at the solve
//     ending the latest run (they run on after a reopen, in the same instance);
//   - next_reply_time starts at the latest public comment by the requester (an end user) and
//     stops at the reply after it;
//   - other metrics (periodic_update_time, pausable_update_time ...) are imported with their
//     stage and deadline, without start or stop.
//
// Zendesk's verdict: an achieved metric breached when it stopped after breach_at; an active
// one when breach_at is past at asOf (when Zendesk computed it, the export page's Date); a
// paused one when the time it shows to the deadline is negative (breach_at is then null).

// native turns the policy metrics into Native entries, in start order.
func (p *plan) native(pms []policyMetric, t *ticket.Ticket, tr *trail, requester int64, asOf time.Time) []ticket.NativeSLA {
	var out []ticket.NativeSLA
	for _, pm := range pms {
		metric := strings.TrimSpace(pm.Metric)
		if metric == "" {
			continue
		}
		n := ticket.NativeSLA{Name: metric, Clock: p.clockOf[metric]}
		var deadline time.Time
		if pm.BreachAt != nil {
			if d, rj := parseTime("breach_at", *pm.BreachAt); rj == nil {
				deadline = d
			}
		}
		n.Start, n.Stop = span(metric, t, tr, requester)
		overdue := pm.left() < 0
		switch strings.ToLower(pm.Stage) {
		case "achieved":
			n.Deadline = deadline
			n.Breached = !deadline.IsZero() && !n.Stop.IsZero() && n.Stop.After(deadline)
		case "paused":
			n.Stop, n.Paused, n.Deadline = time.Time{}, true, deadline
			n.Breached = overdue || (!deadline.IsZero() && deadline.Before(asOf))
		case "breached":
			n.Stop, n.Deadline, n.Breached = time.Time{}, deadline, true
		default: // active
			n.Stop, n.Deadline = time.Time{}, deadline
			n.Breached = (!deadline.IsZero() && deadline.Before(asOf)) || (deadline.IsZero() && overdue)
		}
		// The start is read from the audits, the deadline is Zendesk's: a deadline before the
		// start (a clock skew, a policy changed after the fact) cannot be compared with the
		// engine's, so the record keeps its verdict without it; a stop before the start says
		// the audits do not describe this metric, and the record is left out.
		if !n.Start.IsZero() && !n.Deadline.IsZero() && n.Deadline.Unix() < n.Start.Unix() {
			n.Deadline = time.Time{}
		}
		if !n.Start.IsZero() && !n.Stop.IsZero() && n.Stop.Unix() < n.Start.Unix() {
			continue
		}
		out = append(out, n)
	}
	slices.SortStableFunc(out, func(a, b ticket.NativeSLA) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// left is the signed time to the deadline the entry shows, in minutes (0 when it shows none).
func (pm policyMetric) left() int64 {
	switch {
	case pm.Minutes != nil:
		return *pm.Minutes
	case pm.Hours != nil:
		return *pm.Hours * 60
	case pm.Days != nil:
		return *pm.Days * 24 * 60
	}
	return 0
}

// span is when a metric started and when it stopped, by the metric's definition, from the
// ticket's history and the audits' comments; zero when unknown.
func span(metric string, t *ticket.Ticket, tr *trail, requester int64) (start, stop time.Time) {
	solves := func() (first, last time.Time) {
		for i, h := range t.History {
			if h.Category.Stopped() && (i == 0 || !t.History[i-1].Category.Stopped()) {
				if first.IsZero() {
					first = h.At
				}
				last = h.At
			} else if !h.Category.Stopped() {
				last = time.Time{}
			}
		}
		return first, last
	}
	switch metric {
	case "first_reply_time":
		first, _ := solves()
		stop = t.FirstResponse
		if !first.IsZero() && (stop.IsZero() || first.Before(stop)) {
			stop = first
		}
		return t.Created, stop
	case "requester_wait_time", "agent_work_time":
		_, last := solves()
		return t.Created, last
	case "next_reply_time":
		for _, c := range tr.comments {
			switch {
			case !c.public || c.first:
			case c.author == requester && !tr.agents[c.author]:
				start, stop = c.at, time.Time{}
			case !start.IsZero() && stop.IsZero() && tr.isReply(c, requester):
				stop = c.at
			}
		}
		return start, stop
	}
	return time.Time{}, time.Time{}
}
