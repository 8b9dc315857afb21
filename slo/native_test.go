package slo

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// nativeRes is the tool's record of a resolution cycle; "" leaves an instant out.
func nativeRes(start, deadline, stop string, breached, paused bool) ticket.NativeSLA {
	n := ticket.NativeSLA{Name: "Time to resolution", Clock: "resolution", Start: utc(start), Breached: breached, Paused: paused}
	if deadline != "" {
		n.Deadline = utc(deadline)
	}
	if stop != "" {
		n.Stop = utc(stop)
	}
	return n
}

func withNative(t *ticket.Ticket, n ...ticket.NativeSLA) *ticket.Ticket {
	t.Native = n
	return t
}

// TestEvaluateTicketsNativeVerdict counts the tool's verdicts (verdict: native) on a 24x7 desk
// with 4h to resolve P1, in November 2026, at 11-15 00:00.
func TestEvaluateTicketsNativeVerdict(t *testing.T) {
	st := ticket.NewStore(ticket.StoreOptions{})
	for _, tk := range []*ticket.Ticket{
		// A: 2h; the tool and the engine say met. Good at 11-02 12:00.
		withNative(incident("A", "P1", "2026-11-02T10:00:00Z", "2026-11-02T12:00:00Z", ticket.Resolved),
			nativeRes("2026-11-02T10:00:00Z", "2026-11-02T14:00:00Z", "2026-11-02T12:00:00Z", false, false)),
		// B: 6h, breached by the engine; the tool (a longer goal) says met: good at 11-03 16:00.
		withNative(incident("B", "P1", "2026-11-03T10:00:00Z", "2026-11-03T16:00:00Z", ticket.Resolved),
			nativeRes("2026-11-03T10:00:00Z", "2026-11-03T18:00:00Z", "2026-11-03T16:00:00Z", false, false)),
		// C: 3h, met by the engine; the tool says breached at 12:00: bad at 11-04 12:00.
		withNative(incident("C", "P1", "2026-11-04T10:00:00Z", "2026-11-04T13:00:00Z", ticket.Resolved),
			nativeRes("2026-11-04T10:00:00Z", "2026-11-04T12:00:00Z", "2026-11-04T13:00:00Z", true, false)),
		// D: the tool's breach at 10-31 23:00 is October's, though the ticket was resolved in
		// November: not counted.
		withNative(incident("D", "P1", "2026-10-31T19:00:00Z", "2026-11-01T03:00:00Z", ticket.Resolved),
			nativeRes("2026-10-31T19:00:00Z", "2026-10-31T23:00:00Z", "2026-11-01T03:00:00Z", true, false)),
		// E: open 2h of 4h; the tool's cycle runs within. Its share of the target is the
		// engine's: 0.5.
		withNative(incident("E", "P1", "2026-11-14T22:00:00Z"),
			nativeRes("2026-11-14T22:00:00Z", "2026-11-15T02:00:00Z", "", false, false)),
		// F: open 6h, breached by the engine; the tool's clock is paused with no deadline: a
		// paused open cycle at share 0.
		withNative(incident("F", "P1", "2026-11-14T18:00:00Z"),
			nativeRes("2026-11-14T18:00:00Z", "", "", false, true)),
		// G: met after 30 min by both (good at 11-14 21:30); the tool started a second cycle at
		// 23:00 that the engine has not. Share of it: 1h of its 4h to the deadline, 0.25.
		withNative(incident("G", "P1", "2026-11-14T21:00:00Z", "2026-11-14T21:30:00Z", ticket.Resolved),
			nativeRes("2026-11-14T21:00:00Z", "2026-11-15T01:00:00Z", "2026-11-14T21:30:00Z", false, false),
			nativeRes("2026-11-14T23:00:00Z", "2026-11-15T03:00:00Z", "", false, false),
			// Another clock's record, and one mapped to none: not counted.
			ticket.NativeSLA{Name: "Time to first response", Clock: "response", Start: utc("2026-11-14T21:00:00Z"), Breached: true,
				Deadline: utc("2026-11-14T21:01:00Z")},
			ticket.NativeSLA{Name: "Internal", Start: utc("2026-11-14T21:00:00Z"), Breached: true, Deadline: utc("2026-11-14T21:01:00Z")}),
		// H: breached by the engine (10h), no record of the tool's: not counted.
		incident("H", "P1", "2026-11-05T10:00:00Z", "2026-11-05T20:00:00Z", ticket.Resolved),
	} {
		if err := st.Add(tk); err != nil {
			t.Fatal(err)
		}
	}
	o := resolutionObjective(t)
	o.Verdict = Native
	now := utc("2026-11-15T00:00:00Z")
	got, err := Evaluate(o, Data{Tickets: st}, now)
	if err != nil {
		t.Fatal(err)
	}
	budget := 0.1 * 4 * 30.0 / 14
	want := Result{
		Objective: "p1-resolution", Service: "desk", Kind: TicketSLA, Unit: Cycles, Target: 0.9,
		PeriodStart: utc("2026-11-01T00:00:00Z"), PeriodEnd: utc("2026-12-01T00:00:00Z"), PeriodLabel: "2026-11",
		// Good A, B, G's first; bad C.
		Good: 3, Bad: 1, Attainment: 0.75, HasData: true, Coverage: 1,
		// 4 decided in 14 of 30 days: projected 4×30/14, budget 0.1× that = 6/7 < 1 spent.
		ProjectedTotal: 4 * 30.0 / 14, BudgetTotal: budget, BudgetConsumed: 1,
		BudgetRemaining: budget - 1, BudgetRemainingRatio: 1 - 1/budget,
		// The only outcome within 3 days of now is G's good one at 21:30: no burn.
		BurnRates: []BurnRate{{5 * time.Minute, 0}, {30 * time.Minute, 0}, {time.Hour, 0}, {2 * time.Hour, 0},
			{6 * time.Hour, 0}, {24 * time.Hour, 0}, {72 * time.Hour, 0}},
		// The engine's completed cycles: A 0.5, C 0.75, G 0.125 of the target; B, D, H
		// breached. E at 0.5: A, C and the 3 breached lasted as long, (3+1)/(5+2) = 4/7; F at
		// 0: all 6, (3+1)/(6+2) = 1/2; G's second at 0.25: as E, 4/7. Expected 23/14;
		// forecast (3 good + 3 open - 23/14) / (4 + 3) = 61/98.
		ExpectedBreaches: 23.0 / 14, Forecast: 61.0 / 98, HasForecast: true,
		// Below target unless more than 3+3-0.9×7 = -0.3 open cycles breach: certain.
		BreachProbability: 1, HasBreachProbability: true,
		Open:   OpenCycles{Within: 2, Paused: 1},
		Status: Breached,
	}
	if diff := cmp.Diff(want, got, approx); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}

	// The engine's own count of the same tickets: good A, C, G; bad B, H, and F (open, breached
	// at 22:00). D's breach is October's.
	o.Verdict = Recompute
	if got, err := Evaluate(o, Data{Tickets: st}, now); err != nil || got.Good != 3 || got.Bad != 3 {
		t.Errorf("recomputed: good %v, bad %v, %v; want 3 and 3", got.Good, got.Bad, err)
	}

	// The period frozen at its end counts the verdicts decided by then: E's record, past its
	// 02:00 deadline and unpaused, is a breach of 11-15; G's second, of 03:00. F stays paused.
	o.Verdict = Native
	end, err := EvaluatePeriod(o, Data{Tickets: st}, utc("2026-11-01T00:00:00Z"), utc("2026-12-01T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	if end.Good != 3 || end.Bad != 3 {
		t.Errorf("frozen November: good %v, bad %v; want 3 and 3", end.Good, end.Bad)
	}
}

func TestParseVerdict(t *testing.T) {
	for _, v := range []Verdict{Recompute, Native} {
		if got, err := ParseVerdict(v.String()); err != nil || got != v {
			t.Errorf("ParseVerdict(%q) = %v, %v", v, got, err)
		}
	}
	if _, err := ParseVerdict("tool"); err == nil || err.Error() != `unknown verdict "tool" (want recompute or native)` {
		t.Errorf("ParseVerdict(tool) = %v", err)
	}
	o := &Objective{Name: "up", Kind: Availability, Target: 0.99, Verdict: Native}
	if err := o.Validate(); err == nil || err.Error() != `objective "up": verdict: applies to ticket objectives only` {
		t.Errorf("Validate = %v", err)
	}
}
