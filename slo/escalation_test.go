package slo

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// TestEscalationLevels counts open cycles per escalation level at each level's boundary, on the
// office calendar (Monday to Friday 09:00-17:00 UTC) with a 4h (14400 s) resolution target,
// evaluated on Tuesday 2026-11-10 at 12:00. Each ticket's used share is worked out by hand: the
// working seconds since creation (Monday's after-hours and the night count nothing) over 14400.
func TestEscalationLevels(t *testing.T) {
	cal, err := calendar.New(calendarSpecOffice())
	if err != nil {
		t.Fatal(err)
	}
	clock, err := ticket.NewClock(ticket.ClockSpec{Kind: ticket.Resolution, Calendar: cal, Targets: map[string]time.Duration{"P1": 4 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	st := ticket.NewStore(ticket.StoreOptions{})
	for _, tk := range []*ticket.Ticket{
		// Tuesday 10:00:01 to 12:00: 7199 s, 0.49993: below the first level.
		incident("below50", "P1", "2026-11-10T10:00:01Z"),
		// Tuesday 10:00 to 12:00: 7200 s, exactly 0.5: level 1.
		incident("at50", "P1", "2026-11-10T10:00:00Z"),
		// Tuesday 09:00:01 to 12:00: 10799 s, just below 0.75: level 1.
		incident("below75", "P1", "2026-11-10T09:00:01Z"),
		// Monday 09:00 to 11:00, 7200 s (0.5), then paused for 9 working hours: the pause counts
		// nothing (counted, it would be breached), so it stays at level 1.
		incident("paused50", "P1", "2026-11-09T09:00:00Z", "2026-11-09T11:00:00Z", ticket.Paused),
		// Tuesday 09:00 to 12:00: 10800 s, exactly 0.75: level 2.
		incident("at75", "P1", "2026-11-10T09:00:00Z"),
		// Monday 16:30 to 17:00 (1800 s) and Tuesday 09:00 to 12:00 (10800 s): 12600 s, 0.875:
		// level 2.
		incident("mid", "P1", "2026-11-09T16:30:00Z"),
		// Monday 16:24:01 to 17:00 (2159 s) and Tuesday's 10800 s: 12959 s, just below 0.9:
		// level 2.
		incident("below90", "P1", "2026-11-09T16:24:01Z"),
		// Monday 16:24 to 17:00 (2160 s) and Tuesday's 10800 s: 12960 s, exactly 0.9: level 3.
		incident("at90", "P1", "2026-11-09T16:24:00Z"),
		// Monday 16:00:01 to 17:00 (3599 s) and Tuesday's 10800 s: 14399 s, just below 1:
		// level 3.
		incident("below100", "P1", "2026-11-09T16:00:01Z"),
		// Monday 16:00 to 17:00 (3600 s) and Tuesday's 10800 s: 14400 s, exactly the target:
		// still in progress (a breach is Elapsed > Target), level 4.
		incident("at100", "P1", "2026-11-09T16:00:00Z"),
		// Monday 15:00 to 17:00 (7200 s) and Tuesday's 10800 s: 18000 s, 1.25: breached and
		// open, level 4 (level 5 when there is a 150% level).
		incident("over125", "P1", "2026-11-09T15:00:00Z"),
		// Created on Saturday: the clock starts Monday 09:00; Monday's 28800 s and Tuesday's
		// 10800 s make 39600 s, 2.75: level 4, or 5.
		incident("over275", "P1", "2026-11-07T10:00:00Z"),
		// Resolved: no longer open, at no level whatever its share.
		incident("met", "P1", "2026-11-10T09:00:00Z", "2026-11-10T11:00:00Z", ticket.Resolved),
	} {
		if err := st.Add(tk); err != nil {
			t.Fatal(err)
		}
	}
	now := utc("2026-11-10T12:00:00Z")
	for _, tc := range []struct {
		name   string
		levels []float64
		want   []int
	}{
		{"default", []float64{0.5, 0.75, 0.9, 1}, []int{3, 3, 2, 3}},
		{"overdue", []float64{0.5, 0.75, 0.9, 1, 1.5}, []int{3, 3, 2, 2, 1}},
		// One level at 100%: the cycle at exactly its target and both breached ones.
		{"target", []float64{1}, []int{3}},
		{"none", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &Objective{Name: "p1", Service: "desk", Kind: TicketSLA, Target: 0.9, Period: mustPeriod(t, "month"), Clock: clock, Escalation: tc.levels}
			full, err := Evaluate(o, Data{Tickets: st}, now)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, full.Escalated); diff != "" {
				t.Errorf("escalated (-want +got):\n%s", diff)
			}
			// The incremental evaluation recomputes open cycles at every scan: the same counts,
			// on the first scan and on one that keeps the settled ticket.
			c := NewTicketCache()
			for range 2 {
				inc, err := EvaluateIncremental(o, Data{Tickets: st}, now, c)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(full.Escalated, inc.Escalated); diff != "" {
					t.Errorf("incremental escalated (-full +incremental):\n%s", diff)
				}
			}
		})
	}
}

// TestEscalationValidate: the levels' shares are positive and strictly increasing, ticket SLAs
// only.
func TestEscalationValidate(t *testing.T) {
	for _, levels := range [][]float64{{0}, {-0.5}, {0.5, 0.5}, {0.75, 0.5}} {
		o := resolutionObjective(t)
		o.Escalation = levels
		if err := o.Validate(); err == nil {
			t.Errorf("levels %v: no error", levels)
		}
	}
	o := resolutionObjective(t)
	o.Escalation = []float64{0.5, 1, 2}
	if err := o.Validate(); err != nil {
		t.Errorf("levels above 100%%: %v", err)
	}
}

// TestEscalationNative: with verdict native the levels count the tool's open records, on the
// 24x7 desk with 4h to resolve P1, at 2026-11-15 00:00 (levels 50, 75, 90, 100, 150%).
func TestEscalationNative(t *testing.T) {
	st := ticket.NewStore(ticket.StoreOptions{})
	for _, tk := range []*ticket.Ticket{
		// E: open 2h of 4h, the tool's record within: the engine's share, 0.5: level 1.
		withNative(incident("E", "P1", "2026-11-14T22:00:00Z"),
			nativeRes("2026-11-14T22:00:00Z", "2026-11-15T02:00:00Z", "", false, false)),
		// F: the tool's clock paused with no deadline: share 0, no level.
		withNative(incident("F", "P1", "2026-11-14T18:00:00Z"),
			nativeRes("2026-11-14T18:00:00Z", "", "", false, true)),
		// I: open 7h; the tool says breached, and so does the engine's cycle, at 7/4 = 1.75 of
		// its target: level 5.
		withNative(incident("I", "P1", "2026-11-14T17:00:00Z"),
			nativeRes("2026-11-14T17:00:00Z", "2026-11-14T21:00:00Z", "", true, false)),
		// J: open 3h; the tool (a 2h goal) says breached, the engine's cycle is at 0.75, not past
		// its target: the record counts at exactly 1, level 4.
		withNative(incident("J", "P1", "2026-11-14T21:00:00Z"),
			nativeRes("2026-11-14T21:00:00Z", "2026-11-14T23:00:00Z", "", true, false)),
		// K: resolved: no level.
		withNative(incident("K", "P1", "2026-11-14T10:00:00Z", "2026-11-14T12:00:00Z", ticket.Resolved),
			nativeRes("2026-11-14T10:00:00Z", "2026-11-14T14:00:00Z", "2026-11-14T12:00:00Z", false, false)),
	} {
		if err := st.Add(tk); err != nil {
			t.Fatal(err)
		}
	}
	o := resolutionObjective(t)
	o.Verdict = Native
	o.Escalation = []float64{0.5, 0.75, 0.9, 1, 1.5}
	got, err := Evaluate(o, Data{Tickets: st}, utc("2026-11-15T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{1, 0, 0, 1, 1}, got.Escalated); diff != "" {
		t.Errorf("escalated (-want +got):\n%s", diff)
	}
	if got.Open.Breached != 2 {
		t.Errorf("open breached %d, want I and J", got.Open.Breached)
	}
}
