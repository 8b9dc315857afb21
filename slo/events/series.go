package events

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Series is a sorted, immutable run of buckets, safe for concurrent use.
//
// Counts subtracts prefix sums, so it is exact while the running sums are whole numbers below
// 2^53 (about 9×10^15 events); with fractional counts the error is about 1e-16 of the running
// sum.
type Series struct {
	starts []time.Time
	// good and bad are prefix sums: good[i] is the good events of the buckets before i. Keeping
	// bad rather than total makes both differences non-negative, and Good+Bad == Total exact.
	good, bad []float64
}

// New sorts buckets by Start and sums those sharing a Start (the same instant, whatever its
// Location). It rejects a bucket breaking the rules of Bucket with an error naming its index in
// buckets and wrapping ErrInvalidBucket, and rejects sums too large for a float64.
func New(buckets []Bucket) (*Series, error) {
	for i, b := range buckets {
		if err := b.validate(); err != nil {
			return nil, fmt.Errorf("bucket %d at %v: %w: %w", i, b.Start, ErrInvalidBucket, err)
		}
	}
	sorted := slices.Clone(buckets)
	slices.SortStableFunc(sorted, func(a, b Bucket) int { return a.Start.Compare(b.Start) })

	s := &Series{good: []float64{0}, bad: []float64{0}}
	for _, b := range sorted {
		good := s.good[len(s.good)-1] + b.Good
		bad := s.bad[len(s.bad)-1] + (b.Total - b.Good)
		if math.IsInf(good+bad, 0) {
			return nil, fmt.Errorf("bucket at %v: running total %v + %v overflows", b.Start, good, bad)
		}
		if n := len(s.starts); n > 0 && s.starts[n-1].Equal(b.Start) {
			s.good[n], s.bad[n] = good, bad
			continue
		}
		s.starts = append(s.starts, b.Start)
		s.good = append(s.good, good)
		s.bad = append(s.bad, bad)
	}
	return s, nil
}

// Counts sums the buckets whose Start is in [from, to). An empty or reversed window counts
// nothing, as does a nil Series.
func (s *Series) Counts(from, to time.Time) Counts {
	if s == nil {
		return Counts{}
	}
	i, j := s.search(from), s.search(to)
	if j <= i {
		return Counts{}
	}
	c := Counts{Good: s.good[j] - s.good[i], Bad: s.bad[j] - s.bad[i]}
	c.Total = c.Good + c.Bad
	return c
}

// search returns the index of the first bucket starting at or after t.
func (s *Series) search(t time.Time) int {
	i, _ := slices.BinarySearchFunc(s.starts, t, func(e, t time.Time) int { return e.Compare(t) })
	return i
}

// First returns the Start of the earliest bucket; ok is false when there is none.
func (s *Series) First() (start time.Time, ok bool) {
	if s == nil || len(s.starts) == 0 {
		return time.Time{}, false
	}
	return s.starts[0], true
}

// Len returns the number of buckets, after merging those sharing a Start.
func (s *Series) Len() int {
	if s == nil {
		return 0
	}
	return len(s.starts)
}
