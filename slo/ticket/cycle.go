package ticket

import (
	"fmt"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
)

// State is where a clock cycle stands at the evaluation instant.
type State uint8

// Cycle states. The paused and cancelled states carry a suffix because Paused and Cancelled
// already name status categories in this package.
const (
	// InProgress: the clock is running and the target is not exceeded.
	InProgress State = iota
	// PausedState: the clock is paused and the target is not exceeded.
	PausedState
	// Met: the clock stopped with Elapsed <= Target.
	Met
	// Breached: Elapsed exceeds Target, whether the clock stopped, is still running or paused, or
	// the ticket was cancelled after its deadline.
	Breached
	// CancelledState: the ticket was cancelled while the clock ran or was paused, before the
	// target was exceeded.
	CancelledState
)

var stateNames = [...]string{"in_progress", "paused", "met", "breached", "cancelled"}

// String is the lower-case name used in output: in_progress, paused, met, breached, cancelled.
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", s)
}

// Decided reports whether the cycle's outcome is known (met, breached or cancelled). Under the
// Resume reopen policy a decided cycle of a ticket that is later reopened becomes undecided again.
func (s State) Decided() bool { return s >= Met }

// Cycle is one run of an SLA clock on a ticket, from its start to the instant the clock stopped
// for good, or to the evaluation instant.
type Cycle struct {
	// Ticket is the ticket's index in the store.
	Ticket int
	// N is the cycle number, 0 for the first; a resolution clock with the NewCycle policy starts
	// one more at each reopen.
	N int
	// Start is the Unix second the cycle started: the ticket's creation, or the reopen instant.
	// It is a wall-clock instant: outside working hours the clock counts nothing until the next
	// working instant.
	Start int64
	// Stop is the Unix second the clock stopped for good (met, breached and stopped, cancelled);
	// 0 while it is still running or paused.
	Stop int64
	// Target is the business time allowed, in seconds. For a target in working days it is the
	// working time from Start to the end of the last working day allowed.
	Target int64
	// Elapsed is the business time counted, in seconds, pauses excluded: up to Stop, or up to the
	// evaluation instant.
	Elapsed int64
	// Deadline is the instant Elapsed reaches Target. Once reached (breached cycles, or a cycle
	// at exactly its target) it is the instant it was reached, the same as BreachedAt for a
	// breached cycle. Before that it is a projection: from the current run for a running cycle,
	// as if it resumed at the evaluation instant for a paused one. calendar.Never when the
	// calendar's span ends first. Zero for met and cancelled cycles, where no deadline matters
	// any more (and computing one would cost a calendar search per cycle).
	Deadline int64
	// BreachedAt is, for a breached cycle, the instant Elapsed reached Target (the missed
	// deadline); 0 otherwise.
	BreachedAt int64
	State      State
	// AtRisk: the cycle is in progress or paused, not breached, and Elapsed >= WarnAt × Target.
	AtRisk bool
}

// BreachCounts is the instant a breach with this deadline (Unix seconds) counts, as the engine
// counts it: the first working instant after it on cal, so that a deadline at the close of a
// month's last working day is a breach of the next month; the deadline itself when cal never
// works again.
func BreachCounts(deadline int64, cal *calendar.Calendar) int64 {
	if t := cal.NextWorkingUnix(deadline); t != calendar.Never {
		return t
	}
	return deadline
}

// Clock phases while walking a ticket's history.
const (
	phaseRunning = iota
	phasePaused
	phaseStopped // resolved or closed: a resolution clock may reopen
	phaseDone    // nothing after this changes the clock
)

// run is one cycle being computed. It lives on the stack of Cycles.
type run struct {
	cal           *calendar.Calendar
	target, warn  int64
	elapsed       int64
	segStart      int64 // start of the current running segment
	crossFrom     int64 // start of the running segment in which elapsed reached target
	crossBefore   int64 // elapsed at crossFrom
	stop          int64
	phase         int
	n             int
	start         int64
	cancelledStop bool
}

// accrue counts the running segment [segStart, t), once, and remembers the segment in which
// Elapsed reaches Target so that the breach instant needs one calendar search, and only when
// asked for.
func (r *run) accrue(t int64) {
	d := r.cal.DurationUnix(r.segStart, t)
	if r.elapsed < r.target && r.elapsed+d >= r.target {
		r.crossFrom, r.crossBefore = r.segStart, r.elapsed
	}
	r.elapsed += d
}

// reached is the instant Elapsed reached Target; only valid once it has.
func (r *run) reached() int64 {
	return r.cal.DeadlineUnix(r.crossFrom, r.target-r.crossBefore)
}

// cycle is the run as a Cycle at the evaluation instant now.
func (r *run) cycle(ticket int, now int64) Cycle {
	c := Cycle{Ticket: ticket, N: r.n, Start: r.start, Target: r.target, Elapsed: r.elapsed}
	switch r.phase {
	case phaseRunning, phasePaused:
		switch {
		case r.elapsed > r.target:
			c.State = Breached
			c.BreachedAt = r.reached()
			c.Deadline = c.BreachedAt
		default:
			c.State = InProgress
			if r.phase == phasePaused {
				c.State = PausedState
			}
			c.AtRisk = r.elapsed >= r.warn
			if r.elapsed == r.target {
				c.Deadline = r.reached()
			} else {
				// For a running cycle this is the deadline of its current run (counting from now
				// or from the run's start gives the same instant); for a paused one, the
				// deadline if it resumed now.
				c.Deadline = r.cal.DeadlineUnix(now, r.target-r.elapsed)
			}
		}
	default:
		c.Stop = r.stop
		switch {
		case r.elapsed > r.target:
			c.State = Breached
			c.BreachedAt = r.reached()
			c.Deadline = c.BreachedAt
		case r.cancelledStop:
			c.State = CancelledState
		default:
			c.State = Met
		}
	}
	return c
}

