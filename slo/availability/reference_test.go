package availability

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The reference implementation below judges slices second by second, the slow and obvious way,
// straight from the definitions in the package documentation. It shares no code with Build.

// refLabel labels the second starting at s.
func refLabel(g genCase, cfg Config, s time.Time) label {
	in := func(start, end time.Time) bool { return !s.Before(start) && s.Before(end) }
	for _, w := range cfg.Maintenance {
		if in(w.Start, w.End) {
			return labelMaintenance
		}
	}
	for _, r := range cfg.Recurring {
		loc := r.Location
		if loc == nil {
			loc = time.UTC
		}
		y, m, d := s.In(loc).Date()
		// An occurrence opens before the end of its day and lasts Duration.
		for back := 0; back <= 1+int(r.Duration/(24*time.Hour)); back++ {
			midnight := time.Date(y, m, d-back, 0, 0, 0, 0, loc) // fixed zones only: no DST
			allowed := len(r.Weekdays) == 0
			for _, wd := range r.Weekdays {
				allowed = allowed || wd == midnight.Weekday()
			}
			if allowed && in(midnight.Add(r.Start), midnight.Add(r.Start+r.Duration)) {
				return labelMaintenance
			}
		}
	}
	if g.fromOutages {
		degraded := false
		for _, o := range g.outages {
			if in(o.Start, o.End) {
				if o.State == Down {
					return labelDown
				}
				degraded = true
			}
		}
		switch {
		case degraded:
			return labelDegraded
		case in(g.covFrom, g.covTo):
			return labelUp
		}
		return labelMissing
	}
	last := -1
	for i, smp := range g.samples {
		if !smp.At.After(s) {
			last = i
		}
	}
	if last < 0 || s.Sub(g.samples[last].At) >= cfg.MaxSampleAge {
		return labelMissing
	}
	switch g.samples[last].State {
	case Up:
		return labelUp
	case Down:
		return labelDown
	case Degraded:
		return labelDegraded
	}
	return labelMissing
}

// refSlice judges the slice starting at a.
func refSlice(g genCase, cfg Config, a time.Time) Counts {
	var secs [numLabels]time.Duration
	for s := a; s.Before(a.Add(cfg.Slice)); s = s.Add(time.Second) {
		secs[refLabel(g, cfg, s)] += time.Second
	}
	c := Counts{
		Eligible: cfg.Slice - secs[labelMaintenance],
		Covered:  secs[labelUp] + secs[labelDown] + secs[labelDegraded],
	}
	up := secs[labelUp].Seconds() + cfg.DegradedWeight*secs[labelDegraded].Seconds()
	judged := c.Eligible
	if cfg.Gaps == GapExcluded {
		judged -= secs[labelMissing]
	}
	if cfg.Gaps == GapGood {
		up += secs[labelMissing].Seconds()
	}
	switch {
	case judged == 0:
		c.Excluded = cfg.Slice
	case up/judged.Seconds() >= cfg.GoodThreshold-1e-9:
		c.Good = cfg.Slice
	default:
		c.Bad = cfg.Slice
	}
	return c
}

// checkReference compares every slice of tl with the reference.
func checkReference(t *testing.T, g genCase, tl *Timeline) {
	t.Helper()
	cfg, err := g.cfg.normalize()
	if err != nil {
		t.Fatal(err)
	}
	for i := range tl.Len() {
		a := tl.From().Add(time.Duration(i) * cfg.Slice)
		if diff := cmp.Diff(refSlice(g, cfg, a), tl.Counts(a, a.Add(cfg.Slice))); diff != "" {
			t.Fatalf("slice %d at %v differs from the reference (-want +got):\n%s\ncase: %+v", i, a, diff, g)
		}
	}
}

func TestAgainstReference(t *testing.T) {
	c := &choices{rng: rand.New(rand.NewPCG(2026, 10))}
	for i := range 300 {
		g := generate(c, true, nil)
		data, err := g.series()
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		tl, err := Build(g.cfg, data, g.from, g.to)
		if err != nil {
			t.Fatalf("case %d: Build: %v", i, err)
		}
		checkReference(t, g, tl)
	}
}

// TestCountsAdditive checks that Counts over a window is the sum over any split of it, for
// window ends anywhere, inside or outside the timeline, on slice boundaries or not.
func TestCountsAdditive(t *testing.T) {
	c := &choices{rng: rand.New(rand.NewPCG(7, 43))}
	rome := mustLoad(t, "Europe/Rome")
	for i := range 200 {
		g := generate(c, false, []*time.Location{rome})
		data, err := g.series()
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		tl, err := Build(g.cfg, data, g.from, g.to)
		if err != nil {
			t.Fatalf("case %d: Build: %v", i, err)
		}
		checkInvariants(t, tl, g)
		span := g.to.Sub(g.from) + 20*time.Minute
		point := func() time.Time {
			return g.from.Add(-10*time.Minute + time.Duration(c.rng.Int64N(int64(span))))
		}
		for range 20 {
			a, b, z := point(), point(), point()
			a, b, z = min3(a, b, z)
			whole, left, right := tl.Counts(a, z), tl.Counts(a, b), tl.Counts(b, z)
			if diff := cmp.Diff(whole, add(left, right)); diff != "" {
				t.Fatalf("case %d: Counts(%v, %v) != Counts(a, %v) + Counts(%v, z) (-whole +parts):\n%s", i, a, z, b, b, diff)
			}
		}
	}
}

func min3(a, b, c time.Time) (time.Time, time.Time, time.Time) {
	if b.Before(a) {
		a, b = b, a
	}
	if c.Before(b) {
		b, c = c, b
	}
	if b.Before(a) {
		a, b = b, a
	}
	return a, b, c
}

func add(a, b Counts) Counts {
	return Counts{Good: a.Good + b.Good, Bad: a.Bad + b.Bad, Excluded: a.Excluded + b.Excluded,
		Covered: a.Covered + b.Covered, Eligible: a.Eligible + b.Eligible}
}

// checkInvariants holds for every timeline: verdicts tile it and real times fit inside it.
func checkInvariants(t *testing.T, tl *Timeline, g genCase) {
	t.Helper()
	c := tl.Counts(g.from, g.to)
	total := time.Duration(tl.Len()) * tl.Slice()
	if c.Good+c.Bad+c.Excluded != total {
		t.Fatalf("Good %v + Bad %v + Excluded %v != %d slices × %v", c.Good, c.Bad, c.Excluded, tl.Len(), tl.Slice())
	}
	if c.Good < 0 || c.Bad < 0 || c.Excluded < 0 || c.Covered < 0 || c.Covered > c.Eligible || c.Eligible > total {
		t.Fatalf("impossible counts %+v for %v", c, total)
	}
	if diff := cmp.Diff(c, tl.Counts(tl.From(), tl.To())); diff != "" {
		t.Fatalf("Build's range and the aligned range count differently:\n%s", diff)
	}
}
