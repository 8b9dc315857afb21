package zendesksim

import (
	"testing"
	"time"
)

// TestCursorIsZendesksForm: the simulator writes cursors as Zendesk's example has them:
// "MTU3NjYxMzUzOS4wfHw0Njd8" (Incremental Exports reference, cursor export example) is the
// position after ticket 467, generated at 1576613539.
func TestCursorIsZendesksForm(t *testing.T) {
	p, ok := parseCursor("MTU3NjYxMzUzOS4wfHw0Njd8")
	if !ok || p != (position{at: 1576613539, id: 467}) {
		t.Fatalf("parsed %+v, %v", p, ok)
	}
	if c := p.cursor(); c != "MTU3NjYxMzUzOS4wfHw0Njd8" {
		t.Errorf("written %q", c)
	}
}

// TestBusinessHours checks the schedule arithmetic against hand-worked values: Monday to
// Friday 09:00-17:00 in Europe/Berlin, across the switch to summer time (Sunday 29 March
// 2026, 02:00 CET -> 03:00 CEST).
func TestBusinessHours(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	s := &Server{schedule: Weekdays(berlin, 9*60, 17*60)}
	at := func(v string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", v, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tc := range []struct {
		from, to string
		want     time.Duration
	}{
		// Friday 16:00 to Monday 10:00: 1h + 1h, the weekend (and its clock change) counts
		// nothing.
		{"2026-03-27 16:00", "2026-03-30 10:00", 2 * time.Hour},
		// Saturday to Sunday: nothing.
		{"2026-03-28 10:00", "2026-03-29 18:00", 0},
		// Monday 08:00 to Tuesday 12:00: 8h + 3h.
		{"2026-03-30 08:00", "2026-03-31 12:00", 11 * time.Hour},
	} {
		if got := s.measure(true, at(tc.from), at(tc.to)); got != tc.want {
			t.Errorf("measure %s to %s = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
	// 4 business hours from Friday 15:00: 2h on Friday, 2h on Monday: Monday 11:00 CEST.
	if got, want := s.advance(true, at("2026-03-27 15:00"), 4*time.Hour), at("2026-03-30 11:00"); !got.Equal(want) {
		t.Errorf("advance = %v, want %v", got, want)
	}
	// 8 business hours from Tuesday 09:00 end at 17:00 that day, not at the next opening.
	if got, want := s.advance(true, at("2026-03-31 09:00"), 8*time.Hour), at("2026-03-31 17:00"); !got.Equal(want) {
		t.Errorf("advance to a day's end = %v, want %v", got, want)
	}
}
