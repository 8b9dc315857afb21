package display

import (
	"math"
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		sec  float64
		want string
	}{
		{65860, "18h18m"}, // 18×3600 = 64,800; 1,060 s left = 17m40s, rounded to 18m
		{65820, "18h17m"}, // 64,800 + 17×60
		{26470, "7h21m"},  // 7×3600 + 21×60 = 26,460, plus 10 s rounded away
		{235200, "2d17h"}, // 2×86400 + 17×3600 = 234,000, plus 20 m rounded away
		{237600, "2d18h"}, // 2×86400 + 18×3600 exactly
		{86399, "1d"},     // 23h59m59s rounds to 24h00m: one day, no "23h60m"
		{172800, "2d"},    // no zero hours
		{1814400, "21d"},  // three weeks read as days
		{95.4, "1m35s"},   // rounded to the second
		{3599.6, "1h"},    // 59m59.6s rounds to 60m
		{3600, "1h"},      // no zero minutes
		{59.4, "59s"},     // under a minute: seconds
		{0.25, "250ms"},   // under a second: milliseconds
		{0.9996, "1s"},    // 999.6 ms rounds to a second
		{0, "0s"},         //
		{-300, "-5m"},     // an overspent budget
		{-5430, "-1h31m"}, // 1h30m30s rounds half away from zero
		{math.NaN(), ""},  //
		{math.Inf(1), ""}, //
	} {
		if got := Duration(tc.sec); got != tc.want {
			t.Errorf("Duration(%v) = %q, want %q", tc.sec, got, tc.want)
		}
	}
}

func TestFormatPercent(t *testing.T) {
	for _, tc := range []struct {
		v, ref float64
		want   string
	}{
		{0.9987, math.NaN(), "99.87%"},
		{0.95, math.NaN(), "95.00%"},
		{1, math.NaN(), "100.00%"},
		{0, math.NaN(), "0.00%"},
		{-0.125, math.NaN(), "-12.50%"}, // an overspent budget
		{0.83, math.NaN(), "83.00%"},
		// Two decimals would round onto 100%: 99.999 needs three, and 99.99999 is cut at the
		// fourth rather than rounded up to 100.0000.
		{0.99999, math.NaN(), "99.999%"},
		{0.9999999, math.NaN(), "99.9999%"},
		{0.00001, math.NaN(), "0.001%"},
		// Against a target of 99.95%: 0.99949 would read 99.95% too; three decimals show it is
		// below. Above the target, two decimals already keep the order.
		{0.99949, 0.9995, "99.949%"},
		{0.99961, 0.9995, "99.96%"},
		{0.9995, 0.9995, "99.95%"},
		// 0.999 against 0.99904: three decimals, the trailing zero kept, since 99.90% would equal
		// the target as shown.
		{0.999, 0.99904, "99.900%"},
		{math.NaN(), 0.9, ""},
		{math.Inf(-1), 0.9, ""},
	} {
		if got := PercentVs(tc.v, tc.ref); got != tc.want {
			t.Errorf("PercentVs(%v, %v) = %q, want %q", tc.v, tc.ref, got, tc.want)
		}
	}
}

func TestFormatQuantity(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		unit string
		want string
	}{
		{65860, "seconds", "18h18m"},
		{0.83, "ratio", "83.00%"},
		{127, "tickets", "127"},
		{1200, "events", "1,200"},
		{2.35, "cycles", "2.4"}, // a budget projected from the traffic so far
		{-2.35, "cycles", "-2.4"},
		{87.9, "cycles", "88"},          // from 10 on, whole numbers
		{549361.4, "events", "549,361"}, //
		{-0.01, "cycles", "0"},          // not -0
		{math.NaN(), "ratio", ""},
	} {
		if got := Quantity(tc.v, tc.unit); got != tc.want {
			t.Errorf("Quantity(%v, %s) = %q, want %q", tc.v, tc.unit, got, tc.want)
		}
	}
	// A KPI ratio against its target: reopen rate 0.0499 under a 5% target reads 4.99%; 0.04999
	// would round to 5.00%, so it takes three decimals.
	if got := QuantityVs(0.04999, 0.05, "ratio"); got != "4.999%" {
		t.Errorf("QuantityVs(0.04999, 0.05) = %q, want 4.999%%", got)
	}
	if got := QuantityVs(3600, 3000, "seconds"); got != "1h" {
		t.Errorf("QuantityVs(3600, 3000, seconds) = %q, want 1h", got)
	}
}

