package ticket

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
)

// Kind is what an SLA clock measures.
type Kind uint8

// Clock kinds.
const (
	// Response measures the time to the first response.
	Response Kind = iota
	// Resolution measures the time to resolution, pauses excluded.
	Resolution
)

var kindNames = [...]string{"response", "resolution"}

// String is the lower-case name used in configuration and output.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// ParseKind reads a clock kind name.
func ParseKind(s string) (Kind, error) {
	for i, n := range kindNames {
		if strings.EqualFold(s, n) {
			return Kind(i), nil
		}
	}
	return 0, fmt.Errorf("unknown clock kind %q (want response or resolution)", s)
}

// ReopenPolicy is what a resolution clock does when a resolved or closed ticket is reopened.
type ReopenPolicy uint8

// Reopen policies.
const (
	// NewCycle (the default) starts a new cycle at the reopen instant, with the same target and
	// nothing elapsed; the earlier cycle keeps its outcome.
	NewCycle ReopenPolicy = iota
	// Resume continues the same cycle: the time spent resolved is not counted, and the cycle's
	// outcome is decided when it stops for the last time, so a met cycle may become breached.
	Resume
)

var reopenNames = [...]string{"new_cycle", "resume"}

// String is the lower-case name used in configuration and output.
func (p ReopenPolicy) String() string {
	if int(p) < len(reopenNames) {
		return reopenNames[p]
	}
	return fmt.Sprintf("reopen(%d)", p)
}

// ParseReopenPolicy reads a reopen policy name.
func ParseReopenPolicy(s string) (ReopenPolicy, error) {
	for i, n := range reopenNames {
		if strings.EqualFold(s, n) {
			return ReopenPolicy(i), nil
		}
	}
	return 0, fmt.Errorf("unknown reopen policy %q (want new_cycle or resume)", s)
}

// DefaultWarnAt is the fraction of its target after which a running cycle is at risk.
const DefaultWarnAt = 0.75

// DefaultTarget is the Targets key that applies to priorities not listed.
const DefaultTarget = "*"

// ClockSpec describes an SLA clock.
type ClockSpec struct {
	Kind Kind
	// Calendar is the business time the clock counts; nil means calendar.AlwaysOn (24x7).
	Calendar *calendar.Calendar
	// Targets are the business time allowed, by priority; the key "*" is the default for
	// priorities not listed. A ticket whose priority has no target is not covered: it has no
	// cycles. Targets are positive whole seconds.
	Targets map[string]time.Duration
	// BusinessDays are targets in working days of the calendar, by priority, with the same "*"
	// default (a configuration's "5bd"). A cycle's deadline is then the end of the nth working day
	// after the date it starts (calendar.DaysDeadlineUnix: the day it starts never counts), and
	// its target the working time from its start to that deadline, fixed when it starts, so a
	// pause pushes the deadline as it pushes any target. A priority has a target in Targets or
	// here, not in both.
	BusinessDays map[string]int
	// PauseOn lists the status categories that pause the clock. Nil means the default: {Paused}
	// for a resolution clock, none for a response clock. A non-nil empty list means none. Only
	// Paused can pause a clock: open runs it, and resolved, closed and cancelled stop it.
	PauseOn []Category
	// Reopen is the resolution clock's reopen policy; a response clock never reopens and ignores
	// it.
	Reopen ReopenPolicy
	// WarnAt is the fraction of the target after which a running or paused cycle is at risk, in
	// (0, 1]; zero means DefaultWarnAt.
	WarnAt float64
}

// target is a priority's target, in seconds, and the elapsed seconds from which a cycle is at
// risk: ceil(WarnAt × target), the least whole number of seconds >= WarnAt × target. A target in
// working days has days > 0 and its seconds are worked out for each cycle (see cycleTarget).
type target struct {
	secs, warn int64
	days       int
}

// unreachable is the target, in seconds, of a cycle whose deadline in working days lies beyond the
// calendar's span: no elapsed time reaches it, and adding a day of seconds to it cannot overflow.
const unreachable = math.MaxInt64 / 4

// maxBusinessDays bounds a target in working days: ten years of them is no service level.
const maxBusinessDays = 2500

// Clock computes SLA cycles from tickets' status histories. It is immutable and safe for
// concurrent use.
type Clock struct {
	kind    Kind
	cal     *calendar.Calendar
	targets map[string]target
	def     target // secs 0: no default
	pause   [Cancelled + 1]bool
	reopen  ReopenPolicy
	warnAt  float64
}

