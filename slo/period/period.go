package period

import (
	"fmt"
	"time"
)

// MaxRollingDays is the longest rolling period accepted, ten years of days. The bound keeps
// Days×24h far from the limit of time.Duration.
const MaxRollingDays = 3660

// Period is a compliance period. Build one with Parse, or literally and check it with Validate.
type Period struct {
	// Kind is the shape of the period.
	Kind Kind
	// Days is the length of a Rolling period, 1 to MaxRollingDays; it must be 0 for the
	// calendar kinds.
	Days int
	// Location is the time zone of the calendar kinds; nil means UTC. Rolling periods ignore it.
	Location *time.Location
}

// Validate reports whether p is usable; the other methods panic on a Period that fails it, the
// way time.Date panics on a nil Location, because the mistake is in the program, not the data.
func (p Period) Validate() error {
	switch p.Kind {
	case Week, Month, Quarter, Year:
		if p.Days != 0 {
			return fmt.Errorf("%s period: days must be 0, got %d", p.Kind, p.Days)
		}
		return nil
	case Rolling:
		if p.Days < 1 || p.Days > MaxRollingDays {
			return fmt.Errorf("rolling period of %d days: need 1 to %d", p.Days, MaxRollingDays)
		}
		return nil
	}
	return fmt.Errorf("unknown period kind %d", int(p.Kind))
}

// Calendar reports whether p follows the local calendar (week, month, quarter, year) rather than
// rolling with the evaluation instant.
func (p Period) Calendar() bool {
	return p.Kind >= Week && p.Kind <= Year
}

// String returns the text Parse turns back into p, given the same Location: "week", "month",
// "quarter", "year" or "rolling:30d".
func (p Period) String() string {
	if err := p.Validate(); err != nil {
		return fmt.Sprintf("invalid(kind=%d,days=%d)", int(p.Kind), p.Days)
	}
	if p.Kind == Rolling {
		return fmt.Sprintf("rolling:%dd", p.Days)
	}
	return p.Kind.String()
}

func (p Period) mustValidate() {
	if err := p.Validate(); err != nil {
		panic("period: " + err.Error())
	}
}

func (p Period) location() *time.Location {
	if p.Location == nil {
		return time.UTC
	}
	return p.Location
}

func (p Period) rollingLength() time.Duration {
	return time.Duration(p.Days) * 24 * time.Hour
}
