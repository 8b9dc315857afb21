package staffing

import (
	"fmt"
	"math"
	"time"
)

// Shortfall is roster − need each hour: negative where the roster is short of the agents
// needed, positive where it has more.
func Shortfall(roster, need Week) Week {
	var s Week
	for h := range s {
		s[h] = roster[h] - need[h]
	}
	return s
}

// onQueue is the agents of a roster working the queue after shrinkage.
func onQueue(scheduled, shrinkage float64) float64 { return scheduled * (1 - shrinkage) }

// QueuePlan is a queue answered in minutes over the hours of a week.
type QueuePlan struct {
	// Arrivals is the mean number of tickets arriving each hour of the week.
	Arrivals Week
	// HandleTime, Target, Goal, MaxOccupancy and Shrinkage are as in Queue.
	HandleTime, Target      time.Duration
	Goal                    float64
	MaxOccupancy, Shrinkage float64
}

func (p QueuePlan) queue(h int) Queue {
	return Queue{ArrivalsPerHour: p.Arrivals[h], HandleTime: p.HandleTime, Target: p.Target, Goal: p.Goal,
		MaxOccupancy: p.MaxOccupancy, Shrinkage: p.Shrinkage}
}

// QueueNeed is what a queue answered in minutes needs each hour of the week.
type QueueNeed struct {
	// Agents is the agents working the queue each hour, Scheduled with shrinkage.
	Agents, Scheduled Week
	// ServiceLevel is the share answered within target those agents give (1 without arrivals).
	ServiceLevel Week
}

// RequiredAgents runs Agents for every hour of the week.
func RequiredAgents(p QueuePlan) (QueueNeed, error) {
	var n QueueNeed
	for h := 0; h < HoursPerWeek; h++ {
		s, err := Agents(p.queue(h))
		if err != nil {
			return QueueNeed{}, fmt.Errorf("hour %d of the week: %w", h, err)
		}
		n.Agents[h], n.Scheduled[h], n.ServiceLevel[h] = float64(s.Agents), float64(s.Scheduled), s.ServiceLevel
	}
	return n, nil
}

// QueueAttainment is the share of the week's tickets a roster is expected to answer within
// target: each hour's service level with the whole agents the roster puts on the queue after
// shrinkage, weighted by the hour's arrivals. An hour whose agents do not exceed its traffic
// answers none in time (the queue grows without bound in the model). Without arrivals it is 1.
func QueueAttainment(p QueuePlan, roster Week) float64 {
	var in, all float64
	for h := 0; h < HoursPerWeek; h++ {
		a := p.Arrivals[h]
		if a == 0 {
			continue
		}
		n := int(math.Floor(onQueue(roster[h], p.Shrinkage) + 1e-9))
		in += a * ServiceLevel(n, p.queue(h).Traffic(), p.HandleTime, p.Target)
		all += a
	}
	if all == 0 {
		return 1
	}
	return in / all
}

// batch is one hour's tickets in the fluid simulation of a deferred queue.
type batch struct {
	count, work, left float64 // tickets, their work and the work left, in agent-hours
	deadline          float64 // hours since the simulation's start
	met               float64 // work done by the deadline, once known
	settled, counted  bool
}

// DeferredAttainment is the share of the planned week's tickets a roster would finish by their
// deadlines if the week were its average, without randomness (SimulateDeferred is the
// expectation with it; this is its upper bound), by a fluid simulation: each hour's tickets join a first-come first-served
// queue at the hour's start, and the roster's agents on the queue after shrinkage work it at
// full pace whenever there is work in the calendar's working time (none on a holiday; the
// occupancy cap plans slack, it does not slow agents). A
// ticket is in time when its share of its hour's work is done by its deadline. The simulation
// runs from maxSpanWeeks weeks before the planned week, with the same arrivals and roster, so
// that the backlog the week inherits is the steady one. Without arrivals it is 1.
func DeferredAttainment(d Deferred, roster Week) (float64, error) {
	if err := d.check(); err != nil {
		return 0, err
	}
	const before = 2 // weeks of warm-up: a backlog the roster can clear settles well within them
	first := -before * HoursPerWeek
	var queue []*batch
	var planned []*batch
	clock := &hourClock{d: &d}
	origin := clock.at(first)
	hours := func(t time.Time) float64 { return t.Sub(origin).Hours() }
	// Tickets of the planned week may be due weeks later: run until the last is settled.
	for h := first; ; h++ {
		idx := (h%HoursPerWeek + HoursPerWeek) % HoursPerWeek
		from, to := clock.at(h), clock.at(h+1)
		start, end := hours(from), hours(to)
		if h < HoursPerWeek {
			if a := d.Arrivals[idx]; a > 0 {
				deadline := d.Deadline(from)
				if deadline.IsZero() {
					return 0, fmt.Errorf("tickets arriving %s: no deadline", from.Format(time.RFC3339))
				}
				w := a * d.HandleTime.Hours()
				b := &batch{count: a, work: w, left: w, deadline: hours(deadline), counted: h >= 0}
				queue = append(queue, b)
				if b.counted {
					planned = append(planned, b)
				}
			}
		} else if len(queue) == 0 || allSettled(planned) {
			break
		}
		if h > HoursPerWeek*(maxSpanWeeks+1) {
			break
		}
		// Agents work the queue in the calendar's working time only: none on a holiday.
		worked := d.Working(from, to).Hours() / (end - start)
		rate := onQueue(roster[idx], d.Shrinkage) * worked // agent-hours of work per hour
		queue = drain(queue, start, end, rate)
		settle(queue, end)
	}
	var in, all float64
	for _, b := range planned {
		if !b.settled {
			b.met = b.work - b.left
		}
		in += b.count * b.met / b.work
		all += b.count
	}
	if all == 0 {
		return 1, nil
	}
	return in / all, nil
}

// drain works the queue from start to end at rate, first come first served, recording for each
// batch the work done by its deadline when the deadline passes during the work.
func drain(queue []*batch, start, end, rate float64) []*batch {
	t := start
	for len(queue) > 0 && t < end && rate > 0 {
		b := queue[0]
		finish := t + b.left/rate
		stop := math.Min(finish, end)
		if !b.settled && b.deadline < stop {
			b.met = b.work - b.left + math.Max(0, b.deadline-t)*rate
			b.settled = true
		}
		b.left -= (stop - t) * rate
		t = stop
		if stop == finish || b.left <= 1e-12 {
			b.left = 0
			if !b.settled {
				b.met, b.settled = b.work, true
			}
			queue = queue[1:]
		}
	}
	return queue
}

// settle records the batches whose deadline has passed by end without being worked to it.
func settle(queue []*batch, end float64) {
	for _, b := range queue {
		if !b.settled && b.deadline <= end {
			b.met = b.work - b.left
			b.settled = true
		}
	}
}

func allSettled(bs []*batch) bool {
	for _, b := range bs {
		if !b.settled {
			return false
		}
	}
	return true
}
