package calendar

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

func TestWallClockInstant(t *testing.T) {
	type step struct {
		y         int
		m         time.Month
		d, hh, mm int
		want      string
	}
	tests := []struct {
		zone  string
		steps []step // readings in increasing order, as New asks for them
	}{
		{"Europe/Rome", []step{
			{2026, 3, 29, 1, 59, "2026-03-29T01:59:00+01:00"},
			{2026, 3, 29, 2, 0, "2026-03-29T03:00:00+02:00"}, // skipped: the instant of the jump
			{2026, 3, 29, 2, 30, "2026-03-29T03:00:00+02:00"},
			{2026, 3, 29, 3, 0, "2026-03-29T03:00:00+02:00"},
			{2026, 10, 25, 2, 0, "2026-10-25T02:00:00+02:00"}, // repeated: the first occurrence
			{2026, 10, 25, 2, 59, "2026-10-25T02:59:00+02:00"},
			{2026, 10, 25, 3, 0, "2026-10-25T03:00:00+01:00"},  // reached only after the repeat
			{2040, 12, 31, 12, 0, "2040-12-31T12:00:00+01:00"}, // golang/go#81583 day
			{2041, 1, 1, 0, 0, "2041-01-01T00:00:00+01:00"},
			{2041, 3, 31, 2, 30, "2041-03-31T03:00:00+02:00"}, // a rule-made gap after it
		}},
		{"America/New_York", []step{
			{2026, 3, 8, 2, 0, "2026-03-08T03:00:00-04:00"},
			{2026, 11, 1, 1, 30, "2026-11-01T01:30:00-04:00"},
			{2026, 11, 1, 2, 0, "2026-11-01T02:00:00-05:00"},
			{2040, 12, 31, 23, 59, "2040-12-31T23:59:00-05:00"},
			{2041, 3, 10, 2, 0, "2041-03-10T03:00:00-04:00"},
		}},
		{"America/Santiago", []step{
			{2026, 4, 4, 23, 30, "2026-04-04T23:30:00-03:00"},
			{2026, 4, 5, 0, 0, "2026-04-05T00:00:00-04:00"}, // after the repeated 23:00-24:00
			{2026, 9, 6, 0, 0, "2026-09-06T01:00:00-03:00"}, // midnight skipped
		}},
	}
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			loc := loadZone(t, tt.zone)
			w := newWallClock(loc, civilDay(tt.steps[0].y, tt.steps[0].m, tt.steps[0].d)*secondsPerDay)
			for _, s := range tt.steps {
				civil := civilDay(s.y, s.m, s.d)*secondsPerDay + int64(s.hh*hour+s.mm*minute)
				if got, want := w.instant(civil), at(t, s.want); got != want {
					t.Errorf("instant(%04d-%02d-%02d %02d:%02d) = %s, want %s", s.y, s.m, s.d, s.hh, s.mm, show(got, loc), s.want)
				}
			}
		})
	}
}

// Past 2037 the zones' TZ rules take over from their tables, and Go's period bounds on the last
// UTC day of a leap year are wrong (golang/go#81583). Check the years around 2040 against the
// reference, and that a 00:00-24:00 week is elapsed time through them.
func TestLeapYearUnderTZRule(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, zone := range []string{"Europe/Rome", "America/New_York", "Australia/Sydney", "America/Santiago", "Australia/Lord_Howe"} {
		loc := loadZone(t, zone)
		allDay := mustNew(t, Spec{Location: loc, Week: everyDay(Interval{0, 24 * hour}), FirstYear: 2039, LastYear: 2041})
		from, to := allDay.Span()
		if got, want := allDay.DurationUnix(from.Unix(), to.Unix()), to.Unix()-from.Unix(); got != want {
			t.Errorf("%s: 00:00-24:00 over 2039-2041 = %d s, want elapsed %d s", zone, got, want)
		}
		for i := range 10 {
			spec := randomSpec(r, loc, 2039, 2041)
			c := mustNew(t, spec)
			// Five days over the new year 2041, in UTC days so the bad one is inside.
			w0 := civilDay(2040, 12, 29) * secondsPerDay
			ref := newReference(t, spec, w0, w0+5*secondsPerDay, minute)
			t.Run(fmt.Sprintf("%s/%d", zone, i), func(t *testing.T) {
				checkAgainstReference(t, r, c, ref, 200)
			})
		}
	}
}
