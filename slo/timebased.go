package slo

import (
	"time"

	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/events"
)

// evaluateAvailability judges the period's timeslices. The timeline is built to the period's end
// so that the maintenance still ahead is known: the budget of a calendar period is fixed in
// advance as (1 - target) × the period's time outside maintenance. Only whole slices before now
// are judged; the slice now falls in counts as still ahead.
func evaluateAvailability(r *Result, o *Objective, s *availability.Series, now time.Time) error {
	r.Unit = Seconds
	start, end := r.PeriodStart, r.PeriodEnd
	var data availability.Series
	if s != nil {
		data = *s
	}
	from := start
	if w := now.Add(-o.maxWindow()); w.Before(from) {
		from = w
	}
	to := end
	if !to.After(now) {
		to = now.Add(time.Nanosecond) // a rolling period ends now; the timeline needs a non-empty range
	}
	tl, err := availability.Build(o.Availability, data, from, to)
	if err != nil {
		return err
	}
	sofar := tl.Counts(start, now)
	r.Good, r.Bad, r.Excluded = sofar.Good.Seconds(), sofar.Bad.Seconds(), sofar.Excluded.Seconds()
	r.setAttainment()
	r.Coverage = 0
	if c, ok := sofar.Coverage(); ok {
		r.Coverage = c
	}
	ahead := time.Duration(0)
	if o.Period.Calendar() {
		ahead = tl.Counts(now, end).Eligible
	}
	r.setBudget((sofar.Eligible + ahead).Seconds())

	ws := make([]window, len(o.BurnWindows))
	for i, w := range o.BurnWindows {
		c := tl.Counts(now.Add(-w), now)
		ws[i] = window{dur: w, good: c.Good.Seconds(), bad: c.Bad.Seconds()}
	}
	r.setBurnRates(ws)
	fc := tl.Counts(now.Add(-o.ForecastWindow), now)
	recent := window{good: fc.Good.Seconds(), bad: fc.Bad.Seconds()}
	f := recent.badFraction()
	if o.Period.Calendar() && r.HasData {
		// The time ahead goes bad at the recent rate.
		left := ahead.Seconds()
		good, bad := r.Good+(1-f)*left, r.Bad+f*left
		r.Forecast, r.HasForecast = good/(good+bad), true
	}
	r.setExhaustion(now, f)
	r.setStatus(false)
	return nil
}

// evaluateEvents counts good and bad events. A calendar period's total is projected from its
// traffic so far (events per second of the period elapsed, carried to its end), so the budget of
// a young period moves with its traffic; the HELP text of the budget metrics says so.
func evaluateEvents(r *Result, o *Objective, s *events.Series, now time.Time) {
	r.Unit = Events
	start, end := r.PeriodStart, r.PeriodEnd
	count := func(from, to time.Time) events.Counts {
		if s == nil {
			return events.Counts{}
		}
		return s.Counts(from, to)
	}
	sofar := count(start, now)
	r.Good, r.Bad = sofar.Good, sofar.Bad
	r.setAttainment()
	projected := sofar.Total
	if elapsed := now.Sub(start).Seconds(); o.Period.Calendar() && elapsed > 0 {
		projected = sofar.Total * end.Sub(start).Seconds() / elapsed
	}
	r.setBudget(projected)
	ws := make([]window, len(o.BurnWindows))
	for i, w := range o.BurnWindows {
		c := count(now.Add(-w), now)
		ws[i] = window{dur: w, good: c.Good, bad: c.Bad}
	}
	r.setBurnRates(ws)
	fc := count(now.Add(-o.ForecastWindow), now)
	recent := window{good: fc.Good, bad: fc.Bad}
	if o.Period.Calendar() && r.HasData {
		ahead := projected - sofar.Total
		bad := r.Bad + recent.badFraction()*ahead
		r.Forecast, r.HasForecast = 1-bad/projected, true
	}
	r.setExhaustion(now, fc.Bad/o.ForecastWindow.Seconds())
	r.setStatus(false)
}
