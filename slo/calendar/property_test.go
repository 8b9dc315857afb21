package calendar

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

// checkAgainstReference compares every query at instants drawn from the reference's window.
func checkAgainstReference(t *testing.T, r *rand.Rand, c *Calendar, ref *reference, probes int) {
	t.Helper()
	w0, w1 := ref.w0, ref.end()
	changes := ref.changes()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s in %s: %s", c.name, c.loc, fmt.Sprintf(format, args...))
	}
	for range probes {
		a, b := probe(r, w0, w1, changes), probe(r, w0, w1, changes)
		if got, want := c.DurationUnix(a, b), ref.duration(a, b); got != want {
			fail("DurationUnix(%s, %s) = %d, reference %d", show(a, c.loc), show(b, c.loc), got, want)
		}
		if a < w1 {
			if got, want := c.WorkingUnix(a), ref.working(a); got != want {
				fail("WorkingUnix(%s) = %v, reference %v", show(a, c.loc), got, want)
			}
		}
		if a < w1 {
			n := 1 + r.IntN(3)
			if want, ok := ref.daysDeadline(a, n); ok {
				if got := c.DaysDeadlineUnix(a, n); got != want {
					fail("DaysDeadlineUnix(%s, %d) = %s, reference %s", show(a, c.loc), n, show(got, c.loc), show(want, c.loc))
				}
			}
		}
		if want, ok := ref.nextWorking(a); ok {
			if got := c.NextWorkingUnix(a); got != want {
				fail("NextWorkingUnix(%s) = %s, reference %s", show(a, c.loc), show(got, c.loc), show(want, c.loc))
			}
		}
		// Half the time ask for exactly the work up to b, so deadlines land on interval ends.
		x := ref.duration(a, b)
		if r.IntN(2) == 0 {
			x = r.Int64N(2 * secondsPerDay)
		}
		got := c.DeadlineUnix(a, x)
		if want, ok := ref.deadline(a, x); ok && got != want {
			fail("DeadlineUnix(%s, %d) = %s, reference %s", show(a, c.loc), x, show(got, c.loc), show(want, c.loc))
		} else if !ok && got < w1 {
			fail("DeadlineUnix(%s, %d) = %s, reference finds none before %s", show(a, c.loc), x, show(got, c.loc), show(w1, c.loc))
		}
	}
}

// TestAgainstReference is the strongest check of the flattening: random calendars in zones with
// every kind of change, each compared minute by minute with the definition over five days around
// a change or a span edge.
func TestAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 240 {
		zone := testZones[i%len(testZones)]
		loc := loadZone(t, zone)
		first := 1950 + r.IntN(110) // before 1970, in the transition tables and after them
		spec := randomSpec(r, loc, first, first+r.IntN(2))
		c := mustNew(t, spec)
		w0, w1 := window(r, c)
		ref := newReference(t, spec, w0, w1, minute)
		t.Run(fmt.Sprintf("%d/%s/%d", i, zone, first), func(t *testing.T) {
			checkAgainstReference(t, r, c, ref, 200)
		})
	}
}

// TestAgainstReferenceSeconds uses bounds that are not whole minutes, compared second by second
// on the DST days of the hand-worked tests and a pre-1970 one.
func TestAgainstReferenceSeconds(t *testing.T) {
	tests := []struct {
		zone string
		day  string // the window runs from the day before to the day after
	}{
		{"Europe/Rome", "2026-03-29T00:00:00+01:00"},
		{"Europe/Rome", "2026-10-25T00:00:00+02:00"},
		{"America/New_York", "2026-03-08T00:00:00-05:00"},
		{"America/New_York", "2026-11-01T00:00:00-04:00"},
		{"Australia/Lord_Howe", "2026-04-05T00:00:00+11:00"},
		{"Europe/Rome", "1967-09-24T00:00:00+02:00"},
	}
	r := rand.New(rand.NewPCG(3, 4))
	for _, tt := range tests {
		t.Run(tt.zone+"/"+tt.day, func(t *testing.T) {
			loc := loadZone(t, tt.zone)
			day := at(t, tt.day)
			y := time.Unix(day, 0).In(loc).Year()
			spec := Spec{Name: "seconds", Location: loc, FirstYear: y, LastYear: y}
			bound := func() int { return r.IntN(4*hour + 1) } // any second of 00:00..04:00
			for d := range spec.Week {
				spec.Week[d] = append(randomDay(r, bound), Interval{9*hour + 17, 17*hour - 3})
			}
			c := mustNew(t, spec)
			w0 := floorDiv(day, secondsPerDay)*secondsPerDay - secondsPerDay
			ref := newReference(t, spec, w0, w0+3*secondsPerDay, 1)
			checkAgainstReference(t, r, c, ref, 400)
		})
	}
}

