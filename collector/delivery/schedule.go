package delivery

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/period"
)

// Period is the finished period a delivery reports: the one before the period holding the
// delivery's due instant.
type Period int

// The periods a report covers.
const (
	PreviousMonth Period = iota
	PreviousQuarter
)

// ParsePeriod reads "previous_month" or "previous_quarter".
func ParsePeriod(s string) (Period, error) {
	switch s {
	case "previous_month":
		return PreviousMonth, nil
	case "previous_quarter":
		return PreviousQuarter, nil
	}
	return 0, fmt.Errorf("%q is not a report period (want previous_month or previous_quarter)", s)
}

func (p Period) String() string {
	if p == PreviousQuarter {
		return "previous_quarter"
	}
	return "previous_month"
}

// months is how many months a period spans, which is also how often a report is due.
func (p Period) months() int {
	if p == PreviousQuarter {
		return 3
	}
	return 1
}

func (p Period) kind() period.Kind {
	if p == PreviousQuarter {
		return period.Quarter
	}
	return period.Month
}

type dayKind int

const (
	dayOfMonth dayKind = iota
	lastDay
	firstWorkingDay
	firstWeekday
)

// Day says which day of the month a report is due: a day number, the last day, the first
// working day of a calendar, or the first of a weekday.
type Day struct {
	kind    dayKind
	n       int
	weekday time.Weekday
}

// MaxDayOfMonth is the highest day number a schedule takes: every month has it, so a report is
// never skipped or moved by a short month (last_day is there for the end of the month).
const MaxDayOfMonth = 28

// DayOfMonth is day n (1 to MaxDayOfMonth) of the month.
func DayOfMonth(n int) Day { return Day{kind: dayOfMonth, n: n} }

// LastDay is the last day of the month.
func LastDay() Day { return Day{kind: lastDay} }

// FirstWorkingDay is the first day of the month with working time in the schedule's calendar.
func FirstWorkingDay() Day { return Day{kind: firstWorkingDay} }

// FirstWeekday is the first given weekday of the month (first_monday).
func FirstWeekday(d time.Weekday) Day { return Day{kind: firstWeekday, weekday: d} }

// ParseDay reads a day of a schedule: 1 to 28, last_day, first_working_day, or first_monday to
// first_sunday.
func ParseDay(s string) (Day, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "last_day":
		return LastDay(), nil
	case "first_working_day":
		return FirstWorkingDay(), nil
	}
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		if s == FirstWeekday(wd).String() {
			return FirstWeekday(wd), nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return Day{}, fmt.Errorf("%q is not a day (want 1 to %d, last_day, first_working_day or first_monday ... first_sunday)", s, MaxDayOfMonth)
	}
	if n < 1 || n > MaxDayOfMonth {
		return Day{}, fmt.Errorf("day %d is not between 1 and %d (every month has those; use last_day for the end of the month)", n, MaxDayOfMonth)
	}
	return DayOfMonth(n), nil
}

// String is the text ParseDay reads back.
func (d Day) String() string {
	switch d.kind {
	case lastDay:
		return "last_day"
	case firstWorkingDay:
		return "first_working_day"
	case firstWeekday:
		return "first_" + strings.ToLower(d.weekday.String())
	}
	return strconv.Itoa(d.n)
}

// Schedule says when a report is due and which period it covers: on Day of every month (of the
// first month of every quarter for PreviousQuarter) at At on the clocks of Location.
type Schedule struct {
	Period Period
	Day    Day
	// At is the time of day, from local midnight; on a day when DST skips it, the report is due
	// at the jump.
	At time.Duration
	// Location is the timezone of the day, the time and the period's bounds.
	Location *time.Location
	// Calendar decides which days are working days for FirstWorkingDay, by its civil dates in
	// Location (the configuration makes them one timezone); nil means Monday to Friday.
	Calendar *calendar.Calendar
}

// String describes the schedule; a change of it is a new schedule (see State.Schedule).
func (s Schedule) String() string {
	cal := ""
	if s.Calendar != nil {
		cal = " calendar " + s.Calendar.Name()
	}
	return fmt.Sprintf("%s day %s at %s %s%s", s.Period, s.Day, clock(s.At), s.loc(), cal)
}

func clock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60)
}

func (s Schedule) loc() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

// searchMonths bounds the search for a due instant: a calendar whose span has ended, or one
// with no working day for months on end, yields none rather than a loop.
const searchMonths = 24

// Next is the first due instant strictly after t, or the zero time when there is none within
// two years (a calendar without working days).
func (s Schedule) Next(t time.Time) time.Time {
	y, m := s.firstMonth(t)
	for range searchMonths / s.Period.months() {
		if due, ok := s.dueIn(y, m); ok && due.After(t) {
			return due
		}
		y, m = addMonths(y, m, s.Period.months())
	}
	return time.Time{}
}

// Last is the latest due instant at or before t, or the zero time when there is none within two
// years.
func (s Schedule) Last(t time.Time) time.Time {
	y, m := s.firstMonth(t)
	for range searchMonths / s.Period.months() {
		if due, ok := s.dueIn(y, m); ok && !due.After(t) {
			return due
		}
		y, m = addMonths(y, m, -s.Period.months())
	}
	return time.Time{}
}

// Covers returns the period a report due at due covers, [start, end), and its label ("2026-11",
// "2026-Q4").
func (s Schedule) Covers(due time.Time) (start, end time.Time, label string) {
	p := period.Period{Kind: s.Period.kind(), Location: s.loc()}
	start, end = p.Previous(due)
	return start, end, p.Label(start)
}

// firstMonth is the month of t in the schedule's timezone, or for quarterly reports the first
// month of its quarter: the months a report may be due in.
func (s Schedule) firstMonth(t time.Time) (int, time.Month) {
	y, m, _ := t.In(s.loc()).Date()
	if s.Period == PreviousQuarter {
		m = (m-1)/3*3 + 1
	}
	return y, m
}

func addMonths(y int, m time.Month, n int) (int, time.Month) {
	t := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	return t.Year(), t.Month()
}

// dueIn is the due instant in month y-m; false when the month has none (no working day).
func (s Schedule) dueIn(y int, m time.Month) (time.Time, bool) {
	day, ok := s.dayIn(y, m)
	if !ok {
		return time.Time{}, false
	}
	return period.WallClock(y, m, day, s.At, s.loc()), true
}

// dayIn is the day of month y-m the schedule's Day names.
func (s Schedule) dayIn(y int, m time.Month) (int, bool) {
	days := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	switch s.Day.kind {
	case lastDay:
		return days, true
	case firstWeekday:
		first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Weekday()
		return 1 + (int(s.Day.weekday)-int(first)+7)%7, true
	case firstWorkingDay:
		for d := 1; d <= days; d++ {
			if s.working(y, m, d) {
				return d, true
			}
		}
		return 0, false
	}
	return s.Day.n, true
}

// working reports whether the civil date y-m-d has working time: for a calendar, whether its
// first working instant from the date's midnight comes before the next midnight.
func (s Schedule) working(y int, m time.Month, d int) bool {
	if s.Calendar == nil {
		wd := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()
		return wd != time.Saturday && wd != time.Sunday
	}
	from := period.WallClock(y, m, d, 0, s.loc()).Unix()
	to := period.WallClock(y, m, d+1, 0, s.loc()).Unix()
	next := s.Calendar.NextWorkingUnix(from)
	return next != calendar.Never && next < to
}
