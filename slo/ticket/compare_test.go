package ticket

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// res is a tool's resolution record named "TTR".
func res(start, deadline, stop string, breached, paused bool) NativeSLA {
	n := NativeSLA{Name: "TTR", Clock: "resolution", Start: tm(start), Breached: breached, Paused: paused}
	if deadline != "" {
		n.Deadline = tm(deadline)
	}
	if stop != "" {
		n.Stop = tm(stop)
	}
	return n
}

func TestNativeVerdictAndOutcome(t *testing.T) {
	cal := office(t)
	now := ts("2025-03-12 12:00") // a Wednesday
	tests := []struct {
		name    string
		n       NativeSLA
		verdict Verdict
		started bool
		outcome int64 // 0: none
		good    bool
	}{
		{"met", res("2025-03-10 10:00", "2025-03-11 10:00", "2025-03-10 15:00", false, false), VerdictMet, true, ts("2025-03-10 15:00"), true},
		// The breach is a fact at the first working instant after the deadline: Tuesday's
		// opening for a deadline at Monday's close.
		{"breached and stopped", res("2025-03-10 09:00", "2025-03-10 17:00", "2025-03-11 11:00", true, false), VerdictBreached, true, ts("2025-03-11 09:00"), false},
		{"breached mid-day", res("2025-03-10 09:00", "2025-03-11 10:30", "", true, false), VerdictBreached, true, ts("2025-03-11 10:30"), false},
		{"breached, no deadline, stopped", res("2025-03-10 09:00", "", "2025-03-11 11:00", true, false), VerdictBreached, true, ts("2025-03-11 11:00"), false},
		{"breached, no deadline, running: no period can hold it", res("2025-03-10 09:00", "", "", true, false), VerdictBreached, true, 0, false},
		// Read at 10:30 before its 11:00 deadline; running and unpaused, it is past it now.
		{"past its deadline since the read", res("2025-03-12 09:00", "2025-03-12 11:00", "", false, false), VerdictBreached, true, ts("2025-03-12 11:00"), false},
		{"paused past its deadline: the deadline moves", res("2025-03-12 09:00", "2025-03-12 11:00", "", false, true), VerdictPaused, true, 0, false},
		{"within", res("2025-03-12 09:00", "2025-03-12 17:00", "", false, false), VerdictWithin, true, 0, false},
		// Evaluated before it stopped (a frozen period): running then.
		{"stops after now, in time", res("2025-03-12 09:00", "2025-03-12 17:00", "2025-03-12 13:00", false, false), VerdictWithin, true, 0, false},
		{"stops after now, breached then", res("2025-03-12 09:00", "2025-03-12 11:00", "2025-03-12 13:00", true, false), VerdictBreached, true, ts("2025-03-12 11:00"), false},
		{"stops after now, not breached then", res("2025-03-12 09:00", "2025-03-12 14:00", "2025-03-12 15:00", true, false), VerdictWithin, true, 0, false},
		{"not started", res("2025-03-12 12:00:01", "", "", false, false), 0, false, 0, false},
		{"no start", NativeSLA{Name: "next_reply_time", Clock: "response", Deadline: tm("2025-03-12 10:00"), Breached: true}, 0, false, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, started := tc.n.VerdictAt(now)
			if v != tc.verdict || started != tc.started {
				t.Errorf("VerdictAt = %s, %v; want %s, %v", v, started, tc.verdict, tc.started)
			}
			at, good, ok := tc.n.OutcomeAt(now, cal)
			if ok != (tc.outcome != 0) || at != tc.outcome || good != tc.good {
				t.Errorf("OutcomeAt = %s, %v, %v; want %s, %v", time.Unix(at, 0).In(rome), good, ok, time.Unix(tc.outcome, 0).In(rome), tc.good)
			}
		})
	}
}

