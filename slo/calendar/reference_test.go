package calendar

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

// reference evaluates the definition of working time instant by instant over a window, with none
// of the implementation's machinery: an instant works when the highest wall-clock reading shown so
// far (which, while the clocks repeat an hour, is the reading just before they went back) falls in
// a working interval of a working day inside the span of years. Readings come from time.Unix(...).
// In(loc) as date and clock, compared field by field, so no offset arithmetic is shared with the
// implementation.
type reference struct {
	w0, step int64
	work     []bool  // work[i]: the step starting at w0+i*step
	cum      []int64 // cum[i]: working seconds in [w0, w0+i*step)
	date     []Date  // date[i]: the date of the highest reading by the step starting at w0+i*step
}

type reading struct {
	y   int
	m   time.Month
	d   int
	sec int
}

func (r reading) after(o reading) bool {
	switch {
	case r.y != o.y:
		return r.y > o.y
	case r.m != o.m:
		return r.m > o.m
	case r.d != o.d:
		return r.d > o.d
	}
	return r.sec > o.sec
}

// newReference evaluates [w0, w1) every step seconds. A step of 60 is exact only when interval
// bounds and zone offsets are whole minutes, which it checks.
func newReference(t testing.TB, s Spec, w0, w1, step int64) *reference {
	t.Helper()
	if w0%step != 0 || w1%step != 0 {
		t.Fatalf("reference window [%d, %d) not aligned to %d s", w0, w1, step)
	}
	days := append([][]Interval(nil), s.Week[:]...)
	halfDays := map[Date][]Interval{}
	recurringHalfDays := map[MonthDay][]Interval{}
	for _, h := range s.RecurringHalfDays {
		recurringHalfDays[h.Day] = h.Hours
		days = append(days, h.Hours)
	}
	for _, h := range s.HalfDays {
		halfDays[h.Date] = h.Hours
		days = append(days, h.Hours)
	}
	for _, ivs := range days {
		for _, iv := range ivs {
			if int64(iv.Start)%step != 0 || int64(iv.End)%step != 0 {
				t.Fatalf("working hours %s not whole steps of %d s", iv, step)
			}
		}
	}
	dated := map[Date]bool{}
	for _, h := range s.Holidays {
		dated[h] = true
	}
	recurring := map[MonthDay]bool{}
	for _, h := range s.Recurring {
		recurring[h] = true
	}
	working := func(r reading) bool {
		if r.y < s.FirstYear || r.y > s.LastYear || dated[Date{r.y, r.m, r.d}] || recurring[MonthDay{r.m, r.d}] {
			return false
		}
		hours := s.Week[time.Date(r.y, r.m, r.d, 12, 0, 0, 0, time.UTC).Weekday()]
		if h, ok := recurringHalfDays[MonthDay{r.m, r.d}]; ok && len(hours) > 0 {
			hours = h
		}
		if h, ok := halfDays[Date{r.y, r.m, r.d}]; ok && len(hours) > 0 {
			hours = h
		}
		for _, iv := range hours {
			if iv.Start <= r.sec && r.sec < iv.End {
				return true
			}
		}
		return false
	}

	ref := &reference{w0: w0, step: step}
	var highest reading
	// Start two days early: no fall-back in the tz database is that long, so the running maximum
	// is the maximum over all time by w0.
	for u := w0 - 2*secondsPerDay; u < w1; u += step {
		local := time.Unix(u, 0).In(s.Location)
		if _, off := local.Zone(); int64(off)%step != 0 {
			t.Fatalf("%s: offset %d s at %s is not whole steps of %d s", s.Location, off, local, step)
		}
		y, m, d := local.Date()
		hh, mm, ss := local.Clock()
		if r := (reading{y, m, d, hh*3600 + mm*60 + ss}); r.after(highest) {
			highest = r
		}
		if u >= w0 {
			ref.work = append(ref.work, working(highest))
			ref.date = append(ref.date, Date{highest.y, highest.m, highest.d})
		}
	}
	ref.cum = make([]int64, len(ref.work)+1)
	for i, w := range ref.work {
		ref.cum[i+1] = ref.cum[i]
		if w {
			ref.cum[i+1] += step
		}
	}
	return ref
}

