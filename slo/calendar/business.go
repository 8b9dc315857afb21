package calendar

import (
	"math"
	"sort"
	"time"
)

// Never is the Unix second returned by DeadlineUnix when the deadline lies beyond the calendar's
// span: no working time is left to reach it.
const Never = math.MaxInt64

// cumAt returns the working seconds in [span start, t) and the index of the first interval that
// ends after t.
func (c *Calendar) cumAt(t int64) (int64, int) {
	if t <= c.from || len(c.starts) == 0 {
		return 0, 0
	}
	if t >= c.to {
		return c.cum[len(c.starts)], len(c.starts)
	}
	i := int(c.first[floorDiv(t, secondsPerDay)-c.spanDay])
	for i < len(c.ends) && c.ends[i] <= t {
		i++
	}
	if i == len(c.starts) {
		return c.cum[i], i
	}
	if t <= c.starts[i] {
		return c.cum[i], i
	}
	return c.cum[i] + t - c.starts[i], i
}

// DurationUnix is the working time, in seconds, inside [a, b) given as Unix seconds; 0 when b <= a.
func (c *Calendar) DurationUnix(a, b int64) int64 {
	if b <= a {
		return 0
	}
	if c.always {
		// b-a overflows only for a span longer than 292 billion years; saturate rather than wrap.
		if d := uint64(b) - uint64(a); d <= math.MaxInt64 {
			return int64(d)
		}
		return math.MaxInt64
	}
	cb, _ := c.cumAt(b)
	ca, _ := c.cumAt(a)
	return cb - ca
}

// Duration is the working time inside [a, b); 0 when b is not after a. Both instants are
// truncated to the second.
func (c *Calendar) Duration(a, b time.Time) time.Duration {
	return time.Duration(c.DurationUnix(a.Unix(), b.Unix())) * time.Second
}

// DeadlineUnix is the earliest instant t' with DurationUnix(t, t') == d: the moment d seconds of
// working time after t. A clock started outside working time therefore starts at the next working
// instant, and a deadline that uses up the last second of a working day lands at the day's end,
// not at the next morning. d <= 0 gives t. Never when the span ends first.
func (c *Calendar) DeadlineUnix(t, d int64) int64 {
	if d <= 0 {
		return t
	}
	if c.always {
		if t > math.MaxInt64-d {
			return Never
		}
		return t + d
	}
	base, i := c.cumAt(t)
	n := len(c.starts)
	if d > c.cum[n]-base { // compared as a difference: base+d may overflow
		return Never
	}
	target := base + d
	// The first interval whose end reaches the target holds the deadline; none before the one
	// holding t can. Searching on ">=" rather than ">" puts a deadline that uses up an interval
	// at its end instead of at the start of the next one.
	i += sort.Search(n-i, func(j int) bool { return c.cum[i+j+1] >= target })
	return c.starts[i] + target - c.cum[i]
}

// Deadline is the instant d of working time after t (see DeadlineUnix), in t's location. t and d
// are truncated to the second. It returns the zero time when the calendar's span ends first.
func (c *Calendar) Deadline(t time.Time, d time.Duration) time.Time {
	u := c.DeadlineUnix(t.Unix(), int64(d/time.Second))
	if u == Never {
		return time.Time{}
	}
	return time.Unix(u, 0).In(t.Location())
}

// WorkingUnix reports whether the second starting at t is working time.
func (c *Calendar) WorkingUnix(t int64) bool {
	if c.always {
		return true
	}
	if t < c.from || t >= c.to {
		return false
	}
	_, i := c.cumAt(t)
	return i < len(c.starts) && c.starts[i] <= t
}

// NextWorkingUnix is the first working instant at or after t, or Never.
func (c *Calendar) NextWorkingUnix(t int64) int64 {
	if c.always {
		return t
	}
	if t < c.from {
		t = c.from
	}
	if t >= c.to {
		return Never
	}
	_, i := c.cumAt(t)
	if i == len(c.starts) {
		return Never
	}
	if c.starts[i] > t {
		return c.starts[i]
	}
	return t
}
