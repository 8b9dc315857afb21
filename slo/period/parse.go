package period

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Parse reads a period: "week", "month", "quarter", "year" (calendar periods in loc, nil meaning
// UTC), or a rolling length of whole days, "rolling:30d" or just "30d". Case and surrounding
// spaces are ignored. A Rolling result has a nil Location because none applies.
func Parse(s string, loc *time.Location) (Period, error) {
	in := strings.ToLower(strings.TrimSpace(s))
	for k := Week; k <= Year; k++ {
		if in == k.String() {
			return Period{Kind: k, Location: loc}, nil
		}
	}
	length, _ := strings.CutPrefix(in, "rolling:")
	days, err := parseDays(length)
	if err != nil {
		return Period{}, fmt.Errorf("parse period %q: %w", s, err)
	}
	return Period{Kind: Rolling, Days: days}, nil
}

// parseDays reads "<N>d". It accepts only plain digits: strconv.Atoi alone would also take
// "+30" and "030", spellings String never produces.
func parseDays(s string) (int, error) {
	digits, ok := strings.CutSuffix(s, "d")
	if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, fmt.Errorf("want week, month, quarter, year, rolling:<N>d or <N>d, got %q", s)
	}
	if len(digits) > 1 && digits[0] == '0' {
		return 0, fmt.Errorf("rolling length %q has a leading zero", s)
	}
	if len(digits) > len(strconv.Itoa(MaxRollingDays)) {
		return 0, fmt.Errorf("rolling length %q is over %d days", s, MaxRollingDays)
	}
	days, err := strconv.Atoi(digits)
	if err != nil {
		return 0, fmt.Errorf("rolling length %q: %w", s, err)
	}
	if days < 1 || days > MaxRollingDays {
		return 0, fmt.Errorf("rolling length %q: need 1 to %d days", s, MaxRollingDays)
	}
	return days, nil
}
