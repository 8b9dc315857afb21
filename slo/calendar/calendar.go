// Package calendar measures business time: the working time inside an interval, the instant a
// given amount of working time after a start, and the close of the nth working day after it, in an
// IANA timezone with weekly working hours, holidays and half days.
//
// A calendar is flattened, once, into the sorted list of its working intervals as absolute instants
// over a span of years, with the working seconds before each interval as a prefix sum. Business
// duration is then a difference of two prefix look-ups and a deadline a binary search, so the cost
// of a call does not grow with the length of the interval.
//
// Working hours are wall-clock hours, measured in real seconds: an instant is working time when the
// clock of the calendar's timezone shows a working time of a working day, and holidays and
// weekdays are civil dates in that timezone. Daylight saving time follows without a special case,
// with one rule for the readings a change skips or repeats:
//   - a skipped reading never shows: on a spring-forward day 08:00-18:00 still lasts 10 hours,
//     01:00-04:00 lasts 2 and an interval wholly inside the gap is empty;
//   - while the clocks repeat an hour, time stays working or not as it was the second before they
//     went back: on a fall-back day 01:00-04:00 lasts 4 hours and 00:00-24:00 lasts 25, and an
//     interval that ends inside the repeated hour ends at its first occurrence.
//
// Instants are whole Unix seconds; the time.Time methods truncate to the second.
package calendar

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"
)

// Interval is a span of working wall-clock time within one day, as seconds from local midnight:
// [Start, End) with 0 <= Start < End <= 86400 (End 86400 is 24:00).
type Interval struct {
	Start, End int
}

// Date is a civil date in the calendar's timezone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// MonthDay is a holiday that recurs every year on the same date (e.g. 12-25).
type MonthDay struct {
	Month time.Month
	Day   int
}

// HalfDay gives one date working hours of its own, such as a Christmas Eve that closes at 13:00.
type HalfDay struct {
	Date  Date
	Hours []Interval
}

// RecurringHalfDay gives the same day of every year working hours of its own.
type RecurringHalfDay struct {
	Day   MonthDay
	Hours []Interval
}

// Spec describes a calendar.
type Spec struct {
	// Name identifies the calendar in errors.
	Name string
	// Location is the timezone of the working hours and holidays; nil means UTC.
	Location *time.Location
	// Week holds the working intervals of each weekday, indexed by time.Weekday. They must not
	// overlap within a day.
	Week [7][]Interval
	// Holidays are dated non-working days; those outside the span change nothing.
	Holidays []Date
	// Recurring are non-working days every year. A holiday that falls on a weekend is not moved to
	// a weekday: observance rules differ by country, list the observed day as a dated holiday (the
	// holidays package computes a country's, observed days included).
	Recurring []MonthDay
	// HalfDays and RecurringHalfDays replace the working hours of a working day; a dated half day
	// overrides a recurring one on the same date. They only shorten (or move) the hours of a day
	// that works: on a holiday or a day without working hours in Week they change nothing, so a
	// yearly 12-24 that falls on a Sunday does not open the office.
	HalfDays          []HalfDay
	RecurringHalfDays []RecurringHalfDay
	// FirstYear and LastYear bound the span the calendar is flattened over (default 2000 and
	// 2100). Outside it there is no working time: callers validate their data against Span.
	FirstYear, LastYear int
}

// DefaultFirstYear and DefaultLastYear bound the span of years of a Spec that leaves them zero.
const (
	DefaultFirstYear = 2000
	DefaultLastYear  = 2100
)

// Calendar answers business-time questions. It is immutable and safe for concurrent use.
type Calendar struct {
	name   string
	loc    *time.Location
	always bool // 24x7: every instant is working time

	// starts[i], ends[i]: working interval i as Unix seconds, sorted, disjoint and not touching.
	starts, ends []int64
	// cum[i]: working seconds before interval i; cum[len(starts)] is the total.
	cum []int64
	// first[d]: index of the first interval ending after the start of UTC day spanDay+d, so a
	// look-up scans at most the few intervals of one day instead of searching the whole span.
	first   []int32
	spanDay int64
	from    int64 // span, Unix seconds [from, to)
	to      int64

	// Working days, the civil dates with working time, in order: dayStart[k] is the first instant
	// of the date (its midnight, as the wall clock reaches it) and dayEnd[k] the end of its last
	// working interval. Deadlines in working days are two look-ups in them.
	dayStart, dayEnd []int64
}

// AlwaysOn is the built-in 24x7 calendar: all time is working time, with no span limit.
var AlwaysOn = &Calendar{name: "24x7", always: true, loc: time.UTC}

