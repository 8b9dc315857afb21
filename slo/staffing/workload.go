package staffing

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Deferred is a queue whose tickets have business hours or days to be handled: each ticket's
// work must be done between its arrival and its deadline on the objective's calendar.
type Deferred struct {
	// Arrivals is the mean number of tickets arriving in each hour of the week. Each hour's
	// tickets are taken to arrive at the hour's start: the model's resolution is the hour.
	Arrivals Week
	// HandleTime is the mean work per ticket.
	HandleTime time.Duration
	// Deadline returns a ticket's deadline given its arrival, on the objective's calendar and
	// target (calendar.Deadline for hours, DaysDeadline for business days); the zero time when
	// the calendar ends first.
	Deadline func(arrival time.Time) time.Time
	// Working returns the working time in [a, b) on the objective's calendar.
	Working func(a, b time.Time) time.Duration
	// Start is the Monday 00:00 of the week planned, in the plan's time zone: that week's
	// holidays apply. The weeks around it are taken to have the same arrivals (a steady state),
	// so the work of Sunday's tickets due next Monday falls on Monday's hours of the same plan.
	Start time.Time
	// MaxOccupancy caps the share of their time agents spend on tickets, in (0, 1]; 0 means 1.
	MaxOccupancy float64
	// Shrinkage is the share of scheduled time agents are not on the queue, in [0, 1).
	Shrinkage float64
}

// maxSpanWeeks bounds how far a deadline may lie after its arrival: the model covers a target
// of several weeks, not one of months.
const maxSpanWeeks = 8

func (d Deferred) check() error {
	switch {
	case d.HandleTime <= 0:
		return fmt.Errorf("handle time %s: need more than 0", d.HandleTime)
	case d.Deadline == nil || d.Working == nil:
		return errors.New("no calendar")
	case !(d.MaxOccupancy >= 0 && d.MaxOccupancy <= 1):
		return fmt.Errorf("maximum occupancy %v: need a share in (0, 1], or 0 for none", d.MaxOccupancy)
	case !(d.Shrinkage >= 0 && d.Shrinkage < 1):
		return fmt.Errorf("shrinkage %v: need a share in [0, 1)", d.Shrinkage)
	}
	for h, a := range d.Arrivals {
		if !(a >= 0) || math.IsInf(a, 0) {
			return fmt.Errorf("arrivals in hour %d of the week: %v, need a finite number, 0 or more", h, a)
		}
	}
	return nil
}

// hourStart is the start of the plan's hour h (h may run past the week), by wall clock: on a
// day whose clocks change, the hours of the week stay those of the wall clock.
func (d Deferred) hourStart(h int) time.Time {
	day, hour := h/24, h%24
	if h < 0 {
		day, hour = (h-23)/24, (h%24+24)%24
	}
	return time.Date(d.Start.Year(), d.Start.Month(), d.Start.Day()+day, hour, 0, 0, 0, d.Start.Location())
}

// hourClock memoises hourStart over the hours a computation visits, which it visits many times
// (time.Date in a zone with DST rules was most of the model's cost).
type hourClock struct {
	d      *Deferred
	lo     int // hour of starts[0]
	starts []time.Time
}

func (c *hourClock) at(h int) time.Time {
	if len(c.starts) == 0 {
		c.lo = h
	}
	if h < c.lo {
		// Grow backwards a week at a time, not an hour: a walk back must stay linear.
		n := c.lo - h + HoursPerWeek
		grown := make([]time.Time, n, n+len(c.starts))
		for i := range grown {
			grown[i] = c.d.hourStart(c.lo - n + i)
		}
		c.starts = append(grown, c.starts...)
		c.lo -= n
	}
	for h >= c.lo+len(c.starts) {
		c.starts = append(c.starts, c.d.hourStart(c.lo+len(c.starts)))
	}
	return c.starts[h-c.lo]
}

// spread calls add(hour, share) for the hours of the plan (hour indexes relative to Start, any
// week) over which the working time between arrival and deadline lies, share being each hour's
// part of that working time. It returns false when the deadline is unknown or too far.
func (d Deferred) spread(c *hourClock, h int, add func(hour int, share float64)) (time.Time, bool) {
	arrival := c.at(h)
	deadline := d.Deadline(arrival)
	if deadline.IsZero() || deadline.Sub(arrival) > maxSpanWeeks*7*24*time.Hour {
		return deadline, false
	}
	total := d.Working(arrival, deadline)
	if total <= 0 {
		// Due at once (a target of zero): all of it in the arrival's hour.
		add(h, 1)
		return deadline, true
	}
	for j := h; ; j++ {
		from, to := c.at(j), c.at(j+1)
		if !from.Before(deadline) {
			break
		}
		if from.Before(arrival) {
			from = arrival
		}
		if to.After(deadline) {
			to = deadline
		}
		if w := d.Working(from, to); w > 0 {
			add(j, float64(w)/float64(total))
		}
	}
	return deadline, true
}

// Need is what a deferred queue needs each hour of the week.
type Need struct {
	// Work is the agent-hours of ticket work due to be done in each hour.
	Work Week
	// Agents is the agents working the queue each hour: Work / MaxOccupancy; Scheduled adds
	// shrinkage (Agents / (1 − Shrinkage)). Both fractional: Ceil rounds them.
	Agents, Scheduled Week
}

// Required spreads each hour's tickets' work evenly over the working time between their arrival
// and their deadline, and adds up the work each hour of the week receives, with the week's
// own arrivals and those of the weeks around it (the same arrivals, the planned week's dates).
func Required(d Deferred) (Need, error) {
	if err := d.check(); err != nil {
		return Need{}, err
	}
	var n Need
	work := d.HandleTime.Hours()
	clock := &hourClock{d: &d}
	add := func(h int) func(j int, share float64) {
		a := d.Arrivals[(h%HoursPerWeek+HoursPerWeek)%HoursPerWeek]
		return func(j int, share float64) {
			if j >= 0 && j < HoursPerWeek {
				n.Work[j] += a * work * share
			}
		}
	}
	for h := 0; h < HoursPerWeek; h++ {
		if d.Arrivals[h] == 0 {
			continue
		}
		if _, ok := d.spread(clock, h, add(h)); !ok {
			return Need{}, fmt.Errorf("tickets arriving %s: no deadline within %d weeks", d.hourStart(h).Format(time.RFC3339), maxSpanWeeks)
		}
	}
	// Tickets of the weeks before may still have work in this one. Deadlines never come before
	// those of earlier arrivals, so going back stops at the first hour due before the week.
	for h := -1; h >= -maxSpanWeeks*HoursPerWeek; h-- {
		if due := d.Deadline(clock.at(h)); !due.After(d.Start) {
			break
		}
		if d.Arrivals[(h%HoursPerWeek+HoursPerWeek)%HoursPerWeek] == 0 {
			continue
		}
		d.spread(clock, h, add(h))
	}
	occ := d.MaxOccupancy
	if occ == 0 {
		occ = 1
	}
	for h := range n.Work {
		n.Agents[h] = n.Work[h] / occ
		n.Scheduled[h] = n.Agents[h] / (1 - d.Shrinkage)
	}
	return n, nil
}
