package evaluation

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/staffing"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// staffingGroups computes every staffing group at now over the collected data. It runs inside
// the data's read lock, once per evaluation: the exposition, the page and the API read its
// results from the snapshot.
func (e *Evaluator) staffingGroups(cfg *config.Config, d collector.Data, now time.Time) []collector.StaffingResult {
	if len(cfg.Staffing) == 0 {
		return nil
	}
	out := make([]collector.StaffingResult, 0, len(cfg.Staffing))
	for i := range cfg.Staffing {
		out = append(out, e.staffingGroup(cfg, &cfg.Staffing[i], d, now))
	}
	return out
}

func (e *Evaluator) staffingGroup(cfg *config.Config, g *config.StaffingGroup, d collector.Data, now time.Time) (r collector.StaffingResult) {
	o := objectiveByName(cfg, g.Objective)
	loc := cfg.Global.Location
	if o != nil && o.Location != nil {
		loc = o.Location
	}
	if loc == nil {
		loc = time.UTC
	}
	r = collector.StaffingResult{Group: g.Name, Objective: g.Objective, Priority: g.Priority, Model: g.Model,
		Target: g.Target, BusinessDays: g.BusinessDays, HandleTime: g.HandleTime, HandleTimeSource: handleTimeSource(g), Weeks: g.Weeks,
		MaxOccupancy: g.MaxOccupancy, Shrinkage: g.Shrinkage, Timezone: loc.String(), Roster: g.Roster}
	local := now.In(loc)
	r.CurrentHour, r.NextHour = staffing.HourOfWeek(local), staffing.HourOfWeek(local.Add(time.Hour))
	r.To = staffing.StartOfWeek(local, loc)
	r.From = r.To.AddDate(0, 0, -7*g.Weeks)
	if o == nil {
		// config checks every group's objective; a configuration built otherwise is refused here.
		r.State, r.Reason = collector.StaffingFailed, fmt.Sprintf("no objective %q", g.Objective)
		return r
	}
	r.Service, r.Goal = o.Service, o.Target
	defer func() {
		// As for objectives: a model bug costs one group's figures, not the exporter.
		if v := recover(); v != nil {
			e.logOnce("staffing:"+g.Name, panicError(v))
			r = withoutFigures(r, collector.StaffingFailed, "the model failed; see the log")
		}
	}()
	st := d.Tickets[o.Source]
	if stale(cfg, d, o.Source, now) || st == nil {
		return withoutFigures(r, collector.StaffingStale,
			fmt.Sprintf("source %q has not synced within the staleness limit (%s)", o.Source, cfg.Global.Staleness))
	}
	scan := scanGroup(o, g.Priority, st, r.From.Unix(), r.To.Unix())
	arrivals, earliest := scan.arrivals, scan.earliest
	// The source must reach back to the first day averaged: a week it holds only part of would
	// read as a quiet week and plan too few agents.
	if earliest == 0 || earliest >= r.From.Add(24*time.Hour).Unix() {
		held := "no tickets"
		if earliest != 0 {
			held = "tickets from " + time.Unix(earliest, 0).In(loc).Format(time.DateOnly)
		}
		return withoutFigures(r, collector.StaffingShortHistory,
			fmt.Sprintf("%d complete weeks from %s are averaged; source %q holds %s", g.Weeks, r.From.Format(time.DateOnly), o.Source, held))
	}
	r.Tickets = len(arrivals)
	profile := staffing.ArrivalProfile(arrivals, loc, now, g.Weeks)
	r.Arrivals, r.ArrivalsStdDev = profile.Mean, profile.StdDev
	if reason := handleTime(&r, g, o, scan); reason != "" {
		return withoutFigures(r, collector.StaffingNoWorkTime, reason)
	}
	// The model plans with the handle time used, configured or measured.
	planned := *g
	planned.HandleTime = r.HandleTime
	if err := e.model(&r, &planned, o.Clock.Calendar(), o.Target); err != nil {
		e.logOnce("staffing:"+g.Name, err)
		return withoutFigures(r, collector.StaffingFailed, err.Error())
	}
	e.logOnce("staffing:"+g.Name, nil)
	r.State = collector.StaffingOK
	return r
}

// model fills the agents needed and, with a roster, the shortfall and expected attainment.
func (e *Evaluator) model(r *collector.StaffingResult, g *config.StaffingGroup, cal *calendar.Calendar, goal float64) error {
	if g.Model == config.StaffingErlang {
		p := staffing.QueuePlan{Arrivals: r.Arrivals, HandleTime: g.HandleTime, Target: g.Target, Goal: goal,
			MaxOccupancy: g.MaxOccupancy, Shrinkage: g.Shrinkage}
		need, err := staffing.RequiredAgents(p)
		if err != nil {
			return err
		}
		r.Working, r.Scheduled = need.Agents, need.Scheduled
		if g.Roster != nil {
			r.ExpectedAttainment = staffing.QueueAttainment(p, *g.Roster)
		}
	} else {
		if cal == nil {
			cal = calendar.AlwaysOn
		}
		deadline := func(a time.Time) time.Time { return cal.Deadline(a, g.Target) }
		if g.BusinessDays > 0 {
			deadline = func(a time.Time) time.Time { return cal.DaysDeadline(a, g.BusinessDays) }
		}
		d := staffing.Deferred{Arrivals: r.Arrivals, HandleTime: g.HandleTime, Deadline: deadline, Working: cal.Duration,
			Start: r.To, MaxOccupancy: g.MaxOccupancy, Shrinkage: g.Shrinkage}
		need, err := staffing.Required(d)
		if err != nil {
			return err
		}
		r.Working, r.Scheduled = need.Agents, need.Scheduled.Ceil()
		if g.Roster != nil {
			x, err := e.simulated(g, cal, d)
			if err != nil {
				return err
			}
			r.ExpectedAttainment, r.ExpectedAttainmentStdErr = x.Attainment, x.StdErr
		}
	}
	if g.Roster != nil {
		s := staffing.Shortfall(*g.Roster, r.Scheduled)
		r.Shortfall = &s
	}
	return nil
}

