package demo

import (
	"math"
	"sync"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/staffing"
)

// The first-line desk answers the P3 incidents: their first response does not come from a drawn
// delay but from a first-come first-served queue worked by a roster of agents, so that the
// staffing model (slo/staffing) can be checked against a desk that follows its assumptions. The
// built-in configuration's staffing group desk-p3 describes this desk.
//
//   - Agents: DeskRoster agents each hour of the week (times the scale, rounded, at least one
//     where the roster has any), on the desk's wall clock, holidays or not (the demo world has
//     none).
//   - Shrinkage: agents take their breaks in turn, so that each hour DeskShrinkage of the
//     roster's time is off the queue: with n agents rostered, n·(1 − DeskShrinkage) = k + f
//     agents, k+1 work the queue for the hour's first share f and k for the rest (3 agents:
//     3 for 6 minutes, then 2; 1 agent: 42 minutes, then a break). This is the model's
//     capacity, roster × (1 − shrinkage), to the minute of each hour.
//   - Service: at each instant the agents on the queue work its oldest tickets, one each; an agent
//     leaving the queue mid-ticket leaves the rest of its work to the next agent free. A ticket's
//     work is exponential with mean DeskHandleTime, drawn for the ticket; its first response is
//     when the work is done.
//   - Arrivals: as for every ticket, a Poisson count per hour, uniform within the hour; the desk
//     takes the P3 incidents not withdrawn before work starts.
//
// A ticket's response depends on the tickets before it, which the rest of the world does not:
// the queue of a week (Monday 00:00 in Timezone) is simulated from empty at the Monday before,
// and gives the responses of that week's tickets only. The roster clears its backlog within a
// few days at most, so the week of warm-up is the steady queue (a test checks that two weeks
// give the same responses); every ticket's response stays a function of the seed alone.
var (
	// DeskRoster is the agents on the desk each hour of the week, index 0 Monday 00:00.
	DeskRoster = deskRoster()
)

// DeskHandleTime is the mean work to a P3 incident's first response; DeskShrinkage the share of
// the roster's time off the queue.
const (
	DeskHandleTime = 40 * time.Minute
	DeskShrinkage  = 0.3
	DeskPriority   = "P3"
)

func deskRoster() staffing.Week {
	var w staffing.Week
	shifts := []struct{ from, to, agents int }{{8, 12, 4}, {12, 14, 2}, {14, 16, 4}, {16, 18, 2}}
	for d := range 5 { // Monday to Friday
		for _, s := range shifts {
			for h := s.from; h < s.to; h++ {
				w[d*24+h] = float64(s.agents)
			}
		}
	}
	return w
}

// deskHorizon bounds the simulation after the week's end: a ticket still waiting then (which
// would take a desk far short of its work) is answered at the horizon.
const deskHorizon = 21 * 86400

// desk caches the responses of the desk's weeks: the days of a week are generated one by one,
// and each needs the week's queue.
type desk struct {
	mu    sync.Mutex
	weeks map[int64][][]int64 // Monday's civil day → responses by day of the week, by seq-1 (0: not the desk's)
}

// weekOf is the civil day of the Monday of day's week (civil day 4 was a Monday).
func weekOf(day int64) int64 { return day - ((day-4)%7+7)%7 }

// deskResponses returns the desk's responses to the tickets of a civil day, indexed by the
// ticket's seq-1; 0 for a ticket the desk does not answer.
func (s *sim) deskResponses(day int64) []int64 {
	wk := weekOf(day)
	s.desk.mu.Lock()
	defer s.desk.mu.Unlock()
	if s.desk.weeks == nil {
		s.desk.weeks = map[int64][][]int64{}
	}
	w, ok := s.desk.weeks[wk]
	if !ok {
		w = s.deskWeek(wk, 1)
		// Days are generated in order: weeks well before this one are not asked for again.
		for k := range s.desk.weeks {
			if k < wk-7*8 {
				delete(s.desk.weeks, k)
			}
		}
		s.desk.weeks[wk] = w
	}
	return w[day-wk]
}

