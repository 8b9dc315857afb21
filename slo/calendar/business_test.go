package calendar

import (
	"math"
	"testing"
	"time"
)

// romeOffice is Mon-Fri 09:00-17:00 in Rome with Italian holidays, over 2024-2026. In December
// 2026 Rome is on CET (+01:00); 12-08 is a Tuesday, 12-25 a Friday and 12-26 a Saturday.
func romeOffice(t *testing.T) (*Calendar, *time.Location) {
	loc := loadZone(t, "Europe/Rome")
	return mustNew(t, Spec{
		Name:      "rome-office",
		Location:  loc,
		Week:      mondayToFriday(Interval{9 * hour, 17 * hour}),
		Holidays:  []Date{{2026, time.December, 8}},
		Recurring: []MonthDay{{time.December, 25}, {time.December, 26}},
		FirstYear: 2024,
		LastYear:  2026,
	}), loc
}

func TestDurationHolidays(t *testing.T) {
	c, _ := romeOffice(t)
	tests := []struct {
		name     string
		from, to string
		want     int64
	}{
		{"ordinary week", "2026-11-30T00:00:00+01:00", "2026-12-07T00:00:00+01:00",
			5 * 8 * hour}, // Mon 11-30 .. Fri 12-04, 8h each
		{"dated holiday on a Tuesday", "2026-12-07T00:00:00+01:00", "2026-12-14T00:00:00+01:00",
			4 * 8 * hour}, // Mon, Wed, Thu, Fri; Tue 12-08 off
		{"recurring holiday on a Saturday removes nothing more", "2026-12-21T00:00:00+01:00", "2026-12-29T00:00:00+01:00",
			5 * 8 * hour}, // Mon 21 .. Thu 24 and Mon 28; Fri 25 off; Sat 26 was off anyway, no substitute on Mon 28
		{"holiday itself", "2026-12-08T00:00:00+01:00", "2026-12-09T00:00:00+01:00",
			0},
		{"within one working day", "2026-12-09T10:15:00+01:00", "2026-12-09T16:45:30+01:00",
			6*hour + 30*minute + 30}, // 10:15:00 .. 16:45:30
		{"reversed bounds", "2026-12-09T16:00:00+01:00", "2026-12-09T10:00:00+01:00",
			0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.DurationUnix(at(t, tt.from), at(t, tt.to)); got != tt.want {
				t.Errorf("DurationUnix(%s, %s) = %d, want %d", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestDeadline(t *testing.T) {
	c, loc := romeOffice(t)
	lunch := mustNew(t, Spec{
		Location:  loc,
		Week:      mondayToFriday(Interval{9 * hour, 13 * hour}, Interval{14 * hour, 18 * hour}),
		FirstYear: 2026,
		LastYear:  2026,
	})
	tests := []struct {
		name  string
		cal   *Calendar
		start string
		work  int64
		want  string
	}{
		{"ticket on a holiday at 23:59 starts next working morning", c,
			"2026-12-08T23:59:00+01:00", 1 * hour,
			"2026-12-09T10:00:00+01:00"}, // clock starts Wed 09:00
		{"ticket on a holiday at 23:59 uses the whole next day", c,
			"2026-12-08T23:59:00+01:00", 8 * hour,
			"2026-12-09T17:00:00+01:00"}, // 09:00 + 8h ends exactly at the day's end
		{"deadline at the end of the working day", c,
			"2026-12-09T13:00:00+01:00", 4 * hour,
			"2026-12-09T17:00:00+01:00"}, // not Thursday 09:00
		{"one second more goes to the next morning", c,
			"2026-12-09T13:00:00+01:00", 4*hour + 1,
			"2026-12-10T09:00:01+01:00"},
		{"before opening", c,
			"2026-12-09T07:00:00+01:00", 30 * minute,
			"2026-12-09T09:30:00+01:00"},
		{"across Christmas and the weekend", c,
			"2026-12-24T16:00:00+01:00", 2 * hour,
			"2026-12-28T10:00:00+01:00"}, // 1h Thu 24, Fri 25 holiday, weekend, 1h Mon 28
		{"zero work is the start itself", c,
			"2026-12-08T23:59:00+01:00", 0,
			"2026-12-08T23:59:00+01:00"},
		{"negative work is the start itself", c,
			"2026-12-09T10:00:00+01:00", -hour,
			"2026-12-09T10:00:00+01:00"},
		{"lunch break is skipped", lunch,
			"2026-06-15T12:30:00+02:00", 1 * hour,
			"2026-06-15T14:30:00+02:00"}, // 12:30-13:00 and 14:00-14:30
		{"deadline at the start of lunch", lunch,
			"2026-06-15T12:30:00+02:00", 30 * minute,
			"2026-06-15T13:00:00+02:00"}, // the morning's end, not 14:00
		{"started during lunch", lunch,
			"2026-06-15T13:20:00+02:00", 10 * minute,
			"2026-06-15T14:10:00+02:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.cal.DeadlineUnix(at(t, tt.start), tt.work)
			if want := at(t, tt.want); got != want {
				t.Errorf("DeadlineUnix(%s, %d) = %s, want %s", tt.start, tt.work, show(got, loc), tt.want)
			}
		})
	}
}

func TestDurationLunchBreak(t *testing.T) {
	c := mustNew(t, Spec{
		Week:      mondayToFriday(Interval{9 * hour, 13 * hour}, Interval{14 * hour, 18 * hour}),
		FirstYear: 2026,
		LastYear:  2026,
	})
	// UTC; Monday 2026-06-15: 12:00-13:00 and 14:00-15:00.
	if got, want := c.DurationUnix(at(t, "2026-06-15T12:00:00Z"), at(t, "2026-06-15T15:00:00Z")), int64(2*hour); got != want {
		t.Errorf("DurationUnix = %d, want %d", got, want)
	}
	// A whole day: 4h + 4h.
	if got, want := c.DurationUnix(at(t, "2026-06-15T00:00:00Z"), at(t, "2026-06-16T00:00:00Z")), int64(8*hour); got != want {
		t.Errorf("DurationUnix = %d, want %d", got, want)
	}
}

func TestLeapDay(t *testing.T) {
	loc := loadZone(t, "Europe/Rome")
	office := mustNew(t, Spec{
		Location:  loc,
		Week:      mondayToFriday(Interval{9 * hour, 17 * hour}),
		Recurring: []MonthDay{{time.February, 29}},
		FirstYear: 2024,
		LastYear:  2026,
	})
	plain := mustNew(t, Spec{Week: everyDay(Interval{0, 24 * hour}), FirstYear: 2024, LastYear: 2026})
	tests := []struct {
		name     string
		cal      *Calendar
		from, to string
		want     int64
	}{
		{"02-29 is a holiday in 2024", office, "2024-02-28T00:00:00+01:00", "2024-03-02T00:00:00+01:00",
			2 * 8 * hour}, // Wed 28 and Fri 03-01; Thu 29 off
		{"no 02-29 in 2025, nothing removed", office, "2025-02-24T00:00:00+01:00", "2025-03-03T00:00:00+01:00",
			5 * 8 * hour}, // Mon 24 .. Fri 28
		{"2024-02-28..03-01 is three days", plain, "2024-02-28T00:00:00Z", "2024-03-01T00:00:00Z",
			2 * 24 * hour}, // 28 and 29
		{"2025-02-28..03-01 is one day", plain, "2025-02-28T00:00:00Z", "2025-03-01T00:00:00Z",
			24 * hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cal.DurationUnix(at(t, tt.from), at(t, tt.to)); got != tt.want {
				t.Errorf("DurationUnix(%s, %s) = %d, want %d", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestWorkingAndNextWorking(t *testing.T) {
	c, loc := romeOffice(t)
	tests := []struct {
		instant string
		working bool
		next    string
	}{
		{"2026-12-09T08:59:59+01:00", false, "2026-12-09T09:00:00+01:00"},
		{"2026-12-09T09:00:00+01:00", true, "2026-12-09T09:00:00+01:00"},
		{"2026-12-09T16:59:59+01:00", true, "2026-12-09T16:59:59+01:00"},
		{"2026-12-09T17:00:00+01:00", false, "2026-12-10T09:00:00+01:00"}, // intervals are half open
		{"2026-12-08T10:00:00+01:00", false, "2026-12-09T09:00:00+01:00"}, // dated holiday
		{"2026-12-25T23:59:00+01:00", false, "2026-12-28T09:00:00+01:00"}, // Christmas Friday
		{"2023-06-01T10:00:00+02:00", false, "2024-01-01T09:00:00+01:00"}, // before the span: its first working instant, Monday 2024-01-01
		{"2026-12-31T17:00:00+01:00", false, "Never"},                     // after the last interval
	}
	for _, tt := range tests {
		u := at(t, tt.instant)
		if got := c.WorkingUnix(u); got != tt.working {
			t.Errorf("WorkingUnix(%s) = %v, want %v", tt.instant, got, tt.working)
		}
		want := int64(Never)
		if tt.next != "Never" {
			want = at(t, tt.next)
		}
		if got := c.NextWorkingUnix(u); got != want {
			t.Errorf("NextWorkingUnix(%s) = %s, want %s", tt.instant, show(got, loc), tt.next)
		}
	}
}

// Times carry nanoseconds and locations; the time.Time methods work in whole seconds and answer in
// the start's location.
func TestTimeMethods(t *testing.T) {
	c, loc := romeOffice(t)
	ny := loadZone(t, "America/New_York")
	start := time.Date(2026, 12, 9, 9, 0, 0, 900_000_000, loc) // 09:00:00.9 CET, counted from 09:00:00
	if got, want := c.Duration(start, start.Add(time.Hour)), time.Hour; got != want {
		t.Errorf("Duration = %v, want %v", got, want)
	}
	got := c.Deadline(start.In(ny), 90*time.Minute+500*time.Millisecond) // 09:00 CET + 1h30m (the half second is dropped)
	if want := "2026-12-09T04:30:00-05:00"; got.Format(time.RFC3339Nano) != want {
		t.Errorf("Deadline = %s, want %s", got.Format(time.RFC3339Nano), want)
	}
	if got := c.Deadline(start, 1000*time.Hour); !got.IsZero() {
		t.Errorf("Deadline past the span = %v, want the zero time", got)
	}
}

func TestDeadlineHugeWork(t *testing.T) {
	c, loc := romeOffice(t)
	start := at(t, "2026-06-15T12:00:00+02:00") // inside the span, with working time before it
	for _, work := range []int64{math.MaxInt64, math.MaxInt64 - 1, 1 << 62} {
		if got := c.DeadlineUnix(start, work); got != Never {
			t.Errorf("DeadlineUnix(start, %d) = %s, want Never", work, show(got, loc))
		}
	}
}
