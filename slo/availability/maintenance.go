package availability

import (
	"time"

	"github.com/sla-exporter/sla_exporter/slo/period"
)

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
	y, m, d := time.Unix(0, t0).Add(-r.Duration).In(loc).Date()
	for i := -1; ; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, time.UTC) // a civil date: UTC has no DST
		dy, dm, dd := day.Date()
		start := nanos(period.WallClock(dy, dm, dd, r.Start, loc))
		if start >= t1 {
			return out
		}
		if len(r.Weekdays) == 0 || days[day.Weekday()] {
			out = appendClipped(out, start, start+int64(r.Duration), t0, t1)
		}
	}
}
