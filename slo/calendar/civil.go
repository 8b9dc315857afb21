package calendar

import "time"

// secondsPerDay is the length of a civil day on the wall clock; real days vary with DST.
const secondsPerDay = 86400

// civilDay numbers a proleptic Gregorian date as days since 1970-01-01.
func civilDay(y int, m time.Month, d int) int64 {
	return floorDiv(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix(), secondsPerDay)
}

// weekday of a day numbered by civilDay; 1970-01-01 was a Thursday.
func weekday(day int64) time.Weekday {
	return time.Weekday(floorMod(day+int64(time.Thursday), 7))
}

func validDate(y int, m time.Month, d int) bool {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return false
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return t.Month() == m && t.Day() == d
}

// floorDiv rounds toward minus infinity, so instants before 1970 fall in the right day.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 {
	return a - floorDiv(a, b)*b
}
