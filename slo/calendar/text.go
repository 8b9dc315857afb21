package calendar

import (
	"fmt"
	"strings"
	"time"
)

// The parsers read the text a configuration file holds. They accept what a person would type
// (surrounding spaces, a one-digit hour, any letter case for weekdays) and the String methods
// write the canonical form back, which the parsers read as the same value.

// ParseInterval parses working hours written as HH:MM-HH:MM, with optional seconds (HH:MM:SS) and
// 24:00 as the end of the day: "09:00-17:30", "00:00-24:00".
func ParseInterval(s string) (Interval, error) {
	startText, endText, ok := strings.Cut(s, "-")
	if !ok {
		return Interval{}, fmt.Errorf("working hours %q: want HH:MM-HH:MM", s)
	}
	start, err := parseClock(startText)
	if err != nil {
		return Interval{}, fmt.Errorf("working hours %q: %w", s, err)
	}
	end, err := parseClock(endText)
	if err != nil {
		return Interval{}, fmt.Errorf("working hours %q: %w", s, err)
	}
	if start >= end {
		return Interval{}, fmt.Errorf("working hours %q: the start is not before the end", s)
	}
	return Interval{Start: start, End: end}, nil
}

// parseClock parses H:MM, HH:MM or HH:MM:SS up to 24:00 as seconds from midnight.
func parseClock(s string) (int, error) {
	text := strings.TrimSpace(s)
	parts := strings.Split(text, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, fmt.Errorf("%q is not a time of day HH:MM", text)
	}
	h, okH := digits(parts[0], 1, 2)
	m, okM := digits(parts[1], 2, 2)
	sec, okS := 0, true
	if len(parts) == 3 {
		sec, okS = digits(parts[2], 2, 2)
	}
	if !okH || !okM || !okS {
		return 0, fmt.Errorf("%q is not a time of day HH:MM", text)
	}
	clock := h*3600 + m*60 + sec
	if m > 59 || sec > 59 || clock > secondsPerDay {
		return 0, fmt.Errorf("%q is not a time of day between 00:00 and 24:00", text)
	}
	return clock, nil
}

// ParseDate parses a dated holiday written as YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	text := strings.TrimSpace(s)
	parts := strings.Split(text, "-")
	if len(parts) == 3 {
		y, okY := digits(parts[0], 4, 4)
		m, okM := digits(parts[1], 2, 2)
		d, okD := digits(parts[2], 2, 2)
		if okY && okM && okD && y >= 1 && validDate(y, time.Month(m), d) {
			return Date{Year: y, Month: time.Month(m), Day: d}, nil
		}
	}
	return Date{}, fmt.Errorf("holiday %q is not a date YYYY-MM-DD", s)
}

// ParseMonthDay parses a recurring holiday written as MM-DD; 02-29 is accepted and applies in leap
// years only.
func ParseMonthDay(s string) (MonthDay, error) {
	text := strings.TrimSpace(s)
	parts := strings.Split(text, "-")
	if len(parts) == 2 {
		m, okM := digits(parts[0], 2, 2)
		d, okD := digits(parts[1], 2, 2)
		if okM && okD && validDate(2000, time.Month(m), d) {
			return MonthDay{Month: time.Month(m), Day: d}, nil
		}
	}
	return MonthDay{}, fmt.Errorf("recurring holiday %q is not a day of the year MM-DD", s)
}

// ParseWeekday parses a weekday written as its English name or its three-letter abbreviation, in
// any letter case: "mon", "Monday", "MON".
func ParseWeekday(s string) (time.Weekday, error) {
	text := strings.ToLower(strings.TrimSpace(s))
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if text == name || text == name[:3] {
			return d, nil
		}
	}
	return 0, fmt.Errorf("weekday %q is not a day name such as mon or monday", s)
}

// digits parses between minLen and maxLen ASCII digits; strconv.Atoi would also take signs.
func digits(s string, minLen, maxLen int) (int, bool) {
	if len(s) < minLen || len(s) > maxLen {
		return 0, false
	}
	n := 0
	for _, r := range []byte(s) {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, true
}

// String formats an interval as HH:MM-HH:MM, with seconds only when there are some.
func (iv Interval) String() string {
	return clock(iv.Start) + "-" + clock(iv.End)
}

func clock(sec int) string {
	switch {
	case sec < 0 || sec > secondsPerDay:
		// Only an invalid interval has these; New's error shows the raw number.
		return fmt.Sprintf("%ds", sec)
	case sec%60 != 0:
		return fmt.Sprintf("%02d:%02d:%02d", sec/3600, sec%3600/60, sec%60)
	default:
		return fmt.Sprintf("%02d:%02d", sec/3600, sec%3600/60)
	}
}

// String formats a date as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// String formats a recurring holiday as MM-DD.
func (md MonthDay) String() string {
	return fmt.Sprintf("%02d-%02d", int(md.Month), md.Day)
}