// New flattens a calendar spec. The spec's errors name the field at fault.
func New(s Spec) (*Calendar, error) {
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	first, last := s.FirstYear, s.LastYear
	if first == 0 {
		first = DefaultFirstYear
	}
	if last == 0 {
		last = DefaultLastYear
	}
	if first > last || first < 1 || last > 9999 {
		return nil, fmt.Errorf("calendar %q: span of years %d..%d is not valid", s.Name, first, last)
	}
	if err := validateWeek(&s.Week); err != nil {
		return nil, fmt.Errorf("calendar %q: %w", s.Name, err)
	}
	firstDay, endDay := civilDay(first, 1, 1), civilDay(last+1, 1, 1)
	dayOff := make([]bool, endDay-firstDay)
	for i, h := range s.Holidays {
		if !validDate(h.Year, h.Month, h.Day) {
			return nil, fmt.Errorf("calendar %q: holidays[%d]: %s is not a date", s.Name, i, h)
		}
		if day := civilDay(h.Year, h.Month, h.Day); day >= firstDay && day < endDay {
			dayOff[day-firstDay] = true
		}
	}
	for i, h := range s.Recurring {
		// 2000 is a leap year, so 02-29 is accepted and applies in leap years only.
		if !validDate(2000, h.Month, h.Day) {
			return nil, fmt.Errorf("calendar %q: recurring holidays[%d]: %s is not a day of the year", s.Name, i, h)
		}
		for y := first; y <= last; y++ {
			if validDate(y, h.Month, h.Day) {
				dayOff[civilDay(y, h.Month, h.Day)-firstDay] = true
			}
		}
	}
	halfDays, err := halfDayHours(s, first, last, firstDay, endDay)
	if err != nil {
		return nil, fmt.Errorf("calendar %q: %w", s.Name, err)
	}
	hoursOf := func(day int64) []Interval {
		ivs := s.Week[weekday(day)]
		if dayOff[day-firstDay] || len(ivs) == 0 {
			return nil
		}
		if h, ok := halfDays[day]; ok {
			return h
		}
		return ivs
	}
	n := 0
	for day := firstDay; day < endDay; day++ {
		n += len(hoursOf(day))
	}
	if n > math.MaxInt32 {
		// The day index holds interval positions as int32 to halve its size.
		return nil, fmt.Errorf("calendar %q: %d working intervals in %d..%d are too many", s.Name, n, first, last)
	}

	c := &Calendar{
		name:   s.Name,
		loc:    loc,
		starts: make([]int64, 0, n),
		ends:   make([]int64, 0, n),
	}
	wall := newWallClock(loc, firstDay*secondsPerDay)
	c.from = wall.instant(firstDay * secondsPerDay)
	for day := firstDay; day < endDay; day++ {
		ivs := hoursOf(day)
		if len(ivs) == 0 {
			continue
		}
		midnight := day * secondsPerDay
		dayStart, dayEnd, works := wall.instant(midnight), int64(0), false
		for _, iv := range ivs {
			start, end := wall.instant(midnight+int64(iv.Start)), wall.instant(midnight+int64(iv.End))
			if end > start {
				dayEnd, works = end, true
			}
			c.add(start, end)
		}
		if works { // not every interval swallowed by a DST gap
			c.dayStart = append(c.dayStart, dayStart)
			c.dayEnd = append(c.dayEnd, dayEnd)
		}
	}
	c.to = wall.instant(endDay * secondsPerDay)
	c.index()
	return c, nil
}

// add appends a working interval, merging it with the previous one when they touch, so that a
// 00:00-24:00 week flattens to one interval.
func (c *Calendar) add(start, end int64) {
	if end <= start {
		return // a working interval swallowed by a DST gap
	}
	if n := len(c.starts); n > 0 && start <= c.ends[n-1] {
		c.ends[n-1] = max(c.ends[n-1], end)
		return
	}
	c.starts = append(c.starts, start)
	c.ends = append(c.ends, end)
}

func (c *Calendar) index() {
	c.cum = make([]int64, len(c.starts)+1)
	for i := range c.starts {
		c.cum[i+1] = c.cum[i] + c.ends[i] - c.starts[i]
	}
	c.spanDay = floorDiv(c.from, secondsPerDay)
	days := floorDiv(c.to-1, secondsPerDay) - c.spanDay + 1
	c.first = make([]int32, days)
	i := 0
	for d := range c.first {
		dayStart := (c.spanDay + int64(d)) * secondsPerDay
		for i < len(c.ends) && c.ends[i] <= dayStart {
			i++
		}
		c.first[d] = int32(i)
	}
}

