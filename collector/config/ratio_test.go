package config

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePercent(t *testing.T) {
	type result struct {
		V   float64
		OK  bool
		Err string
	}
	tests := []struct {
		in   string
		want result
	}{
		{"95%", result{0.95, true, ""}},
		{"99.9%", result{0.999, true, ""}}, // exactly the float64 of 0.999, not 99.9/100
		{"99.95%", result{0.9995, true, ""}},
		{"0.1%", result{0.001, true, ""}},
		{"100%", result{1, true, ""}},
		{"12.5 %", result{0.125, true, ""}},
		{".5%", result{0.005, true, ""}},
		{"-5%", result{-0.05, true, ""}}, // negative: the field's own check refuses it
		{"0.95", result{0, false, ""}},
		{"100.1%", result{0, true, "100.1% is more than 100%"}},
		{"1e2%", result{0, true, `"1e2%" is not a percentage such as 95% or 99.9%`}},
		{"%", result{0, true, `"%" is not a percentage such as 95% or 99.9%`}},
		{"95%%", result{0, true, `"95%%" is not a percentage such as 95% or 99.9%`}},
	}
	for _, tt := range tests {
		v, ok, err := parsePercent(tt.in)
		got := result{V: v, OK: ok}
		if err != nil {
			got.Err = err.Error()
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("parsePercent(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
	// Dividing at run time is what the exact case guards against (constants would be exact).
	if pct := 99.9; pct/100 == 0.999 {
		t.Fatal("99.9/100 is 0.999 here: the exactness case proves nothing")
	}
}

func TestRatioHint(t *testing.T) {
	for in, want := range map[string]string{
		"95":   "(write 0.95 or 95%)",
		"99.9": "(write 0.999 or 99.9%)",
		"1.5":  "(write 0.015 or 1.5%)",
		"150":  "(write 0.95 or 95%)", // no percentage is above 100
		"1e2":  "(write 0.95 or 95%)",
	} {
		v, _ := strconv.ParseFloat(in, 64)
		if got := ratioHint(in, v); got != want {
			t.Errorf("ratioHint(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParsePercent: any text is a percentage or not; one read is at most 100%, and is the number
// before the sign divided by 100, to the last bit or nearly.
func FuzzParsePercent(f *testing.F) {
	for _, s := range []string{"95%", "99.9%", "100%", "100.0001%", "-0%", "1e2%", " 5 %", "%", "0.95", ".%", "5.%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok, err := parsePercent(s)
		if ok != strings.HasSuffix(s, "%") {
			t.Fatalf("parsePercent(%q) ok = %v", s, ok)
		}
		if !ok || err != nil {
			return
		}
		if v > 1 || math.IsNaN(v) {
			t.Fatalf("parsePercent(%q) = %v", s, v)
		}
		n, perr := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 64)
		if perr != nil {
			t.Fatalf("parsePercent(%q) = %v, but the number does not parse: %v", s, v, perr)
		}
		if d := math.Abs(n/100 - v); d > 1e-15*math.Max(1, math.Abs(v)) && d > 1e-300 {
			t.Fatalf("parsePercent(%q) = %v, want about %v", s, v, n/100)
		}
	})
}
