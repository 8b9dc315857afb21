package file

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// Time notations.
const (
	timeRFC3339 = iota
	timeUnix
	timeUnixMS
	timeLayout
)

// timeParser reads the time columns.
type timeParser struct {
	kind   int
	layout string
	loc    *time.Location
}

// parse reads s, or says what s is not (the caller names the column).
func (p timeParser) parse(s string) (time.Time, error) {
	switch p.kind {
	case timeRFC3339:
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s is not an RFC 3339 time", quote(s))
		}
		return t.UTC(), nil
	case timeUnix, timeUnixMS:
		unit, what := int64(time.Second), "a Unix time in seconds"
		if p.kind == timeUnixMS {
			unit, what = int64(time.Millisecond), "a Unix time in milliseconds"
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			if n > math.MaxInt64/unit || n < math.MinInt64/unit {
				return time.Time{}, fmt.Errorf("%s is out of range for %s", quote(s), what)
			}
			return time.Unix(0, n*unit).UTC(), nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return time.Time{}, fmt.Errorf("%s is not %s", quote(s), what)
		}
		ns := f * float64(unit)
		if ns >= math.MaxInt64 || ns <= math.MinInt64 {
			return time.Time{}, fmt.Errorf("%s is out of range for %s", quote(s), what)
		}
		return time.Unix(0, int64(math.Round(ns))).UTC(), nil
	}
	t, err := time.ParseInLocation(p.layout, s, p.loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s is not a time in layout %s", quote(s), p.layout)
	}
	return t.UTC(), nil
}

// format writes t as the file would, for messages that compare two times of a ticket.
func (p timeParser) format(t time.Time) string {
	switch p.kind {
	case timeUnix:
		return strconv.FormatInt(t.Unix(), 10)
	case timeUnixMS:
		return strconv.FormatInt(t.UnixMilli(), 10)
	case timeLayout:
		return t.In(p.loc).Format(p.layout)
	}
	return t.Format(time.RFC3339Nano)
}

// maxQuoted bounds how much of an offending value a message repeats: enough to recognize it, not
// enough to leak a file's contents into logs.
const maxQuoted = 64

// quote quotes a value for a message, shortened past maxQuoted bytes.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + fmt.Sprintf("... (%d bytes)", len(s))
}

// parseCount reads a non-negative integer.
func parseCount(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		// "3.0", as spreadsheets and JSON writers produce.
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
			return 0, fmt.Errorf("%s is not a whole number", quote(s))
		}
		n = int(f)
	}
	if n < 0 {
		return 0, fmt.Errorf("%s is negative", quote(s))
	}
	return n, nil
}

// parseAmount reads a non-negative finite number of events.
func parseAmount(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("%s is not a number", quote(s))
	case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
		return 0, fmt.Errorf("%s is not a finite number", quote(s))
	case f < 0:
		return 0, fmt.Errorf("%s is negative", quote(s))
	}
	return f, nil
}
