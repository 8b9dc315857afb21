package availability

import (
	"fmt"
	"slices"
	"time"
)

// Timeline holds the verdict on every slice of a range. It takes under a byte per slice: five
// bitsets with their rank counts, plus two int64 prefix sums for the few slices only partly
// eligible or covered (those touching the edge of a maintenance window or a gap). A Timeline is
// immutable and safe for concurrent use.
type Timeline struct {
	slice int64 // nanoseconds
	t0    int64 // start of the first slice, nanoseconds since the Unix epoch
	n     int   // number of slices
	// from and to are the range asked of Build; Counts maps them to the outer slice edges.
	from, to time.Time

	good, excluded bitRank // Bad is neither
	// A slice is either partial, with its eligible and covered time in the prefix sums below,
	// or has each of them at 0 or the whole slice, recorded by the two full* bits.
	fullEligible, fullCovered, partial bitRank
	partEligible, partCovered          []int64 // prefix sums over partial slices; [0] is 0
}

// Build judges every slice overlapping [from, to) from the data and the maintenance in cfg. The
// range widens to whole slices: from rounds down and to rounds up to a multiple of cfg.Slice, and
// the data in those outer bits counts like any other. Build fails on an invalid cfg, an empty
// range, a range outside the years 1900 to 2200, or more than MaxSlices slices.
func Build(cfg Config, data Series, from, to time.Time) (*Timeline, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, fmt.Errorf("availability config: %w", err)
	}
	if !from.Before(to) {
		return nil, fmt.Errorf("build range [%v, %v): empty", from, to)
	}
	if from.Before(minTime) || to.After(maxTime) {
		return nil, fmt.Errorf("build range [%v, %v): outside %v to %v", from, to, minTime, maxTime)
	}
	size := int64(cfg.Slice)
	t0, t1 := floorTo(from.UnixNano(), size), ceilTo(to.UnixNano(), size)
	if n := (t1 - t0) / size; n > MaxSlices {
		return nil, fmt.Errorf("build range [%v, %v): %d slices of %v, limit %d", from, to, n, cfg.Slice, MaxSlices)
	}
	t := &Timeline{slice: size, t0: t0, n: int((t1 - t0) / size), from: from, to: to}
	if len(data.maintenance) > 0 {
		cfg.Maintenance = append(slices.Clip(cfg.Maintenance), data.maintenance...)
	}
	t.fill(cfg, data.segments(cfg.MaxSampleAge, t0, t1), maintenanceSpans(cfg, t0, t1))
	return t, nil
}

// fill sweeps the slices and the labelled pieces together, so the work is proportional to
// slices plus pieces.
func (t *Timeline) fill(cfg Config, segs []seg, maint []span) {
	t.good, t.excluded = newBitRank(t.n), newBitRank(t.n)
	t.fullEligible, t.fullCovered, t.partial = newBitRank(t.n), newBitRank(t.n), newBitRank(t.n)
	t.partEligible, t.partCovered = []int64{0}, []int64{0}
	k, m := 0, 0
	for i := range t.n {
		a := t.t0 + int64(i)*t.slice
		b := a + t.slice
		var acc [numLabels]int64
		for at := a; at < b; {
			for segs[k].end <= at {
				k++
			}
			for m < len(maint) && maint[m].end <= at {
				m++
			}
			end, lab := min(b, segs[k].end), segs[k].lab
			if m < len(maint) {
				if maint[m].start <= at {
					end, lab = min(end, maint[m].end), labelMaintenance
				} else {
					end = min(end, maint[m].start)
				}
			}
			acc[lab] += end - at
			at = end
		}
		t.record(i, cfg, acc)
	}
	for _, b := range []*bitRank{&t.good, &t.excluded, &t.fullEligible, &t.fullCovered, &t.partial} {
		b.freeze()
	}
}

// epsilon absorbs float rounding in the up-fraction, so that a slice exactly at the threshold,
// such as 45s of 60s against 0.75, is Good.
const epsilon = 1e-9

// record judges slice i from the nanoseconds each label holds in it.
func (t *Timeline) record(i int, cfg Config, acc [numLabels]int64) {
	eligible := t.slice - acc[labelMaintenance]
	covered := acc[labelUp] + acc[labelDown] + acc[labelDegraded]

	up := float64(acc[labelUp]) + cfg.DegradedWeight*float64(acc[labelDegraded])
	judged := eligible
	switch cfg.Gaps {
	case GapExcluded:
		judged -= acc[labelMissing]
	case GapGood:
		up += float64(acc[labelMissing])
	}
	switch {
	case judged == 0:
		t.excluded.set(i)
	case up/float64(judged) >= cfg.GoodThreshold-epsilon:
		t.good.set(i)
	}

	whole := func(x int64) bool { return x == 0 || x == t.slice }
	if whole(eligible) && whole(covered) {
		if eligible == t.slice {
			t.fullEligible.set(i)
		}
		if covered == t.slice {
			t.fullCovered.set(i)
		}
		return
	}
	t.partial.set(i)
	t.partEligible = append(t.partEligible, t.partEligible[len(t.partEligible)-1]+eligible)
	t.partCovered = append(t.partCovered, t.partCovered[len(t.partCovered)-1]+covered)
}

// From returns the start of the first slice, in the Location of the from given to Build.
func (t *Timeline) From() time.Time { return time.Unix(0, t.t0).In(t.from.Location()) }

// To returns the end of the last slice, in the Location of the from given to Build.
func (t *Timeline) To() time.Time {
	return time.Unix(0, t.t0+int64(t.n)*t.slice).In(t.from.Location())
}

// Slice returns the length of one slice.
func (t *Timeline) Slice() time.Duration { return time.Duration(t.slice) }

// Len returns the number of slices.
func (t *Timeline) Len() int { return t.n }

// bytes is the memory held by t's slices, for the tests and benchmark that keep it under a
// byte per slice.
func (t *Timeline) bytes() int {
	n := 8 * (len(t.partEligible) + len(t.partCovered))
	for _, b := range []*bitRank{&t.good, &t.excluded, &t.fullEligible, &t.fullCovered, &t.partial} {
		n += b.bytes()
	}
	return n
}
