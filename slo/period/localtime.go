package period

import "time"

// date is a civil date; time.Date normalizes it, so day 0 or month 13 are fine on the way in.
type date struct {
	y int
	m time.Month
	d int
}

func dateOf(t time.Time) date {
	y, m, d := t.Date()
	return date{y, m, d}
}

func (d date) add(years, months, days int) date {
	return dateOf(time.Date(d.y+years, d.m+time.Month(months), d.d+days, 0, 0, 0, 0, time.UTC))
}

func (d date) weekday() time.Weekday {
	return time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC).Weekday()
}

// WallClock returns the first instant at which clocks in loc read the civil date year-month-day
// plus offset (offset is a time of day, so 2h means 02:00 on the clock, even on a DST day). When a
// DST jump skips that reading, WallClock returns the instant of the jump, which is when the clock
// went past it. Like time.Date it normalizes out-of-range values: day 32 is the next month, an
// offset of 26h is 02:00 the next day. WallClock panics if loc is nil.
//
// time.Date alone is not enough: for a skipped reading it may answer an instant on the previous
// day (America/Asuncion, 2023-10-01 00:00 comes back as 2023-09-30 23:00 -04), which would
// start a month an hour early, and for a reading clocks show twice it does not promise which.
func WallClock(year int, month time.Month, day int, offset time.Duration, loc *time.Location) time.Time {
	return wallClock(date{year, month, day}, offset, loc)
}

func wallClock(d date, off time.Duration, loc *time.Location) time.Time {
	want := time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC).Add(off)
	guess := time.Date(d.y, d.m, d.d, 0, 0, 0, int(off), loc)
	zoneStart, zoneEnd := guess.ZoneBounds()

	// Only the zone Go picked and its two neighbours can show the reading.
	probes := []time.Time{guess}
	if !zoneStart.IsZero() {
		probes = append(probes, zoneStart.Add(-time.Nanosecond))
	}
	if !zoneEnd.IsZero() {
		probes = append(probes, zoneEnd)
	}
	var best time.Time
	found := false
	for _, probe := range probes {
		_, offset := probe.In(loc).Zone()
		c := want.Add(-time.Duration(offset) * time.Second)
		if reading(c, loc).Equal(want) && (!found || c.Before(best)) {
			best, found = c, true
		}
	}
	if found {
		return best.In(loc)
	}
	// The reading falls in a jump next to guess: the one before it if guess already reads later.
	if reading(guess, loc).After(want) {
		return zoneStart.In(loc)
	}
	return zoneEnd.In(loc)
}

// reading is what clocks in loc show at t, as a UTC time so that readings compare directly.
func reading(t time.Time, loc *time.Location) time.Time {
	_, offset := t.In(loc).Zone()
	return t.UTC().Add(time.Duration(offset) * time.Second)
}