// checkProperties checks what must hold whatever the calendar, at a <= b <= e anywhere in or out
// of the span, without a reference.
func checkProperties(t *testing.T, c *Calendar, a, b, e, x, y int64) {
	t.Helper()
	if a > b || b > e || x > y || x < 0 {
		t.Fatalf("checkProperties called with a=%d b=%d e=%d x=%d y=%d out of order", a, b, e, x, y)
	}
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s in %s: %s", c.name, c.loc, fmt.Sprintf(format, args...))
	}
	if ab, be, ae := c.DurationUnix(a, b), c.DurationUnix(b, e), c.DurationUnix(a, e); ab+be != ae {
		fail("d(%d,%d)=%d + d(%d,%d)=%d != d(%d,%d)=%d", a, b, ab, b, e, be, a, e, ae)
	}
	if d := c.DurationUnix(a, b); d < 0 || d > b-a {
		fail("d(%d,%d)=%d is outside [0, %d]", a, b, d, b-a)
	}
	da := c.DeadlineUnix(a, x)
	switch {
	case da == Never:
		if left := c.DurationUnix(a, max(c.to, a)); left >= x {
			fail("DeadlineUnix(%d, %d) = Never with %d s of work left", a, x, left)
		}
	case c.DurationUnix(a, da) != x:
		fail("d(%d, DeadlineUnix(%d, %d)=%d) = %d", a, a, x, da, c.DurationUnix(a, da))
	case da < a:
		fail("DeadlineUnix(%d, %d) = %d is before the start", a, x, da)
	case x > 0 && c.DurationUnix(a, da-1) >= x:
		fail("DeadlineUnix(%d, %d) = %d is not the earliest: d(a, deadline-1) = %d", a, x, da, c.DurationUnix(a, da-1))
	}
	if db := c.DeadlineUnix(b, x); db < da {
		fail("DeadlineUnix(%d, %d) = %d is before DeadlineUnix(%d, %d) = %d", b, x, db, a, x, da)
	}
	if dy := c.DeadlineUnix(a, y); dy < da {
		fail("DeadlineUnix(%d, %d) = %d is before DeadlineUnix(%d, %d) = %d", a, y, dy, a, x, da)
	}
	n := 1 + int(x%5)
	switch da, db, da1 := c.DaysDeadlineUnix(a, n), c.DaysDeadlineUnix(b, n), c.DaysDeadlineUnix(a, n+1); {
	case da == Never:
		if da1 != Never || db != Never {
			fail("DaysDeadlineUnix(%d, %d) = Never but a later start or one more day has %d, %d", a, n, db, da1)
		}
	case da <= a || !c.WorkingUnix(da-1):
		fail("DaysDeadlineUnix(%d, %d) = %d is not the end of working time after the start", a, n, da)
	case db < da || da1 <= da:
		fail("DaysDeadlineUnix(%d, %d) = %d: a later start gives %d, one more day %d", a, n, da, db, da1)
	}
	if got, want := c.WorkingUnix(a), c.DurationUnix(a, a+1) == 1; got != want {
		fail("WorkingUnix(%d) = %v but d(t, t+1) = %d", a, got, c.DurationUnix(a, a+1))
	}
	next, first := c.NextWorkingUnix(a), c.DeadlineUnix(a, 1)
	if (next == Never) != (first == Never) || (next != Never && next != first-1) {
		fail("NextWorkingUnix(%d) = %d but DeadlineUnix(t, 1) = %d", a, next, first)
	}
	if inSpan := a >= c.from && a < c.to; (c.Check(a) == nil) != inSpan {
		fail("Check(%d) = %v, in span %v", a, c.Check(a), inSpan)
	}
}

// checkStructure checks the flattened form: intervals sorted, non-empty, disjoint and not
// touching, prefix sums, and the day index pointing at the first interval ending after each UTC
// midnight.
func checkStructure(t *testing.T, c *Calendar) {
	t.Helper()
	for i := range c.starts {
		if c.starts[i] >= c.ends[i] || (i > 0 && c.ends[i-1] >= c.starts[i]) || c.starts[i] < c.from || c.ends[i] > c.to {
			t.Fatalf("interval %d [%d, %d) out of order in span [%d, %d)", i, c.starts[i], c.ends[i], c.from, c.to)
		}
		if c.cum[i+1]-c.cum[i] != c.ends[i]-c.starts[i] {
			t.Fatalf("cum[%d] does not add interval %d", i+1, i)
		}
	}
	for d, i := range c.first {
		midnight := (c.spanDay + int64(d)) * secondsPerDay
		if (int(i) < len(c.ends) && c.ends[i] <= midnight) || (i > 0 && c.ends[i-1] > midnight) {
			t.Fatalf("first[%d] = %d is not the first interval ending after %d", d, i, midnight)
		}
	}
}

// TestProperties checks the properties at random instants over and around whole spans.
func TestProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 120 {
		zone := testZones[i%len(testZones)]
		first := 1950 + r.IntN(110)
		c := mustNew(t, randomSpec(r, loadZone(t, zone), first, first+r.IntN(4)))
		checkStructure(t, c)
		margin := int64(40 * secondsPerDay)
		instant := func() int64 { return c.from - margin + r.Int64N(c.to-c.from+2*margin) }
		for range 1000 {
			u := []int64{instant(), instant(), instant()}
			if r.IntN(3) == 0 {
				u[1] = u[0] + r.Int64N(3*secondsPerDay) // close pairs, where days differ
			}
			sort.Slice(u, func(i, j int) bool { return u[i] < u[j] })
			x, y := r.Int64N(30*secondsPerDay), r.Int64N(30*secondsPerDay)
			checkProperties(t, c, u[0], u[1], u[2], min(x, y), max(x, y))
		}
	}
}
