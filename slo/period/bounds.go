package period

import "time"

// Bounds returns the period holding now, as [start, end). A calendar period starts the first
// time clocks in Location read 00:00 on its first day (Monday for weeks), or at the DST jump
// when they skip that midnight, and ends where the next one starts; an instant exactly on a
// boundary belongs to the period starting there. A Rolling period is [now-Days×24h, now).
// Bounds panics if p fails Validate.
func (p Period) Bounds(now time.Time) (start, end time.Time) {
	p.mustValidate()
	now = now.Round(0) // a monotonic reading means nothing to a calendar and must not leak out
	if p.Kind == Rolling {
		return now.Add(-p.rollingLength()), now
	}
	loc := p.location()
	first := p.first(dateOf(now.In(loc)))
	start, end = p.civilBounds(first, loc)
	// A clock stepping back across midnight shows some instants under the previous date, so
	// the date of now can name a neighbouring period; the boundaries themselves are right.
	for now.Before(start) {
		first = p.step(first, -1)
		start, end = p.civilBounds(first, loc)
	}
	for !now.Before(end) {
		first = p.step(first, 1)
		start, end = p.civilBounds(first, loc)
	}
	return start, end
}

// Previous returns the period just before the one holding start: for calendar kinds the
// finished week, month, quarter or year before it, for Rolling the Days×24h before start.
// Previous panics if p fails Validate.
func (p Period) Previous(start time.Time) (time.Time, time.Time) {
	p.mustValidate()
	start = start.Round(0)
	if p.Kind == Rolling {
		return start.Add(-p.rollingLength()), start
	}
	// Going through Bounds first makes Previous right even for a start that is not a boundary.
	s, _ := p.Bounds(start)
	return p.Bounds(s.Add(-time.Nanosecond))
}

// first returns the first day of the calendar period holding d.
func (p Period) first(d date) date {
	switch p.Kind {
	case Week:
		sinceMonday := (int(d.weekday()) + 6) % 7
		return d.add(0, 0, -sinceMonday)
	case Month:
		return date{d.y, d.m, 1}
	case Quarter:
		return date{d.y, (d.m-1)/3*3 + 1, 1}
	default:
		return date{d.y, time.January, 1}
	}
}

// step moves the first day of a calendar period by n periods.
func (p Period) step(first date, n int) date {
	switch p.Kind {
	case Week:
		return first.add(0, 0, 7*n)
	case Month:
		return first.add(0, n, 0)
	case Quarter:
		return first.add(0, 3*n, 0)
	default:
		return first.add(n, 0, 0)
	}
}

func (p Period) civilBounds(first date, loc *time.Location) (time.Time, time.Time) {
	return wallClock(first, 0, loc), wallClock(p.step(first, 1), 0, loc)
}
