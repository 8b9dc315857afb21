package contract

import "math"

// Result is the credit a contract earns for a period.
type Result struct {
	// Ratio is the credit as a ratio of the fee, after aggregation and the cap.
	Ratio float64
	// Amount is Ratio × Fee, in the contract's currency, unrounded: rounding to the currency's
	// minor unit is the invoice's business.
	Amount float64
	// PerObjective is the credit ratio each attainment earns, in the order given; NaN for a
	// skipped one.
	PerObjective []float64
	// Skipped counts attainments that could not be rated: NaN (no data) or outside [0, 1].
	Skipped int
}

// Credit rates the attainments of the contract's objectives, each a ratio in [0, 1]. An
// attainment with no data (NaN) earns nothing and is counted in Skipped, as is one outside [0, 1],
// which is not an attainment (a percentage passed by mistake would otherwise earn no credit, or
// all of it); when every attainment is skipped the credit is zero, because nothing shows a missed
// promise. The spec must be valid.
func (s Spec) Credit(attainments []float64) Result {
	r := Result{PerObjective: make([]float64, len(attainments))}
	for i, a := range attainments {
		if !(a >= 0 && a <= 1) {
			r.PerObjective[i] = math.NaN()
			r.Skipped++
			continue
		}
		c := s.tierCredit(a)
		r.PerObjective[i] = c
		if s.Aggregate == Sum {
			r.Ratio += c
		} else {
			r.Ratio = max(r.Ratio, c)
		}
	}
	limit := s.Cap
	if limit == 0 {
		limit = 1
	}
	r.Ratio = min(r.Ratio, limit)
	r.Amount = r.Ratio * s.Fee
	return r
}

// tierCredit is the credit of the tier with the lowest Below above a, or 0 when a is under none.
func (s Spec) tierCredit(a float64) float64 {
	best, credit := math.Inf(1), 0.0
	for _, t := range s.Tiers {
		if a < t.Below && t.Below < best {
			best, credit = t.Below, t.Credit
		}
	}
	return credit
}
