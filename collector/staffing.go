package collector

import (
	"time"

	c "github.com/sla-exporter/sla_exporter/slo/conventions"
	"github.com/sla-exporter/sla_exporter/slo/staffing"
)

// Staffing states (StaffingResult.State): only StaffingOK publishes figures.
const (
	// StaffingOK: the figures are from the group's complete weeks of arrivals.
	StaffingOK = "ok"
	// StaffingStale: the objective's source never synced or not within the staleness limit.
	StaffingStale = "stale"
	// StaffingShortHistory: the source holds fewer complete weeks of tickets than the group
	// averages.
	StaffingShortHistory = "short_history"
	// StaffingNoWorkTime: the handle time is measured and fewer of the group's tickets of the
	// weeks averaged carry a work time than the group's min_measured.
	StaffingNoWorkTime = "no_work_time"
	// StaffingFailed: the model refused the group's figures (Reason says why).
	StaffingFailed = "failed"
)

// Where a group's handle time comes from (StaffingResult.HandleTimeSource).
const (
	// HandleTimeConfigured: the group's handle_time, a duration.
	HandleTimeConfigured = "configured"
	// HandleTimeMeasured: the mean work time the source records on the group's tickets.
	HandleTimeMeasured = "measured"
)

// StaffingResult is what one staffing group needs each hour of the week, from its last
// evaluation. Hours are indexes of a staffing.Week in Timezone (the objective's).
type StaffingResult struct {
	Group, Objective, Service string
	// Priority is the priority planned for; empty for every ticket of the objective.
	Priority string
	// Model is "erlang" or "workload".
	Model string
	// Target is the objective's target for the priority in working time, or BusinessDays in
	// working days; Goal the share of tickets to meet it.
	Target       time.Duration
	BusinessDays int
	Goal         float64
	// HandleTime is the mean work per ticket the figures are planned with: the configured one,
	// or the one measured (HandleTimeSource) over HandleTimeTickets tickets with a work time;
	// 0 while a measured one is unknown (a state without figures).
	HandleTime        time.Duration
	HandleTimeSource  string
	HandleTimeTickets int
	// Weeks is how many complete weeks are averaged; MaxOccupancy and Shrinkage as configured.
	Weeks                   int
	MaxOccupancy, Shrinkage float64
	// Timezone names the zone of the hours of the week.
	Timezone string
	// State is one of the Staffing* states; Reason says, for any but StaffingOK, why no figure
	// is published.
	State, Reason string
	// From and To bound the weeks of arrivals averaged (To is the Monday 00:00 of the current
	// week).
	From, To time.Time
	// Tickets is the number of arrivals those weeks held.
	Tickets int
	// Arrivals and ArrivalsStdDev are the mean arrivals per hour of the week and their spread
	// from week to week.
	Arrivals, ArrivalsStdDev staffing.Week
	// Working is the agents needed on the queue each hour; Scheduled with shrinkage, rounded up
	// to whole agents.
	Working, Scheduled staffing.Week
	// Roster is the agents scheduled, Shortfall roster − Scheduled (negative where short); nil
	// without a roster.
	Roster, Shortfall *staffing.Week
	// ExpectedAttainment is the share of tickets the roster is expected to handle within
	// target; meaningful only with a Roster. ExpectedAttainmentStdErr is its standard error
	// when it is estimated by simulation (the workload model), 0 when computed (Erlang C).
	ExpectedAttainment, ExpectedAttainmentStdErr float64
	// CurrentHour and NextHour index the hour of the week of the evaluation and the one after.
	CurrentHour, NextHour int
}

// HandleTimeKnown reports whether HandleTime holds the handle time the group is planned with:
// always when configured, when measured only once the source gave enough work times.
func (r *StaffingResult) HandleTimeKnown() bool {
	return r.HandleTimeSource != HandleTimeMeasured || r.HandleTimeTickets > 0
}

// Published reports whether the group's figures may be published.
func (r *StaffingResult) Published() bool { return r.State == StaffingOK }

// ShortHours is the number of hours of the week the roster is short of the agents scheduled.
func (r *StaffingResult) ShortHours() int {
	if r.Shortfall == nil || !r.Published() {
		return 0
	}
	n := 0
	for _, s := range r.Shortfall {
		if s < 0 {
			n++
		}
	}
	return n
}

func (e emitter) staffing(rs []StaffingResult) {
	n := []string{c.LabelGroup, c.LabelHour}
	for i := range rs {
		r := &rs[i]
		// A group without figures has no series: zeros would read as a desk needing no one.
		if !r.Published() {
			continue
		}
		for _, h := range []struct {
			label string
			index int
		}{{c.HourCurrent, r.CurrentHour}, {c.HourNext, r.NextHour}} {
			lv := []string{r.Group, h.label}
			e.gauge(c.StaffingRequiredAgents, "Agents to schedule in the current or next hour of the week (shrinkage included) for the group's tickets to meet its objective's target, from the mean arrivals of that hour over the group's complete weeks."+cached, n, lv, r.Scheduled[h.index])
			e.gauge(c.StaffingArrivalsPerHour, "Mean tickets arriving in the current or next hour of the week, over the group's complete weeks."+cached, n, lv, r.Arrivals[h.index])
			if r.Roster != nil {
				e.gauge(c.StaffingRosteredAgents, "Agents the group's roster schedules in the current or next hour of the week."+cached, n, lv, r.Roster[h.index])
			}
		}
		e.gauge(c.StaffingHandleTime, "Mean work per ticket the group's figures are planned with: its configured handle_time, or the mean work time its source records on the group's tickets of the weeks averaged (handle_time: measured)."+cached,
			[]string{c.LabelGroup}, []string{r.Group}, r.HandleTime.Seconds())
		if r.Roster != nil {
			e.gauge(c.StaffingExpectedAttainment, "Share of the group's tickets its roster is expected to handle within target over a week, by the group's staffing model."+cached,
				[]string{c.LabelGroup}, []string{r.Group}, r.ExpectedAttainment)
		}
	}
}
