package delivery

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
)

// The dates below are checked by hand against a calendar; Europe/Rome is UTC+1 in winter and
// UTC+2 in summer, summer time running from 02:00 on 28 March 2027 (the clock jumps to 03:00)
// and ending at 03:00 on 25 October 2026 (back to 02:00).

func TestScheduleNext(t *testing.T) {
	loc := rome(t)
	cal := office(t)
	short, err := calendar.New(calendar.Spec{Name: "ended", Location: loc, FirstYear: 2000, LastYear: 2001,
		Week: [7][]calendar.Interval{time.Monday: {{Start: 0, End: 86400}}}})
	if err != nil {
		t.Fatal(err)
	}
	at8 := 8 * time.Hour
	for _, tc := range []struct {
		name  string
		s     Schedule
		after time.Time
		want  time.Time
	}{
		// 1 January 2027 is a Friday and a holiday, 2 and 3 are the weekend: Monday 4 at 08:00
		// CET is 07:00 UTC.
		{"first working day after a holiday and a weekend",
			Schedule{Day: FirstWorkingDay(), At: at8, Location: loc, Calendar: cal},
			time.Date(2026, 12, 20, 10, 0, 0, 0, loc), time.Date(2027, 1, 4, 7, 0, 0, 0, time.UTC)},
		// Strictly after: at 08:00 on 4 January the next is Monday 1 February.
		{"strictly after the due instant",
			Schedule{Day: FirstWorkingDay(), At: at8, Location: loc, Calendar: cal},
			time.Date(2027, 1, 4, 8, 0, 0, 0, loc), time.Date(2027, 2, 1, 7, 0, 0, 0, time.UTC)},
		// Thursday 1 April 2027 works; 08:00 CEST is 06:00 UTC.
		{"summer time",
			Schedule{Day: FirstWorkingDay(), At: at8, Location: loc, Calendar: cal},
			time.Date(2027, 3, 2, 0, 0, 0, 0, loc), time.Date(2027, 4, 1, 6, 0, 0, 0, time.UTC)},
		// 02:30 on 28 March 2027 never shows: the clock goes from 02:00 CET (01:00 UTC) to 03:00
		// CEST (01:00 UTC), so the report is due at the jump.
		{"a time the spring change skips",
			Schedule{Day: DayOfMonth(28), At: 2*time.Hour + 30*time.Minute, Location: loc},
			time.Date(2027, 3, 1, 0, 0, 0, 0, loc), time.Date(2027, 3, 28, 1, 0, 0, 0, time.UTC)},
		// 02:30 on 25 October 2026 shows twice, first in CEST (00:30 UTC), then in CET (01:30
		// UTC): the first one.
		{"a time the autumn change repeats",
			Schedule{Day: DayOfMonth(25), At: 2*time.Hour + 30*time.Minute, Location: loc},
			time.Date(2026, 10, 1, 0, 0, 0, 0, loc), time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)},
		// 2028 is a leap year.
		{"last day of a leap February",
			Schedule{Day: LastDay(), At: at8, Location: loc},
			time.Date(2028, 2, 1, 0, 0, 0, 0, loc), time.Date(2028, 2, 29, 7, 0, 0, 0, time.UTC)},
		// 1 January 2027 is a Friday: a weekday rule ignores holidays.
		{"first friday",
			Schedule{Day: FirstWeekday(time.Friday), At: at8, Location: loc},
			time.Date(2026, 12, 31, 0, 0, 0, 0, loc), time.Date(2027, 1, 1, 7, 0, 0, 0, time.UTC)},
		// 1 August 2026 is a Saturday: Monday to Friday without a calendar gives Monday 3.
		{"first working day without a calendar",
			Schedule{Day: FirstWorkingDay(), At: at8, Location: time.UTC},
			time.Date(2026, 7, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 8, 3, 8, 0, 0, 0, time.UTC)},
		// On 24x7 every day works, a Saturday too.
		{"first working day of 24x7",
			Schedule{Day: FirstWorkingDay(), At: at8, Location: time.UTC, Calendar: calendar.AlwaysOn},
			time.Date(2026, 7, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 8, 1, 8, 0, 0, 0, time.UTC)},
		// Quarterly reports are due in January, April, July and October only.
		{"quarterly",
			Schedule{Period: PreviousQuarter, Day: FirstWorkingDay(), At: at8, Location: loc, Calendar: cal},
			time.Date(2027, 1, 4, 8, 0, 0, 0, loc), time.Date(2027, 4, 1, 6, 0, 0, 0, time.UTC)},
		// A calendar flattened over 2000-2001 has no working day in 2027.
		{"calendar without working days", Schedule{Day: FirstWorkingDay(), At: at8, Location: loc, Calendar: short},
			time.Date(2027, 1, 1, 0, 0, 0, 0, loc), time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.s.Next(tc.after)
			if !got.Equal(tc.want) {
				t.Errorf("Next(%s) = %s, want %s", tc.after, got.UTC(), tc.want.UTC())
			}
		})
	}
}

