package kpi

import (
	"math"
	"slices"
)

// tally accumulates what one pass over the store measures: durations for a duration KPI, hits out
// of n for a ratio, or just n for a count.
type tally struct {
	n    int
	hits int
	sum  float64
	max  float64
	// values is kept only for a percentile, so mean and max cost no memory per ticket.
	values []float64
	keep   bool
}

// add records one duration in seconds. Seconds are whole, so the float sum is exact up to 2^53
// seconds in all, hundreds of millions of years.
func (t *tally) add(d float64) {
	t.n++
	t.sum += d
	t.max = max(t.max, d)
	if t.keep {
		t.values = append(t.values, d)
	}
}

// count records one ticket of a ratio's denominator, and whether it is in the numerator.
func (t *tally) count(hit bool) {
	t.n++
	if hit {
		t.hits++
	}
}

// stat summarizes the durations; NaN when there are none.
func (t *tally) stat(s Stat) float64 {
	if t.n == 0 {
		return math.NaN()
	}
	switch s {
	case Mean:
		return t.sum / float64(t.n)
	case Max:
		return t.max
	}
	slices.Sort(t.values)
	return nearestRank(t.values, s.percentile())
}

// nearestRank is the p-th percentile of sorted values by the nearest-rank method: the smallest
// value with at least p% of the values at or below it, that is the value of rank ceil(p/100 × N)
// counting from 1. It is always one of the values, never an interpolation: p50 of 10, 20, 30, 40
// is 20 (rank 2), and p90 of ten values is the 9th. values must not be empty.
func nearestRank(values []float64, p int) float64 {
	rank := (p*len(values) + 99) / 100
	return values[max(rank, 1)-1]
}
