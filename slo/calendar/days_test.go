package calendar

import (
	"testing"
	"time"
)

func TestDaysDeadline(t *testing.T) {
	// romeOffice: Mon-Fri 09:00-17:00 in Rome, off on Tue 2026-12-08, Fri 12-25 and Sat 12-26;
	// 2024-2026. With a yearly half day on 12-24, 09:00-13:00.
	office, rome := romeOffice(t)
	spec := Spec{
		Name: "rome-office", Location: rome, Week: mondayToFriday(Interval{9 * hour, 17 * hour}),
		Holidays: []Date{{2026, time.December, 8}}, Recurring: []MonthDay{{time.December, 25}, {time.December, 26}},
		RecurringHalfDays: []RecurringHalfDay{{MonthDay{time.December, 24}, []Interval{{9 * hour, 13 * hour}}}},
		FirstYear:         2024, LastYear: 2026,
	}
	halfDay := mustNew(t, spec)
	newYork := loadZone(t, "America/New_York")
	nyOffice := mustNew(t, Spec{Name: "ny", Location: newYork, Week: mondayToFriday(Interval{9 * hour, 17 * hour}), FirstYear: 2026, LastYear: 2026})
	romeAllDays := mustNew(t, Spec{Name: "rome-7", Location: rome, Week: everyDay(Interval{0, 24 * hour}), FirstYear: 2026, LastYear: 2026})

	tests := []struct {
		name  string
		cal   *Calendar
		start string
		n     int
		want  string // "Never" when the span ends first
	}{
		// The day the clock starts never counts, whatever the hour: Monday 11-30 → Tuesday 12-01.
		{"Monday 10:00, 1 day", office, "2026-11-30T10:00:00+01:00", 1, "2026-12-01T17:00:00+01:00"},
		{"Monday 07:00, before opening", office, "2026-11-30T07:00:00+01:00", 1, "2026-12-01T17:00:00+01:00"},
		{"Monday 19:00, after closing", office, "2026-11-30T19:00:00+01:00", 1, "2026-12-01T17:00:00+01:00"},
		{"Tuesday at midnight is Tuesday", office, "2026-12-01T00:00:00+01:00", 1, "2026-12-02T17:00:00+01:00"},
		{"Monday's last second", office, "2026-11-30T23:59:59+01:00", 1, "2026-12-01T17:00:00+01:00"},
		// Tue 1, Wed 2, Thu 3, Fri 4, (weekend), Mon 7: the fifth working day.
		{"five days across a weekend", office, "2026-11-30T10:00:00+01:00", 5, "2026-12-07T17:00:00+01:00"},
		{"Friday, 1 day: Monday", office, "2026-12-04T10:00:00+01:00", 1, "2026-12-07T17:00:00+01:00"},
		{"Saturday counts from Monday", office, "2026-12-05T12:00:00+01:00", 1, "2026-12-07T17:00:00+01:00"},
		// Tue 12-08 is a holiday: Monday's next working day is Wednesday.
		{"across a holiday", office, "2026-12-07T10:00:00+01:00", 1, "2026-12-09T17:00:00+01:00"},
		// Thu 12-24 → Fri 25 off, Sat 26 off, Sun; Mon 28 is day 1, Tue 29 day 2.
		{"Christmas", office, "2026-12-24T10:00:00+01:00", 2, "2026-12-29T17:00:00+01:00"},
		{"a half day ends at its own closing", halfDay, "2026-12-23T10:00:00+01:00", 1, "2026-12-24T13:00:00+01:00"},
		{"the span ends first", office, "2026-12-31T10:00:00+01:00", 1, "Never"},
		{"zero days is the start", office, "2026-11-30T10:00:00+01:00", 0, "2026-11-30T10:00:00+01:00"},
		// New York moves to EDT on Sunday 2026-03-08: Friday EST → Monday 17:00 EDT.
		{"across spring-forward", nyOffice, "2026-03-06T10:00:00-05:00", 1, "2026-03-09T17:00:00-04:00"},
		// Rome's Sunday 2026-03-29 has 23 hours; its end is Monday's midnight at +02:00.
		{"a 23-hour day", romeAllDays, "2026-03-28T10:00:00+01:00", 1, "2026-03-30T00:00:00+02:00"},
		{"a 25-hour day", romeAllDays, "2026-10-24T10:00:00+02:00", 1, "2026-10-26T00:00:00+01:00"},
		// 24x7 counts UTC dates: Monday 10:00 → the end of Tuesday.
		{"24x7", AlwaysOn, "2026-06-15T10:00:00Z", 1, "2026-06-17T00:00:00Z"},
		{"24x7, three days", AlwaysOn, "2026-06-15T00:00:00Z", 3, "2026-06-19T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := at(t, tt.start)
			want := int64(Never)
			if tt.want != "Never" {
				want = at(t, tt.want)
			}
			if got := tt.cal.DaysDeadlineUnix(start, tt.n); got != want {
				t.Errorf("DaysDeadlineUnix(%s, %d) = %s, want %s", tt.start, tt.n, show(got, rome), show(want, rome))
			}
		})
	}
}

func TestDaysDeadlineTime(t *testing.T) {
	c, rome := romeOffice(t)
	start := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	if got, want := c.DaysDeadline(start, 1), time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("DaysDeadline = %v, want %v in UTC", got, want)
	}
	if got := c.DaysDeadline(time.Date(2026, 12, 31, 10, 0, 0, 0, rome), 1); !got.IsZero() {
		t.Errorf("DaysDeadline past the span = %v, want the zero time", got)
	}
}
