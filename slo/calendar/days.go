package calendar

import (
	"sort"
	"time"
)

// A target in working days ("5bd") is not an amount of working time: it ends at the close of a
// working day, however long the days before it were. The rule, the one of ServiceNow's "End of
// next business day" relative duration and GLPI's day targets with end_of_working_day: the
// deadline of n working days from t is the end of the working time of the nth working day after
// the date of t, in the calendar's timezone. The date of t itself never counts, whatever the hour
// (a clock started on Monday at 07:00, 10:00 or 19:00 has until the end of Tuesday for 1 working
// day), and a clock started on a day off counts from the next working day (Saturday: the end of
// Monday). A working day is a date with working time; a half day is one.

// DaysDeadlineUnix is the end of the working time of the nth working day after the date of t (see
// above), as Unix seconds; t itself for n <= 0, Never when the calendar's span ends first. On the
// 24x7 calendar every UTC date is a working day that ends at the next midnight.
func (c *Calendar) DaysDeadlineUnix(t int64, n int) int64 {
	if n <= 0 {
		return t
	}
	if c.always {
		day := floorDiv(t, secondsPerDay)
		if day > (Never/secondsPerDay)-1-int64(n) {
			return Never
		}
		return (day + 1 + int64(n)) * secondsPerDay
	}
	// The first working day whose date begins after t: a date that began at or before t is t's
	// own date, or an earlier one.
	k := sort.Search(len(c.dayStart), func(i int) bool { return c.dayStart[i] > t })
	if k+n-1 >= len(c.dayEnd) {
		return Never
	}
	return c.dayEnd[k+n-1]
}

// DaysDeadline is DaysDeadlineUnix for a time.Time, in t's location; the zero time when the span
// ends first.
func (c *Calendar) DaysDeadline(t time.Time, n int) time.Time {
	u := c.DaysDeadlineUnix(t.Unix(), n)
	if u == Never {
		return time.Time{}
	}
	return time.Unix(u, 0).In(t.Location())
}