func TestFormatBudget(t *testing.T) {
	for _, tc := range []struct {
		remaining, ratio float64
		unit             string
		want             string
	}{
		// 43,200 s of a 30-day 99.9% budget: 2,592,000 × 0.001 = 2,592 s; 2,530 s left = 42m10s,
		// 2,530 / 2,592 = 97.61%.
		{2530, 2530.0 / 2592, "seconds", "42m10s (97.61%)"},
		{-300, -300.0 / 2592, "seconds", "-5m (-11.57%)"},
		{2.4, 0.6, "cycles", "2.4 cycles (60.00%)"},
		{120, 0.5, "events", "120 events (50.00%)"},
		{0, math.NaN(), "seconds", "0s"}, // a target of 100%: no share of a budget of 0
	} {
		if got := Budget(tc.remaining, tc.ratio, tc.unit); got != tc.want {
			t.Errorf("Budget(%v, %v, %s) = %q, want %q", tc.remaining, tc.ratio, tc.unit, got, tc.want)
		}
	}
}

func TestFormatTime(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	winter := time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)
	summer := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		t    time.Time
		loc  *time.Location
		want string
	}{
		{winter, rome, "2026-11-15 13:00 CET"},  // UTC+1 in winter
		{summer, rome, "2026-07-01 14:00 CEST"}, // UTC+2 in summer
		{winter, nil, "2026-11-15 12:00 UTC"},
		{winter.In(rome), time.UTC, "2026-11-15 12:00 UTC"}, // the zone asked for, not the value's
		{time.Time{}, rome, "never"},
	} {
		if got := Time(tc.t, tc.loc); got != tc.want {
			t.Errorf("Time(%v, %v) = %q, want %q", tc.t, tc.loc, got, tc.want)
		}
	}
}

func TestFormatMoney(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0.00"}, {12, "12.00"}, {999.995, "1,000.00"}, {1200, "1,200.00"}, {3000.5, "3,000.50"},
		{1234567.891, "1,234,567.89"}, {-3000.5, "-3,000.50"}, {-0.001, "0.00"},
	} {
		if got := Money(tc.v); got != tc.want {
			t.Errorf("Money(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestFormatCount(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{127, "127"}, {1000, "1,000"}, {538758, "538,758"}, {-2345, "-2,345"}, {1234567.4, "1,234,567"},
		{2.43, "2.4"}, {9.96, "10"}, {-0.01, "0"}, {math.NaN(), ""},
	} {
		if got := Count(tc.v); got != tc.want {
			t.Errorf("Count(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestFormatRate(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{14.4, "14×"},     // two significant digits: 14
		{1.8667, "1.9×"},  // 1.8667 rounds to 1.9
		{1.0526, "1.1×"},  //
		{0.2699, "0.27×"}, //
		{1, "1×"},         // no trailing zeros
		{9.96, "10×"},     // rounds up into the next decade without an exponent
		{1440, "1,440×"},  // a 5-minute window after a burst
		{0.00001, "<0.01×"},
		{0, "0×"},
		{math.Inf(1), ""},
	} {
		if got := Rate(tc.v); got != tc.want {
			t.Errorf("Rate(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestFormatDay(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	ref := time.Date(2026, 12, 30, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		t    time.Time
		loc  *time.Location
		want string
	}{
		{time.Date(2026, 12, 31, 13, 5, 0, 0, time.UTC), rome, "31 Dec 14:05 CET"},
		// 23:30 UTC on New Year's Eve is already 2027 in Rome: the year is shown.
		{time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), rome, "1 Jan 2027 00:30 CET"},
		{time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), nil, "31 Dec 23:30 UTC"},
	} {
		if got := Day(tc.t, ref, tc.loc); got != tc.want {
			t.Errorf("Day(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

func TestAmount(t *testing.T) {
	for _, tc := range []struct {
		v        float64
		currency string
		want     string
	}{
		{1200, "EUR", "1,200.00 EUR"},
		{1234567.891, "USD", "1,234,567.89 USD"},
		{250, "", "250.00"},
		{math.NaN(), "EUR", ""},
	} {
		if got := Amount(tc.v, tc.currency); got != tc.want {
			t.Errorf("Amount(%v, %q) = %q, want %q", tc.v, tc.currency, got, tc.want)
		}
	}
}
