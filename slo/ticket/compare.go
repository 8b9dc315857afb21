package ticket

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
)

// Verdict is a ticket tool's verdict on one of its SLA cycles at an instant.
type Verdict uint8

// Verdicts of a native cycle.
const (
	// VerdictWithin: the cycle runs and is not past its deadline.
	VerdictWithin Verdict = iota
	// VerdictPaused: the cycle is paused and the tool does not say it breached.
	VerdictPaused
	// VerdictMet: the cycle stopped in time.
	VerdictMet
	// VerdictBreached: the cycle is, or stopped, past its deadline.
	VerdictBreached
)

var verdictNames = [...]string{"within", "paused", "met", "breached"}

// String is the lower-case name used in output.
func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return fmt.Sprintf("verdict(%d)", v)
}

// VerdictAt is the tool's verdict on the cycle at now (Unix seconds), and false when the cycle
// had not started by then, or the record does not say when it started. The tool's record is as of the last sync, so the verdict is carried
// forward to now as far as the record allows: a running, unpaused cycle whose deadline has
// passed since is breached, as the tool will say at its next read. A cycle that stops after now
// (an evaluation of an earlier instant) was running then, breached only past its deadline.
func (n *NativeSLA) VerdictAt(now int64) (Verdict, bool) {
	if n.Start.IsZero() || n.Start.Unix() > now {
		return 0, false
	}
	pastDeadline := !n.Deadline.IsZero() && n.Deadline.Unix() < now
	switch {
	case !n.Stop.IsZero() && n.Stop.Unix() <= now:
		if n.Breached {
			return VerdictBreached, true
		}
		return VerdictMet, true
	case !n.Stop.IsZero():
		if n.Breached && pastDeadline {
			return VerdictBreached, true
		}
		return VerdictWithin, true
	case n.Breached || !n.Paused && pastDeadline:
		return VerdictBreached, true
	case n.Paused:
		return VerdictPaused, true
	}
	return VerdictWithin, true
}

// OutcomeAt is when the tool's verdict on the cycle counts for or against an objective, as the
// engine counts its own cycles: a met cycle at its stop, a breached one at the first working
// instant after its deadline (on cal), or at its stop when the tool gives no deadline. ok is
// false while the cycle is undecided at now, and for a breached cycle that neither has a
// deadline nor stopped, which no period can hold yet. The instant may be after now (a deadline
// at the close of a working day is a breach of the next working morning): callers count it
// only once now reaches it.
func (n *NativeSLA) OutcomeAt(now int64, cal *calendar.Calendar) (t int64, good, ok bool) {
	v, started := n.VerdictAt(now)
	switch {
	case !started:
		return 0, false, false
	case v == VerdictMet:
		return n.Stop.Unix(), true, true
	case v != VerdictBreached:
		return 0, false, false
	case !n.Deadline.IsZero():
		return BreachCounts(n.Deadline.Unix(), cal), false, true
	case !n.Stop.IsZero() && n.Stop.Unix() <= now:
		return n.Stop.Unix(), false, true
	}
	return 0, false, false
}

// Disagreement is how the engine's cycle and the tool's record of it differ.
type Disagreement uint8

// Disagreements, the most telling first: a compared cycle is counted under one of them.
const (
	// Agree: both say breached, or neither does, and the deadlines agree where both have one.
	Agree Disagreement = iota
	// VerdictDiffers: one says breached, the other met, within or paused.
	VerdictDiffers
	// DeadlineDiffers: the verdicts agree but the deadlines are further apart than the
	// tolerance, in working time.
	DeadlineDiffers
	// NativeOnly: the tool has a cycle the engine has not (a reopen the engine resumes, a
	// priority without a target).
	NativeOnly
	// EngineOnly: the engine has a cycle the tool has not, on a ticket the tool measures on
	// that clock.
	EngineOnly
)

// Disagreements lists every kind of disagreement, in the order of the constants; the
// exposition emits one series per kind.
var Disagreements = []Disagreement{VerdictDiffers, DeadlineDiffers, NativeOnly, EngineOnly}

