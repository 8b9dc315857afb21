package calendar

import "testing"

// Every case gives the wall-clock day bounds with their offsets and works the answer in UTC.
// Europe/Rome 2026: spring forward 03-29 at 01:00Z (02:00 CET -> 03:00 CEST), fall back 10-25 at
// 01:00Z (03:00 CEST -> 02:00 CET). America/New_York 2026: spring forward 03-08 at 07:00Z
// (02:00 EST -> 03:00 EDT), fall back 11-01 at 06:00Z (02:00 EDT -> 01:00 EST).
func TestDSTDayWorkingTime(t *testing.T) {
	tests := []struct {
		name     string
		zone     string
		hours    Interval
		from, to string // the civil day's midnights
		want     int64
	}{
		// Rome, 23-hour day.
		{"rome spring 08-18", "Europe/Rome", Interval{8 * hour, 18 * hour},
			"2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00",
			10 * hour}, // 08:00 CEST = 06:00Z .. 18:00 CEST = 16:00Z
		{"rome spring 01-04", "Europe/Rome", Interval{1 * hour, 4 * hour},
			"2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00",
			2 * hour}, // 01:00 CET = 00:00Z .. 04:00 CEST = 02:00Z
		{"rome spring 00-24", "Europe/Rome", Interval{0, 24 * hour},
			"2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00",
			23 * hour}, // 23:00Z (28th) .. 22:00Z
		{"rome spring 02-03 in the gap", "Europe/Rome", Interval{2 * hour, 3 * hour},
			"2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00",
			0}, // no instant shows 02:00..02:59
		{"rome spring 02:30-04 starts at the jump", "Europe/Rome", Interval{2*hour + 30*minute, 4 * hour},
			"2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00",
			1 * hour}, // 03:00 CEST = 01:00Z .. 04:00 CEST = 02:00Z
		{"rome spring 01:30-02:30 ends at the jump", "Europe/Rome", Interval{1*hour + 30*minute, 2*hour + 30*minute},
			"2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00",
			30 * minute}, // 01:30 CET = 00:30Z .. 01:00Z

		// Rome, 25-hour day.
		{"rome fall 08-18", "Europe/Rome", Interval{8 * hour, 18 * hour},
			"2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00",
			10 * hour}, // 08:00 CET = 07:00Z .. 18:00 CET = 17:00Z
		{"rome fall 01-04", "Europe/Rome", Interval{1 * hour, 4 * hour},
			"2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00",
			4 * hour}, // 01:00 CEST = 23:00Z (24th) .. 04:00 CET = 03:00Z
		{"rome fall 00-24", "Europe/Rome", Interval{0, 24 * hour},
			"2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00",
			25 * hour}, // 22:00Z (24th) .. 23:00Z
		{"rome fall 02-03 holds the repeated hour", "Europe/Rome", Interval{2 * hour, 3 * hour},
			"2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00",
			2 * hour}, // 02:00 CEST = 00:00Z .. 03:00 CET = 02:00Z
		{"rome fall 02:15-02:45 first occurrence only", "Europe/Rome", Interval{2*hour + 15*minute, 2*hour + 45*minute},
			"2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00",
			30 * minute}, // 02:15 CEST = 00:15Z .. 02:45 CEST = 00:45Z
		{"rome fall 01-02:30 ends at the first 02:30", "Europe/Rome", Interval{1 * hour, 2*hour + 30*minute},
			"2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00",
			90 * minute}, // 23:00Z .. 02:30 CEST = 00:30Z
		{"rome fall 23-24", "Europe/Rome", Interval{23 * hour, 24 * hour},
			"2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00",
			1 * hour}, // 23:00 CET = 22:00Z .. 23:00Z

		// New York, 23-hour day.
		{"new york spring 08-18", "America/New_York", Interval{8 * hour, 18 * hour},
			"2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00",
			10 * hour}, // 08:00 EDT = 12:00Z .. 18:00 EDT = 22:00Z
		{"new york spring 01-04", "America/New_York", Interval{1 * hour, 4 * hour},
			"2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00",
			2 * hour}, // 01:00 EST = 06:00Z .. 04:00 EDT = 08:00Z
		{"new york spring 00-24", "America/New_York", Interval{0, 24 * hour},
			"2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00",
			23 * hour}, // 05:00Z .. 04:00Z (9th)
		{"new york spring 02-02:30 in the gap", "America/New_York", Interval{2 * hour, 2*hour + 30*minute},
			"2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00",
			0}, // time.Date would put it at 01:00-01:30 EST and count 30 minutes

		// New York, 25-hour day.
		{"new york fall 08-18", "America/New_York", Interval{8 * hour, 18 * hour},
			"2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00",
			10 * hour}, // 08:00 EST = 13:00Z .. 18:00 EST = 23:00Z
		{"new york fall 01-04", "America/New_York", Interval{1 * hour, 4 * hour},
			"2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00",
			4 * hour}, // 01:00 EDT = 05:00Z .. 04:00 EST = 09:00Z
		{"new york fall 00-24", "America/New_York", Interval{0, 24 * hour},
			"2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00",
			25 * hour}, // 04:00Z .. 05:00Z (2nd)
		{"new york fall 01:30-02 works through the repeated hour", "America/New_York", Interval{1*hour + 30*minute, 2 * hour},
			"2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00",
			90 * minute}, // 01:30 EDT = 05:30Z .. 02:00 EST = 07:00Z
		{"new york fall 01-01:30 first occurrence only", "America/New_York", Interval{1 * hour, 1*hour + 30*minute},
			"2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00",
			30 * minute}, // 01:00 EDT = 05:00Z .. 01:30 EDT = 05:30Z

		// Chile changes at midnight: 2026-04-05 00:00 -03 -> 04-04 23:00 -04 (03:00Z), and
		// 2026-09-06 00:00 -04 -> 01:00 -03 (04:00Z).
		{"santiago fall 23-24 is repeated", "America/Santiago", Interval{23 * hour, 24 * hour},
			"2026-04-04T00:00:00-03:00", "2026-04-05T00:00:00-04:00",
			2 * hour}, // 23:00 -03 = 02:00Z .. Sunday 00:00 -04 = 04:00Z
		{"santiago fall 00-24", "America/Santiago", Interval{0, 24 * hour},
			"2026-04-04T00:00:00-03:00", "2026-04-05T00:00:00-04:00",
			25 * hour}, // 03:00Z (4th) .. 04:00Z (5th)
		{"santiago spring 23-24 ends at the jump", "America/Santiago", Interval{23 * hour, 24 * hour},
			"2026-09-05T00:00:00-04:00", "2026-09-06T01:00:00-03:00",
			1 * hour}, // 23:00 -04 = 03:00Z .. 04:00Z; time.Date put 24:00 at 23:00 and counted 0
		{"santiago spring 00-01 in the gap", "America/Santiago", Interval{0, 1 * hour},
			"2026-09-06T01:00:00-03:00", "2026-09-07T00:00:00-03:00",
			0}, // Sunday 00:00..00:59 never shows; Monday's starts at the bound

		// Lord Howe moves by half an hour: 2026-10-04 02:00 +10:30 -> 02:30 +11 (15:30Z on the 3rd).
		{"lord howe spring 00-24", "Australia/Lord_Howe", Interval{0, 24 * hour},
			"2026-10-04T00:00:00+10:30", "2026-10-05T00:00:00+11:00",
			23*hour + 30*minute}, // 13:30Z (3rd) .. 13:00Z (4th)
		{"lord howe spring 02-02:30 in the gap", "Australia/Lord_Howe", Interval{2 * hour, 2*hour + 30*minute},
			"2026-10-04T00:00:00+10:30", "2026-10-05T00:00:00+11:00",
			0},

		// Samoa skipped 2011-12-30: 12-29 24:00 -10 became 12-31 00:00 +14 (10:00Z on the 30th).
		{"apia skipped day", "Pacific/Apia", Interval{9 * hour, 17 * hour},
			"2011-12-29T00:00:00-10:00", "2012-01-01T00:00:00+14:00",
			16 * hour}, // 8h on the 29th + none on the 30th + 8h on the 31st
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustNew(t, Spec{Location: loadZone(t, tt.zone), Week: everyDay(tt.hours), FirstYear: 2010, LastYear: 2027})
			if got := c.DurationUnix(at(t, tt.from), at(t, tt.to)); got != tt.want {
				t.Errorf("DurationUnix(%s, %s) = %d s, want %d s", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestDSTDeadline(t *testing.T) {
	tests := []struct {
		name  string
		zone  string
		week  [7][]Interval
		start string
		work  int64
		want  string
	}{
		{"rome spring 01-04 across the gap", "Europe/Rome", everyDay(Interval{1 * hour, 4 * hour}),
			"2026-03-29T01:30:00+01:00", 1 * hour,
			"2026-03-29T03:30:00+02:00"}, // 30 min to 02:00 CET = 01:00Z, the clocks jump, 30 min more
		{"rome fall 01-04 reaches the fall back", "Europe/Rome", everyDay(Interval{1 * hour, 4 * hour}),
			"2026-10-25T01:00:00+02:00", 2 * hour,
			"2026-10-25T02:00:00+01:00"}, // 23:00Z + 2h = 01:00Z, when 03:00 CEST becomes 02:00 CET
		{"rome fall 01-04 inside the repeated hour", "Europe/Rome", everyDay(Interval{1 * hour, 4 * hour}),
			"2026-10-25T01:00:00+02:00", 3 * hour,
			"2026-10-25T03:00:00+01:00"}, // 23:00Z + 3h = 02:00Z
		{"rome fall 01-04 whole interval", "Europe/Rome", everyDay(Interval{1 * hour, 4 * hour}),
			"2026-10-25T01:00:00+02:00", 4 * hour,
			"2026-10-25T04:00:00+01:00"}, // 23:00Z + 4h = 03:00Z, the interval's end
		{"rome 08-18 over the spring night", "Europe/Rome", everyDay(Interval{8 * hour, 18 * hour}),
			"2026-03-28T17:00:00+01:00", 2 * hour,
			"2026-03-29T09:00:00+02:00"}, // 1h on Saturday, 08:00-09:00 CEST on Sunday
		{"rome mon-fri over the spring weekend", "Europe/Rome", mondayToFriday(Interval{8 * hour, 18 * hour}),
			"2026-03-27T17:00:00+01:00", 2 * hour,
			"2026-03-30T09:00:00+02:00"}, // 1h on Friday, 08:00-09:00 CEST on Monday
		{"new york 08-18 over the fall night", "America/New_York", everyDay(Interval{8 * hour, 18 * hour}),
			"2026-10-31T17:30:00-04:00", 1 * hour,
			"2026-11-01T08:30:00-05:00"}, // 30 min on Saturday, 08:00-08:30 EST on Sunday
		{"new york 00-24 over the 25-hour day", "America/New_York", everyDay(Interval{0, 24 * hour}),
			"2026-11-01T00:30:00-04:00", 24 * hour,
			"2026-11-01T23:30:00-05:00"}, // 04:30Z + 24h = 04:30Z on the 2nd
		{"new york 00-24 over the 23-hour day", "America/New_York", everyDay(Interval{0, 24 * hour}),
			"2026-03-08T00:00:00-05:00", 23 * hour,
			"2026-03-09T00:00:00-04:00"}, // 05:00Z + 23h = 04:00Z on the 9th
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := loadZone(t, tt.zone)
			c := mustNew(t, Spec{Location: loc, Week: tt.week, FirstYear: 2026, LastYear: 2026})
			start, want := at(t, tt.start), at(t, tt.want)
			if got := c.DeadlineUnix(start, tt.work); got != want {
				t.Errorf("DeadlineUnix(%s, %d) = %s, want %s", tt.start, tt.work, show(got, loc), tt.want)
			}
			if got := c.DurationUnix(start, want); got != tt.work {
				t.Errorf("DurationUnix(%s, %s) = %d, want %d", tt.start, tt.want, got, tt.work)
			}
		})
	}
}

func TestDSTDurationAcrossWeekend(t *testing.T) {
	c := mustNew(t, Spec{Location: loadZone(t, "Europe/Rome"), Week: mondayToFriday(Interval{8 * hour, 18 * hour}), FirstYear: 2026, LastYear: 2026})
	// Friday 12:00-18:00 CET is 6h, Monday 08:00-12:00 CEST is 4h; the 71 real hours between them
	// (one lost on Sunday) do not matter to a weekday calendar.
	got := c.DurationUnix(at(t, "2026-03-27T12:00:00+01:00"), at(t, "2026-03-30T12:00:00+02:00"))
	if want := int64(6*hour + 4*hour); got != want {
		t.Errorf("DurationUnix = %d, want %d", got, want)
	}
}

// While the clocks repeat an hour, time stays working or not as it was the second before they went
// back.
func TestDSTRepeatedHourWorking(t *testing.T) {
	ny := loadZone(t, "America/New_York")
	c := mustNew(t, Spec{Location: ny, Week: everyDay(Interval{1*hour + 30*minute, 2 * hour}), FirstYear: 2026, LastYear: 2026})
	tests := []struct {
		instant string
		want    bool
	}{
		{"2026-11-01T01:15:00-04:00", false}, // before 01:30 the first time
		{"2026-11-01T01:30:00-04:00", true},  // interval starts
		{"2026-11-01T01:59:59-04:00", true},  // last second before the fall back
		{"2026-11-01T01:00:00-05:00", true},  // the repeated 01:00 continues 01:59:59 EDT
		{"2026-11-01T01:15:00-05:00", true},  // wall 01:15 again, still working
		{"2026-11-01T01:59:59-05:00", true},
		{"2026-11-01T02:00:00-05:00", false}, // the clock reaches 02:00: interval ends
	}
	for _, tt := range tests {
		if got := c.WorkingUnix(at(t, tt.instant)); got != tt.want {
			t.Errorf("WorkingUnix(%s) = %v, want %v", tt.instant, got, tt.want)
		}
	}
}
