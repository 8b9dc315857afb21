package file

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/prometheus/common/model"
)

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

// maxWorkTime bounds a work time: a century is no ticket's work, and a larger value is a column
// mapped wrong.
const maxWorkTime = 100 * 365 * 24 * time.Hour

// parseWorkTime reads a work time: a Go or Prometheus duration (38m, 1h35m, 1.5h, 2d) or a
// number of seconds (2280, 2280.5; what a spreadsheet's sum or an API's seconds give).
func parseWorkTime(s string) (time.Duration, error) {
	var d time.Duration
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if !(f >= 0 && f <= maxWorkTime.Seconds()) {
			return 0, fmt.Errorf("%s is not a number of seconds, 0 or more", quote(s))
		}
		d = time.Duration(math.Round(f)) * time.Second
	} else if gd, err := time.ParseDuration(s); err == nil {
		d = gd
	} else if pd, err := model.ParseDuration(s); err == nil {
		d = time.Duration(pd)
	} else {
		return 0, fmt.Errorf("%s is not a duration (38m, 1h35m, 1.5h) or a number of seconds", quote(s))
	}
	if d < 0 || d > maxWorkTime {
		return 0, fmt.Errorf("%s is not a work time of 0 or more, under a century", quote(s))
	}
	return d, nil
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