// Cycles appends the cycles of ticket i (a store index) at the evaluation instant now (Unix
// seconds) to buf and returns it. It allocates nothing when buf has room for them (a response
// clock has at most one cycle; a resolution clock one more per reopen under NewCycle).
//
// Everything after now is ignored: a ticket created after now has no cycle, and status changes
// and a first response after now have not happened. Changes at exactly now have.
//
// The timeline: the first cycle starts at creation. Until its first history entry the ticket is
// open (sources may only know later changes); from each entry on it is in that entry's category.
// Only business time counts, so a clock started outside working hours counts from the next
// working instant; each running segment's business time is computed once.
//
// Response clock: one cycle, never reopened. It stops at the first response, or at the first
// resolved or closed change if that comes earlier (a ticket fixed without a reply was answered by
// the fix); a response at the same instant as another change comes first. It pauses only in the
// categories PauseOn lists (none by default).
//
// Resolution clock: runs while the ticket is open (or paused, when PauseOn does not list paused),
// pauses in the PauseOn categories (paused by default), stops at resolved or closed; a later
// resolved or closed change does nothing more. A reopen is a change from resolved or closed back
// to open or paused; under NewCycle it starts a new cycle at the reopen instant with nothing
// elapsed and the same target (a target in working days counted again from the reopen), under
// Resume the same cycle goes on (the time spent resolved is not counted) and its Stop and outcome
// are those of its last stop, so a cycle met at one evaluation may be in progress or breached at a
// later one.
//
// Outcomes: a stopped cycle is Met if Elapsed <= Target (stopping exactly at the deadline is on
// time), else Breached. A cycle still running or paused at now is Breached if Elapsed > Target,
// else InProgress or PausedState. Cancelled while running or paused (for either kind of clock)
// gives CancelledState with Stop at the cancellation if Elapsed <= Target, else Breached: a
// breach cannot be dodged by cancelling. Cancelled is final: nothing after it changes the clock
// (a change out of cancelled is not a reopen). Cancelled while resolved leaves the outcome as it
// was.
//
// Deadline and BreachedAt are computed only for cycles that need them (see Cycle), with one
// calendar search each.
func (c *Clock) Cycles(st *Store, i int, now int64, buf []Cycle) []Cycle {
	rec := &st.recs[i]
	created := rec.created
	if created > now {
		return buf
	}
	tg, ok := c.target(st.strs[rec.prio])
	if !ok {
		return buf
	}
	r := run{cal: c.cal, segStart: created, start: created}
	r.target, r.warn = c.cycleTarget(tg, created)

	// The horizon: history entries at or before it are applied. A response clock stops at the
	// first response, which comes before any change at the same instant.
	horizon, respond := now, false
	if c.kind == Response && rec.response != noTime && rec.response <= now {
		horizon, respond = rec.response, true
	}
	h0 := int(rec.hist)
	at := st.histAt[h0 : h0+int(rec.nhist)]
	cats := st.histCat[h0 : h0+len(at)]
	for j, t := range at {
		if t > horizon || (respond && t == horizon) {
			break
		}
		cat := cats[j]
		if r.phase == phaseRunning {
			r.accrue(t)
		}
		switch cat {
		case Cancelled:
			switch {
			case r.phase != phaseStopped:
				r.stop, r.cancelledStop, r.phase = t, true, phaseStopped
				buf = append(buf, r.cycle(i, now))
			case c.reopen == Resume:
				// The cycle keeps the outcome of its last stop; under NewCycle it was appended
				// when it stopped.
				buf = append(buf, r.cycle(i, now))
			}
			r.phase = phaseDone
		case Resolved, Closed:
			if r.phase != phaseStopped {
				r.stop, r.phase = t, phaseStopped
				switch {
				case c.kind == Response:
					buf = append(buf, r.cycle(i, now))
					r.phase = phaseDone
				case c.reopen == NewCycle:
					buf = append(buf, r.cycle(i, now))
				}
			}
		default: // Open, Paused
			next := phaseRunning
			if c.pause[cat] {
				next = phasePaused
			}
			if r.phase == phaseStopped {
				if c.reopen == NewCycle {
					r.n++
					r.start, r.elapsed = t, 0
					r.target, r.warn = c.cycleTarget(tg, t)
				}
				r.stop = 0
			}
			r.phase = next
			r.segStart = t
		}
		if r.phase == phaseDone {
			return buf
		}
	}
	if respond {
		if r.phase == phaseRunning {
			r.accrue(horizon)
		}
		r.stop = horizon
		r.phase = phaseStopped
		return append(buf, r.cycle(i, now))
	}
	switch r.phase {
	case phaseRunning:
		r.accrue(now)
		buf = append(buf, r.cycle(i, now))
	case phasePaused:
		buf = append(buf, r.cycle(i, now))
	case phaseStopped:
		if c.reopen == Resume {
			buf = append(buf, r.cycle(i, now))
		}
	}
	return buf
}