func validateWeek(w *[7][]Interval) error {
	for day, ivs := range w {
		sorted, err := sortedHours(ivs)
		if err != nil {
			return fmt.Errorf("%s: %w", time.Weekday(day), err)
		}
		w[day] = sorted
	}
	return nil
}

// CheckDay reports why intervals cannot be the working hours of one day: one is not a span within
// the day, or two overlap.
func CheckDay(ivs []Interval) error {
	_, err := sortedHours(ivs)
	return err
}

// sortedHours returns a day's working intervals sorted, or why they cannot be one day's hours.
func sortedHours(ivs []Interval) ([]Interval, error) {
	sorted := append([]Interval(nil), ivs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Start < sorted[j].Start })
	for i, iv := range sorted {
		if iv.Start < 0 || iv.End > secondsPerDay || iv.Start >= iv.End {
			return nil, fmt.Errorf("working hours %s are not a span within one day", iv)
		}
		if i > 0 && iv.Start < sorted[i-1].End {
			return nil, fmt.Errorf("working hours %s and %s overlap", sorted[i-1], iv)
		}
	}
	return sorted, nil
}

// halfDayHours maps the days of [firstDay, endDay) that have half-day hours to them, dated half
// days overriding recurring ones.
func halfDayHours(s Spec, first, last int, firstDay, endDay int64) (map[int64][]Interval, error) {
	hours := map[int64][]Interval{}
	yearly := map[MonthDay]bool{}
	for i, h := range s.RecurringHalfDays {
		if !validDate(2000, h.Day.Month, h.Day.Day) {
			return nil, fmt.Errorf("recurring half days[%d]: %s is not a day of the year", i, h.Day)
		}
		if yearly[h.Day] {
			return nil, fmt.Errorf("recurring half days[%d]: %s is listed twice", i, h.Day)
		}
		yearly[h.Day] = true
		ivs, err := halfDayIntervals(h.Hours)
		if err != nil {
			return nil, fmt.Errorf("recurring half days[%d] (%s): %w", i, h.Day, err)
		}
		for y := first; y <= last; y++ {
			if validDate(y, h.Day.Month, h.Day.Day) {
				hours[civilDay(y, h.Day.Month, h.Day.Day)] = ivs
			}
		}
	}
	dated := map[int64]bool{}
	for i, h := range s.HalfDays {
		if !validDate(h.Date.Year, h.Date.Month, h.Date.Day) {
			return nil, fmt.Errorf("half days[%d]: %s is not a date", i, h.Date)
		}
		ivs, err := halfDayIntervals(h.Hours)
		if err != nil {
			return nil, fmt.Errorf("half days[%d] (%s): %w", i, h.Date, err)
		}
		day := civilDay(h.Date.Year, h.Date.Month, h.Date.Day)
		if dated[day] {
			return nil, fmt.Errorf("half days[%d]: %s is listed twice", i, h.Date)
		}
		dated[day] = true
		if day >= firstDay && day < endDay {
			hours[day] = ivs
		}
	}
	return hours, nil
}

func halfDayIntervals(ivs []Interval) ([]Interval, error) {
	if len(ivs) == 0 {
		// A half day without hours would be a holiday by another name; say so rather than guess.
		return nil, errors.New("no working hours (list the day as a holiday to close it)")
	}
	return sortedHours(ivs)
}

// ErrOutOfSpan is returned by Check for instants the calendar was not flattened over.
var ErrOutOfSpan = errors.New("outside the calendar's span of years")

// Name is the calendar's name.
func (c *Calendar) Name() string { return c.name }

// Span is the range of instants [from, to) the calendar covers, in its timezone: from the first
// midnight of its first year to the first midnight after its last year. A 24x7 calendar covers all
// time and returns zero times.
func (c *Calendar) Span() (from, to time.Time) {
	if c.always {
		return time.Time{}, time.Time{}
	}
	return time.Unix(c.from, 0).In(c.loc), time.Unix(c.to, 0).In(c.loc)
}

// Check returns nil when t (Unix seconds) is within the calendar's span, and otherwise an error
// wrapping ErrOutOfSpan, so callers can reject data the calendar would count as no working time.
func (c *Calendar) Check(t int64) error {
	if c.always || (t >= c.from && t < c.to) {
		return nil
	}
	return fmt.Errorf("calendar %q: %s is %w", c.name, time.Unix(t, 0).UTC().Format(time.RFC3339), ErrOutOfSpan)
}
