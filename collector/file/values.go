package file

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
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

// notation is one way of writing times: a kind, and for timeLayout a Go layout.
type notation struct {
	kind   int
	layout string
}

// name is the notation as the configuration writes it, for messages.
func (n notation) name() string {
	switch n.kind {
	case timeRFC3339:
		return "rfc3339"
	case timeUnix:
		return "unix"
	case timeUnixMS:
		return "unix_ms"
	}
	return n.layout
}

// unit is the length of a unix notation's unit, and how messages call such a number.
func (n notation) unit() (int64, string) {
	if n.kind == timeUnixMS {
		return int64(time.Millisecond), "a Unix time in milliseconds"
	}
	return int64(time.Second), "a Unix time in seconds"
}

// read parses s, or says why not; the message names s but not the notation when it is a
// layout, which the caller names with the others tried.
func (n notation) read(s string, loc *time.Location) (time.Time, error) {
	switch n.kind {
	case timeRFC3339:
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s is not an RFC 3339 time", quote(s))
		}
		return t.UTC(), nil
	case timeUnix, timeUnixMS:
		unit, what := n.unit()
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			if v > math.MaxInt64/unit || v < math.MinInt64/unit {
				return time.Time{}, fmt.Errorf("%s is out of range for %s", quote(s), what)
			}
			return time.Unix(0, v*unit).UTC(), nil
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
	t, err := time.ParseInLocation(n.layout, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s does not match layout %q", quote(s), n.layout)
	}
	return t.UTC(), nil
}

// write formats t in the notation.
func (n notation) write(t time.Time, loc *time.Location) string {
	switch n.kind {
	case timeUnix:
		return strconv.FormatInt(t.Unix(), 10)
	case timeUnixMS:
		return strconv.FormatInt(t.UnixMilli(), 10)
	case timeLayout:
		return t.In(loc).Format(n.layout)
	}
	return t.Format(time.RFC3339Nano)
}

// timeParser reads the time columns: each value with the first notation that reads it.
type timeParser struct {
	notations []notation // at least one
	loc       *time.Location
}

// parse reads s, or says what s is not (the caller names the column): with one notation, why
// it does not read s; with several, every notation tried.
func (p timeParser) parse(s string) (time.Time, error) {
	t, err := p.notations[0].read(s, p.loc)
	if err == nil || len(p.notations) == 1 {
		return t, err
	}
	for _, n := range p.notations[1:] {
		if t, err := n.read(s, p.loc); err == nil {
			return t, nil
		}
	}
	names := make([]string, len(p.notations))
	for i, n := range p.notations {
		names[i] = strconv.Quote(n.name())
	}
	return time.Time{}, fmt.Errorf("%s matches none of the layouts %s", quote(s), strings.Join(names, ", "))
}

// format writes t as the file would (in the first notation), for messages that compare two
// times of a ticket.
func (p timeParser) format(t time.Time) string { return p.notations[0].write(t, p.loc) }

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

// parseSequence reads a row's sequence number, a whole number.
func parseSequence(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// "3.0", as spreadsheets and JSON writers produce.
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, fmt.Errorf("%s is not a whole number", quote(s))
		}
		n = int64(f)
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
