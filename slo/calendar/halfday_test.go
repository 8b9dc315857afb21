package calendar

import (
	"testing"
	"time"
)

// christmasOffice is romeOffice (Mon-Fri 09:00-17:00, off on 12-25 and 12-26) with half days:
// every 12-24 09:00-13:00, every 12-31 09:00-13:00 but 2026-12-31 09:00-12:00, a yearly half day
// on the 12-25 holiday and a dated one on Saturday 2026-12-19. In December 2026 Thursday is the
// 24th and the 31st.
func christmasOffice(t *testing.T) *Calendar {
	t.Helper()
	morning := []Interval{{9 * hour, 13 * hour}}
	return mustNew(t, Spec{
		Name:      "christmas",
		Location:  loadZone(t, "Europe/Rome"),
		Week:      mondayToFriday(Interval{9 * hour, 17 * hour}),
		Recurring: []MonthDay{{time.December, 25}, {time.December, 26}},
		RecurringHalfDays: []RecurringHalfDay{
			{MonthDay{time.December, 24}, morning},
			{MonthDay{time.December, 31}, morning},
			{MonthDay{time.December, 25}, morning},
		},
		HalfDays: []HalfDay{
			{Date{2026, time.December, 31}, []Interval{{9 * hour, 12 * hour}}},
			{Date{2026, time.December, 19}, morning},
		},
		FirstYear: 2026, LastYear: 2027,
	})
}

func TestHalfDays(t *testing.T) {
	c := christmasOffice(t)
	tests := []struct {
		name     string
		from, to string
		want     int64
	}{
		{"a yearly half day", "2026-12-24T00:00:00+01:00", "2026-12-25T00:00:00+01:00", 4 * hour},
		{"the next year too", "2027-12-24T00:00:00+01:00", "2027-12-25T00:00:00+01:00", 4 * hour}, // a Friday
		{"a dated half day overrides the yearly one", "2026-12-31T00:00:00+01:00", "2027-01-01T00:00:00+01:00", 3 * hour},
		{"the yearly one holds in other years", "2027-12-31T00:00:00+01:00", "2028-01-01T00:00:00+01:00", 4 * hour}, // a Friday
		{"a holiday stays off", "2026-12-25T00:00:00+01:00", "2026-12-26T00:00:00+01:00", 0},
		{"a Saturday stays off", "2026-12-19T00:00:00+01:00", "2026-12-20T00:00:00+01:00", 0},
		{"the afternoon of a half day", "2026-12-24T13:00:00+01:00", "2026-12-24T17:00:00+01:00", 0},
		// Mon 21..Wed 23: 3 × 8h; Thu 24: 4h; Fri 25: off.
		{"Christmas week", "2026-12-21T00:00:00+01:00", "2026-12-26T00:00:00+01:00", 3*8*hour + 4*hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.DurationUnix(at(t, tt.from), at(t, tt.to)); got != tt.want {
				t.Errorf("DurationUnix(%s, %s) = %d, want %d", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestDeadlineAcrossHalfDay(t *testing.T) {
	c := christmasOffice(t)
	tests := []struct {
		name  string
		start string
		work  int64
		want  string
	}{
		// Wed 23 15:00-17:00 is 2h, Thu 24 09:00-13:00 4h (6h); Fri 25 off, the weekend; Mon 28
		// 09:00 + 2h. A full Thursday would have ended it on the 24th at 15:00.
		{"8h from Wednesday afternoon", "2026-12-23T15:00:00+01:00", 8 * hour, "2026-12-28T11:00:00+01:00"},
		// Exactly the half day's work ends at its closing, not on Monday morning.
		{"uses up the half day", "2026-12-24T09:00:00+01:00", 4 * hour, "2026-12-24T13:00:00+01:00"},
		// Wed 30: 8h; Thu 31 (dated, 09:00-12:00): 3h; Fri 2027-01-01 is a working day here: 1h.
		{"across the dated half day", "2026-12-30T09:00:00+01:00", 12 * hour, "2027-01-01T10:00:00+01:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := c.DeadlineUnix(at(t, tt.start), tt.work), at(t, tt.want); got != want {
				t.Errorf("DeadlineUnix(%s, %d) = %s, want %s", tt.start, tt.work, show(got, c.loc), tt.want)
			}
		})
	}
}

func TestHalfDaysRejected(t *testing.T) {
	morning := []Interval{{9 * hour, 13 * hour}}
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"no hours", Spec{Name: "x", HalfDays: []HalfDay{{Date: Date{2026, 12, 24}}}},
			`calendar "x": half days[0] (2026-12-24): no working hours (list the day as a holiday to close it)`},
		{"not a date", Spec{Name: "x", HalfDays: []HalfDay{{Date{2026, 2, 29}, morning}}},
			`calendar "x": half days[0]: 2026-02-29 is not a date`},
		{"not a day of the year", Spec{Name: "x", RecurringHalfDays: []RecurringHalfDay{{MonthDay{4, 31}, morning}}},
			`calendar "x": recurring half days[0]: 04-31 is not a day of the year`},
		{"overlapping hours", Spec{Name: "x", RecurringHalfDays: []RecurringHalfDay{{MonthDay{12, 24}, []Interval{{9 * hour, 13 * hour}, {12 * hour, 14 * hour}}}}},
			`calendar "x": recurring half days[0] (12-24): working hours 09:00-13:00 and 12:00-14:00 overlap`},
		{"dated twice", Spec{Name: "x", HalfDays: []HalfDay{{Date{2026, 12, 24}, morning}, {Date{2026, 12, 24}, morning}}},
			`calendar "x": half days[1]: 2026-12-24 is listed twice`},
		{"yearly twice", Spec{Name: "x", RecurringHalfDays: []RecurringHalfDay{{MonthDay{12, 24}, morning}, {MonthDay{12, 24}, morning}}},
			`calendar "x": recurring half days[1]: 12-24 is listed twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.spec)
			if err == nil || err.Error() != tt.want {
				t.Errorf("New error = %v, want %q", err, tt.want)
			}
		})
	}
}
