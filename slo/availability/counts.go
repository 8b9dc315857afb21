package availability

import "time"

// Counts sums a window of a Timeline. Good, Bad and Excluded are whole slices, each counted as
// the slice length, so they add up to the window's slices × Slice. Covered and Eligible are real
// time, to the nanosecond.
type Counts struct {
	// Good, Bad and Excluded are the slices of each verdict, times the slice length.
	Good, Bad, Excluded time.Duration
	// Covered is the time outside maintenance with data; Eligible is the time outside
	// maintenance. Their ratio shows how much of the window was actually observed.
	Covered, Eligible time.Duration
}

// Attainment returns Good/(Good+Bad), the share of judged slices that were good; ok is false
// when no slice was judged.
func (c Counts) Attainment() (ratio float64, ok bool) {
	if c.Good+c.Bad == 0 {
		return 0, false
	}
	return float64(c.Good) / float64(c.Good+c.Bad), true
}

// Coverage returns Covered/Eligible, the share of the time outside maintenance that had data; ok
// is false when none was outside maintenance.
func (c Counts) Coverage() (ratio float64, ok bool) {
	if c.Eligible == 0 {
		return 0, false
	}
	return float64(c.Covered) / float64(c.Eligible), true
}

// Counts sums the slices that start in [from, to): both ends are rounded down to a slice
// boundary, so adjacent windows never share a slice and Counts(a, b) + Counts(b, c) equals
// Counts(a, c). The range given to Build is the exception that makes its own ends work: an
// instant at or before its from maps to the first slice, one at or after its to past the last,
// so Counts(from, to) with Build's own arguments covers the whole Timeline. Windows reaching
// outside are clipped; an empty or reversed window counts nothing. Counts takes constant time.
func (t *Timeline) Counts(from, to time.Time) Counts {
	if t == nil {
		return Counts{}
	}
	i, j := t.index(from), t.index(to)
	if j <= i {
		return Counts{}
	}
	size := time.Duration(t.slice)
	good := t.good.rank(j) - t.good.rank(i)
	excluded := t.excluded.rank(j) - t.excluded.rank(i)
	pi, pj := t.partial.rank(i), t.partial.rank(j)
	return Counts{
		Good:     size * time.Duration(good),
		Bad:      size * time.Duration(j-i-good-excluded),
		Excluded: size * time.Duration(excluded),
		Covered: size*time.Duration(t.fullCovered.rank(j)-t.fullCovered.rank(i)) +
			time.Duration(t.partCovered[pj]-t.partCovered[pi]),
		Eligible: size*time.Duration(t.fullEligible.rank(j)-t.fullEligible.rank(i)) +
			time.Duration(t.partEligible[pj]-t.partEligible[pi]),
	}
}

// index maps an instant to a slice boundary, 0 to n, as Counts describes.
func (t *Timeline) index(x time.Time) int {
	if !x.After(t.from) {
		return 0
	}
	if !x.Before(t.to) {
		return t.n
	}
	return int((x.UnixNano() - t.t0) / t.slice)
}
