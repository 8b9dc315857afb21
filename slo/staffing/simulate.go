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
// their deadlines in the steady state of a desk whose every week is the planned week, estimated
// by simulating that week over and over (a seeded Monte Carlo: the same inputs and Simulation
// give the same figure). Unlike DeferredAttainment it has the randomness a desk lives with, and
// so the queues that form when a busy hour meets long tickets, and the backlog a week leaves to
// the next:
//
//   - arrivals: a Poisson process each hour of the week at the hour's mean rate, so uniform
//     within the hour;
//   - work: each ticket's handle time exponential with mean HandleTime (Erlang's assumption);
//   - agents: the roster's agents on the queue after shrinkage each hour, n = k + f, work it
//     first come first served, one ticket each: k+1 for the hour's first share f, k for the rest
//     (breaks taken in turn), in the calendar's working time only (none on a holiday); a ticket
//     an agent leaves is finished by the next agent free;
//   - a ticket is in time when its work is done by its deadline on the objective's calendar
//     (of the planned week's real dates: a deadline in the next week is on that week's calendar,
//     while its agents are the planned week's again).
//
// Without arrivals it is 1.
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
	met, all := s.run(max(2, weeks/10), weeks)
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

// simHour is an hour of the planned week with arrivals.
type simHour struct {
	start, length float64 // hours since the week's start
	rate          float64 // mean arrivals in the hour
	// due is the deadline, in hours since the week's start, of a ticket arriving at each 60th
	// of the hour and at its end.
	due [61]float64
	at  time.Time
}

// simPlan is what every simulated week shares, computed once: the hours' arrival rates and
// deadlines, and the agents over the week.
type simPlan struct {
	d      *Deferred
	origin time.Time // the planned week's start
	length float64   // the week's length in hours: 167 or 169 when the clocks change
	hours  []simHour
	segs   []segment // over [0, length)
	latest float64   // the latest deadline, in hours since the week's start
}

func newSimPlan(d *Deferred, roster Week) (*simPlan, error) {
	clock := &hourClock{d: d}
	p := &simPlan{d: d, origin: clock.at(0)}
	since := func(t time.Time) float64 { return t.Sub(p.origin).Hours() }
	p.length = since(clock.at(HoursPerWeek))
	add := func(to float64, servers int) {
		if n := len(p.segs); n > 0 && p.segs[n-1].servers == servers {
			p.segs[n-1].to = to
			return
		}
		p.segs = append(p.segs, segment{to: to, servers: servers})
	}
	for h := range HoursPerWeek {
		from, to := clock.at(h), clock.at(h+1)
		a, b := since(from), since(to)
		if b <= a {
			continue // the hour the clocks skip
		}
		if rate := d.Arrivals[h]; rate > 0 {
			sh := simHour{start: a, length: b - a, rate: rate, at: from}
			step := to.Sub(from) / 60
			for m := range sh.due {
				at := from.Add(time.Duration(m) * step)
				due := d.Deadline(at)
				if due.IsZero() || due.Sub(at) > maxSpanWeeks*7*24*time.Hour {
					return nil, fmt.Errorf("tickets arriving %s: no deadline within %d weeks", at.Format(time.RFC3339), maxSpanWeeks)
				}
				sh.due[m] = since(due)
				p.latest = math.Max(p.latest, sh.due[m])
			}
			p.hours = append(p.hours, sh)
		}
		n := onQueue(roster[h], d.Shrinkage)
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
	return p, nil
}

// deadline is the deadline, in hours since the week's start, of a ticket arriving at share u of
// the hour: interpolated between the hour's 60ths where the deadline moves with the arrival (or
// stands still), computed where a calendar boundary lies between them.
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

// simTicket is a ticket in the simulation: its deadline, in hours since the simulation's start,
// and the week it arrived in, counted from the first week kept (negative in the burn-in).
type simTicket struct {
	due  float64
	week int32
}

// simState runs the simulation.
type simState struct {
	plan *simPlan
	rng  *rand.Rand
	mean float64 // handle time in hours
}

// run simulates burn weeks, then weeks more, one after the other with the backlog each leaves
// to the next, and returns for each of the latter its tickets done in time and all its tickets.
func (s *simState) run(burn, weeks int) (met, all []int) {
	p := s.plan
	met, all = make([]int, weeks), make([]int, weeks)
	var queue, arrivals []simTicket
	head := 0 // queue[head:] waits or is worked; the slots before it are reused
	var arrivalAt []float64
	total := burn + weeks
	// The run ends when the last week's tickets are all past their deadline.
	end := float64(total-1)*p.length + p.latest
	next := 0
	t := 0.0
	for wk := 0; ; wk++ {
		base := float64(wk) * p.length
		arrivals, arrivalAt, next = arrivals[:0], arrivalAt[:0], 0
		if wk < total {
			for i := range p.hours {
				h := &p.hours[i]
				// A Poisson process over the hour: exponential gaps at the hour's rate.
				for u := s.rng.ExpFloat64() / h.rate; u < 1; u += s.rng.ExpFloat64() / h.rate {
					arrivals = append(arrivals, simTicket{due: base + p.deadline(h, u), week: int32(wk - burn)})
					arrivalAt = append(arrivalAt, base+h.start+u*h.length)
					if wk >= burn {
						all[wk-burn]++
					}
				}
			}
		}
		for seg := 0; seg < len(p.segs); {
			if t >= end {
				return met, all
			}
			busy := min(p.segs[seg].servers, len(queue)-head)
			// Work is exponential, so the next completion is drawn afresh at every event: a
			// ticket in progress has as much left, on average, as a new one.
			done := math.Inf(1)
			if busy > 0 {
				done = t + s.rng.ExpFloat64()*s.mean/float64(busy)
			}
			arrive := math.Inf(1)
			if next < len(arrivals) {
				arrive = arrivalAt[next]
			}
			segEnd := base + p.segs[seg].to
			switch {
			case done <= arrive && done <= segEnd:
				t = done
				// One of the tickets in progress, the queue's first busy, finishes: any of them
				// alike. The others keep their places.
				i := head + s.rng.IntN(busy)
				tk := queue[i]
				copy(queue[head+1:i+1], queue[head:i])
				head++
				if head > 1024 && 2*head > len(queue) {
					queue = queue[:copy(queue, queue[head:])]
					head = 0
				}
				if tk.week >= 0 && t <= tk.due {
					met[tk.week]++
				}
			case arrive <= segEnd:
				t = arrive
				queue = append(queue, arrivals[next])
				next++
			default:
				t = segEnd
				seg++
			}
		}
	}
}
