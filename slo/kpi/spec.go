package kpi

import (
	"errors"
	"fmt"
	"math"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
)

// Spec describes one KPI: what to measure and how to rate it.
type Spec struct {
	// Name identifies the KPI in errors.
	Name string
	// Kind is what to measure.
	Kind Kind
	// Stat summarizes the samples of a duration KPI (mtta, mttr, backlog_age); the others have none.
	Stat Stat
	// Calendar measures a duration KPI in business time; nil measures calendar time.
	Calendar *calendar.Calendar
	// ExcludePaused leaves the time spent in Paused out of mttr.
	ExcludePaused bool
	// Field names the ticket field holding a change's outcome (change_success only), and
	// SuccessValues are the values, compared exactly, that mean success.
	Field         string
	SuccessValues []string
	// Target is the value to meet, in the KPI's unit: seconds, tickets, or a ratio in [0, 1].
	Target float64
	// Direction says whether values above the target or below it are better.
	Direction Direction
	// Red, when set, is the value beyond which a missed target is red rather than amber. It lies on
	// the worse side of the target, or on it.
	Red *float64
}

// Validate reports the first problem with the spec; the error names the KPI and the field.
func (s Spec) Validate() error {
	if err := s.validate(); err != nil {
		return fmt.Errorf("kpi %q: %w", s.Name, err)
	}
	return nil
}

func (s Spec) validate() error {
	if !s.Kind.valid() {
		if s.Kind == 0 {
			return errors.New("kind is not set")
		}
		return fmt.Errorf("kind %d is not a kind", s.Kind)
	}
	if s.Kind.duration() {
		if !s.Stat.valid() {
			return fmt.Errorf("stat is not set for %s (want mean, p50, p90 or max)", s.Kind)
		}
	} else {
		if s.Stat != 0 {
			return fmt.Errorf("stat applies to mtta, mttr and backlog_age, not %s", s.Kind)
		}
		if s.Calendar != nil {
			return fmt.Errorf("calendar applies to mtta, mttr and backlog_age, not %s", s.Kind)
		}
	}
	if s.ExcludePaused && s.Kind != MTTR {
		return fmt.Errorf("exclude_paused applies to mttr, not %s", s.Kind)
	}
	if s.Kind == ChangeSuccess {
		if s.Field == "" {
			return errors.New("field is not set: change_success needs the field holding the outcome")
		}
		if len(s.SuccessValues) == 0 {
			return fmt.Errorf("success_values is empty: no value of field %q would count as a success", s.Field)
		}
	} else if s.Field != "" || len(s.SuccessValues) > 0 {
		return fmt.Errorf("field and success_values apply to change_success, not %s", s.Kind)
	}
	if err := s.checkThreshold("target", s.Target); err != nil {
		return err
	}
	if s.Direction != HigherIsBetter && s.Direction != LowerIsBetter {
		return errors.New("direction is not set (want higher_is_better or lower_is_better)")
	}
	if s.Red != nil {
		red := *s.Red
		if err := s.checkThreshold("red", red); err != nil {
			return err
		}
		if s.Direction == HigherIsBetter && red > s.Target {
			return fmt.Errorf("red %g is above target %g, but higher is better", red, s.Target)
		}
		if s.Direction == LowerIsBetter && red < s.Target {
			return fmt.Errorf("red %g is below target %g, but lower is better", red, s.Target)
		}
	}
	return nil
}

// checkThreshold catches the usual slips: a percentage where a ratio is wanted (95 for 0.95), and
// a negative count or duration, which no ticket can produce.
func (s Spec) checkThreshold(field string, v float64) error {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return fmt.Errorf("%s %g is not a finite number", field, v)
	case s.Kind.ratio() && (v < 0 || v > 1):
		return fmt.Errorf("%s %g is not a ratio in [0, 1] (%s is a ratio: write 0.95, not 95)", field, v, s.Kind)
	case v < 0:
		return fmt.Errorf("%s %g is negative", field, v)
	}
	return nil
}
