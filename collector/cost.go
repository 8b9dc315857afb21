package collector

// CostResult is one figure of what a service's missed promises cost in its current period: one
// kind (conventions.CostKind*) in one currency. The figures of a kind are known, or not at all:
// an objective that is stale or has no data leaves its kind without a figure (Unknown says why),
// never with a zero that would read as "nothing lost".
type CostResult struct {
	Service string
	// Kind is downtime, breached_tickets, credits_owed or credits_earned.
	Kind     string
	Currency string
	// SoFar is the amount of the period so far; Forecast at its end. Each is meaningful only when
	// its Has flag is set.
	SoFar       float64
	HasSoFar    bool
	Forecast    float64
	HasForecast bool
	// Quantity is what was priced so far: bad minutes (downtime) or breached cycles
	// (breached_tickets); zero for credits, which are amounts already.
	Quantity float64
	// Extrapolated says the forecast carries the amount so far to the period's end by the share
	// of the period elapsed, rather than coming from the engine's forecast attainment.
	Extrapolated bool
	// Unknown says why a figure is missing: the objectives (or contracts) whose data is stale or
	// missing, or that cannot be priced; empty when both figures are known.
	Unknown string
}