// TestCompareNative compares the resolution cycles of an office-hours desk (Mon-Fri 09:00-17:00
// Rome, 8 working hours for P2, new cycle on reopen) with the tool's records, at Wednesday
// 2025-03-12 12:00.
func TestCompareNative(t *testing.T) {
	cal := office(t)
	clock := mustClock(t, ClockSpec{Kind: Resolution, Calendar: cal, Targets: map[string]time.Duration{"P2": 8 * time.Hour}})
	now := ts("2025-03-12 12:00")
	mk := func(id, created string, native []NativeSLA, history ...StatusChange) Ticket {
		return Ticket{ID: id, Created: tm(created), Priority: "P2", History: history, Native: native}
	}
	resp := NativeSLA{Name: "TTFR", Clock: "response", Start: tm("2025-03-10 10:00"), Deadline: tm("2025-03-10 10:01"), Breached: true}
	tickets := []Ticket{
		// Met at 15:00 after 5h; the tool agrees. Its response record is another clock's.
		mk("A", "2025-03-10 10:00", []NativeSLA{resp, res("2025-03-10 10:00", "2025-03-11 10:00", "2025-03-10 15:00", false, false)},
			ch("2025-03-10 15:00", Resolved)),
		// 8h reached at Monday's close; the tool says Tuesday's opening, the same working
		// instant: both breached, deadlines agree.
		mk("B", "2025-03-10 09:00", []NativeSLA{res("2025-03-10 09:00", "2025-03-11 09:00", "", true, false)}),
		// Paused 11:00-13:00: Mon 10-11 and 13-17 (5h) + Tue 09-12 (3h) reach 8h Tuesday
		// 12:00. The tool counts through the pause (1h + 2h + 4h Monday, 1h Tuesday): 10:00.
		// Both breached, 2 working hours apart.
		mk("C", "2025-03-10 10:00", []NativeSLA{res("2025-03-10 10:00", "2025-03-11 10:00", "", true, false)},
			ch("2025-03-10 11:00", Paused), ch("2025-03-10 13:00", Open)),
		// Created today 09:00, 3h of 8h used: within. The tool's deadline, 11:00, has passed
		// since it was read: breached by the tool's count.
		mk("D", "2025-03-12 09:00", []NativeSLA{res("2025-03-12 09:00", "2025-03-12 11:00", "", false, false)}),
		// Met Monday after 2h, reopened Tuesday 09:00: the engine's second cycle reached 8h at
		// Tuesday's close, breached. The tool's first cycle agrees with the engine's first; it
		// has no second cycle.
		mk("E", "2025-03-10 10:00", []NativeSLA{res("2025-03-10 10:00", "2025-03-11 10:00", "2025-03-10 12:00", false, false)},
			ch("2025-03-10 12:00", Resolved), ch("2025-03-11 09:00", Open)),
		// Two SLAs of the resolution clock: "TTR" agrees; "TTR (VIP)" has a second cycle the
		// engine lacks, and a third that starts after now, not compared.
		mk("F", "2025-03-12 09:00", []NativeSLA{
			res("2025-03-12 09:00", "2025-03-12 17:00", "", false, false),
			{Name: "TTR (VIP)", Clock: "resolution", Start: tm("2025-03-12 09:00"), Deadline: tm("2025-03-12 17:00:30")},
			{Name: "TTR (VIP)", Clock: "resolution", Start: tm("2025-03-12 10:00"), Stop: tm("2025-03-12 10:30")},
			{Name: "TTR (VIP)", Clock: "resolution", Start: tm("2025-03-12 13:00")},
			// Not started, or not saying when: not compared.
			{Name: "TTR (VIP)", Clock: "resolution"},
		}),
		// No resolution record: the tool does not measure the ticket on this clock.
		mk("G", "2025-03-12 09:00", []NativeSLA{resp}),
	}
	st := NewStore(StoreOptions{})
	for _, tk := range tickets {
		mustAdd(t, st, tk)
	}
	type row struct {
		Ticket        string
		Cycle, Native int
		Verdict       string
		Kind          string
	}
	var got []row
	var buf []Cycle
	for i := range st.Len() {
		buf = clock.Cycles(st, i, now, buf[:0])
		for _, c := range CompareNative(st.View(i), Resolution, buf, now, 60, cal, nil) {
			v := ""
			if c.Native >= 0 {
				v = c.Verdict.String()
			}
			got = append(got, row{st.View(i).ID(), c.Cycle, c.Native, v, c.Disagreement.String()})
		}
	}
	want := []row{
		{"A", 0, 1, "met", "agree"},
		{"B", 0, 0, "breached", "agree"},
		{"C", 0, 0, "breached", "deadline"},
		{"D", 0, 0, "breached", "verdict"},
		{"E", 0, 0, "met", "agree"},
		{"E", 1, -1, "", "engine_only"},
		{"F", 0, 0, "within", "agree"},
		// 30 seconds apart: within the tolerance.
		{"F", 0, 1, "within", "agree"},
		{"F", -1, 2, "met", "native_only"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("comparisons (-want +got):\n%s", diff)
	}

	// A priority without a target has no engine cycle: the tool's is NativeOnly.
	st = NewStore(StoreOptions{})
	p9 := mk("H", "2025-03-12 09:00", []NativeSLA{res("2025-03-12 09:00", "2025-03-12 17:00", "", false, false)})
	p9.Priority = "P9"
	mustAdd(t, st, p9)
	buf = clock.Cycles(st, 0, now, buf[:0])
	if got := CompareNative(st.View(0), Resolution, buf, now, 60, cal, nil); len(got) != 1 || got[0].Disagreement != NativeOnly || got[0].Cycle != -1 {
		t.Errorf("a ticket without a target: %+v", got)
	}
	// A tolerance of two working hours takes C's deadlines as agreeing.
	st = NewStore(StoreOptions{})
	mustAdd(t, st, tickets[2])
	buf = clock.Cycles(st, 0, now, buf[:0])
	if got := CompareNative(st.View(0), Resolution, buf, now, 7200, cal, nil); len(got) != 1 || got[0].Disagreement != Agree {
		t.Errorf("C with a tolerance of 2h: %+v", got)
	}
}
