package kpi

import (
	"fmt"
	"math"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Result is a computed KPI.
type Result struct {
	// Value is in the KPI's unit (seconds, tickets or a ratio); NaN when OK is false.
	Value float64
	// Samples is the number of tickets measured: the durations summarized, a ratio's denominator,
	// or the count itself.
	Samples int
	// OK is false when there was nothing to measure, such as an mttr with no resolved ticket.
	OK bool
	// Status rates Value against the spec's target; Unknown when OK is false.
	Status Status
}

// Compute evaluates the KPI over the window [from, to) as known at now, over the tickets filter
// accepts (nil accepts all), in one pass over the store. It fails on an invalid spec, an empty
// window, or a business-time duration reaching outside the calendar's span, which the calendar
// could not measure.
func Compute(spec Spec, st *ticket.Store, filter func(ticket.View) bool, from, to, now int64) (Result, error) {
	if err := spec.Validate(); err != nil {
		return Result{}, err
	}
	if st == nil {
		return Result{}, fmt.Errorf("kpi %q: no ticket store", spec.Name)
	}
	if from >= to {
		return Result{}, fmt.Errorf("kpi %q: window [%d, %d) is empty", spec.Name, from, to)
	}
	e := eval{spec: spec, from: from, to: to, now: now, t: tally{keep: spec.Stat.percentile() > 0}}
	measure := measures[spec.Kind]
	for i := range st.Len() {
		v := st.View(i)
		if v.Created() > now {
			continue // not created yet as of now
		}
		if filter != nil && !filter(v) {
			continue
		}
		if err := measure(&e, v); err != nil {
			return Result{}, fmt.Errorf("kpi %q: ticket %s: %w", spec.Name, v.ID(), err)
		}
	}
	return e.result(), nil
}

// eval is one computation in progress.
type eval struct {
	spec          Spec
	from, to, now int64
	t             tally
}

func (e *eval) in(t int64) bool { return e.from <= t && t < e.to }

func (e *eval) result() Result {
	var r Result
	switch k := e.spec.Kind; {
	case k.duration():
		r = Result{Value: e.t.stat(e.spec.Stat), Samples: e.t.n, OK: e.t.n > 0}
	case k.ratio():
		r = Result{Value: math.NaN(), Samples: e.t.n, OK: e.t.n > 0}
		if r.OK {
			r.Value = float64(e.t.hits) / float64(e.t.n)
		}
	default:
		r = Result{Value: float64(e.t.n), Samples: e.t.n, OK: true}
	}
	r.Status = e.spec.StatusOf(r.Value)
	return r
}

// duration is the time in [a, b), in business seconds when the spec has a calendar. The calendar
// counts no working time outside its span, so an interval reaching outside it would be silently
// short: that is an error instead.
func (e *eval) duration(a, b int64) (uint64, error) {
	if b <= a {
		return 0, nil
	}
	if c := e.spec.Calendar; c != nil {
		if err := c.Check(a); err != nil {
			return 0, fmt.Errorf("business time not measurable: %w", err)
		}
		if err := c.Check(b - 1); err != nil { // b - 1 is the interval's last second
			return 0, fmt.Errorf("business time not measurable: %w", err)
		}
	}
	return e.elapsed(a, b), nil
}

// elapsed is duration without the span check, for intervals inside one already checked.
func (e *eval) elapsed(a, b int64) uint64 {
	if b <= a {
		return 0
	}
	if c := e.spec.Calendar; c != nil {
		return uint64(c.DurationUnix(a, b))
	}
	// b - a can exceed the int64 range for absurd instants; as unsigned it cannot.
	return uint64(b) - uint64(a)
}
