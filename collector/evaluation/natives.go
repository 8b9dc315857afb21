package evaluation

import (
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// nativeComparison compares an objective's cycles with the ticket tool's records of them, when
// its source imports records of its clock: the open cycles and those decided in the current
// period, so that the counts describe the figure being published and settle as the period goes
// on. nil when there is nothing to compare.
func nativeComparison(o *config.Objective, st *ticket.Store, now time.Time) *collector.NativeComparison {
	k := o.Clock.Kind()
	if !st.HasNative(k) {
		return nil
	}
	out := &collector.NativeComparison{}
	start, _ := o.Period.Bounds(now)
	n := nativeScan{o: o, st: st, now: now.Unix(), start: start.Unix()}
	n.each(func(v ticket.View, cycles []ticket.Cycle, c ticket.NativeComparison) {
		out.Cycles++
		out.Disagreements[c.Disagreement]++
	})
	out.Disagreements[ticket.Agree] = 0
	return out
}

// nativeScan walks the comparisons of an objective's tickets at now that belong to the period
// starting at start.
type nativeScan struct {
	o          *config.Objective
	st         *ticket.Store
	now, start int64
}

// each calls fn with every comparison in the period, and the ticket's engine cycles it indexes.
func (n nativeScan) each(fn func(ticket.View, []ticket.Cycle, ticket.NativeComparison)) {
	m := n.o.Select.Compile(n.st)
	cal, k, tol := n.o.Clock.Calendar(), n.o.Clock.Kind(), int64(n.o.NativeTolerance/time.Second)
	var cycles []ticket.Cycle
	var cmps []ticket.NativeComparison
	for i := range n.st.Len() {
		v := n.st.View(i)
		// A ticket without records is not compared: skip it before computing its cycles.
		if v.NativeLen() == 0 || !m.Match(v) {
			continue
		}
		cycles = n.o.Clock.Cycles(n.st, i, n.now, cycles[:0])
		cmps = ticket.CompareNative(v, k, cycles, n.now, tol, cal, cmps[:0])
		for _, c := range cmps {
			if n.inPeriod(v, cycles, c, cal) {
				fn(v, cycles, c)
			}
		}
	}
}

// inPeriod reports whether either side of a comparison is open, or decided in the period: the
// engine's cycle as the drill-down lists it (cycleRow), the tool's when its verdict counts
// (NativeSLA.OutcomeAt), or when it stopped for a breach that no deadline places.
func (n nativeScan) inPeriod(v ticket.View, cycles []ticket.Cycle, c ticket.NativeComparison, cal *calendar.Calendar) bool {
	if c.Cycle >= 0 {
		if _, _, ok := cycleRow(v, &cycles[c.Cycle], n.start, cal); ok {
			return true
		}
	}
	if c.Native < 0 {
		return false
	}
	rec := v.Native(c.Native)
	if rec.Stop.IsZero() || rec.Stop.Unix() > n.now {
		return true
	}
	t, _, ok := rec.OutcomeAt(n.now, cal)
	if !ok {
		t = rec.Stop.Unix()
	}
	return t >= n.start
}

// NativeRow is the ticket tool's own record of a cycle, beside the engine's in a CycleRow.
type NativeRow struct {
	// Name is the tool's name of the SLA; empty for an engine cycle the tool has no record of.
	Name     string     `json:"name,omitempty"`
	Start    *time.Time `json:"start,omitempty"`
	Stop     *time.Time `json:"stop,omitempty"`
	Deadline *time.Time `json:"deadline,omitempty"`
	// Verdict is the tool's verdict at the drill-down's instant: within, paused, met or
	// breached (ticket.Verdict).
	Verdict string `json:"verdict,omitempty"`
	// Comparison is "agree" or the kind of disagreement: verdict, deadline, native_only,
	// engine_only (ticket.Disagreement).
	Comparison string `json:"comparison"`
}

// NativeFilters are the values the native filter takes: the cycles on which the ticket tool's
// records agree, or disagree, with the engine.
var NativeFilters = []string{"agrees", "disagrees"}

// NativeOnlyState is the state of a drill-down row for a cycle the tool has and the engine has
// not; its cycle number is -1.
const NativeOnlyState = "none"

func nativeRow(v ticket.View, c ticket.NativeComparison) NativeRow {
	r := NativeRow{Comparison: c.Disagreement.String()}
	if c.Native < 0 {
		return r
	}
	n := v.Native(c.Native)
	r.Name, r.Verdict, r.Start = n.Name, c.Verdict.String(), &n.Start
	if !n.Stop.IsZero() {
		r.Stop = &n.Stop
	}
	if !n.Deadline.IsZero() {
		r.Deadline = &n.Deadline
	}
	return r
}

// nativeOnlyRow is the drill-down row of a cycle only the tool has.
func nativeOnlyRow(v ticket.View, r NativeRow) CycleRow {
	return CycleRow{Ticket: v.ID(), Cycle: -1, Priority: v.Priority(), Group: v.Group(), State: NativeOnlyState,
		Start: *r.Start, Native: []NativeRow{r}}
}

// nativeAgrees reports whether every record of a cycle agrees with it.
func nativeAgrees(rows []NativeRow) bool {
	for _, r := range rows {
		if r.Comparison != ticket.Agree.String() {
			return false
		}
	}
	return true
}

// drillNatives compares one ticket's cycles with the tool's records for the drill-down: the
// records of each engine cycle, by index, and the rows of the cycles only the tool has; both
// limited to the comparisons the metric counts.
func (n nativeScan) drillNatives(v ticket.View, cycles []ticket.Cycle, buf []ticket.NativeComparison) (per [][]NativeRow, only []CycleRow, _ []ticket.NativeComparison) {
	cal := n.o.Clock.Calendar()
	buf = ticket.CompareNative(v, n.o.Clock.Kind(), cycles, n.now, int64(n.o.NativeTolerance/time.Second), cal, buf[:0])
	per = make([][]NativeRow, len(cycles))
	for _, c := range buf {
		if !n.inPeriod(v, cycles, c, cal) {
			continue
		}
		r := nativeRow(v, c)
		if c.Cycle >= 0 {
			per[c.Cycle] = append(per[c.Cycle], r)
		} else {
			only = append(only, nativeOnlyRow(v, r))
		}
	}
	return per, only, buf
}