// withoutFigures keeps a group's parameters and drops every figure, so that a state without
// figures can never be read as zeros.
func withoutFigures(r collector.StaffingResult, state, reason string) collector.StaffingResult {
	r.State, r.Reason = state, reason
	r.Tickets = 0
	if r.HandleTimeSource == collector.HandleTimeMeasured {
		r.HandleTime, r.HandleTimeTickets = 0, 0
	}
	r.Arrivals, r.ArrivalsStdDev, r.Working, r.Scheduled = staffing.Week{}, staffing.Week{}, staffing.Week{}, staffing.Week{}
	r.Shortfall, r.ExpectedAttainment, r.ExpectedAttainmentStdErr = nil, 0, 0
	return r
}

// groupScan is what a staffing group reads of its objective's tickets, in one pass over the
// store.
type groupScan struct {
	// arrivals are the creation instants in [from, to) of the objective's tickets of the
	// priority (every priority when empty). For a response objective, a ticket withdrawn before
	// any response is left out: the desk did no work on it (and the objective does not judge
	// it), so counting it would plan agents for work that never comes.
	arrivals []time.Time
	// earliest is the earliest creation of any ticket of the store (0 when empty): how far back
	// the source reaches.
	earliest int64
	// workSeconds and worked are the recorded work time and the number of the arrivals' tickets
	// resolved or closed with one (meanWorkTime).
	workSeconds, worked int64
}

func scanGroup(o *config.Objective, priority string, st *ticket.Store, from, to int64) groupScan {
	m := o.Select.Compile(st)
	response := o.Clock != nil && o.Clock.Kind() == ticket.Response
	var g groupScan
	for i := range st.Len() {
		v := st.View(i)
		c := v.Created()
		if g.earliest == 0 || c < g.earliest {
			g.earliest = c
		}
		if c < from || c >= to || (priority != "" && v.Priority() != priority) || !m.Match(v) {
			continue
		}
		if response && withdrawnUnanswered(v) {
			continue
		}
		g.arrivals = append(g.arrivals, time.Unix(c, 0))
		if w := v.WorkTime(); w > 0 && done(v) {
			g.workSeconds += int64(w / time.Second) // the store keeps work times to the second, each under 2^32
			g.worked++
		}
	}
	return g
}

// withdrawnUnanswered reports whether a ticket was cancelled without a first response.
func withdrawnUnanswered(v ticket.View) bool {
	if _, ok := v.FirstResponse(); ok {
		return false
	}
	for j := range v.HistoryLen() {
		if _, c := v.History(j); c == ticket.Cancelled {
			return true
		}
	}
	return false
}

func objectiveByName(cfg *config.Config, name string) *config.Objective {
	for i := range cfg.Objectives {
		if cfg.Objectives[i].Name == name {
			return &cfg.Objectives[i]
		}
	}
	return nil
}

// simulatedKey is everything a deferred group's simulated attainment depends on: the arrivals
// change once a week (only complete weeks are averaged), the rest with the configuration.
type simulatedKey struct {
	arrivals, roster staffing.Week
	start            time.Time
	handle, target   time.Duration
	days             int
	shrinkage        float64
	cal              *calendar.Calendar
}

// seed hashes the inputs but the calendar, which the plan's start and deadlines stand for.
func (k *simulatedKey) seed() uint64 {
	h := fnv.New64a()
	var b [8]byte
	put := func(v uint64) {
		binary.LittleEndian.PutUint64(b[:], v)
		h.Write(b[:])
	}
	for i := range k.arrivals {
		put(math.Float64bits(k.arrivals[i]))
		put(math.Float64bits(k.roster[i]))
	}
	put(uint64(k.start.Unix()))
	put(uint64(k.handle))
	put(uint64(k.target))
	put(uint64(k.days))
	put(math.Float64bits(k.shrinkage))
	return h.Sum64()
}

type simulatedEntry struct {
	key simulatedKey
	x   staffing.Expected
}

// simulated is the roster's expected attainment of a deferred group, by staffing.SimulateDeferred
// seeded with its inputs, so that each evaluation publishes the same figure (and two groups
// planned alike the same figure); computed again only when its inputs change, as the
// simulation is the dearest part of a staffing evaluation.
func (e *Evaluator) simulated(g *config.StaffingGroup, cal *calendar.Calendar, d staffing.Deferred) (staffing.Expected, error) {
	key := simulatedKey{arrivals: d.Arrivals, roster: *g.Roster, start: d.Start, handle: d.HandleTime, target: g.Target,
		days: g.BusinessDays, shrinkage: d.Shrinkage, cal: cal}
	e.simMu.Lock()
	if c, ok := e.sims[g.Name]; ok && c.key == key {
		e.simMu.Unlock()
		return c.x, nil
	}
	e.simMu.Unlock()
	sim := staffing.DefaultSimulation
	sim.Seed = key.seed()
	x, err := staffing.SimulateDeferred(d, *g.Roster, sim)
	if err != nil {
		return x, err
	}
	e.simMu.Lock()
	if e.sims == nil {
		e.sims = map[string]simulatedEntry{}
	}
	e.sims[g.Name] = simulatedEntry{key: key, x: x}
	e.simMu.Unlock()
	return x, nil
}