func (r *reference) end() int64 { return r.w0 + int64(len(r.work))*r.step }

// count is the working time in [w0, u) for u in [w0, end].
func (r *reference) count(u int64) int64 {
	i := (u - r.w0) / r.step
	c := r.cum[i]
	if i < int64(len(r.work)) && r.work[i] {
		c += (u - r.w0) % r.step
	}
	return c
}

func (r *reference) duration(a, b int64) int64 {
	if b <= a {
		return 0
	}
	return r.count(b) - r.count(a)
}

func (r *reference) working(u int64) bool { return r.work[(u-r.w0)/r.step] }

// deadline is the earliest instant with x working seconds since t, if the window holds it.
func (r *reference) deadline(t, x int64) (int64, bool) {
	if x <= 0 {
		return t, true
	}
	target := r.count(t) + x
	for i := (t - r.w0) / r.step; i < int64(len(r.work)); i++ {
		if r.work[i] && r.cum[i+1] >= target {
			return r.w0 + i*r.step + target - r.cum[i], true
		}
	}
	return 0, false
}

// daysDeadline is the end of the working time of the nth working day after the date of t, if the
// window holds that day whole: the end of the last working step dated that day, once a later date
// has begun in the window.
func (r *reference) daysDeadline(t int64, n int) (int64, bool) {
	if n <= 0 {
		return t, true
	}
	// Dates change at wall-clock midnights, which are whole steps: t's date is its step's.
	i := (t - r.w0) / r.step
	if i >= int64(len(r.date)) {
		return 0, false
	}
	today, day := r.date[i], r.date[i]
	count, end := 0, int64(0)
	for j := i + 1; j < int64(len(r.work)); j++ {
		if r.date[j] != r.date[j-1] && count == n {
			return end, true
		}
		if !r.work[j] || r.date[j] == today {
			continue
		}
		if r.date[j] != day {
			day, count = r.date[j], count+1
		}
		end = r.w0 + (j+1)*r.step
	}
	return 0, false
}

// nextWorking is the first working instant at or after u, if the window holds it.
func (r *reference) nextWorking(u int64) (int64, bool) {
	for i := (u - r.w0) / r.step; i < int64(len(r.work)); i++ {
		if r.work[i] {
			return max(u, r.w0+i*r.step), true
		}
	}
	return 0, false
}

// changes lists the instants where working time starts or stops, the places worth probing.
func (r *reference) changes() []int64 {
	var out []int64
	for i := 1; i < len(r.work); i++ {
		if r.work[i] != r.work[i-1] {
			out = append(out, r.w0+int64(i)*r.step)
		}
	}
	return out
}

// Zones with every kind of change: none, east and west of Greenwich, half-hour and 45-minute
// offsets, a half-hour DST, changes at midnight, negative DST, a two-hour DST, a skipped day,
// Ramadan suspensions of DST, and southern-hemisphere summers across the new year.
var testZones = []string{
	"UTC", "Europe/Rome", "America/New_York", "America/Santiago", "Australia/Lord_Howe",
	"Asia/Kathmandu", "Pacific/Apia", "Pacific/Chatham", "America/St_Johns", "Europe/Dublin",
	"Antarctica/Troll", "Africa/Casablanca", "Asia/Tehran", "America/Sao_Paulo", "Asia/Kolkata",
	"America/Havana", "Pacific/Kiritimati", "Australia/Sydney", "Europe/London", "Asia/Tokyo",
}

