package file

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
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
