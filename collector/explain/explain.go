// Package explain puts an evaluation's figures into words for people: each objective's status
// with the reason the engine gave it ("forecast 94.10% < 95.00% target", "budget runs out on 17
// Dec 14:05 CET at the current burn"), and the formatting of durations, ratios, counts, burn
// rates and times that the status page, the report and the API's display fields share.
//
// A reason is derived from the same figures and the same rules as the status itself (see
// slo.Result.setStatus), so it can never contradict it: an objective is breached when its
// error budget is spent, at risk when its forecast misses the target, its budget runs out
// before the period ends, or (ticket objectives) the period more likely than not ends below
// target, and no_data when there is nothing to measure or its source's data is too old.
package explain

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/display"
	"github.com/sla-exporter/sla_exporter/slo"
)

// Cause names why an objective has its status; the page styles and the report groups by it.
type Cause string

// The causes, in the order the engine decides the status by.
const (
	// Stale: the objective's source has not synced within the staleness limit, or its
	// evaluation failed; its figures are withheld and the status is no_data.
	Stale Cause = "stale"
	// NoData: nothing to measure in the period yet.
	NoData Cause = "no_data"
	// BudgetSpent: more went bad than the period's error budget allows (breached).
	BudgetSpent Cause = "budget_spent"
	// ForecastBelowTarget: the attainment expected at the period's end misses the target.
	ForecastBelowTarget Cause = "forecast_below_target"
	// BudgetRunsOut: at the recent rate of spend the budget is gone before the period ends.
	BudgetRunsOut Cause = "budget_runs_out"
	// LikelyBreach: ticket objectives whose period more likely than not ends below target.
	LikelyBreach Cause = "likely_breach"
	// OnTrack: none of the above (status ok).
	OnTrack Cause = "on_track"
	// Unexplained: the published status is not the one its figures give. It cannot happen
	// while this package follows the engine's rules; a test keeps them in step.
	Unexplained Cause = "unexplained"
)

// Reason is one cause of a status, in words with its figures.
type Reason struct {
	Cause Cause
	Text  string
}

// Explanation is an objective's status as published and why.
type Explanation struct {
	// Status is the published status: no_data for a stale objective, else the engine's.
	Status string
	// Reasons are the causes that hold, the one that decided the status first; never empty.
	Reasons []Reason
	// Notes are figures worth knowing that did not decide the status: a high burn rate over a
	// short window, open tickets already breached, probe data that covers part of the period.
	Notes []string
}

// Text is the reasons in one line, as a table cell shows them.
func (e Explanation) Text() string {
	texts := make([]string, len(e.Reasons))
	for i, r := range e.Reasons {
		texts[i] = r.Text
	}
	return strings.Join(texts, "; ")
}

// Context is what an objective's result does not hold but its explanation needs.
type Context struct {
	// At is the evaluation instant (Snapshot.At).
	At time.Time
	// Source is the health of the objective's source; nil when unknown.
	Source *collector.SourceHealth
	// Staleness is the configured limit on a source's last sync (global.staleness); 0 when
	// unknown.
	Staleness time.Duration
	// AtRiskByPriority counts the open cycles past their warning point by priority, when the
	// caller listed them (the objective page does); nil otherwise.
	AtRiskByPriority map[string]int
}

// NoteBurnRate is the burn rate from which a window's burn is noted: twice the pace that spends
// exactly the budget over the period.
const NoteBurnRate = 2

// Objective explains an objective's status.
func Objective(o *collector.ObjectiveResult, c Context) Explanation {
	if o.Stale {
		return Explanation{Status: slo.NoData.String(), Reasons: []Reason{{Stale, staleText(o, c)}}}
	}
	e := Explanation{Status: o.Status.String()}
	derived, reasons := causes(o, c)
	if derived != o.Status {
		e.Reasons = []Reason{{Unexplained, fmt.Sprintf("status %s, but its figures give %s: attainment %s, forecast %s, %s of budget left",
			o.Status, derived, orDash(display.PercentVs(o.Attainment, o.Target), o.HasData), orDash(display.PercentVs(o.Forecast, o.Target), o.HasForecast),
			display.Percent(o.BudgetRemainingRatio))}}
	} else {
		e.Reasons = reasons
	}
	if o.Status != slo.NoData {
		e.Notes = notes(o, c)
	}
	return e
}

