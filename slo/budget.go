package slo

import (
	"math"
	"time"
)

// window counts good and bad units over one trailing window.
type window struct {
	dur       time.Duration
	good, bad float64
}

// badFraction is bad / (good + bad), 0 for an empty window: no traffic burns no budget.
func (w window) badFraction() float64 {
	if w.good+w.bad == 0 {
		return 0
	}
	return w.bad / (w.good + w.bad)
}

// setAttainment fills attainment and data presence from the period's counts.
func (r *Result) setAttainment() {
	r.HasData = r.Good+r.Bad > 0
	if r.HasData {
		r.Attainment = r.Good / (r.Good + r.Bad)
	}
}

// setBudget fills the budget fields from the projected eligible total of the period.
func (r *Result) setBudget(projectedTotal float64) {
	r.ProjectedTotal = projectedTotal
	r.BudgetTotal = (1 - r.Target) * projectedTotal
	r.BudgetConsumed = r.Bad
	r.BudgetRemaining = r.BudgetTotal - r.BudgetConsumed
	switch {
	case r.BudgetTotal > 0:
		r.BudgetRemainingRatio = r.BudgetRemaining / r.BudgetTotal
	case r.BudgetConsumed > 0:
		// Bad units with no budget to spend (a projected total of zero cannot happen with
		// bad units, but a rounding error must not turn into +Inf).
		r.BudgetRemainingRatio = math.Inf(-1)
	default:
		r.BudgetRemainingRatio = 1
	}
}

// setBurnRates turns the windows' bad fractions into burn rates: bad fraction / (1 - target).
func (r *Result) setBurnRates(ws []window) {
	r.BurnRates = make([]BurnRate, len(ws))
	for i, w := range ws {
		r.BurnRates[i] = BurnRate{Window: w.dur, Rate: w.badFraction() / (1 - r.Target)}
	}
}

// setExhaustion projects when the remaining budget is spent at the given rate of spend (units
// per second), if that happens before the period ends.
func (r *Result) setExhaustion(now time.Time, spendPerSecond float64) {
	if r.BudgetRemaining <= 0 || spendPerSecond <= 0 {
		return
	}
	secs := r.BudgetRemaining / spendPerSecond
	if secs > r.PeriodEnd.Sub(now).Seconds() {
		return
	}
	r.Exhaustion = now.Add(time.Duration(secs * float64(time.Second))).Truncate(time.Second)
}

// setStatus decides the status from the filled-in figures. Breached means the period's error
// budget is spent: for availability, whose budget is fixed in advance, the period can no longer
// meet its target; for events and ticket cycles, whose budget follows the period's projected
// volume, more has gone bad than the whole period allows, and at the period's end this is exactly
// "attainment below target". A young period with one breach out of two decided cycles is
// therefore at risk (its forecast says so), not breached. At risk means the forecast misses the
// target, the budget runs out before the period ends, or (ticket SLAs) the period more likely than
// not ends below target.
func (r *Result) setStatus(hasOpenWork bool) {
	switch {
	case !r.HasData && !hasOpenWork:
		r.Status = NoData
	case r.HasData && r.BudgetRemaining < 0:
		r.Status = Breached
	case r.HasForecast && r.Forecast < r.Target,
		!r.Exhaustion.IsZero(),
		r.HasBreachProbability && r.BreachProbability >= 0.5:
		r.Status = AtRisk
	default:
		r.Status = OK
	}
}
