package rules

import (
	"testing"
	"time"
)

func TestBurnFactor(t *testing.T) {
	const day = 24 * time.Hour
	tiers := []struct {
		long   time.Duration
		budget float64
	}{{time.Hour, 0.02}, {6 * time.Hour, 0.05}, {day, 0.1}, {3 * day, 0.1}}
	for _, tc := range []struct {
		period time.Duration
		want   [4]string
	}{
		// The SRE workbook's and Sloth's numbers; Sloth prints 5.6000000000000005 and
		// 2.8000000000000003 for 28 days.
		{30 * day, [4]string{"14.4", "6", "3", "1"}},
		{28 * day, [4]string{"13.44", "5.6", "2.8", "0.9333333333"}},
		{7 * day, [4]string{"3.36", "1.4", "0.7", "0.2333333333"}},
		{90 * day, [4]string{"43.2", "18", "9", "3"}},
		{365 * day, [4]string{"175.2", "73", "36.5", "12.16666667"}},
	} {
		for i, tier := range tiers {
			if got := burnFactor(tier.budget, tc.period, tier.long); got != tc.want[i] {
				t.Errorf("burnFactor(%v, %v, %v) = %s, want %s", tier.budget, tc.period, tier.long, got, tc.want[i])
			}
		}
	}
	// No exponent, whatever the size.
	for _, tc := range []struct {
		budget       float64
		period, long time.Duration
		want         string
	}{
		{0.0001, time.Hour, 72 * time.Hour, "0.000001388888889"},
		{1, 3660 * day, time.Minute, "5270400"},
		{0.3, 30 * day, 90 * time.Second, "8640"},
	} {
		if got := burnFactor(tc.budget, tc.period, tc.long); got != tc.want {
			t.Errorf("burnFactor(%v, %v, %v) = %s, want %s", tc.budget, tc.period, tc.long, got, tc.want)
		}
	}
}

func TestPercentAndSeconds(t *testing.T) {
	for in, want := range map[float64]string{0.999: "99.9", 0.9995: "99.95", 0.95: "95", 0.02: "2", 0.1: "10", 0.99999: "99.999"} {
		if got := percent(in); got != want {
			t.Errorf("percent(%v) = %s, want %s", in, got, want)
		}
	}
	for in, want := range map[time.Duration]string{time.Hour: "3600", 90 * time.Second: "90", 1500 * time.Millisecond: "1.5", 72 * time.Hour: "259200"} {
		if got := seconds(in); got != want {
			t.Errorf("seconds(%v) = %s, want %s", in, got, want)
		}
	}
	for in, want := range map[time.Duration]string{30 * time.Second: "30s", 50 * time.Hour: "2d2h", 120 * time.Hour: "5d", 240 * time.Hour: "10d", 15 * time.Minute: "15m", 90 * time.Minute: "1h30m"} {
		if got := fmtDuration(in); got != want {
			t.Errorf("fmtDuration(%v) = %s, want %s", in, got, want)
		}
	}
}