// causes applies the engine's rules to the figures: the status they give, and every cause that
// holds for it.
func causes(o *collector.ObjectiveResult, c Context) (slo.Status, []Reason) {
	open := openUndecided(o)
	if !o.HasData && open == 0 {
		return slo.NoData, []Reason{{NoData, noDataText(o)}}
	}
	if o.HasData && o.BudgetRemaining < 0 {
		return slo.Breached, []Reason{{BudgetSpent, spentText(o)}}
	}
	var rs []Reason
	if o.HasForecast && o.Forecast < o.Target {
		rs = append(rs, Reason{ForecastBelowTarget, forecastText(o)})
	}
	if !o.Exhaustion.IsZero() {
		rs = append(rs, Reason{BudgetRunsOut, fmt.Sprintf("budget runs out on %s at the current burn (in %s)",
			display.Day(o.Exhaustion, c.At, o.Location), display.Duration(o.Exhaustion.Sub(c.At).Seconds()))})
	}
	if o.HasBreachProbability && o.BreachProbability >= 0.5 {
		rs = append(rs, Reason{LikelyBreach, fmt.Sprintf("the period is %s likely to end below the %s target, with %d tickets still open",
			chance(o.BreachProbability), display.Percent(o.Target), open)})
	}
	if len(rs) > 0 {
		return slo.AtRisk, rs
	}
	return slo.OK, []Reason{{OnTrack, onTrackText(o, open)}}
}

// openUndecided counts the open cycles whose outcome is not known yet: running or paused, not
// breached. They are the open work that gives a ticket objective a status without decided
// cycles, and the trials of its breach probability.
func openUndecided(o *collector.ObjectiveResult) int {
	if o.Kind != slo.TicketSLA {
		return 0
	}
	return o.Open.Within + o.Open.AtRisk + o.Open.Paused
}

func staleText(o *collector.ObjectiveResult, c Context) string {
	s := c.Source
	if s == nil {
		return "no data: figures withheld, as the source's data is too old or the evaluation failed (see the log)"
	}
	last := func() string {
		return fmt.Sprintf("last synced %s (%s ago)", display.Day(s.LastSuccess, c.At, o.Location), display.Duration(c.At.Sub(s.LastSuccess).Seconds()))
	}
	switch {
	case s.State == collector.SourcePending || s.LastSuccess.IsZero() && s.Up:
		return fmt.Sprintf("no data: source %s has not synced yet", s.Name)
	case s.LastSuccess.IsZero():
		return fmt.Sprintf("no data: source %s is down (%s) and has never synced", s.Name, stateWords(s.State))
	case !s.Up:
		return fmt.Sprintf("no data: source %s is down (%s), %s", s.Name, stateWords(s.State), last())
	case c.Staleness > 0 && c.At.Sub(s.LastSuccess) > c.Staleness:
		return fmt.Sprintf("no data: source %s %s, beyond the %s staleness limit", s.Name, last(), display.Duration(c.Staleness.Seconds()))
	}
	return "no data: the objective's evaluation failed (the error is in the log)"
}

// stateWords says what a down source's state means.
func stateWords(state string) string {
	switch state {
	case collector.SourceSyncFailed:
		return "its syncs fail"
	case collector.SourceRejecting:
		return "too many malformed records: batches refused"
	case collector.SourceShrunk:
		return "a batch far smaller than the data held was refused"
	}
	return state
}

// periodWords names the period for a sentence: "in 2026-12", "in the last 30 days".
func periodWords(o *collector.ObjectiveResult) string {
	if days, ok := strings.CutPrefix(o.PeriodName, "rolling:"); ok {
		return "in the last " + days
	}
	if o.PeriodLabel == "" {
		return "in this period"
	}
	return "in " + o.PeriodLabel
}

func noDataText(o *collector.ObjectiveResult) string {
	switch o.Kind {
	case slo.TicketSLA:
		return "no data: no ticket decided or open " + periodWords(o) + " yet"
	case slo.Availability:
		return "no data: no probe results cover any time " + periodWords(o) + " yet"
	case slo.EventRatio:
		return "no data: no events counted " + periodWords(o) + " yet"
	}
	return "no data " + periodWords(o)
}

// bad writes an amount of bad units as a phrase: "52m of downtime", "12,345 bad events",
// "9 breaches".
func bad(v float64, u slo.Unit) string {
	switch u {
	case slo.Seconds:
		return display.Duration(v) + " of downtime"
	case slo.Events:
		return display.Count(v) + " bad events"
	case slo.Cycles:
		if display.Count(v) == "1" {
			return "1 breach"
		}
		return display.Count(v) + " breaches"
	}
	return display.Count(v) + " bad"
}

