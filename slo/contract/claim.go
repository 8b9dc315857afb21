package contract

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/period"
)

// ClaimWindow is how long after a period ends a service credit may still be claimed, in calendar
// units as contracts write it ("within 2 months", "within 30 days"). The zero value means the
// contract sets no deadline.
type ClaimWindow struct {
	Months int
	Days   int
}

// MaxClaimMonths and MaxClaimDays bound a claim window: ten years, far past any contract, and far
// from where date arithmetic overflows.
const (
	MaxClaimMonths = 120
	MaxClaimDays   = 3660
)

// claimUnits maps the spellings of a unit to months (m) or days (d) per unit.
var claimUnits = map[string]struct{ months, days int }{
	"day": {0, 1}, "days": {0, 1}, "d": {0, 1},
	"week": {0, 7}, "weeks": {0, 7}, "w": {0, 7},
	"month": {1, 0}, "months": {1, 0}, "mo": {1, 0},
	"year": {12, 0}, "years": {12, 0}, "y": {12, 0},
}

// ParseClaimWindow reads a claim window: a whole number and a unit, "2 months", "30 days",
// "6 weeks", "1 year", or the short forms "30d", "6w", "2mo", "1y". "m" is refused: in a
// duration it means minutes, which no contract means here.
func ParseClaimWindow(s string) (ClaimWindow, error) {
	in := strings.ToLower(strings.TrimSpace(s))
	i := 0
	for i < len(in) && in[i] >= '0' && in[i] <= '9' {
		i++
	}
	digits, unit := in[:i], strings.TrimSpace(in[i:])
	if unit == "m" || unit == "min" || unit == "mins" || unit == "minutes" {
		return ClaimWindow{}, fmt.Errorf("%q: write months as \"%s months\" (m is minutes in a duration)", s, digits)
	}
	u, ok := claimUnits[unit]
	if digits == "" || !ok {
		return ClaimWindow{}, fmt.Errorf("%q is not a claim window such as \"2 months\", \"30 days\", \"6 weeks\" or \"1 year\"", s)
	}
	if len(digits) > 1 && digits[0] == '0' {
		return ClaimWindow{}, fmt.Errorf("%q has a leading zero", s)
	}
	if len(digits) > 5 {
		return ClaimWindow{}, fmt.Errorf("%q is longer than ten years", s)
	}
	n, err := strconv.Atoi(digits)
	if err != nil {
		return ClaimWindow{}, fmt.Errorf("%q: %w", s, err)
	}
	w := ClaimWindow{Months: n * u.months, Days: n * u.days}
	if err := w.Validate(); err != nil {
		return ClaimWindow{}, fmt.Errorf("%q: %w", s, err)
	}
	return w, nil
}

// Validate reports a window that is negative, zero in a non-zero way (both units at 0 is the
// zero value, "no deadline"), mixed, or longer than ten years.
func (w ClaimWindow) Validate() error {
	switch {
	case w.Months < 0 || w.Days < 0:
		return errors.New("a claim window cannot be negative")
	case w.Months > 0 && w.Days > 0:
		return errors.New("a claim window is months or days, not both")
	case w.Months > MaxClaimMonths || w.Days > MaxClaimDays:
		return errors.New("a claim window is at most ten years")
	}
	return nil
}

// IsZero reports whether the window is unset: the contract names no deadline.
func (w ClaimWindow) IsZero() bool { return w.Months == 0 && w.Days == 0 }

// String writes the window as ParseClaimWindow reads it: "2 months", "30 days", "" when unset.
func (w ClaimWindow) String() string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return strconv.Itoa(n) + " " + unit + "s"
	}
	switch {
	case w.Months > 0:
		return plural(w.Months, "month")
	case w.Days > 0:
		return plural(w.Days, "day")
	}
	return ""
}

// Deadline is the instant a claim for the period ending at end must be made before: the clocks
// of end's location read the same time of day as at end, that many calendar months or days
// later. Months keep the day of the month, or take the month's last day when it has no such day
// (a period ending on 31 August, plus one month, has its deadline on 30 September), so that a
// deadline never spills into the month after. Days are calendar days, not 24-hour spans: across a
// DST change the deadline is still at the same wall-clock time. The zero window has no deadline:
// Deadline returns the zero time.
func (w ClaimWindow) Deadline(end time.Time) time.Time {
	if w.IsZero() {
		return time.Time{}
	}
	loc := end.Location()
	y, m, d := end.Date()
	h, mi, s := end.Clock()
	tod := time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(s)*time.Second + time.Duration(end.Nanosecond())
	if w.Days > 0 {
		return period.WallClock(y, m, d+w.Days, tod, loc)
	}
	// Month arithmetic on the first of the month cannot overflow into the next one; the day is
	// clamped to the target month's length afterwards.
	first := time.Date(y, m+time.Month(w.Months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return period.WallClock(first.Year(), first.Month(), min(d, last), tod, loc)
}
