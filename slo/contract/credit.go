package contract

import "math"

// Result is the credit a contract earns for a period, or for what is known of it so far.
type Result struct {
	// Known is set when every attainment could be rated. Otherwise the credit is unknown: an
	// objective without data may have missed its promise, so zero would claim "nothing owed"
	// on missing data.
	Known bool
	// Ratio is the credit as a ratio of the fee, after aggregation and the cap; NaN unless
	// Known.
	Ratio float64
	// Amount is Ratio × Fee, in the contract's currency, unrounded (rounding to the currency's
	// minor unit is the invoice's business); NaN unless Known.
	Amount float64
	// PerObjective is the credit ratio each attainment earns, in the order given; NaN for a
	// skipped one.
	PerObjective []float64
	// Skipped counts attainments that could not be rated: NaN (no data) or outside [0, 1].
	Skipped int
}

// Status is what the result says of the period: Unknown, CreditDue or OK.
func (r Result) Status() Status {
	switch {
	case !r.Known:
		return Unknown
	case r.Ratio > 0:
		return CreditDue
	}
	return OK
}

// Credit rates the attainments of the contract's objectives, each a ratio in [0, 1], and
// combines their credits by the spec's aggregate, up to its cap. An attainment with no data (NaN)
// cannot be rated and is counted in Skipped, as is one outside [0, 1], which is not an attainment
// (a percentage passed by mistake would otherwise earn no credit, or all of it). One skipped
// attainment makes the whole credit unknown, and so does an empty list: nothing then shows that
// the promises were kept. The spec must be valid.
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
	if r.Skipped > 0 || len(attainments) == 0 {
		r.Ratio, r.Amount = math.NaN(), math.NaN()
		return r
	}
	r.Known = true
	limit := s.Cap
	if limit == 0 {
		limit = 1
	}
	r.Ratio = min(r.Ratio, limit)
	r.Amount = r.Ratio * s.Fee
	return r
}

// TierFor returns the tier an attainment falls in: the one with the lowest Below that a is
// strictly under. ok is false when a is under none (no credit) or is not an attainment.
func (s Spec) TierFor(a float64) (t Tier, ok bool) {
	if !(a >= 0 && a <= 1) {
		return Tier{}, false
	}
	best := math.Inf(1)
	for _, u := range s.Tiers {
		if a < u.Below && u.Below < best {
			best, t, ok = u.Below, u, true
		}
	}
	return t, ok
}

// tierCredit is the credit of the tier a falls in, or 0 when it is under none.
func (s Spec) tierCredit(a float64) float64 {
	if t, ok := s.TierFor(a); ok {
		return t.Credit
	}
	return 0
}
