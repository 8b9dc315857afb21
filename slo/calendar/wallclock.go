package calendar

import (
	"math"
	"time"
)

// wallClock converts wall-clock readings of a location to instants. A reading is a civil second:
// seconds since 1970-01-01 00:00 on the wall, so day and time of day are one number that grows
// with the calendar and a reading of 24:00 is the next day's 00:00.
//
// The instant of a reading W is the first instant at which the clock shows W or a later reading.
// That is the only choice that keeps working intervals in order and without overlap through every
// kind of transition, where time.Date is documented not to guarantee which instant it returns (in
// practice it resolves a skipped reading an hour late east of Greenwich and an hour early west of
// it, so an interval wholly inside a spring-forward gap became half an hour of work in New York):
//   - a reading skipped by a spring-forward gap maps to the instant the clocks jump, so an
//     interval wholly in the gap is empty and one starting in it starts when the clocks jump;
//   - a reading repeated by a fall-back maps to its first occurrence, and an interval ending after
//     the repeated hour ends when the clock reaches its end for the first time, so it contains the
//     repeated hour (01:00-04:00 is four hours on a fall-back night) and a day of 00:00-24:00 is
//     exactly as long as the civil day, 23 or 25 hours.
//
// Readings must be asked for in non-decreasing order: the converter walks the zone's periods
// forward once, so flattening a century costs one step per transition plus one per boundary.
type wallClock struct {
	loc *time.Location
	// The current zone period: the clock reads instant+offset from start, where the walk entered
	// the period, until end.
	start, end, offset int64
}

// maxOffset bounds the distance between a wall clock and UTC; the largest in the tz database is
// under 16 hours (local mean time of Manila before 1845).
const maxOffset = 48 * 3600

// newWallClock returns a converter for readings from civil onward.
func newWallClock(loc *time.Location, civil int64) *wallClock {
	w := &wallClock{loc: loc}
	// No instant before civil-maxOffset can show civil or later, so no earlier period matters.
	w.seek(civil - maxOffset)
	return w
}

// seek makes the zone period holding instant u current, from u on.
func (w *wallClock) seek(u int64) {
	t := time.Unix(u, 0).In(w.loc)
	_, off := t.Zone()
	_, end := t.ZoneBounds()
	w.start, w.end, w.offset = u, math.MaxInt64, int64(off)
	if !end.IsZero() {
		w.end = end.Unix()
	}
	if w.end <= u {
		// On the last UTC day of a leap year served by a zone's TZ rule (after its table of
		// transitions, 2037 for most zones), Go reports an end before u: it takes the rule's year
		// to be 365 days long (golang/go#81583). That day is after the year's last transition, so
		// the offset holds until the next UTC midnight, where Go's bounds are right again.
		w.end = (floorDiv(u, secondsPerDay) + 1) * secondsPerDay
	}
}

// instant is the first instant at which the clock shows civil or a later reading.
func (w *wallClock) instant(civil int64) int64 {
	// Periods are skipped while none of their instants shows civil yet. The current period is
	// never one of them again for a later reading, which is why readings must not decrease.
	for civil-w.offset >= w.end {
		w.seek(w.end)
	}
	return max(w.start, civil-w.offset)
}
