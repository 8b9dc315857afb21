package kpi

import (
	"math"
	"testing"
)

func TestSpec_StatusOf(t *testing.T) {
	higher := Spec{Target: 0.9, Direction: HigherIsBetter}
	higherRed := Spec{Target: 0.9, Red: ptr(0.8), Direction: HigherIsBetter}
	lower := Spec{Target: 3600, Direction: LowerIsBetter}
	lowerRed := Spec{Target: 3600, Red: ptr(7200), Direction: LowerIsBetter}
	tests := []struct {
		name string
		spec Spec
		v    float64
		want Status
	}{
		{"higher: above target", higher, 0.95, Green},
		{"higher: at target", higher, 0.9, Green},
		{"higher: below target, no red", higher, 0.89, Red},
		{"higher: below target, above red", higherRed, 0.85, Amber},
		{"higher: at red", higherRed, 0.8, Amber},
		{"higher: below red", higherRed, 0.79, Red},
		{"lower: below target", lower, 60, Green},
		{"lower: at target", lower, 3600, Green},
		{"lower: above target, no red", lower, 3601, Red},
		{"lower: above target, below red", lowerRed, 5000, Amber},
		{"lower: at red", lowerRed, 7200, Amber},
		{"lower: above red", lowerRed, 7201, Red},
		{"red equal to target leaves no amber", Spec{Target: 10, Red: ptr(10), Direction: LowerIsBetter}, 11, Red},
		{"nothing measured", lowerRed, math.NaN(), Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.spec.StatusOf(tt.v); got != tt.want {
				t.Errorf("StatusOf(%v) = %s, want %s", tt.v, got, tt.want)
			}
		})
	}
}

// StatusOf must not change the spec it rates: it negates a lower-is-better red threshold.
func TestSpec_StatusOf_KeepsSpec(t *testing.T) {
	s := Spec{Target: 1, Red: ptr(2), Direction: LowerIsBetter}
	s.StatusOf(1.5)
	if *s.Red != 2 || s.Target != 1 {
		t.Errorf("StatusOf changed the spec to target %v, red %v", s.Target, *s.Red)
	}
}

func TestStatus_String(t *testing.T) {
	for s, want := range map[Status]string{Unknown: "unknown", Green: "green", Amber: "amber", Red: "red", 9: "status(9)"} {
		if got := s.String(); got != want {
			t.Errorf("Status(%d).String() = %q, want %q", s, got, want)
		}
	}
}