var disagreementNames = [...]string{"agree", "verdict", "deadline", "native_only", "engine_only"}

// String is the lower-case name used in metric labels and output.
func (d Disagreement) String() string {
	if int(d) < len(disagreementNames) {
		return disagreementNames[d]
	}
	return fmt.Sprintf("disagreement(%d)", d)
}

// NativeComparison is one cycle of a ticket as the engine and the ticket tool see it.
type NativeComparison struct {
	// Cycle is the index of the engine's cycle in the cycles compared, -1 when it has none.
	Cycle int
	// Native is the index of the tool's record (View.Native), -1 when it has none.
	Native int
	// Verdict is the tool's verdict at the comparison instant, when Native is not -1.
	Verdict      Verdict
	Disagreement Disagreement
}

// CompareNative compares the engine's cycles of ticket v on a clock of kind k (as Clock.Cycles
// computed them at now) with the tool's records of that clock, and appends one comparison per
// cycle of either side to out. A ticket with no record of the clock started by now is not
// compared: the tool does not measure it on that clock. Records without a start are left out.
//
// The records of each SLA name, in start order, are paired with the engine's cycles in order:
// the tool's first cycle with the engine's first, and so on, so that two sides that start their
// cycles at slightly different instants (a tool starting its clock on a status change a second
// after the creation) are still compared. Cycles one side has beyond the other's are NativeOnly
// or EngineOnly; an engine cycle no SLA name pairs with is EngineOnly once.
//
// A pair disagrees on its verdict when exactly one side says breached (the engine's cancelled
// cycles are not breached); otherwise on its deadline when both have one and they are more than
// tolerance seconds of working time on cal apart. Deadlines are compared for running and
// breached cycles: a paused cycle's deadline moves with the pause, and a met cycle's no longer
// matters.
func CompareNative(v View, k Kind, cycles []Cycle, now, tolerance int64, cal *calendar.Calendar, out []NativeComparison) []NativeComparison {
	base := int(v.r.native)
	var recs []int
	var names []uint32
	for j := range v.NativeLen() {
		r := &v.s.natives[base+j]
		if r.clock == uint8(k)+1 && r.start != noTime && r.start <= now {
			recs = append(recs, j)
			if !slices.Contains(names, r.name) {
				names = append(names, r.name)
			}
		}
	}
	if len(recs) == 0 {
		return out
	}
	paired := make([]bool, len(cycles))
	var own []int
	for _, name := range names {
		own = own[:0]
		for _, j := range recs {
			if v.s.natives[base+j].name == name {
				own = append(own, j)
			}
		}
		slices.SortStableFunc(own, func(a, b int) int { return cmp.Compare(v.s.natives[base+a].start, v.s.natives[base+b].start) })
		for n, j := range own {
			rec := v.Native(j)
			verdict, _ := rec.VerdictAt(now)
			c := NativeComparison{Cycle: -1, Native: j, Verdict: verdict, Disagreement: NativeOnly}
			if n < len(cycles) {
				c.Cycle, paired[n] = n, true
				c.Disagreement = judge(&cycles[n], &rec, verdict, tolerance, cal)
			}
			out = append(out, c)
		}
	}
	for n, p := range paired {
		if !p {
			out = append(out, NativeComparison{Cycle: n, Native: -1, Disagreement: EngineOnly})
		}
	}
	return out
}

// judge compares one engine cycle with the tool's record of it.
func judge(c *Cycle, n *NativeSLA, verdict Verdict, tolerance int64, cal *calendar.Calendar) Disagreement {
	if (c.State == Breached) != (verdict == VerdictBreached) {
		return VerdictDiffers
	}
	ours := c.Deadline
	if c.State != InProgress && c.State != Breached || ours == 0 || ours == calendar.Never {
		return Agree
	}
	if n.Deadline.IsZero() || verdict == VerdictPaused || verdict == VerdictMet {
		return Agree
	}
	theirs := n.Deadline.Unix()
	if cal.DurationUnix(min(ours, theirs), max(ours, theirs)) > tolerance {
		return DeadlineDiffers
	}
	return Agree
}
