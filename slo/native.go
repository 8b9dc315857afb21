package slo

import (
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// addNative counts a ticket's native records of the objective's clock instead of its engine
// cycles (verdict: native): each record's verdict counts at OutcomeAt, and its undecided records
// are the open cycles of the forecast.
//
// The tool's records say nothing of how much of their target they used, so the forecast borrows
// it from the engine: the distribution of completed cycles is the engine's (the same tickets,
// recomputed), and an undecided record's share of its target is that of the engine cycle it
// pairs with (ticket.CompareNative), when that one is undecided too. Otherwise, for a running
// record with a deadline, it is the working time since its start over the working time from its
// start to its deadline, on the objective's calendar; with neither, it is 0, which makes its
// breach probability the share of completed cycles that breached.
func (s *ticketScan) addNative(v ticket.View, clock *ticket.Clock, cycles []ticket.Cycle, now, start int64) {
	for j := range cycles {
		s.addCompleted(&cycles[j])
	}
	s.pairs = ticket.CompareNative(v, clock.Kind(), cycles, now, 0, s.cal, s.pairs[:0])
	for _, p := range s.pairs {
		if p.Native < 0 {
			continue
		}
		n := v.Native(p.Native)
		t, good, ok := n.OutcomeAt(now, s.cal)
		s.count(t, good, ok, now, start)
		switch p.Verdict {
		case ticket.VerdictBreached:
			if n.Stop.IsZero() || n.Stop.Unix() > now {
				s.open.Breached++
				s.escalate(nativeBreachedShare(p, cycles))
			}
			continue
		case ticket.VerdictMet:
			continue
		}
		ratio := nativeRatio(&n, p, cycles, now, s)
		switch {
		case p.Verdict == ticket.VerdictPaused:
			s.open.Paused++
		case ratio >= clock.WarnAt():
			s.open.AtRisk++
		default:
			s.open.Within++
		}
		s.openRatios = append(s.openRatios, ratio)
		s.escalate(ratio)
	}
}

// nativeBreachedShare is the share of its target an open record the tool calls breached has
// used: its engine cycle's when that is open and past its target too, else exactly 1 (the tool
// says the target is used up, and a record alone does not say by how much).
func nativeBreachedShare(p ticket.NativeComparison, cycles []ticket.Cycle) float64 {
	if p.Cycle >= 0 {
		if c := &cycles[p.Cycle]; c.Stop == 0 && c.Target > 0 && c.Elapsed > c.Target {
			return float64(c.Elapsed) / float64(c.Target)
		}
	}
	return 1
}

// nativeRatio is the share of its target an undecided native record has used (see addNative).
func nativeRatio(n *ticket.NativeSLA, p ticket.NativeComparison, cycles []ticket.Cycle, now int64, s *ticketScan) float64 {
	if p.Cycle >= 0 {
		if c := &cycles[p.Cycle]; (c.State == ticket.InProgress || c.State == ticket.PausedState) && c.Target > 0 {
			return float64(c.Elapsed) / float64(c.Target)
		}
	}
	if n.Deadline.IsZero() || p.Verdict != ticket.VerdictWithin {
		return 0
	}
	total := s.cal.DurationUnix(n.Start.Unix(), n.Deadline.Unix())
	if total <= 0 {
		return 1
	}
	return float64(s.cal.DurationUnix(n.Start.Unix(), now)) / float64(total)
}