// NewClock validates a spec and builds its clock. Errors name the field at fault.
func NewClock(spec ClockSpec) (*Clock, error) {
	if int(spec.Kind) >= len(kindNames) {
		return nil, fmt.Errorf("clock: unknown kind %d (want response or resolution)", spec.Kind)
	}
	fail := func(format string, args ...any) (*Clock, error) {
		return nil, fmt.Errorf("%s clock: "+format, append([]any{spec.Kind}, args...)...)
	}
	if int(spec.Reopen) >= len(reopenNames) {
		return fail("reopen: unknown policy %d (want new_cycle or resume)", spec.Reopen)
	}
	c := &Clock{kind: spec.Kind, cal: spec.Calendar, reopen: spec.Reopen, warnAt: spec.WarnAt}
	if c.cal == nil {
		c.cal = calendar.AlwaysOn
	}
	if c.warnAt == 0 {
		c.warnAt = DefaultWarnAt
	}
	if !(c.warnAt > 0 && c.warnAt <= 1) { // also rejects NaN
		return fail("warn_at: %v is not a fraction in (0, 1]", spec.WarnAt)
	}
	pauseOn := spec.PauseOn
	if pauseOn == nil && spec.Kind == Resolution {
		pauseOn = []Category{Paused}
	}
	for _, cat := range pauseOn {
		if cat != Paused {
			return fail("pause_on: category %s cannot pause a clock (only paused can: open runs it; resolved, closed and cancelled stop it)", cat)
		}
		c.pause[cat] = true
	}
	if len(spec.Targets)+len(spec.BusinessDays) == 0 {
		return fail("targets: none set (a clock with no target covers no ticket)")
	}
	prios := make([]string, 0, len(spec.Targets)+len(spec.BusinessDays))
	for p := range spec.Targets {
		prios = append(prios, p)
	}
	for p := range spec.BusinessDays {
		if _, both := spec.Targets[p]; both {
			return fail("targets: priority %q has a target both in business time and in working days", p)
		}
		prios = append(prios, p)
	}
	sort.Strings(prios) // report the first bad target deterministically
	c.targets = make(map[string]target, len(prios))
	for _, p := range prios {
		var t target
		if n, ok := spec.BusinessDays[p]; ok {
			if n <= 0 || n > maxBusinessDays {
				return fail("targets: target of %d working days for priority %q is not between 1 and %d", n, p, maxBusinessDays)
			}
			t.days = n
		} else {
			d := spec.Targets[p]
			if d <= 0 {
				return fail("targets: target %s for priority %q is not positive", d, p)
			}
			if d%time.Second != 0 {
				return fail("targets: target %s for priority %q is not a whole number of seconds", d, p)
			}
			t.secs = int64(d / time.Second)
			t.warn = c.warnOf(t.secs)
		}
		if p == DefaultTarget {
			c.def = t
		} else {
			c.targets[p] = t
		}
	}
	return c, nil
}

func (c *Clock) warnOf(secs int64) int64 {
	return min(secs, int64(math.Ceil(c.warnAt*float64(secs))))
}

// cycleTarget is the target, in seconds, and the at-risk threshold of a cycle starting at start:
// the priority's own for a target in business time, the working time from start to the end of
// the nth working day after its date for one in working days.
func (c *Clock) cycleTarget(t target, start int64) (secs, warn int64) {
	if t.days == 0 {
		return t.secs, t.warn
	}
	deadline := c.cal.DaysDeadlineUnix(start, t.days)
	if deadline == calendar.Never {
		return unreachable, unreachable
	}
	secs = c.cal.DurationUnix(start, deadline)
	return secs, c.warnOf(secs)
}

// Kind is the clock's kind.
func (c *Clock) Kind() Kind { return c.kind }

// Calendar is the business-time calendar the clock counts in (calendar.AlwaysOn by default).
func (c *Clock) Calendar() *calendar.Calendar { return c.cal }

// Reopen is the clock's reopen policy.
func (c *Clock) Reopen() ReopenPolicy { return c.reopen }

// WarnAt is the at-risk fraction of the target.
func (c *Clock) WarnAt() float64 { return c.warnAt }

// PauseOn lists the categories that pause the clock.
func (c *Clock) PauseOn() []Category {
	var cats []Category
	for cat, p := range c.pause {
		if p {
			cats = append(cats, Category(cat))
		}
	}
	return cats
}

// Target is the target for a priority (the "*" default when the priority is not listed), and
// whether the clock covers that priority at all. A target in working days has no fixed duration:
// Target returns 0 for it, and BusinessDays the number of days.
func (c *Clock) Target(priority string) (time.Duration, bool) {
	t, ok := c.target(priority)
	return time.Duration(t.secs) * time.Second, ok
}

// BusinessDays is the target in working days for a priority (the "*" default when the priority is
// not listed); 0 when its target is in business time or the clock does not cover it.
func (c *Clock) BusinessDays(priority string) int {
	t, _ := c.target(priority)
	return t.days
}

// Priorities lists the priorities with a target of their own, sorted, "*" excluded.
func (c *Clock) Priorities() []string {
	ps := make([]string, 0, len(c.targets))
	for p := range c.targets {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}

func (c *Clock) target(priority string) (target, bool) {
	if t, ok := c.targets[priority]; ok {
		return t, true
	}
	return c.def, c.def.secs > 0 || c.def.days > 0
}
