package availability

import "time"

// Build accepts ranges within these years; far enough from the ends of int64 nanoseconds
// (1678 to 2262) that the arithmetic on them cannot overflow.
var (
	minTime = time.Date(1900, time.January, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(2200, time.January, 1, 0, 0, 0, 0, time.UTC)
)

// Instants outside the int64 range are pinned to these, which lie more than a century beyond
// minTime and maxTime: with MaxSampleAge capped at a month, a pinned instant cannot reach a
// supported range.
const (
	lowNanos  = -8e18 // year 1716
	highNanos = 8e18  // year 2223
)

var lowTime, highTime = time.Unix(0, lowNanos), time.Unix(0, highNanos)

// nanos returns t in nanoseconds since the Unix epoch, pinned to [lowNanos, highNanos].
func nanos(t time.Time) int64 {
	if t.Before(lowTime) {
		return lowNanos
	}
	if t.After(highTime) {
		return highNanos
	}
	return t.UnixNano()
}

// floorTo rounds x down to a multiple of m; integer division alone rounds negatives up.
func floorTo(x, m int64) int64 {
	q := x / m
	if x%m != 0 && x < 0 {
		q--
	}
	return q * m
}

func ceilTo(x, m int64) int64 {
	f := floorTo(x, m)
	if f == x {
		return x
	}
	return f + m
}
