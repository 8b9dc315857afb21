package staffing

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Simulation sets how long SimulateDeferred runs: the planned week is simulated over and over
// until its tickets number Tickets, within MinWeeks and MaxWeeks weeks, after a tenth as many
// weeks again (at least two) of burn-in. The zero value is DefaultSimulation's lengths with seed 0.
type Simulation struct {
	Seed                        uint64
	MinWeeks, MaxWeeks, Tickets int
}

// DefaultSimulation's 200,000 tickets put the standard error near a quarter of a point for a
// desk whose tickets queue behind each other (a ticket's fate is shared with its neighbours', so
// the error is about twice the binomial's); forty weeks at least give the spread between weeks.
var DefaultSimulation = Simulation{MinWeeks: 40, MaxWeeks: 4000, Tickets: 200_000}

// simBatches is the number of batches of consecutive weeks whose spread gives the standard
// error: a backlog ties each week to the next, so single weeks would understate it.
const simBatches = 20

func (s Simulation) withDefaults() Simulation {
	if s.MinWeeks <= 0 {
		s.MinWeeks = DefaultSimulation.MinWeeks
	}
	if s.MaxWeeks <= 0 {
		s.MaxWeeks = DefaultSimulation.MaxWeeks
	}
	if s.Tickets <= 0 {
		s.Tickets = DefaultSimulation.Tickets
	}
	s.MinWeeks = max(s.MinWeeks, 2*simBatches)
	s.MaxWeeks = max(s.MaxWeeks, s.MinWeeks)
	return s
}

// Expected is the attainment a roster is expected to give, estimated by simulation.
type Expected struct {
	// Attainment is the share of the planned week's tickets finished by their deadlines over
	// every simulated week.
	Attainment float64
	// StdErr is Attainment's standard error, from the spread between batches of weeks.
	StdErr float64
	// Weeks is the number of planned weeks counted; Tickets their tickets.
	Weeks, Tickets int
}

// SimulateDeferred is the share of the planned week's tickets a roster is expected to finish by
// their deadlines, estimated by simulation (a seeded Monte Carlo: the same inputs and
// Simulation give the same figure). Unlike DeferredAttainment it has the randomness a desk lives
// with, and so the queues that form when a busy hour meets long tickets, and the backlog one
// week leaves to the next:
//
//   - arrivals: a Poisson process each hour of the week at the hour's mean rate, so uniform
//     within the hour;
//   - work: each ticket's handle time exponential with mean HandleTime (Erlang's assumption);
//   - agents: the roster's agents on the queue after shrinkage each hour, n = k + f, work it
//     first come first served, one ticket each: k+1 for the hour's first share f, k for the rest
//     (breaks taken in turn), in the calendar's working time only (none on a holiday); a ticket
//     an agent leaves is finished by the next agent free;
//   - a ticket is in time when its work is done by its deadline on the objective's calendar.
//
// The weeks before the planned week are taken to be like the week just before it (its calendar,
// the same arrivals and roster), repeated: a desk in its long run, whose backlog at each of their
// ends starts a simulated planned week. So a holiday in the planned week costs that week what it
// leaves undone, not every week; the planned week's tickets run on into the weeks after it on
// their own calendar. Without arrivals it is 1.
func SimulateDeferred(d Deferred, roster Week, sim Simulation) (Expected, error) {
	if err := d.check(); err != nil {
		return Expected{}, err
	}
	weekly := d.Arrivals.Sum()
	if weekly == 0 {
		return Expected{Attainment: 1}, nil
	}
	p, err := newSimPlan(&d, roster)
	if err != nil {
		return Expected{}, err
	}
	sim = sim.withDefaults()
	weeks := int(math.Ceil(float64(sim.Tickets) / weekly))
	weeks = min(max(weeks, sim.MinWeeks), sim.MaxWeeks)
	s := simState{plan: p, rng: rand.New(rand.NewPCG(sim.Seed, 0x5eed_0f_de5c)), mean: d.HandleTime.Hours()}
	met, all := make([]int, weeks), make([]int, weeks)
	backlog := 0
	for range max(2, weeks/10) { // burn-in: the long run's backlog
		backlog = s.background(backlog)
	}
	for w := range weeks {
		met[w], all[w] = s.planned(backlog)
		backlog = s.background(backlog)
	}
	return estimate(met, all), nil
}

