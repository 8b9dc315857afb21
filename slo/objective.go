package slo

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/period"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Kind is what an objective measures.
type Kind string

// Objective kinds.
const (
	// TicketSLA: the share of ticket clock cycles (response or resolution) that met their target.
	TicketSLA Kind = "ticket"
	// Availability: the share of good timeslices, maintenance excluded.
	Availability Kind = "availability"
	// EventRatio: good events over all events.
	EventRatio Kind = "event_ratio"
)

// DefaultBurnWindows are the windows burn rates are computed over when an objective names none:
// the short and long windows of the multi-window multi-burn-rate alerts of the SRE workbook.
var DefaultBurnWindows = []time.Duration{
	5 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, 24 * time.Hour, 72 * time.Hour,
}

// DefaultForecastWindow is the recent window whose burn a forecast assumes will continue.
const DefaultForecastWindow = 24 * time.Hour

// Objective is one promise to evaluate. Build it with its fields and call Validate (or let
// Evaluate do it); defaults fill in on Validate.
type Objective struct {
	Name    string
	Service string
	Kind    Kind
	// Target is the promised share of good units, in (0, 1).
	Target float64
	Period period.Period
	// BurnWindows default to DefaultBurnWindows.
	BurnWindows []time.Duration
	// ForecastWindow defaults to DefaultForecastWindow.
	ForecastWindow time.Duration

	// Clock and Select define a ticket SLA: which tickets it covers and how their clock runs.
	Clock  *ticket.Clock
	Select ticket.Selector
	// Verdict says whose verdicts a ticket SLA counts: the engine's own cycles (Recompute, the
	// default) or the ticket tool's native SLA records of the clock (Native).
	Verdict Verdict
	// Escalation lists the shares of its target an open cycle must have used to reach each
	// escalation level, strictly increasing and positive (0.5 for 50%); above 1 escalates
	// breached cycles still open. Result.Escalated counts the open cycles per level. Ticket
	// SLAs only.
	Escalation []float64

	// Availability configures timeslices for availability objectives.
	Availability availability.Config
}

// Verdict is whose verdicts on ticket cycles an objective counts.
type Verdict uint8

// Verdict sources.
const (
	// Recompute counts the engine's cycles, computed from the tickets' status histories.
	Recompute Verdict = iota
	// Native counts the ticket tool's own verdicts (ticket.NativeSLA) on the objective's clock:
	// met or breached per native cycle decided in the period. The engine's cycles of the same
	// tickets still inform the forecast (see evaluateTickets).
	Native
)

var verdictNames = [...]string{"recompute", "native"}

// String is the lower-case name used in configuration.
func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return fmt.Sprintf("verdict(%d)", v)
}

// ParseVerdict reads a verdict source name.
func ParseVerdict(s string) (Verdict, error) {
	for i, n := range verdictNames {
		if s == n {
			return Verdict(i), nil
		}
	}
	return 0, fmt.Errorf("unknown verdict %q (want recompute or native)", s)
}

// Validate checks the objective and fills in defaults. Errors name the objective and the field.
func (o *Objective) Validate() error {
	wrap := func(field string, err error) error { return fmt.Errorf("objective %q: %s: %w", o.Name, field, err) }
	if o.Name == "" {
		return errors.New("objective has no name")
	}
	if !(o.Target > 0 && o.Target < 1) || math.IsNaN(o.Target) {
		return wrap("target", fmt.Errorf("%v is not a ratio in (0, 1) (99.9%% is 0.999)", o.Target))
	}
	switch o.Kind {
	case TicketSLA:
		if o.Clock == nil {
			return wrap("clock", errors.New("a ticket objective needs a clock"))
		}
		if o.Verdict > Native {
			return wrap("verdict", fmt.Errorf("unknown verdict %d (want recompute or native)", o.Verdict))
		}
		for i, at := range o.Escalation {
			if !(at > 0) || math.IsInf(at, 0) || i > 0 && !(at > o.Escalation[i-1]) {
				return wrap("escalation", fmt.Errorf("level %d at %v: the levels' shares must be positive, finite and strictly increasing", i+1, at))
			}
		}
	case Availability, EventRatio:
		if o.Verdict != Recompute {
			return wrap("verdict", errors.New("applies to ticket objectives only"))
		}
		if len(o.Escalation) > 0 {
			return wrap("escalation", errors.New("applies to ticket objectives only"))
		}
	default:
		return wrap("kind", fmt.Errorf("unknown kind %q (want ticket, availability or event_ratio)", o.Kind))
	}
	if len(o.BurnWindows) == 0 {
		o.BurnWindows = DefaultBurnWindows
	}
	for _, w := range o.BurnWindows {
		if w <= 0 {
			return wrap("burn_windows", fmt.Errorf("window %s is not positive", w))
		}
	}
	if o.ForecastWindow == 0 {
		o.ForecastWindow = DefaultForecastWindow
	}
	if o.ForecastWindow < 0 {
		return wrap("forecast_window", fmt.Errorf("%s is not positive", o.ForecastWindow))
	}
	return nil
}

// maxWindow is the longest window any part of an evaluation looks back over.
func (o *Objective) maxWindow() time.Duration {
	m := o.ForecastWindow
	for _, w := range o.BurnWindows {
		m = max(m, w)
	}
	return m
}