func spentText(o *collector.ObjectiveResult) string {
	allowed := display.Count(o.BudgetTotal)
	if o.Unit == slo.Seconds {
		allowed = display.Duration(o.BudgetTotal)
	}
	s := fmt.Sprintf("error budget spent: %s against %s allowed", bad(o.BudgetConsumed, o.Unit), allowed)
	if o.Unit == slo.Seconds {
		return s + " " + periodWords(o) + ": the target can no longer be met"
	}
	// Events and cycles: the budget follows the period's volume, projected from the traffic so
	// far, so a busier end of the period could still bring it back.
	return s + " at this volume " + periodWords(o)
}

func forecastText(o *collector.ObjectiveResult) string {
	s := fmt.Sprintf("forecast %s < %s target", display.PercentVs(o.Forecast, o.Target), display.PercentVs(o.Target, o.Forecast))
	if o.Kind == slo.TicketSLA {
		if n := openUndecided(o); n > 0 {
			return s + fmt.Sprintf(" (%s of %d open tickets expected to breach)", display.Count(o.ExpectedBreaches), n)
		}
		return s
	}
	return s + " if the recent burn continues"
}

func onTrackText(o *collector.ObjectiveResult, open int) string {
	if !o.HasData {
		// A ticket objective with open work but nothing decided yet.
		return fmt.Sprintf("on track: nothing decided yet, %d open tickets, %s expected to breach", open, display.Count(o.ExpectedBreaches))
	}
	var s string
	if o.HasForecast {
		s = fmt.Sprintf("on track: forecast %s ≥ %s target (%s so far)", display.PercentVs(o.Forecast, o.Target), display.PercentVs(o.Target, o.Forecast), display.PercentVs(o.Attainment, o.Target))
	} else {
		s = fmt.Sprintf("on track: %s ≥ %s target", display.PercentVs(o.Attainment, o.Target), display.PercentVs(o.Target, o.Attainment))
	}
	return s + ", " + display.Percent(o.BudgetRemainingRatio) + " of budget left"
}

// notes are the figures that did not decide the status but a reader should not miss.
func notes(o *collector.ObjectiveResult, c Context) []string {
	var out []string
	// The fastest burn: a short window burning hot explains alerts and a budget about to move,
	// whatever the status.
	var fastest slo.BurnRate
	for _, b := range o.BurnRates {
		if b.Rate > fastest.Rate && !math.IsInf(b.Rate, 0) {
			fastest = b
		}
	}
	if fastest.Rate >= NoteBurnRate && o.Status != slo.Breached {
		out = append(out, fmt.Sprintf("%s of budget left, but burning %s the sustainable rate over the last %s",
			display.Percent(o.BudgetRemainingRatio), display.Rate(fastest.Rate), display.Duration(fastest.Window.Seconds())))
	}
	if o.Kind == slo.TicketSLA {
		if n := o.Open.Breached; n == 1 {
			out = append(out, "1 open ticket has already breached")
		} else if n > 1 {
			out = append(out, fmt.Sprintf("%d open tickets have already breached", n))
		}
		switch {
		case len(c.AtRiskByPriority) > 0:
			out = append(out, atRiskByPriority(c.AtRiskByPriority))
		case o.Open.AtRisk == 1:
			out = append(out, "1 open ticket is past its warning point")
		case o.Open.AtRisk > 1:
			out = append(out, fmt.Sprintf("%d open tickets are past their warning point", o.Open.AtRisk))
		}
	}
	if o.Kind == slo.Availability && o.HasData && o.Coverage < 0.99 {
		out = append(out, fmt.Sprintf("probe data covers %s of the period so far", display.Percent(o.Coverage)))
	}
	return out
}

// atRiskByPriority writes "2 open P1 tickets and 1 P3 ticket are past their warning point",
// the most urgent priority (as sorted) first.
func atRiskByPriority(m map[string]int) string {
	keys := slices.Sorted(maps.Keys(m))
	var parts []string
	total := 0
	for i, k := range keys {
		n := m[k]
		total += n
		noun := "tickets"
		if n == 1 {
			noun = "ticket"
		}
		if i == 0 {
			parts = append(parts, fmt.Sprintf("%d open %s %s", n, k, noun))
		} else {
			parts = append(parts, fmt.Sprintf("%d %s %s", n, k, noun))
		}
	}
	list := parts[0]
	if len(parts) > 1 {
		list = strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
	}
	if total == 1 {
		return list + " is past its warning point"
	}
	return list + " are past their warning point"
}

// chance writes a probability as a whole percentage, never rounding onto certainty: "62%",
// ">99%", "100%".
func chance(p float64) string {
	if p < 1 && p > 0.99 {
		return ">99%"
	}
	return strconv.FormatFloat(math.Round(100*p), 'f', 0, 64) + "%"
}

func orDash(s string, ok bool) string {
	if !ok || s == "" {
		return "none"
	}
	return s
}
