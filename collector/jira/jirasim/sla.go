package jirasim

import (
	"slices"
	"time"
)

// SLA is a JSM SLA metric, as a service project's SLA settings define one
// (https://support.atlassian.com/jira-service-management-cloud/docs/create-service-level-agreements-slas/):
// conditions that start, pause and stop the clock, and goals by priority on a calendar. The
// simulator keeps the two metrics of JSM's default SLAs:
//
//   - Response ("Time to first response"): starts at Issue Created; stops at the first
//     response (Comment: For Customers) or when the issue enters a done status.
//   - Resolution ("Time to resolution"): starts at Issue Created and again when the issue
//     leaves a done status (Resolution: Cleared), which is a new cycle; pauses while the issue
//     is in one of PauseStatuses; stops when it enters a done status (Resolution: Set).
//
// A cycle is breached when its elapsed time exceeds its goal (JSM's breached(), and
// elapsedTime > goalDuration). Its breachTime is the instant the goal is (or was, or would be
// after a stop) reached; the ongoing cycle of a paused SLA gives none, since its deadline moves.
type SLA struct {
	// FieldID is the SLA's custom field (customfield_10030), ID its id.
	FieldID, ID string
	Name        string
	// Response makes it a Time to first response metric; else a Time to resolution one.
	Response bool
	// Goals are the goal durations by priority name; "" is "All remaining issues".
	Goals map[string]time.Duration
	// Calendar is the goals' calendar (nil: 24/7).
	Calendar *Calendar
	// PauseStatuses pause a resolution clock.
	PauseStatuses []string
}

// Cycle is one cycle of an SLA on an issue, as the simulator computes it: what the SLA field
// then reports.
type Cycle struct {
	Start, Stop, Breach time.Time // Stop zero while ongoing; Breach zero when paused
	Goal, Elapsed       time.Duration
	Breached, Paused    bool
}

// segment is a stretch of the issue's timeline in one status.
type segment struct {
	from, to time.Time
	status   string
	done     bool
}

// Cycles computes the SLA's cycles on is at now: the completed ones and the ongoing one (last,
// with a zero Stop).
func (s *SLA) Cycles(sim *Server, is *Issue, now time.Time) []Cycle {
	goal, ok := s.Goals[is.Priority]
	if !ok {
		if goal, ok = s.Goals[""]; !ok {
			return nil
		}
	}
	segs := sim.timeline(is, now)
	var (
		out     []Cycle
		cur     *Cycle
		running []segment // running stretches of the current cycle
	)
	finish := func(stop time.Time) {
		c := *cur
		c.Stop = stop
		c.Elapsed = elapsed(s.Calendar, running)
		c.Breached = c.Elapsed > goal
		c.Breach = s.breachAt(running, goal, stop)
		out = append(out, c)
		cur, running = nil, nil
	}
	for i, sg := range segs {
		if cur == nil {
			// A cycle starts at creation, and after a done status when the issue leaves it.
			if sg.done || (i > 0 && !segs[i-1].done) || (s.Response && i > 0) {
				continue
			}
			cur = &Cycle{Start: sg.from, Goal: goal}
		}
		if sg.done {
			finish(sg.from)
			continue
		}
		if s.Response && !is.Responded.IsZero() && !is.Responded.After(sg.to) && !is.Responded.Before(sg.from) {
			running = append(running, segment{from: sg.from, to: is.Responded})
			finish(is.Responded)
			continue
		}
		if !s.Response && slices.Contains(s.PauseStatuses, sg.status) {
			continue
		}
		running = append(running, sg)
	}
	if cur != nil {
		c := *cur
		c.Elapsed = elapsed(s.Calendar, running)
		c.Breached = c.Elapsed > goal
		last := segs[len(segs)-1]
		c.Paused = !s.Response && slices.Contains(s.PauseStatuses, last.status)
		if c.Breached || !c.Paused {
			c.Breach = s.breachAt(running, goal, now)
		}
		out = append(out, c)
	}
	return out
}

// elapsed is the working time of the running stretches.
func elapsed(cal *Calendar, running []segment) time.Duration {
	var sum time.Duration
	for _, r := range running {
		sum += cal.Working(r.from, r.to)
	}
	return sum
}

// breachAt is the instant the goal is reached: within the running stretches, else that much
// working time after `after` (the stop, or now).
func (s *SLA) breachAt(running []segment, goal time.Duration, after time.Time) time.Time {
	left := goal
	for _, r := range running {
		w := s.Calendar.Working(r.from, r.to)
		if w >= left {
			return s.Calendar.Add(r.from, left)
		}
		left -= w
	}
	return s.Calendar.Add(after, left)
}

// timeline is the issue's statuses from creation to now, one segment per status held.
func (sim *Server) timeline(is *Issue, now time.Time) []segment {
	var segs []segment
	st := is.initialStatus()
	from := is.Created
	for _, ch := range is.Changes {
		segs = append(segs, segment{from: from, to: ch.At, status: st, done: sim.done(st)})
		st, from = ch.To, ch.At
	}
	return append(segs, segment{from: from, to: later(now, from), status: st, done: sim.done(st)})
}
