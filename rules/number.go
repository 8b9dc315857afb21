package rules

import (
	"math/big"
	"strconv"
	"time"
)

// significantDigits bounds the digits of a printed threshold: enough for any budget share and
// period a configuration can hold, few enough that 28 days gives 0.9333333333, not 0.9333…35.
const significantDigits = 10

// burnFactor returns budget × period / long, the burn rate at which the share budget of a
// period's error budget is spent within long, as a clean decimal: computed on rationals from the
// shortest decimal of budget (0.02 is 2/100, not the float nearest it), so that 30 days gives
// 14.4, 6, 3 and 1 and 28 days 13.44, 5.6, 2.8 and 0.9333333333, never 5.6000000000000005.
func burnFactor(budget float64, period, long time.Duration) string {
	r := ratOf(budget)
	r.Mul(r, new(big.Rat).SetFrac(big.NewInt(int64(period)), big.NewInt(int64(long))))
	return decimal(r)
}

// percent returns ratio × 100 as a clean decimal: 0.999 gives "99.9", 0.02 gives "2".
func percent(ratio float64) string {
	r := ratOf(ratio)
	return decimal(r.Mul(r, big.NewRat(100, 1)))
}

// ratOf returns the rational written by f's shortest decimal representation.
func ratOf(f float64) *big.Rat {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	if !ok {
		// Only NaN and infinities have no rational; the configuration rejects them.
		return new(big.Rat)
	}
	return r
}

// decimal prints r in plain decimal notation (no exponent, which PromQL would accept but people
// read less easily), rounded to significantDigits significant digits, trailing zeros dropped.
func decimal(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	rounded, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'g', significantDigits, 64), 64)
	return strconv.FormatFloat(rounded, 'f', -1, 64)
}

// numbers memoizes the numbers of a generation: a thousand objectives share a handful of
// budgets, targets and periods, and each takes a few big.Rat operations to print.
type numbers struct {
	factors  map[factorKey]string
	decimals map[float64]string
	percents map[float64]string
	windows  map[time.Duration]string
}

type factorKey struct {
	budget       float64
	period, long time.Duration
}

func (n *numbers) factor(budget float64, period, long time.Duration) string {
	k := factorKey{budget, period, long}
	s, ok := n.factors[k]
	if !ok {
		s = burnFactor(budget, period, long)
		if n.factors == nil {
			n.factors = map[factorKey]string{}
		}
		n.factors[k] = s
	}
	return s
}

// decimal returns f's shortest decimal in plain notation.
func (n *numbers) decimal(f float64) string {
	return memo(&n.decimals, f, func(f float64) string { return decimal(ratOf(f)) })
}

func (n *numbers) percent(ratio float64) string { return memo(&n.percents, ratio, percent) }

func memo(m *map[float64]string, f float64, compute func(float64) string) string {
	s, ok := (*m)[f]
	if !ok {
		s = compute(f)
		if *m == nil {
			*m = map[float64]string{}
		}
		(*m)[f] = s
	}
	return s
}

// window returns d as a Prometheus duration, the way the exporter's window label spells it.
func (n *numbers) window(d time.Duration) string {
	s, ok := n.windows[d]
	if !ok {
		s = window(d)
		if n.windows == nil {
			n.windows = map[time.Duration]string{}
		}
		n.windows[d] = s
	}
	return s
}
