package slo

import (
	"fmt"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/events"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Data is what an objective is evaluated over. Only the part matching the objective's kind is
// read: tickets for ticket SLAs, an availability series or an event series for the others.
type Data struct {
	Tickets      *ticket.Store
	Availability *availability.Series
	Events       *events.Series
}

// Evaluate computes an objective's result at now, over the period containing now. The objective
// is validated (and its defaults filled in) first.
func Evaluate(o *Objective, d Data, now time.Time) (Result, error) {
	if err := o.Validate(); err != nil {
		return Result{}, err
	}
	start, end := o.Period.Bounds(now)
	return evaluateWindow(o, d, now, start, end, nil)
}

// EvaluatePeriod computes the final result of the period [start, end): the objective evaluated
// at the period's last instant. Callers freeze it once the period is over, so later changes to
// the data (a reopened ticket, a back-filled probe) do not rewrite history.
func EvaluatePeriod(o *Objective, d Data, start, end time.Time) (Result, error) {
	if err := o.Validate(); err != nil {
		return Result{}, err
	}
	return evaluateWindow(o, d, end, start, end, nil)
}

func evaluateWindow(o *Objective, d Data, now, start, end time.Time, cache *TicketCache) (Result, error) {
	r := Result{
		Objective: o.Name, Service: o.Service, Kind: o.Kind, Target: o.Target,
		PeriodStart: start, PeriodEnd: end, PeriodLabel: o.Period.Label(start),
		Coverage: 1,
	}
	var err error
	switch o.Kind {
	case TicketSLA:
		evaluateTickets(&r, o, d.Tickets, now, cache)
	case Availability:
		err = evaluateAvailability(&r, o, d.Availability, now)
	case EventRatio:
		evaluateEvents(&r, o, d.Events, now)
	default:
		err = fmt.Errorf("unknown kind %q", o.Kind)
	}
	if err != nil {
		return Result{}, fmt.Errorf("objective %q: %w", o.Name, err)
	}
	return r, nil
}
