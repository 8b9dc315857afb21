package web

import (
	"math"
	"testing"
)

func TestKPIValue(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		unit string
		want string
	}{
		{26470, "seconds", "7h 21m"},      // 7×3600 + 21×60 = 26,460, plus 10 s
		{235200, "seconds", "2d 17h 20m"}, // 2×86400 + 17×3600 + 20×60
		{95.4, "seconds", "1m 35s"},       // rounded to the second
		{0.83, "ratio", "83.0%"},
		{127, "tickets", "127"},
		{math.NaN(), "ratio", ""},
	} {
		if got := kpiValue(tc.v, tc.unit); got != tc.want {
			t.Errorf("kpiValue(%v, %s) = %q, want %q", tc.v, tc.unit, got, tc.want)
		}
	}
}

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"INC0012345":               "INC0012345",
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+1":                       "'+1",
		"-2":                       "'-2",
		"@SUM(A1)":                 "'@SUM(A1)",
		"":                         "",
	} {
		if got := cell(in); got != want {
			t.Errorf("cell(%q) = %q, want %q", in, got, want)
		}
	}
}
