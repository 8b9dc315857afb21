package slo

import (
	"time"

	"github.com/sla-exporter/sla_exporter/slo/calendar"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// outcomeTime is when a cycle counts for or against its objective: a met cycle when it stopped,
// a breached one when its breach became a fact. Attributing a breach to that instant counts a
// cycle that breached in one period and stopped in the next exactly once, in the period it
// breached, and lets an open cycle that has breached count at once. The breach becomes a fact at
// the first working instant after the deadline, not at the deadline: a deadline at 17:00 on the
// last Friday of a month is only overrun on Monday, when working time resumes, and a period
// evaluated (and frozen) at its end must not have a breach attributed to it afterwards.
// Cancelled and undecided cycles have none.
func outcomeTime(c *ticket.Cycle, cal *calendar.Calendar) (int64, bool, bool) {
	switch c.State {
	case ticket.Met:
		return c.Stop, true, true
	case ticket.Breached:
		return ticket.BreachCounts(c.BreachedAt, cal), false, true
	}
	return 0, false, false
}

// ticketScan is one pass over a store for one objective.
type ticketScan struct {
	good, bad  float64
	windows    []window
	forecast   window
	open       OpenCycles
	openRatios []float64 // elapsed/target of undecided open cycles
	completed  elapsedDistribution
	cal        *calendar.Calendar
	pairs      []ticket.NativeComparison // reused by addNative
	// levels are the objective's escalation levels (Objective.Escalation), escalated the open
	// cycles counted at each.
	levels    []float64
	escalated []int
}

// newTicketScan prepares a scan for o.
func newTicketScan(o *Objective) ticketScan {
	s := ticketScan{windows: make([]window, len(o.BurnWindows)), forecast: window{dur: o.ForecastWindow}, cal: o.Clock.Calendar(),
		levels: o.Escalation}
	if len(o.Escalation) > 0 {
		s.escalated = make([]int, len(o.Escalation))
	}
	for i, w := range o.BurnWindows {
		s.windows[i].dur = w
	}
	return s
}

// evaluateTickets fills r from the store's tickets at now. With a cache (see TicketCache) the
// cycles that can no longer change are not recomputed; the figures are the same to the bit.
func evaluateTickets(r *Result, o *Objective, st *ticket.Store, now time.Time, cache *TicketCache) {
	r.Unit = Cycles
	start := r.PeriodStart
	if st == nil {
		r.setBudget(0)
		r.setBurnRates(nil)
		r.setStatus(false)
		return
	}
	nowU, startU := now.Unix(), start.Unix()
	s := newTicketScan(o)
	if cache != nil && o.Verdict == Recompute {
		cache.scan(&s, o, st, nowU, startU)
	} else {
		if cache != nil {
			cache.drop() // native verdicts are always counted in full (see TicketCache)
		}
		s.scanAll(o, st, nowU, startU)
	}
	s.finish(r, o, now)
}

// scanAll is the full pass: every ticket's cycles recomputed.
func (s *ticketScan) scanAll(o *Objective, st *ticket.Store, nowU, startU int64) {
	m := o.Select.Compile(st)
	buf := make([]ticket.Cycle, 0, 8)
	for i := range st.Len() {
		if !m.Match(st.View(i)) {
			continue
		}
		buf = o.Clock.Cycles(st, i, nowU, buf[:0])
		if o.Verdict == Native {
			s.addNative(st.View(i), o.Clock, buf, nowU, startU)
			continue
		}
		for j := range buf {
			s.add(&buf[j], nowU, startU)
		}
	}
}

// finish turns the scan's counts into the result's figures. Every count the scan holds is a whole
// number (float64 counts of whole units stay exact below 2^53, so their sum does not depend on the
// order of the tickets); only the open cycles' ratios are summed in floating point, in the order of
// the store, which the cached and full scans share.
func (s *ticketScan) finish(r *Result, o *Objective, now time.Time) {
	start, end := r.PeriodStart, r.PeriodEnd
	r.Good, r.Bad = s.good, s.bad
	r.setAttainment()
	r.Open = s.open
	r.Escalated = s.escalated

	// The period's total is projected from its traffic so far: the cycles decided per second of
	// the period elapsed, carried to its end. Rolling periods end now.
	decided := r.Good + r.Bad
	projected := decided
	if elapsed := now.Sub(start).Seconds(); o.Period.Calendar() && elapsed > 0 {
		projected = decided * end.Sub(start).Seconds() / elapsed
	}
	r.setBudget(projected)
	r.setBurnRates(s.windows)

	// Each undecided open cycle breaches with the probability that completed cycles which ran as
	// long went on to breach.
	tail := s.completed.tails()
	ps := make([]float64, len(s.openRatios))
	for i, x := range s.openRatios {
		ps[i] = breachProbability(tail, s.completed.breached, x)
		r.ExpectedBreaches += ps[i]
	}
	n := float64(len(ps))
	if all := decided + n; all > 0 {
		r.HasForecast = true
		r.Forecast = (r.Good + n - r.ExpectedBreaches) / all
		// The period ends below target when good/(all) < target, i.e. when more than
		// good + n - target×all of the open cycles breach.
		r.HasBreachProbability = true
		r.BreachProbability = probabilityAbove(ps, r.Good+n-o.Target*all)
	}
	r.setExhaustion(now, s.forecast.bad/o.ForecastWindow.Seconds())
	r.setStatus(n > 0)
}

func (s *ticketScan) add(c *ticket.Cycle, now, start int64) {
	switch c.State {
	case ticket.InProgress:
		if c.AtRisk {
			s.open.AtRisk++
		} else {
			s.open.Within++
		}
		s.openRatios = append(s.openRatios, float64(c.Elapsed)/float64(c.Target))
		s.escalate(s.openRatios[len(s.openRatios)-1])
	case ticket.PausedState:
		s.open.Paused++
		s.openRatios = append(s.openRatios, float64(c.Elapsed)/float64(c.Target))
		s.escalate(s.openRatios[len(s.openRatios)-1])
	case ticket.Breached:
		if c.Stop == 0 {
			s.open.Breached++
			s.escalate(float64(c.Elapsed) / float64(c.Target))
		}
	}
	s.addCompleted(c)
	t, good, ok := outcomeTime(c, s.cal)
	s.count(t, good, ok, now, start)
}

// escalate counts an open cycle that has used share of its target at its escalation level: the
// last level whose share it has reached, none below the first. A paused cycle's share is what it
// had used when it paused (its clock counts nothing while paused); a breached open cycle's keeps
// growing past 1 while its clock runs, so levels above 100% escalate overdue work further.
func (s *ticketScan) escalate(share float64) {
	k := len(s.levels) - 1
	for k >= 0 && share < s.levels[k] {
		k--
	}
	if k >= 0 {
		s.escalated[k]++
	}
}

// addCompleted adds a stopped cycle to the distribution the forecast reads.
func (s *ticketScan) addCompleted(c *ticket.Cycle) {
	if c.Stop != 0 && (c.State == ticket.Met || c.State == ticket.Breached) {
		s.completed.add(c.Elapsed, c.Target)
	}
}

// count adds an outcome at t (when ok) to the period starting at start and to the windows.
func (s *ticketScan) count(t int64, good, ok bool, now, start int64) {
	if !ok || t > now {
		return
	}
	if t >= start {
		if good {
			s.good++
		} else {
			s.bad++
		}
	}
	for i := range s.windows {
		s.windows[i].count(t, now, good)
	}
	s.forecast.count(t, now, good)
}

// count adds an outcome at t to the window ending at now, (now - dur, now].
func (w *window) count(t, now int64, good bool) {
	if t <= now-int64(w.dur/time.Second) {
		return
	}
	if good {
		w.good++
	} else {
		w.bad++
	}
}
