package availability

import (
	"fmt"
	"time"
)

// Defaults applied to zero Config fields.
const (
	// DefaultSlice is the slice length when Config.Slice is 0.
	DefaultSlice = time.Minute
	// DefaultGoodThreshold is the threshold when Config.GoodThreshold is 0: a slice must be
	// fully up.
	DefaultGoodThreshold = 1.0
	// DefaultMaxSampleAge is how long a sample holds when Config.MaxSampleAge is 0: five probe
	// intervals of a minute, so a single lost probe leaves no gap.
	DefaultMaxSampleAge = 5 * time.Minute
)

// Limits on Config and Build.
const (
	// MinSlice is the shortest slice; shorter ones would judge sub-second noise.
	MinSlice = time.Second
	// MaxSlice is the longest slice.
	MaxSlice = 24 * time.Hour
	// MaxMaxSampleAge is the longest a sample may hold; it also keeps sample arithmetic far
	// from overflow.
	MaxMaxSampleAge = 31 * 24 * time.Hour
	// MaxRecurring is the longest a recurring window may stay open.
	MaxRecurring = 7 * 24 * time.Hour
	// MaxSlices bounds a Timeline to about 32 MB: a year of 1-minute slices (525,600) fits with
	// room to spare, a year of 1-second slices (31,536,000) just fits.
	MaxSlices = 1 << 25
)

// GapPolicy says how time without data counts.
type GapPolicy uint8

const (
	// GapExcluded removes missing time from its slice, like maintenance; a slice with no data
	// at all is Excluded. Counts.Covered still shows the gap.
	GapExcluded GapPolicy = iota
	// GapGood counts missing time as up.
	GapGood
	// GapBad counts missing time as down.
	GapBad
)

// String returns the lowercase name of g.
func (g GapPolicy) String() string {
	switch g {
	case GapExcluded:
		return "excluded"
	case GapGood:
		return "good"
	case GapBad:
		return "bad"
	}
	return fmt.Sprintf("gappolicy(%d)", uint8(g))
}

// Window is a one-off maintenance window over [Start, End).
type Window struct {
	Start, End time.Time
}

// Recurring is a maintenance window repeated on some weekdays, such as every Sunday 02:00-04:00
// Europe/Rome: Weekdays {time.Sunday}, Start 2h, Duration 2h.
//
// Start is a wall-clock time of day in Location: "02:00" means the clock reads 02:00, also on
// DST days. When clocks read it twice the window opens at the first; when they skip it, at the
// jump. Duration is elapsed time from there, so every occurrence lasts exactly Duration.
type Recurring struct {
	// Weekdays are the local days the window opens on; empty means every day.
	Weekdays []time.Weekday
	// Start is the local time of day the window opens, in [0, 24h).
	Start time.Duration
	// Duration is how long the window stays open, in (0, MaxRecurring]; it may run past
	// midnight.
	Duration time.Duration
	// Location is the time zone of Weekdays and Start; nil means UTC.
	Location *time.Location
}

// Config says how to judge slices. The zero value of every field but Maintenance and Recurring
// means its default.
type Config struct {
	// Slice is the length of a timeslice, MinSlice to MaxSlice; slices are aligned on multiples
	// of Slice since the Unix epoch, so 1m slices start on whole UTC minutes. Default 1m.
	Slice time.Duration
	// GoodThreshold is the up-fraction, in (0, 1], a slice needs to be Good. The default 1.0
	// asks for a slice fully up: one down second spoils it, which is the usual reading of a
	// timeslice SLO; 0.9 would forgive 6 seconds in a minute.
	GoodThreshold float64
	// DegradedWeight, in [0, 1], is the share of degraded time that counts as up. Default 0:
	// degraded is as bad as down.
	DegradedWeight float64
	// MaxSampleAge is how long a sample holds at most, in (0, MaxMaxSampleAge]; past it, if no
	// newer sample came, the time is missing data. Default 5m.
	MaxSampleAge time.Duration
	// Maintenance lists one-off windows removed from evaluation.
	Maintenance []Window
	// Recurring lists repeated windows removed from evaluation.
	Recurring []Recurring
	// Gaps says how missing data counts. Default GapExcluded.
	Gaps GapPolicy
}

// Validate reports the first problem with c, after defaults are applied.
func (c Config) Validate() error {
	_, err := c.normalize()
	return err
}

// normalize returns c with defaults applied, or why it cannot be used.
func (c Config) normalize() (Config, error) {
	if c.Slice == 0 {
		c.Slice = DefaultSlice
	}
	if c.GoodThreshold == 0 {
		c.GoodThreshold = DefaultGoodThreshold
	}
	if c.MaxSampleAge == 0 {
		c.MaxSampleAge = DefaultMaxSampleAge
	}
	if c.Slice < MinSlice || c.Slice > MaxSlice {
		return c, fmt.Errorf("slice %v: need %v to %v", c.Slice, MinSlice, MaxSlice)
	}
	// The negated comparisons also catch NaN.
	if !(c.GoodThreshold > 0 && c.GoodThreshold <= 1) {
		return c, fmt.Errorf("good threshold %v: need more than 0, at most 1", c.GoodThreshold)
	}
	if !(c.DegradedWeight >= 0 && c.DegradedWeight <= 1) {
		return c, fmt.Errorf("degraded weight %v: need 0 to 1", c.DegradedWeight)
	}
	if c.MaxSampleAge < 0 || c.MaxSampleAge > MaxMaxSampleAge {
		return c, fmt.Errorf("max sample age %v: need more than 0, at most %v", c.MaxSampleAge, MaxMaxSampleAge)
	}
	if c.Gaps > GapBad {
		return c, fmt.Errorf("unknown gap policy %d", uint8(c.Gaps))
	}
	for i, w := range c.Maintenance {
		if !w.Start.Before(w.End) {
			return c, fmt.Errorf("maintenance window %d: end %v is not after start %v", i, w.End, w.Start)
		}
	}
	for i, r := range c.Recurring {
		if err := r.validate(); err != nil {
			return c, fmt.Errorf("recurring window %d: %w", i, err)
		}
	}
	return c, nil
}

func (r Recurring) validate() error {
	for _, d := range r.Weekdays {
		if d < time.Sunday || d > time.Saturday {
			return fmt.Errorf("invalid weekday %d", int(d))
		}
	}
	if r.Start < 0 || r.Start >= 24*time.Hour {
		return fmt.Errorf("start %v: need a time of day in [0, 24h)", r.Start)
	}
	if r.Duration <= 0 || r.Duration > MaxRecurring {
		return fmt.Errorf("duration %v: need more than 0, at most %v", r.Duration, MaxRecurring)
	}
	return nil
}
