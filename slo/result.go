package slo

import (
	"fmt"
	"time"
)

// Status sums up an objective for people and alerts.
type Status uint8

// Statuses, ordered from best to worst but for NoData.
const (
	// NoData: nothing to measure yet (no cycles, events or covered time), or stale data.
	NoData Status = iota
	// OK: on track.
	OK
	// AtRisk: the forecast misses the target, or the budget runs out before the period ends.
	AtRisk
	// Breached: the period's error budget is spent (see Result.setStatus).
	Breached
)

// Statuses lists every status, in the order of the constants; the exposition emits one series
// per status.
var Statuses = []Status{NoData, OK, AtRisk, Breached}

var statusNames = [...]string{"no_data", "ok", "at_risk", "breached"}

// String is the lower-case name used in metric labels.
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("status(%d)", s)
}

// Unit is what an objective counts: seconds for availability, events, or ticket cycles.
type Unit string

// Units.
const (
	Seconds Unit = "seconds"
	Events  Unit = "events"
	Cycles  Unit = "cycles"
)

// BurnRate is the rate at which the error budget burned over a trailing window: 1 spends exactly
// the budget over the period.
type BurnRate struct {
	Window time.Duration
	Rate   float64
}

// OpenCycles counts ticket clock cycles still running at the evaluation instant.
type OpenCycles struct {
	Within   int // running, under the warning fraction of the target
	AtRisk   int // running, past the warning fraction
	Breached int // running, past the target
	Paused   int // paused, not yet breached
}

// Result is an objective evaluated at an instant, over the period containing that instant.
type Result struct {
	Objective   string
	Service     string
	Kind        Kind
	Unit        Unit
	Target      float64
	PeriodStart time.Time
	PeriodEnd   time.Time
	PeriodLabel string

	// Good, Bad and Excluded count the period so far, in Unit.
	Good, Bad, Excluded float64
	// Attainment is Good / (Good + Bad); meaningful only when HasData.
	Attainment float64
	HasData    bool
	// Coverage is the share of eligible time with real data (availability; 1 for other kinds).
	Coverage float64

	// BudgetTotal is the period's error budget in Unit: (1 - Target) × eligible total. For
	// availability the whole period's eligible time is known in advance; for events and cycles
	// the period's total is projected from the traffic so far (see ProjectedTotal).
	BudgetTotal float64
	// BudgetConsumed equals Bad.
	BudgetConsumed float64
	// BudgetRemaining is BudgetTotal - BudgetConsumed, negative when overspent.
	BudgetRemaining float64
	// BudgetRemainingRatio is 1 - consumed/total: 1 untouched, 0 spent, negative overspent.
	BudgetRemainingRatio float64
	// ProjectedTotal is the eligible total expected for the whole period, in Unit.
	ProjectedTotal float64

	BurnRates []BurnRate

	// Forecast is the attainment expected at the period's end if the recent burn continues;
	// set when HasForecast (calendar periods with data).
	Forecast    float64
	HasForecast bool
	// Exhaustion is when the budget runs out at the recent rate of spend, if that is before
	// the period ends; zero otherwise.
	Exhaustion time.Time

	Status Status

	// Ticket SLAs only.
	Open OpenCycles
	// Escalated counts the open cycles at each of Objective.Escalation's levels: Escalated[k]
	// those whose used share of their target is at least level k's and below level k+1's. Nil
	// when the objective has no levels.
	Escalated        []int
	ExpectedBreaches float64
	// BreachProbability is the probability the period ends below target; set when
	// HasBreachProbability.
	BreachProbability    float64
	HasBreachProbability bool
}

// BudgetConsumedRatio is consumed / total: 0 untouched, 1 spent.
func (r *Result) BudgetConsumedRatio() float64 { return 1 - r.BudgetRemainingRatio }
