// Package contract turns the attainments of a contract's objectives into a service credit: the
// share of the period's fee a supplier owes back when it missed its promises.
package contract

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Tier is one step of a credit schedule: an attainment strictly below Below earns Credit, a
// ratio of the fee in [0, 1]. Attainment exactly at Below is not below it.
type Tier struct {
	Below  float64
	Credit float64
}

// Aggregate combines the credits of a contract's objectives.
type Aggregate uint8

// Aggregates.
const (
	// Max credits the worst objective only (the zero value, and the usual contract wording).
	Max Aggregate = iota
	// Sum adds the credits of all objectives, up to the cap.
	Sum
)

var aggregateNames = [...]string{"max", "sum"}

// String is the aggregate's configuration name.
func (a Aggregate) String() string {
	if int(a) < len(aggregateNames) {
		return aggregateNames[a]
	}
	return fmt.Sprintf("aggregate(%d)", a)
}

// ParseAggregate reads an aggregate's configuration name.
func ParseAggregate(s string) (Aggregate, error) {
	for i, n := range aggregateNames {
		if strings.EqualFold(s, n) {
			return Aggregate(i), nil
		}
	}
	return 0, fmt.Errorf("unknown aggregate %q (want max or sum)", s)
}

// Spec is a contract's credit terms.
type Spec struct {
	// Name identifies the contract in errors.
	Name string
	// Tiers may be listed in any order; an attainment earns the credit of the tier with the
	// lowest Below it is under.
	Tiers []Tier
	// Fee is the period's fee in Currency; zero when only the credit ratio is of interest.
	Fee       float64
	Currency  string
	Aggregate Aggregate
	// Cap bounds the total credit ratio; zero means 1, the whole fee.
	Cap float64
}

// Validate reports the first problem with the spec; the error names the contract and the field,
// and a tier by its index as listed.
func (s Spec) Validate() error {
	if err := s.validate(); err != nil {
		return fmt.Errorf("contract %q: %w", s.Name, err)
	}
	return nil
}

func (s Spec) validate() error {
	if len(s.Tiers) == 0 {
		// Without tiers every period would credit zero, which reads as "all promises kept".
		return errors.New("no credit tiers")
	}
	for i, t := range s.Tiers {
		if !(t.Below > 0 && t.Below <= 1) {
			return fmt.Errorf("tiers[%d]: below %g is not an attainment in (0, 1] (write 0.999, not 99.9)", i, t.Below)
		}
		if !(t.Credit >= 0 && t.Credit <= 1) {
			return fmt.Errorf("tiers[%d]: credit %g is not a ratio of the fee in [0, 1] (write 0.1, not 10)", i, t.Credit)
		}
		for j, u := range s.Tiers[:i] {
			if u.Below == t.Below {
				return fmt.Errorf("tiers[%d]: below %g repeats tiers[%d]", i, t.Below, j)
			}
			// A worse attainment must never earn a smaller credit: the schedule is a typo otherwise.
			if t.Below < u.Below && t.Credit < u.Credit || t.Below > u.Below && t.Credit > u.Credit {
				return fmt.Errorf("tiers[%d] (below %g: credit %g) and tiers[%d] (below %g: credit %g): a lower attainment must not earn a smaller credit", j, u.Below, u.Credit, i, t.Below, t.Credit)
			}
		}
	}
	if math.IsNaN(s.Fee) || math.IsInf(s.Fee, 0) || s.Fee < 0 {
		return fmt.Errorf("fee %g is not a finite amount >= 0", s.Fee)
	}
	if s.Fee > 0 && s.Currency == "" {
		return fmt.Errorf("currency is not set for fee %g", s.Fee)
	}
	if s.Aggregate != Max && s.Aggregate != Sum {
		return fmt.Errorf("aggregate %d is not max or sum", s.Aggregate)
	}
	if !(s.Cap >= 0 && s.Cap <= 1) {
		return fmt.Errorf("cap %g is not a ratio of the fee in [0, 1] (0 means 1)", s.Cap)
	}
	return nil
}
