package availability

import "time"

// maintenanceSpans returns the maintenance inside [t0, t1), sorted, merged.
func maintenanceSpans(c Config, t0, t1 int64) []span {
	var out []span
	for _, w := range c.Maintenance {
		out = appendClipped(out, nanos(w.Start), nanos(w.End), t0, t1)
	}
	for _, r := range c.Recurring {
		out = r.occurrences(out, t0, t1)
	}
	return mergeSpans(out)
}

func appendClipped(out []span, start, end, t0, t1 int64) []span {
	start, end = max(start, t0), min(end, t1)
	if start >= end {
		return out
	}
	return append(out, span{start, end})
}

// occurrences appends the windows of r that reach into [t0, t1).
func (r Recurring) occurrences(out []span, t0, t1 int64) []span {
	loc := r.Location
	if loc == nil {
		loc = time.UTC
	}
	var days [7]bool
	for _, d := range r.Weekdays {
		days[d] = true
	}
	// A window opening on the day before the one of t0-Duration ends by t0; one more day
	// absorbs DST shifting a day's midnight.
	d := dateOf(time.Unix(0, t0).Add(-r.Duration).In(loc)).add(0, 0, -1)
	for ; ; d = d.add(0, 0, 1) {
		start := nanos(wallClock(d, r.Start, loc))
		if start >= t1 {
			return out
		}
		if len(r.Weekdays) == 0 || days[d.weekday()] {
			out = appendClipped(out, start, start+int64(r.Duration), t0, t1)
		}
	}
}