// estimate is Σmet / Σall over the weeks, with the ratio estimator's standard error from the
// spread between simBatches batches of consecutive weeks.
func estimate(met, all []int) Expected {
	e := Expected{Weeks: len(all), Attainment: 1}
	var sm, sa float64
	for i := range all {
		sm, sa = sm+float64(met[i]), sa+float64(all[i])
	}
	e.Tickets = int(sa)
	if sa == 0 {
		return e
	}
	e.Attainment = sm / sa
	size := len(all) / simBatches
	ss := 0.0
	for b := range simBatches {
		hi := (b + 1) * size
		if b == simBatches-1 {
			hi = len(all)
		}
		var bm, ba float64
		for i := b * size; i < hi; i++ {
			bm, ba = bm+float64(met[i]), ba+float64(all[i])
		}
		dev := bm - e.Attainment*ba
		ss += dev * dev
	}
	r := float64(simBatches)
	e.StdErr = math.Sqrt(ss/(r*(r-1))) / (sa / r)
	return e
}

// segment is a stretch of the simulation's time with a constant number of agents on the queue.
type segment struct {
	to      float64 // hours since the simulation's origin; the segment starts where the last ended
	servers int
}

// simHour is an hour with arrivals.
type simHour struct {
	start, length float64 // hours since its week's start
	rate          float64 // mean arrivals in the hour
	// due is the deadline, in hours since the planned week's start, of a ticket arriving at
	// each 60th of the hour and at its end; only for the planned week's hours.
	due *[61]float64
	at  time.Time
}

// simWeek is a week's arrivals and agents.
type simWeek struct {
	hours []simHour
	segs  []segment
}

// simPlan is what every simulated week shares, computed once: the week before the planned
// week, which stands for the weeks before it, and the planned week with what follows it until
// its tickets' last deadline.
type simPlan struct {
	d                   *Deferred
	origin              time.Time // the planned week's start
	background, planned simWeek
	latest              float64 // the planned tickets' last deadline, in hours since origin
}

func newSimPlan(d *Deferred, roster Week) (*simPlan, error) {
	clock := &hourClock{d: d}
	p := &simPlan{d: d, origin: clock.at(0)}
	var err error
	if p.background, err = p.week(clock, roster, -HoursPerWeek, false); err != nil {
		return nil, err
	}
	if p.planned, err = p.week(clock, roster, 0, true); err != nil {
		return nil, err
	}
	return p, nil
}

// week builds the arrivals of the week from hour first, and its agents: for the planned week
// (due), until the last deadline of its tickets.
func (p *simPlan) week(clock *hourClock, roster Week, first int, due bool) (simWeek, error) {
	d := p.d
	var w simWeek
	start := clock.at(first)
	since := func(t time.Time) float64 { return t.Sub(start).Hours() }
	add := func(to float64, servers int) {
		if n := len(w.segs); n > 0 && w.segs[n-1].servers == servers {
			w.segs[n-1].to = to
			return
		}
		w.segs = append(w.segs, segment{to: to, servers: servers})
	}
	for i := 0; ; i++ {
		h := first + i
		from, to := clock.at(h), clock.at(h+1)
		a, b := since(from), since(to)
		if i >= HoursPerWeek && (!due || a >= p.latest) {
			return w, nil
		}
		if b <= a {
			continue // the hour the clocks skip
		}
		idx := (h%HoursPerWeek + HoursPerWeek) % HoursPerWeek
		if rate := d.Arrivals[idx]; rate > 0 && i < HoursPerWeek {
			sh := simHour{start: a, length: b - a, rate: rate, at: from}
			if due {
				sh.due = new([61]float64)
				step := to.Sub(from) / 60
				for m := range sh.due {
					at := from.Add(time.Duration(m) * step)
					dl := d.Deadline(at)
					if dl.IsZero() || dl.Sub(at) > maxSpanWeeks*7*24*time.Hour {
						return w, fmt.Errorf("tickets arriving %s: no deadline within %d weeks", at.Format(time.RFC3339), maxSpanWeeks)
					}
					sh.due[m] = since(dl)
					p.latest = math.Max(p.latest, sh.due[m])
				}
			}
			w.hours = append(w.hours, sh)
		}
		n := onQueue(roster[idx], d.Shrinkage)
		worked := d.Working(from, to)
		switch {
		case n <= 0 || worked <= 0:
			add(b, 0)
		case worked >= to.Sub(from):
			k := math.Floor(n + 1e-9)
			if f := n - k; f > 1e-9 {
				add(a+f*(b-a), int(k)+1)
			}
			add(b, int(k))
		default:
			// An hour the calendar works in part: the agents work its working minutes, k+1 for
			// the first share f of them.
			minute := to.Sub(from) / 60
			var working []int
			for m := range 60 {
				s := from.Add(time.Duration(m) * minute)
				if d.Working(s, s.Add(minute)) > minute/2 {
					working = append(working, m)
				}
			}
			k := math.Floor(n + 1e-9)
			more := int(math.Round((n - k) * float64(len(working))))
			at := make([]int, 60)
			for i, m := range working {
				at[m] = int(k)
				if i < more {
					at[m]++
				}
			}
			for m := range 60 {
				add(a+float64(m+1)*(b-a)/60, at[m])
			}
		}
	}
}