func TestScheduleLast(t *testing.T) {
	loc := rome(t)
	monthly := Schedule{Day: FirstWorkingDay(), At: 8 * time.Hour, Location: loc, Calendar: office(t)}
	quarterly := monthly
	quarterly.Period = PreviousQuarter
	for _, tc := range []struct {
		name string
		s    Schedule
		at   time.Time
		want time.Time
	}{
		// A second before the January report, the last due was Tuesday 1 December 08:00 CET.
		{"before this month's", monthly, time.Date(2027, 1, 4, 7, 59, 59, 0, loc), time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)},
		{"at the instant", monthly, time.Date(2027, 1, 4, 8, 0, 0, 0, loc), time.Date(2027, 1, 4, 7, 0, 0, 0, time.UTC)},
		{"later in the month", monthly, time.Date(2027, 1, 20, 0, 0, 0, 0, loc), time.Date(2027, 1, 4, 7, 0, 0, 0, time.UTC)},
		{"quarterly, mid-quarter", quarterly, time.Date(2027, 3, 15, 0, 0, 0, 0, loc), time.Date(2027, 1, 4, 7, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.Last(tc.at); !got.Equal(tc.want) {
				t.Errorf("Last(%s) = %s, want %s", tc.at, got.UTC(), tc.want.UTC())
			}
		})
	}
}

func TestScheduleCovers(t *testing.T) {
	loc := rome(t)
	type covers struct {
		Start, End time.Time
		Label      string
		Hours      float64
	}
	for _, tc := range []struct {
		name string
		s    Schedule
		due  time.Time
		want covers
	}{
		// December has 31 days of 24 hours: 744h.
		{"previous month", Schedule{Location: loc}, time.Date(2027, 1, 4, 8, 0, 0, 0, loc),
			covers{time.Date(2026, 12, 1, 0, 0, 0, 0, loc), time.Date(2027, 1, 1, 0, 0, 0, 0, loc), "2026-12", 744}},
		// January to March 2027: 31 + 28 + 31 = 90 days, 2160h, less the hour summer time
		// skips on 28 March: 2159h.
		{"previous quarter", Schedule{Period: PreviousQuarter, Location: loc}, time.Date(2027, 4, 1, 8, 0, 0, 0, loc),
			covers{time.Date(2027, 1, 1, 0, 0, 0, 0, loc), time.Date(2027, 4, 1, 0, 0, 0, 0, loc), "2027-Q1", 2159}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start, end, label := tc.s.Covers(tc.due)
			got := covers{start, end, label, end.Sub(start).Hours()}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Covers(%s) (-want +got):\n%s", tc.due, diff)
			}
		})
	}
}

func TestParseDay(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "1", want: "1"},
		{in: "28", want: "28"},
		{in: "last_day", want: "last_day"},
		{in: "first_working_day", want: "first_working_day"},
		{in: "first_monday", want: "first_monday"},
		{in: "first_sunday", want: "first_sunday"},
		{in: "0", err: "day 0 is not between 1 and 28 (every month has those; use last_day for the end of the month)"},
		{in: "31", err: "day 31 is not between 1 and 28 (every month has those; use last_day for the end of the month)"},
		{in: "first_mon", err: `"first_mon" is not a day (want 1 to 28, last_day, first_working_day or first_monday ... first_sunday)`},
		{in: "monday", err: `"monday" is not a day (want 1 to 28, last_day, first_working_day or first_monday ... first_sunday)`},
	} {
		d, err := ParseDay(tc.in)
		switch {
		case tc.err != "":
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParseDay(%q) error = %v, want %s", tc.in, err, tc.err)
			}
		case err != nil:
			t.Errorf("ParseDay(%q): %v", tc.in, err)
		case d.String() != tc.want:
			t.Errorf("ParseDay(%q) = %s, want %s", tc.in, d, tc.want)
		}
	}
	if _, err := ParsePeriod("month"); err == nil || err.Error() != `"month" is not a report period (want previous_month or previous_quarter)` {
		t.Errorf("ParsePeriod(month) error = %v", err)
	}
}

// FuzzParseDay checks that whatever ParseDay accepts reads back as itself and gives a day of
// every month.
func FuzzParseDay(f *testing.F) {
	for _, s := range []string{"1", "28", "last_day", "first_working_day", "first_friday", "+1", "01", "29"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDay(s)
		if err != nil {
			return
		}
		again, err := ParseDay(d.String())
		if err != nil || again != d {
			t.Fatalf("ParseDay(%q) = %v, which reads back as %v, %v", s, d, again, err)
		}
		sched := Schedule{Day: d}
		for m := time.January; m <= time.December; m++ {
			day, ok := sched.dayIn(2027, m)
			if !ok || day < 1 || day > 31 || time.Date(2027, m, day, 0, 0, 0, 0, time.UTC).Month() != m {
				t.Fatalf("%v in 2027-%02d: day %d, %v", d, m, day, ok)
			}
		}
	})
}