// randomSpec draws a calendar whose interval bounds are whole minutes, biased to the hours DST
// changes happen in and to days that run into midnight.
func randomSpec(r *rand.Rand, loc *time.Location, first, last int) Spec {
	s := Spec{Name: "random", Location: loc, FirstYear: first, LastYear: last}
	bound := func() int {
		switch r.IntN(3) {
		case 0:
			return r.IntN(1441) * minute // any minute, 24:00 included
		case 1:
			return r.IntN(97) * 15 * minute // a quarter hour
		default:
			return r.IntN(7) * 30 * minute // 00:00 .. 03:00, where changes happen
		}
	}
	for d := range s.Week {
		switch r.IntN(10) {
		case 0, 1:
			// no working hours
		case 2:
			s.Week[d] = []Interval{{0, 24 * hour}}
		case 3:
			s.Week[d] = []Interval{{1 * hour, 4 * hour}}
		case 4:
			s.Week[d] = []Interval{{23 * hour, 24 * hour}, {0, 1 * hour}}
		default:
			s.Week[d] = randomDay(r, bound)
		}
	}
	for range r.IntN(4) {
		day := civilDay(first, 1, 1) + r.Int64N(civilDay(last+1, 1, 1)-civilDay(first, 1, 1))
		y, m, dd := time.Unix(day*secondsPerDay, 0).UTC().Date()
		s.Holidays = append(s.Holidays, Date{y, m, dd})
	}
	for range r.IntN(3) {
		m, d := time.Month(1+r.IntN(12)), 1+r.IntN(31)
		if r.IntN(4) == 0 {
			m, d = time.February, 29
		}
		if validDate(2000, m, d) {
			s.Recurring = append(s.Recurring, MonthDay{m, d})
		}
	}
	hours := func() []Interval {
		if ivs := randomDay(r, bound); len(ivs) > 0 {
			return ivs
		}
		return []Interval{{9 * hour, 13 * hour}}
	}
	seen := map[Date]bool{}
	for range r.IntN(4) {
		day := civilDay(first, 1, 1) + r.Int64N(civilDay(last+1, 1, 1)-civilDay(first, 1, 1))
		y, m, dd := time.Unix(day*secondsPerDay, 0).UTC().Date()
		if d := (Date{y, m, dd}); !seen[d] {
			seen[d] = true
			s.HalfDays = append(s.HalfDays, HalfDay{d, hours()})
		}
	}
	if r.IntN(2) == 0 {
		s.RecurringHalfDays = append(s.RecurringHalfDays, RecurringHalfDay{MonthDay{time.Month(1 + r.IntN(12)), 1 + r.IntN(28)}, hours()})
	}
	return s
}

// randomDay draws up to three intervals from distinct sorted bounds, sometimes touching.
func randomDay(r *rand.Rand, bound func() int) []Interval {
	seen := map[int]bool{}
	var bounds []int
	for range 2 * (1 + r.IntN(3)) {
		b := bound()
		if !seen[b] {
			seen[b] = true
			bounds = append(bounds, b)
		}
	}
	sort.Ints(bounds)
	var out []Interval
	for i := 0; i+1 < len(bounds); i += 2 {
		out = append(out, Interval{bounds[i], bounds[i+1]})
		if r.IntN(5) == 0 && i+2 < len(bounds) {
			bounds[i+2] = bounds[i+1] // next interval touches this one
		}
	}
	return out
}

// window picks five days to compare over: around a zone change, around a span edge, or anywhere.
func window(r *rand.Rand, c *Calendar) (int64, int64) {
	from, to := c.from, c.to
	var center int64
	switch r.IntN(5) {
	case 0:
		center = from
	case 1:
		center = to
	default:
		center = from + r.Int64N(to-from)
		if r.IntN(3) > 0 {
			// Move to the next zone change, if one comes within the span.
			if _, end := time.Unix(center, 0).In(c.loc).ZoneBounds(); !end.IsZero() && end.Unix() < to {
				center = end.Unix()
			}
		}
	}
	w0 := floorDiv(center, minute)*minute - 2*secondsPerDay
	return w0, w0 + 5*secondsPerDay
}

// probe draws an instant in [w0, w1]: near a change of working state or anywhere.
func probe(r *rand.Rand, w0, w1 int64, changes []int64) int64 {
	if len(changes) > 0 && r.IntN(2) == 0 {
		u := changes[r.IntN(len(changes))] + int64(r.IntN(3)) - 1
		return min(max(u, w0), w1)
	}
	return w0 + r.Int64N(w1-w0+1)
}
