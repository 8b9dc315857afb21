package kpi

import "fmt"

// Status is a KPI's red/amber/green rating. Its String is the value of the status label.
type Status uint8

// Statuses.
const (
	// Unknown: nothing was measured, so nothing can be rated.
	Unknown Status = iota
	// Green: the target is met.
	Green
	// Amber: the target is missed, but not as far as the red threshold.
	Amber
	// Red: worse than the red threshold, or the target is missed when there is none.
	Red
)

var statusNames = [...]string{"unknown", "green", "amber", "red"}

// String is the status's lower-case name.
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("status(%d)", s)
}

// StatusOf rates a value against the spec's target and red threshold. A value equal to the target
// meets it, and a value equal to the red threshold is amber: only worse than red is red. NaN, the
// value of a KPI with nothing to measure, is Unknown.
func (s Spec) StatusOf(v float64) Status {
	if v != v {
		return Unknown
	}
	// Rating a lower-is-better value is rating its negation higher-is-better.
	target, red := s.Target, s.Red
	if s.Direction == LowerIsBetter {
		v, target = -v, -target
		if red != nil {
			r := -*red
			red = &r
		}
	}
	switch {
	case v >= target:
		return Green
	case red != nil && v >= *red:
		return Amber
	}
	return Red
}
