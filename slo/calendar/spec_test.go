package calendar

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestNewRejects(t *testing.T) {
	week := func(d time.Weekday, ivs ...Interval) [7][]Interval {
		var w [7][]Interval
		w[d] = ivs
		return w
	}
	tests := []struct {
		name string
		spec Spec
		want string // the error names the field at fault
	}{
		{"span reversed", Spec{Name: "x", FirstYear: 2030, LastYear: 2020}, `calendar "x": span of years 2030..2020 is not valid`},
		{"span after 9999", Spec{Name: "x", FirstYear: 2000, LastYear: 10000}, "span of years 2000..10000"},
		{"span before year 1", Spec{Name: "x", FirstYear: -5, LastYear: 2000}, "span of years -5..2000"},
		{"interval reversed", Spec{Name: "x", Week: week(time.Monday, Interval{17 * hour, 9 * hour})}, "Monday: working hours 17:00-09:00 are not a span within one day"},
		{"interval empty", Spec{Name: "x", Week: week(time.Monday, Interval{9 * hour, 9 * hour})}, "Monday: working hours 09:00-09:00"},
		{"interval past 24:00", Spec{Name: "x", Week: week(time.Sunday, Interval{23 * hour, 25 * hour})}, "Sunday: working hours 23:00-90000s"},
		{"interval negative", Spec{Name: "x", Week: week(time.Sunday, Interval{-1, hour})}, "Sunday: working hours -1s-01:00"},
		{"intervals overlap", Spec{Name: "x", Week: week(time.Friday, Interval{13 * hour, 18 * hour}, Interval{9 * hour, 13*hour + 1})}, "Friday: working hours 09:00-13:00:01 and 13:00-18:00 overlap"},
		{"holiday not a date", Spec{Name: "x", Holidays: []Date{{2026, 1, 1}, {2026, 2, 29}}}, "holidays[1]: 2026-02-29 is not a date"},
		{"holiday month 13", Spec{Name: "x", Holidays: []Date{{2026, 13, 1}}}, "holidays[0]: 2026-13-01 is not a date"},
		{"recurring not a day", Spec{Name: "x", Recurring: []MonthDay{{4, 31}}}, "recurring holidays[0]: 04-31 is not a day of the year"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.spec)
			if err == nil {
				t.Fatalf("New succeeded with %d intervals, want an error", len(c.starts))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestNewAcceptsTouchingIntervals(t *testing.T) {
	// 09:00-13:00 and 13:00-18:00 touch: one 9-hour interval on Monday 2026-06-15 (UTC).
	c := mustNew(t, Spec{Week: mondayToFriday(Interval{13 * hour, 18 * hour}, Interval{9 * hour, 13 * hour}), FirstYear: 2026, LastYear: 2026})
	if got, want := c.DurationUnix(at(t, "2026-06-15T00:00:00Z"), at(t, "2026-06-16T00:00:00Z")), int64(9*hour); got != want {
		t.Errorf("DurationUnix = %d, want %d", got, want)
	}
}

func TestSpanAndCheck(t *testing.T) {
	rome := loadZone(t, "Europe/Rome")
	c := mustNew(t, Spec{Name: "rome", Location: rome, Week: everyDay(Interval{0, 24 * hour}), FirstYear: 2026, LastYear: 2026})
	from, to := c.Span()
	type span struct{ From, To string }
	got := span{from.Format(time.RFC3339), to.Format(time.RFC3339)}
	if diff := cmp.Diff(span{"2026-01-01T00:00:00+01:00", "2027-01-01T00:00:00+01:00"}, got); diff != "" {
		t.Errorf("Span (-want +got):\n%s", diff)
	}
	if from.Location() != rome {
		t.Errorf("Span location = %v, want Europe/Rome", from.Location())
	}
	f, e := from.Unix(), to.Unix()
	for _, tt := range []struct {
		u      int64
		inSpan bool
	}{{f - 1, false}, {f, true}, {e - 1, true}, {e, false}} {
		err := c.Check(tt.u)
		if tt.inSpan && err != nil {
			t.Errorf("Check(%s) = %v, want nil", show(tt.u, rome), err)
		}
		if !tt.inSpan && !errors.Is(err, ErrOutOfSpan) {
			t.Errorf("Check(%s) = %v, want ErrOutOfSpan", show(tt.u, rome), err)
		}
	}
	if err := c.Check(f - 1); err == nil || !strings.Contains(err.Error(), `calendar "rome": 2025-12-31T22:59:59Z is outside`) {
		t.Errorf("Check error %q does not name the calendar and the instant", err)
	}

	// No working time outside the span, all of it inside: 365 days of 24 hours in 2026.
	tests := []struct {
		name string
		a, b int64
		want int64
	}{
		{"over the start", f - hour, f + hour, hour},
		{"over the end", e - hour, e + hour, hour},
		{"whole span and more", f - 1e9, e + 1e9, 365 * 24 * hour},
		{"before the span", f - 2*hour, f, 0},
		{"after the span", e, e + 2*hour, 0},
	}
	for _, tt := range tests {
		if got := c.DurationUnix(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: DurationUnix = %d, want %d", tt.name, got, tt.want)
		}
	}
	if got := c.DeadlineUnix(e-hour, hour); got != e {
		t.Errorf("DeadlineUnix(end-1h, 1h) = %s, want the span end", show(got, rome))
	}
	if got := c.DeadlineUnix(e-hour, hour+1); got != Never {
		t.Errorf("DeadlineUnix(end-1h, 1h+1s) = %s, want Never", show(got, rome))
	}
	if got := c.DeadlineUnix(f-hour, hour); got != f+hour {
		t.Errorf("DeadlineUnix(start-1h, 1h) = %s, want an hour after the span start", show(got, rome))
	}
	if got := c.NextWorkingUnix(e); got != Never {
		t.Errorf("NextWorkingUnix(end) = %s, want Never", show(got, rome))
	}
	if c.WorkingUnix(e) || c.WorkingUnix(f-1) || !c.WorkingUnix(f) || !c.WorkingUnix(e-1) {
		t.Errorf("WorkingUnix around the span edges is wrong")
	}
}

func TestDefaultSpan(t *testing.T) {
	ny := loadZone(t, "America/New_York")
	c := mustNew(t, Spec{Location: ny, Week: mondayToFriday(Interval{9 * hour, 17 * hour})})
	from, to := c.Span()
	type span struct{ From, To string }
	got := span{from.Format(time.RFC3339), to.Format(time.RFC3339)}
	if diff := cmp.Diff(span{"2000-01-01T00:00:00-05:00", "2101-01-01T00:00:00-05:00"}, got); diff != "" {
		t.Errorf("Span (-want +got):\n%s", diff)
	}
}

// A week of 00:00-24:00 in a zone flattens to one interval spanning the years, so the day index
// points every day at that one interval; business time is then elapsed time, DST or not.
func TestAllDayEveryDayInZone(t *testing.T) {
	rome := loadZone(t, "Europe/Rome")
	c := mustNew(t, Spec{Location: rome, Week: everyDay(Interval{0, 24 * hour}), FirstYear: 2025, LastYear: 2027})
	if len(c.starts) != 1 {
		t.Fatalf("flattened to %d intervals, want 1", len(c.starts))
	}
	from, to := c.Span()
	f, e := from.Unix(), to.Unix()
	if got, want := c.DurationUnix(f, e), e-f; got != want {
		t.Errorf("whole span = %d, want %d", got, want)
	}
	// Days of 2026 around both changes: 23h on 03-29, 25h on 10-25.
	a, b := at(t, "2026-03-28T12:00:00+01:00"), at(t, "2026-10-25T12:00:00+01:00")
	if got, want := c.DurationUnix(a, b), b-a; got != want {
		t.Errorf("DurationUnix across both changes = %d, want elapsed %d", got, want)
	}
	if got, want := c.DeadlineUnix(a, 1e7), a+1e7; got != want {
		t.Errorf("DeadlineUnix = %s, want %s", show(got, rome), show(want, rome))
	}
}

func TestAlwaysOn(t *testing.T) {
	c := AlwaysOn
	from, to := c.Span()
	if !from.IsZero() || !to.IsZero() {
		t.Errorf("Span = %v, %v, want zero times", from, to)
	}
	tests := []struct {
		name string
		got  int64
		want int64
	}{
		{"duration", c.DurationUnix(-5, 10), 15}, // spans 1970 and works before it
		{"duration reversed", c.DurationUnix(10, -5), 0},
		{"duration of all time saturates", c.DurationUnix(math.MinInt64, math.MaxInt64), math.MaxInt64},
		{"deadline", c.DeadlineUnix(-100, 40), -60},
		{"deadline past the end of int64", c.DeadlineUnix(math.MaxInt64-10, 11), Never},
		{"deadline up to the end of int64", c.DeadlineUnix(math.MaxInt64-10, 10), math.MaxInt64},
		{"next working", c.NextWorkingUnix(-7), -7},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
	if !c.WorkingUnix(math.MinInt64) || c.Check(math.MaxInt64) != nil || c.Name() != "24x7" {
		t.Errorf("AlwaysOn is not working at all times in all of time")
	}
}

func TestBeforeUnixEpoch(t *testing.T) {
	ny := loadZone(t, "America/New_York")
	c := mustNew(t, Spec{Location: ny, Week: mondayToFriday(Interval{9 * hour, 17 * hour}), FirstYear: 1960, LastYear: 1970})
	tests := []struct {
		name     string
		from, to string
		want     int64
	}{
		{"over the epoch", "1969-12-31T12:00:00-05:00", "1970-01-02T12:00:00-05:00",
			5*hour + 8*hour + 3*hour}, // Wed 12-17, Thu 1970-01-01 9-17, Fri 9-12
		{"a 1969 summer day", "1969-07-21T00:00:00-04:00", "1969-07-22T00:00:00-04:00",
			8 * hour}, // Monday, on EDT
		{"the 1969 fall back Sunday and Monday", "1969-10-26T00:00:00-04:00", "1969-10-28T00:00:00-05:00",
			8 * hour}, // only Monday 10-27
	}
	for _, tt := range tests {
		if got := c.DurationUnix(at(t, tt.from), at(t, tt.to)); got != tt.want {
			t.Errorf("%s: DurationUnix = %d, want %d", tt.name, got, tt.want)
		}
	}
	// Monday 1969-12-29 16:00 EST + 2h: 1h Monday, 1h Tuesday morning.
	if got, want := c.DeadlineUnix(at(t, "1969-12-29T16:00:00-05:00"), 2*hour), at(t, "1969-12-30T10:00:00-05:00"); got != want {
		t.Errorf("DeadlineUnix = %s, want %s", show(got, ny), show(want, ny))
	}
}

// A fixed zone has no zone bounds at all; Go reports them as zero times.
func TestFixedZone(t *testing.T) {
	c := mustNew(t, Spec{Location: time.FixedZone("IST", 5*hour+30*minute), Week: mondayToFriday(Interval{9 * hour, 17 * hour}), FirstYear: 2026, LastYear: 2026})
	from, _ := c.Span()
	if got, want := from.Format(time.RFC3339), "2026-01-01T00:00:00+05:30"; got != want {
		t.Errorf("span starts %s, want %s", got, want)
	}
	// Monday 2026-06-15, 09:00-17:00 +05:30 is 03:30Z-11:30Z.
	if got, want := c.DurationUnix(at(t, "2026-06-15T00:00:00Z"), at(t, "2026-06-16T00:00:00Z")), int64(8*hour); got != want {
		t.Errorf("DurationUnix = %d, want %d", got, want)
	}
	if got, want := c.DeadlineUnix(at(t, "2026-06-15T00:00:00Z"), hour), at(t, "2026-06-15T04:30:00Z"); got != want {
		t.Errorf("DeadlineUnix = %d, want %d", got, want)
	}
}