// deskJob is one ticket in the desk's queue.
type deskJob struct {
	at        int64   // arrival
	left      float64 // seconds of work left
	day, slot int64   // day of the week (0 for warm-up days) and seq-1, for the week's tickets
	own       bool    // a ticket of the week simulated
}

// deskWeek simulates the desk's queue from empty at the Monday warmup weeks before the week
// starting on civil day wk, and returns the responses of the week's tickets.
func (s *sim) deskWeek(wk int64, warmup int) [][]int64 {
	out := make([][]int64, 7)
	var jobs []deskJob
	for day := wk - 7*int64(warmup); day < wk+7; day++ {
		at := s.arrivals(day)
		own := day >= wk
		if own {
			out[day-wk] = make([]int64, len(at))
		}
		for i, c := range at {
			if !s.deskTicket(day, i+1) {
				continue
			}
			r := newRNG(s.seed, streamDesk, day, int64(i+1))
			work := -math.Log(1-r.float()) * DeskHandleTime.Seconds()
			jobs = append(jobs, deskJob{at: c, left: work, day: day - wk, slot: int64(i), own: own})
		}
	}
	first := wallClock(wk-7*int64(warmup), 0, s.loc).In(s.loc)
	end := wallClock(wk+7, 0, s.loc).Unix() + deskHorizon
	serve(jobs, first, end, s.deskAgents, func(j *deskJob, at int64) {
		if j.own {
			out[j.day][j.slot] = at
		}
	})
	return out
}

// serve works the jobs (ascending by arrival) from first, an hour's start, hour by hour of the
// wall clock with agents(hour of the week) rostered, until every job is answered or end (when
// those left are answered). Each hour, agents·(1 − DeskShrinkage) = k + f: k+1 agents work the
// queue for the hour's first share f, k for the rest; at each instant they work its oldest
// tickets, one each. answer gets each job and the second its work is done (rounded up).
func serve(jobs []deskJob, first time.Time, end int64, agents func(int) float64, answer func(*deskJob, int64)) {
	var queue []*deskJob
	next, waiting := 0, len(jobs) // the next job to arrive; those not answered yet
	done := func(j *deskJob, at float64) {
		answer(j, int64(math.Ceil(at-1e-6)))
		waiting--
	}
	// run works the queue over [a, b) with c agents on it.
	run := func(a, b float64, c int) {
		t := a
		for t < b {
			for next < len(jobs) && float64(jobs[next].at) <= t {
				queue = append(queue, &jobs[next])
				next++
			}
			until := b
			if next < len(jobs) {
				until = min(until, float64(jobs[next].at))
			}
			busy := min(c, len(queue))
			for _, j := range queue[:busy] {
				until = min(until, t+j.left)
			}
			dt := until - t
			kept := queue[:0]
			for i, j := range queue {
				if i < busy {
					j.left -= dt
					if j.left <= 1e-6 {
						done(j, until)
						continue
					}
				}
				kept = append(kept, j)
			}
			queue = kept
			t = until
		}
	}
	for h := 0; waiting > 0; h++ {
		from := time.Date(first.Year(), first.Month(), first.Day(), first.Hour()+h, 0, 0, 0, first.Location())
		to := time.Date(first.Year(), first.Month(), first.Day(), first.Hour()+h+1, 0, 0, 0, first.Location())
		if !to.After(from) {
			continue // the hour the clocks skip
		}
		a, b := float64(from.Unix()), float64(to.Unix())
		if a >= float64(end) {
			break
		}
		onQueue := agents(staffing.HourOfWeek(from)) * (1 - DeskShrinkage)
		k := math.Floor(onQueue + 1e-9)
		split := a + max(0, onQueue-k)*(b-a)
		run(a, split, int(k)+1)
		run(split, b, int(k))
	}
	for _, j := range queue {
		done(j, float64(end))
	}
	for ; next < len(jobs); next++ {
		done(&jobs[next], float64(end))
	}
}

// deskAgents is the agents rostered in an hour of the week at the world's scale.
func (s *sim) deskAgents(h int) float64 {
	n := DeskRoster[h]
	if s.roster != nil {
		n = s.roster[h]
	}
	if n == 0 || s.scale == 1 {
		return n
	}
	return max(1, math.Round(n*s.scale))
}
