package period

import (
	"testing"
	"time"
)

func TestLabelFromAnyInstant(t *testing.T) {
	rome := mustLoad(t, "Europe/Rome")
	tests := []struct {
		p    Period
		at   time.Time
		want string
	}{
		// 1 January 2027 is a Friday, so its ISO week is the last of 2026.
		{Period{Kind: Week, Location: rome}, utc("2027-01-01T09:00:00+01:00"), "2026-W53"},
		// 23:30Z on 31 December is already 2027 in Rome.
		{Period{Kind: Year, Location: rome}, utc("2026-12-31T23:30:00Z"), "2027"},
		{Period{Kind: Month, Location: rome}, utc("2026-12-31T23:30:00Z"), "2027-01"},
		{Period{Kind: Quarter, Location: rome}, utc("2026-12-31T23:30:00Z"), "2027-Q1"},
		{Period{Kind: Quarter}, utc("2026-12-31T23:30:00Z"), "2026-Q4"},
		{Period{Kind: Rolling, Days: 90}, utc("2026-12-31T23:30:00Z"), "rolling_90d"},
	}
	for _, tt := range tests {
		if got := tt.p.Label(tt.at); got != tt.want {
			t.Errorf("%v in %v: Label(%v) = %q, want %q", tt.p, tt.p.Location, tt.at, got, tt.want)
		}
	}
}
