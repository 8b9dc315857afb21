package jirasim

import "time"

// Calendar is a JSM SLA calendar: working hours on weekdays, in a time zone ("Working hours":
// https://support.atlassian.com/jira-service-management-cloud/docs/create-service-level-agreements-slas/,
// calendars with a time zone, hours per weekday and holidays). Holidays are left out: the
// scenarios the tests play have none. A nil *Calendar is 24/7.
type Calendar struct {
	Loc *time.Location
	// Days are the weekdays worked; Open and Close the working hours of each, from midnight.
	Days        []time.Weekday
	Open, Close time.Duration
}

// works says whether the calendar works on d's date.
func (c *Calendar) works(d time.Time) bool {
	for _, w := range c.Days {
		if d.Weekday() == w {
			return true
		}
	}
	return false
}

// day returns the working hours of the day of t, in the calendar's zone (empty when none).
func (c *Calendar) day(t time.Time) (from, to time.Time) {
	l := t.In(c.Loc)
	mid := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, c.Loc)
	if !c.works(mid) {
		return mid, mid
	}
	// Wall-clock hours: a DST day keeps its 09:00-17:00.
	from = time.Date(l.Year(), l.Month(), l.Day(), int(c.Open.Hours()), int(c.Open.Minutes())%60, 0, 0, c.Loc)
	to = time.Date(l.Year(), l.Month(), l.Day(), int(c.Close.Hours()), int(c.Close.Minutes())%60, 0, 0, c.Loc)
	return from, to
}

// nextDay is the midnight after t's day.
func (c *Calendar) nextDay(t time.Time) time.Time {
	l := t.In(c.Loc)
	return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, c.Loc)
}

// Working is the working time between a and b.
func (c *Calendar) Working(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if c == nil {
		return b.Sub(a)
	}
	var sum time.Duration
	for t := a; t.Before(b); t = c.nextDay(t) {
		from, to := c.day(t)
		from, to = later(from, a), earlier(to, b)
		if to.After(from) {
			sum += to.Sub(from)
		}
	}
	return sum
}

// Add is the instant d of working time after t.
func (c *Calendar) Add(t time.Time, d time.Duration) time.Time {
	if c == nil {
		return t.Add(d)
	}
	for i := 0; i < 3660; i++ {
		from, to := c.day(t)
		from = later(from, t)
		if to.After(from) {
			if left := to.Sub(from); d <= left {
				return from.Add(d)
			} else {
				d -= left
			}
		}
		t = c.nextDay(t)
	}
	return time.Time{} // ten years without enough working time: a calendar that never works
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
