package period

import (
	"testing"
	"time"
)

func TestWallClock(t *testing.T) {
	rome := mustLoad(t, "Europe/Rome")
	asuncion := mustLoad(t, "America/Asuncion")
	santiago := mustLoad(t, "America/Santiago")
	tests := []struct {
		name string
		d    date
		off  time.Duration
		loc  *time.Location
		want time.Time
	}{
		{"plain summer midnight", date{2026, time.June, 1}, 0, rome, utc("2026-05-31T22:00:00Z")},
		// 02:00 happens twice on 25 October 2026; the first is still CEST (+02:00).
		{"repeated reading takes the first", date{2026, time.October, 25}, 2 * time.Hour, rome, utc("2026-10-25T00:00:00Z")},
		// 02:30 never happens on 29 March 2026: clocks jump from 02:00 CET (01:00Z) to 03:00 CEST.
		{"skipped reading takes the jump", date{2026, time.March, 29}, 2*time.Hour + 30*time.Minute, rome, utc("2026-03-29T01:00:00Z")},
		// Midnight skipped: the jump is 00:00 -04 = 04:00Z.
		{"skipped midnight", date{2023, time.October, 1}, 0, asuncion, utc("2023-10-01T04:00:00Z")},
		// Chile jumps at 24:00 -04 on Saturday 5 September 2026, which is 04:00Z on the 6th.
		{"skipped midnight in Chile", date{2026, time.September, 6}, 0, santiago, utc("2026-09-06T04:00:00Z")},
		// Offsets past 24h roll into the next day: 26h after 1 June midnight is 2 June 02:00 CEST.
		{"offset past a day", date{2026, time.June, 1}, 26 * time.Hour, rome, utc("2026-06-02T00:00:00Z")},
		// Day 32 of January is 1 February, 00:00 CET = 23:00Z the day before.
		{"day past the month", date{2026, time.January, 32}, 0, rome, utc("2026-01-31T23:00:00Z")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := WallClock(tt.d.y, tt.d.m, tt.d.d, tt.off, tt.loc)
			if !got.Equal(tt.want) {
				t.Errorf("WallClock(%v, %v) = %v, want %v", tt.d, tt.off, got.UTC(), tt.want)
			}
			if got.Location() != tt.loc {
				t.Errorf("WallClock returned a time in %v, want %v", got.Location(), tt.loc)
			}
		})
	}
}