// deadline is the deadline, in hours since the planned week's start, of a ticket arriving at
// share u of the hour: interpolated between the hour's 60ths where the deadline moves with the
// arrival (or stands still), computed where a calendar boundary lies between them.
func (p *simPlan) deadline(h *simHour, u float64) float64 {
	x := u * 60
	m := min(int(x), 59)
	d0, d1 := h.due[m], h.due[m+1]
	step := h.length / 60
	switch {
	case d1 == d0:
		return d0
	case math.Abs(d1-d0-step) < 1e-9:
		return d0 + (x-float64(m))*step
	}
	a := h.at.Add(time.Duration(u * h.length * float64(time.Hour)))
	return p.d.Deadline(a).Sub(p.origin).Hours()
}

// simState runs the simulation.
type simState struct {
	plan *simPlan
	rng  *rand.Rand
	mean float64 // handle time in hours
	// The planned week's tickets, in arrival order: when each arrives and is due, in hours
	// since the week's start; queue holds the indexes of those waiting or being worked.
	at, due []float64
	queue   []int32
}

// arrivals draws a week's arrivals, a Poisson process over each hour at its rate, in order.
func (s *simState) arrivals(w *simWeek, each func(h *simHour, u float64)) {
	for i := range w.hours {
		h := &w.hours[i]
		for u := s.rng.ExpFloat64() / h.rate; u < 1; u += s.rng.ExpFloat64() / h.rate {
			each(h, u)
		}
	}
}

// nextEvents is when, from t, the next of busy tickets in progress is done and the next arrival,
// s.at[next], comes; +Inf for none. Work is exponential, so the next completion is drawn afresh
// at every event: a ticket in progress has as much left, on average, as a new one.
func (s *simState) nextEvents(t float64, busy, next int) (done, arrive float64) {
	done, arrive = math.Inf(1), math.Inf(1)
	if busy > 0 {
		done = t + s.rng.ExpFloat64()*s.mean/float64(busy)
	}
	if next < len(s.at) {
		arrive = s.at[next]
	}
	return done, arrive
}

// background runs one of the weeks before the planned week from a backlog of tickets and
// returns the backlog it leaves. Their deadlines are not counted, so only their number matters.
func (s *simState) background(backlog int) int {
	w := &s.plan.background
	s.at = s.at[:0]
	s.arrivals(w, func(h *simHour, u float64) { s.at = append(s.at, h.start+u*h.length) })
	n, next, t := backlog, 0, 0.0
	for seg := range w.segs {
		end := w.segs[seg].to
		for {
			done, arrive := s.nextEvents(t, min(w.segs[seg].servers, n), next)
			if done <= arrive && done <= end {
				t, n = done, n-1
			} else if arrive <= end {
				t, n, next = arrive, n+1, next+1
			} else {
				t = end
				break
			}
		}
	}
	return n
}

// planned runs the planned week from a backlog of tickets of the weeks before, ahead of its own
// in the queue, until its tickets' last deadline, and returns its tickets done in time and all
// of them.
func (s *simState) planned(backlog int) (met, all int) {
	p := s.plan
	w := &p.planned
	s.at, s.due = s.at[:0], s.due[:0]
	s.arrivals(w, func(h *simHour, u float64) {
		s.at = append(s.at, h.start+u*h.length)
		s.due = append(s.due, p.deadline(h, u))
	})
	all = len(s.at)
	old, queue := backlog, s.queue[:0]
	head := 0 // queue[head:] waits or is worked; the slots before it are reused
	left, next, t := all, 0, 0.0
	for seg := 0; seg < len(w.segs) && left > 0; {
		busy := min(w.segs[seg].servers, old+len(queue)-head)
		done, arrive := s.nextEvents(t, busy, next)
		end := w.segs[seg].to
		switch {
		case done <= arrive && done <= end:
			t = done
			// One of the tickets in progress finishes, any of them alike; the others keep
			// their places. The backlog's are the oldest.
			i := s.rng.IntN(busy)
			if i < old {
				old--
				break
			}
			i += head - old
			k := queue[i]
			copy(queue[head+1:i+1], queue[head:i])
			head++
			if head > 1024 && 2*head > len(queue) {
				queue = queue[:copy(queue, queue[head:])]
				head = 0
			}
			left--
			if t <= s.due[k] {
				met++
			}
		case arrive <= end:
			t = arrive
			queue = append(queue, int32(next))
			next++
		default:
			t = end
			seg++
		}
	}
	s.queue = queue[:0]
	return met, all
}
