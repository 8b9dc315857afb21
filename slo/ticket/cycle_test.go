package ticket

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
)

const (
	h = 3600
	m = 60
)

// One-ticket evaluation: the ticket is stored alone, so its index is 0.
func cyclesOf(tb testing.TB, c *Clock, tk Ticket, now int64) []Cycle {
	tb.Helper()
	st := NewStore(StoreOptions{})
	if err := st.Add(&tk); err != nil {
		tb.Fatal(err)
	}
	return c.Cycles(st, 0, now, nil)
}

func tkt(prio, created string, hist ...StatusChange) Ticket {
	return Ticket{ID: "INC0000001", Created: tm(created), Priority: prio, Type: "incident", Group: "service-desk", History: hist}
}

func withResponse(t Ticket, at string) Ticket {
	t.FirstResponse = tm(at)
	return t
}

// TestCyclesHandWorked checks clocks against values worked out by hand on the office calendar:
// Mon-Fri 09:00-17:00 Europe/Rome, Italian holidays. Resolution targets: P1 2h, P2 4h, P3 8h.
// Response targets: P1 30m, P2 1h. WarnAt 0.75.
func TestCyclesHandWorked(t *testing.T) {
	cal := office(t)
	targets := map[string]time.Duration{"P1": 2 * time.Hour, "P2": 4 * time.Hour, "P3": 8 * time.Hour}
	resolution := mustClock(t, ClockSpec{Kind: Resolution, Calendar: cal, Targets: targets})
	resume := mustClock(t, ClockSpec{Kind: Resolution, Calendar: cal, Targets: targets, Reopen: Resume})
	response := mustClock(t, ClockSpec{Kind: Response, Calendar: cal, Targets: map[string]time.Duration{"P1": 30 * time.Minute, "P2": time.Hour}})
	withDefault := mustClock(t, ClockSpec{Kind: Resolution, Calendar: cal, Targets: map[string]time.Duration{"P1": 2 * time.Hour, "*": 8 * time.Hour}})
	inRome := mustCalendar(calendar.Spec{Name: "24x7-rome", Location: rome, Week: func() (w [7][]calendar.Interval) {
		for d := range w {
			w[d] = []calendar.Interval{{Start: 0, End: 86400}}
		}
		return w
	}(), FirstYear: 2024, LastYear: 2026})
	dst := mustClock(t, ClockSpec{Kind: Resolution, Calendar: inRome, Targets: map[string]time.Duration{"P3": 12 * time.Hour}})

	tests := []struct {
		name  string
		clock *Clock
		tk    Ticket
		now   string
		want  []Cycle
	}{
		{
			// Fri 16:00-16:30 runs (30m), paused over the night and the weekend, Mon 10:00-11:00
			// runs (1h): 1800 + 3600 = 5400 s of the 8h (28800 s) target. Met.
			name:  "pause across a night and a weekend",
			clock: resolution,
			tk:    tkt("P3", "2025-03-07 16:00", ch("2025-03-07 16:30", Paused), ch("2025-03-10 10:00", Open), ch("2025-03-10 11:00", Resolved)),
			now:   "2025-03-10 12:00",
			want:  []Cycle{{Start: ts("2025-03-07 16:00"), Stop: ts("2025-03-10 11:00"), Target: 8 * h, Elapsed: 30*m + 1*h, State: Met}},
		},
		{
			// The same ticket seen on Saturday: 1800 s counted, paused. Resuming now (Saturday) the
			// remaining 28800 - 1800 = 27000 s = 7h30 run from Mon 09:00: deadline Mon 16:30.
			// 1800 < 0.75 × 28800 = 21600: not at risk.
			name:  "paused over the weekend, seen on Saturday",
			clock: resolution,
			tk:    tkt("P3", "2025-03-07 16:00", ch("2025-03-07 16:30", Paused), ch("2025-03-10 10:00", Open), ch("2025-03-10 11:00", Resolved)),
			now:   "2025-03-08 12:00",
			want:  []Cycle{{Start: ts("2025-03-07 16:00"), Target: 8 * h, Elapsed: 30 * m, Deadline: ts("2025-03-10 16:30"), State: PausedState}},
		},
		{
			// Mon 09:00-10:00 (1h), resolved, reopened Tue 09:00, resolved Tue 10:30 (1h30) on a
			// 2h target. NewCycle: two met cycles of 3600 s and 5400 s.
			name:  "reopen, new cycle",
			clock: resolution,
			tk:    tkt("P1", "2025-03-10 09:00", ch("2025-03-10 10:00", Resolved), ch("2025-03-11 09:00", Open), ch("2025-03-11 10:30", Resolved)),
			now:   "2025-03-11 12:00",
			want: []Cycle{
				{Start: ts("2025-03-10 09:00"), Stop: ts("2025-03-10 10:00"), Target: 2 * h, Elapsed: 1 * h, State: Met},
				{N: 1, Start: ts("2025-03-11 09:00"), Stop: ts("2025-03-11 10:30"), Target: 2 * h, Elapsed: 90 * m, State: Met},
			},
		},
		{
			// Resume: one cycle, 3600 + 5400 = 9000 s > 7200 s. The target was reached in the
			// second run, 7200 - 3600 = 3600 s after Tue 09:00: Tue 10:00.
			name:  "reopen, resume",
			clock: resume,
			tk:    tkt("P1", "2025-03-10 09:00", ch("2025-03-10 10:00", Resolved), ch("2025-03-11 09:00", Open), ch("2025-03-11 10:30", Resolved)),
			now:   "2025-03-11 12:00",
			want: []Cycle{{Start: ts("2025-03-10 09:00"), Stop: ts("2025-03-11 10:30"), Target: 2 * h, Elapsed: 150 * m,
				Deadline: ts("2025-03-11 10:00"), BreachedAt: ts("2025-03-11 10:00"), State: Breached}},
		},
		{
			// Resume, seen before the reopen: met at Mon 10:00 with 3600 s, as far as anyone knows.
			name:  "reopen, resume, seen before the reopen",
			clock: resume,
			tk:    tkt("P1", "2025-03-10 09:00", ch("2025-03-10 10:00", Resolved), ch("2025-03-11 09:00", Open), ch("2025-03-11 10:30", Resolved)),
			now:   "2025-03-10 18:00",
			want:  []Cycle{{Start: ts("2025-03-10 09:00"), Stop: ts("2025-03-10 10:00"), Target: 2 * h, Elapsed: 1 * h, State: Met}},
		},
		{
			// Resume, seen Tue 09:30: 3600 + 1800 = 5400 s running, >= 0.75 × 7200 = 5400: at
			// risk; 1800 s left from now: Tue 10:00.
			name:  "reopen, resume, running again",
			clock: resume,
			tk:    tkt("P1", "2025-03-10 09:00", ch("2025-03-10 10:00", Resolved), ch("2025-03-11 09:00", Open), ch("2025-03-11 10:30", Resolved)),
			now:   "2025-03-11 09:30",
			want:  []Cycle{{Start: ts("2025-03-10 09:00"), Target: 2 * h, Elapsed: 90 * m, Deadline: ts("2025-03-11 10:00"), State: InProgress, AtRisk: true}},
		},
		{
			// Earlier now: the later history is ignored. NewCycle seen Tue 09:30: the first cycle
			// met, the second has run 1800 s of 7200 s, deadline Tue 09:00 + 2h = 11:00.
			name:  "reopen, new cycle, seen while the second cycle runs",
			clock: resolution,
			tk:    tkt("P1", "2025-03-10 09:00", ch("2025-03-10 10:00", Resolved), ch("2025-03-11 09:00", Open), ch("2025-03-11 10:30", Resolved)),
			now:   "2025-03-11 09:30",
			want: []Cycle{
				{Start: ts("2025-03-10 09:00"), Stop: ts("2025-03-10 10:00"), Target: 2 * h, Elapsed: 1 * h, State: Met},
				{N: 1, Start: ts("2025-03-11 09:00"), Target: 2 * h, Elapsed: 30 * m, Deadline: ts("2025-03-11 11:00"), State: InProgress},
			},
		},
		{
			// Earlier now: seen Mon 09:30, before the first resolution. 1800 s of 7200 s.
			name:  "earlier now ignores later history",
			clock: resolution,
			tk:    tkt("P1", "2025-03-10 09:00", ch("2025-03-10 10:00", Resolved), ch("2025-03-11 09:00", Open), ch("2025-03-11 10:30", Resolved)),
			now:   "2025-03-10 09:30",
			want:  []Cycle{{Start: ts("2025-03-10 09:00"), Target: 2 * h, Elapsed: 30 * m, Deadline: ts("2025-03-10 11:00"), State: InProgress}},
		},
		{
			name:  "created after now has no cycle",
			clock: resolution,
			tk:    tkt("P1", "2025-03-10 09:00"),
			now:   "2025-03-10 08:59:59",
			want:  nil,
		},
		{
			// Created at now: a cycle with nothing elapsed; 2h from now (08:00, before opening)
			// is Mon 11:00.
			name:  "created at now",
			clock: resolution,
			tk:    tkt("P1", "2025-03-10 08:00"),
			now:   "2025-03-10 08:00",
			want:  []Cycle{{Start: ts("2025-03-10 08:00"), Target: 2 * h, Deadline: ts("2025-03-10 11:00"), State: InProgress}},
		},
		{
			// Created Thu 25 Dec (Christmas) 23:59; 26 Dec (St Stephen) is a holiday too, then the
			// weekend: the clock starts Mon 29 Dec 09:00. Seen at 12:00: 3h = 10800 s of 4h, which
			// is 0.75 × 14400 = 10800: at risk; deadline 09:00 + 4h = 13:00.
			name:  "created on a holiday at 23:59",
			clock: resolution,
			tk:    tkt("P2", "2025-12-25 23:59"),
			now:   "2025-12-29 12:00",
			want:  []Cycle{{Start: ts("2025-12-25 23:59"), Target: 4 * h, Elapsed: 3 * h, Deadline: ts("2025-12-29 13:00"), State: InProgress, AtRisk: true}},
		},
		{
			// The same ticket resolved Mon 29 Dec 11:00: 2h counted, met.
			name:  "created on a holiday at 23:59, resolved",
			clock: resolution,
			tk:    tkt("P2", "2025-12-25 23:59", ch("2025-12-29 11:00", Resolved)),
			now:   "2025-12-29 12:00",
			want:  []Cycle{{Start: ts("2025-12-25 23:59"), Stop: ts("2025-12-29 11:00"), Target: 4 * h, Elapsed: 2 * h, State: Met}},
		},
		{
			// Mon 15:00-17:00 (2h) + Tue 09:00-11:00 (2h) reach the 4h target at Tue 11:00. Seen
			// Tue 11:30: 2h + 2h30 = 16200 s > 14400 s: breached at Tue 11:00, still open.
			name:  "open ticket crossing its deadline",
			clock: resolution,
			tk:    tkt("P2", "2025-03-10 15:00", ch("2025-03-10 15:05", Open)),
			now:   "2025-03-11 11:30",
			want: []Cycle{{Start: ts("2025-03-10 15:00"), Target: 4 * h, Elapsed: 4*h + 30*m,
				Deadline: ts("2025-03-11 11:00"), BreachedAt: ts("2025-03-11 11:00"), State: Breached}},
		},
		{
			// Mon 13:00-17:00 is the whole 4h target: the deadline is Mon 17:00, the end of the
			// working day. Resolved at 17:00: Elapsed = 14400 = Target: met.
			name:  "deadline at the end of the day, resolved at the deadline",
			clock: resolution,
			tk:    tkt("P2", "2025-03-10 13:00", ch("2025-03-10 17:00", Resolved)),
			now:   "2025-03-11 12:00",
			want:  []Cycle{{Start: ts("2025-03-10 13:00"), Stop: ts("2025-03-10 17:00"), Target: 4 * h, Elapsed: 4 * h, State: Met}},
		},
		{
			// Resolved at 17:00:01: that second is not working time, Elapsed is still 14400 =
			// Target: met. Outcomes are decided on business time only.
			name:  "deadline at the end of the day, resolved one wall-clock second later",
			clock: resolution,
			tk:    tkt("P2", "2025-03-10 13:00", ch("2025-03-10 17:00:01", Resolved)),
			now:   "2025-03-11 12:00",
			want:  []Cycle{{Start: ts("2025-03-10 13:00"), Stop: ts("2025-03-10 17:00:01"), Target: 4 * h, Elapsed: 4 * h, State: Met}},
		},
		{
			// Resolved Tue 09:00:01, one business second after the deadline: 14401 s > 14400 s,
			// breached at the deadline Mon 17:00.
			name:  "deadline at the end of the day, resolved one business second later",
			clock: resolution,
			tk:    tkt("P2", "2025-03-10 13:00", ch("2025-03-11 09:00:01", Resolved)),
			now:   "2025-03-11 12:00",
			want: []Cycle{{Start: ts("2025-03-10 13:00"), Stop: ts("2025-03-11 09:00:01"), Target: 4 * h, Elapsed: 4*h + 1,
				Deadline: ts("2025-03-10 17:00"), BreachedAt: ts("2025-03-10 17:00"), State: Breached}},
		},
		{
			// Still open Mon 20:00: Elapsed = Target exactly, not exceeded; the deadline was
			// reached at 17:00 and the cycle breaches with the next business second.
			name:  "deadline at the end of the day, open that evening",
			clock: resolution,
			tk:    tkt("P2", "2025-03-10 13:00"),
			now:   "2025-03-10 20:00",
			want:  []Cycle{{Start: ts("2025-03-10 13:00"), Target: 4 * h, Elapsed: 4 * h, Deadline: ts("2025-03-10 17:00"), State: InProgress, AtRisk: true}},
		},
		{
			// Mon 09:00, 4h target: deadline 13:00. Cancelled 12:00 after 3h: cancelled.
			name:  "cancelled before the deadline",
			clock: resolution,
			tk:    tkt("P2", "2025-03-10 09:00", ch("2025-03-10 12:00", Cancelled), ch("2025-03-10 15:00", Open)),
			now:   "2025-03-11 12:00",
			want:  []Cycle{{Start: ts("2025-03-10 09:00"), Stop: ts("2025-03-10 12:00"), Target: 4 * h, Elapsed: 3 * h, State: CancelledState}},
		},
		{
			// Cancelled exactly at the 13:00 deadline: Elapsed = Target, not exceeded: cancelled.
			name:  "cancelled at the deadline",
			clock: resolution,
			tk:    tkt("P2", "2025-03-10 09:00", ch("2025-03-10 13:00", Cancelled)),
			now:   "2025-03-11 12:00",
			want:  []Cycle{{Start: ts("2025-03-10 09:00"), Stop: ts("2025-03-10 13:00"), Target: 4 * h, Elapsed: 4 * h, State: CancelledState}},
		},
		{
			// Cancelled 14:00, after the 13:00 deadline: 5h > 4h, breached at 13:00.
			name:  "cancelled after the deadline",
			clock: resolution,
			tk:    tkt("P2", "2025-03-10 09:00", ch("2025-03-10 14:00", Cancelled)),
			now:   "2025-03-11 12:00",
			want: []Cycle{{Start: ts("2025-03-10 09:00"), Stop: ts("2025-03-10 14:00"), Target: 4 * h, Elapsed: 5 * h,
				Deadline: ts("2025-03-10 13:00"), BreachedAt: ts("2025-03-10 13:00"), State: Breached}},
		},
		{
			// Paused at 14:00 after 5h, cancelled Tue 10:00 while paused: still 5h > 4h, breached.
			name:  "cancelled while paused after the deadline",
			clock: resolution,
			tk:    tkt("P2", "2025-03-10 09:00", ch("2025-03-10 14:00", Paused), ch("2025-03-11 10:00", Cancelled)),
			now:   "2025-03-11 12:00",
			want: []Cycle{{Start: ts("2025-03-10 09:00"), Stop: ts("2025-03-11 10:00"), Target: 4 * h, Elapsed: 5 * h,
				Deadline: ts("2025-03-10 13:00"), BreachedAt: ts("2025-03-10 13:00"), State: Breached}},
		},
		{
			// Resolved 10:00 (met, 1h), then cancelled: a stopped cycle keeps its outcome, and the
			// change out of cancelled is not a reopen.
			name:  "cancelled after resolution",
			clock: resolution,
			tk:    tkt("P2", "2025-03-10 09:00", ch("2025-03-10 10:00", Resolved), ch("2025-03-10 11:00", Cancelled), ch("2025-03-10 12:00", Open)),
			now:   "2025-03-11 12:00",
			want:  []Cycle{{Start: ts("2025-03-10 09:00"), Stop: ts("2025-03-10 10:00"), Target: 4 * h, Elapsed: 1 * h, State: Met}},
		},
		{
			// No reply; resolved 09:40: the fix answered the ticket after 40m of a 1h target.
			name:  "response clock stopped by resolution without a reply",
			clock: response,
			tk:    tkt("P2", "2025-03-10 09:00", ch("2025-03-10 09:40", Resolved)),
			now:   "2025-03-10 12:00",
			want:  []Cycle{{Start: ts("2025-03-10 09:00"), Stop: ts("2025-03-10 09:40"), Target: 1 * h, Elapsed: 40 * m, State: Met}},
		},
		{
			// A reply after the resolution changes nothing: the resolution came first.
			name:  "response clock, reply after resolution",
			clock: response,
			tk:    withResponse(tkt("P2", "2025-03-10 09:00", ch("2025-03-10 09:40", Resolved)), "2025-03-10 10:00"),
			now:   "2025-03-10 12:00",
			want:  []Cycle{{Start: ts("2025-03-10 09:00"), Stop: ts("2025-03-10 09:40"), Target: 1 * h, Elapsed: 40 * m, State: Met}},
		},
		{
			// Reply 09:20: 20m of 1h; the response clock ignores pauses by default.
			name:  "response clock, reply",
			clock: response,
			tk:    withResponse(tkt("P2", "2025-03-10 09:00", ch("2025-03-10 09:05", Paused)), "2025-03-10 09:20"),
			now:   "2025-03-10 12:00",
			want:  []Cycle{{Start: ts("2025-03-10 09:00"), Stop: ts("2025-03-10 09:20"), Target: 1 * h, Elapsed: 20 * m, State: Met}},
		},
		{
			// Created Mon 16:30, reply Tue 09:45: 30m + 45m = 4500 s > 3600 s. The hour ran out
			// 30m into Tuesday: breached at Tue 09:30.
			name:  "response clock, late reply",
			clock: response,
			tk:    withResponse(tkt("P2", "2025-03-10 16:30"), "2025-03-11 09:45"),
			now:   "2025-03-11 12:00",
			want: []Cycle{{Start: ts("2025-03-10 16:30"), Stop: ts("2025-03-11 09:45"), Target: 1 * h, Elapsed: 75 * m,
				Deadline: ts("2025-03-11 09:30"), BreachedAt: ts("2025-03-11 09:30"), State: Breached}},
		},
		{
			// The same seen Tue 09:40, before the reply: 30m + 40m = 4200 s, breached and open.
			name:  "response clock, reply after now",
			clock: response,
			tk:    withResponse(tkt("P2", "2025-03-10 16:30"), "2025-03-11 09:45"),
			now:   "2025-03-11 09:40",
			want: []Cycle{{Start: ts("2025-03-10 16:30"), Target: 1 * h, Elapsed: 70 * m,
				Deadline: ts("2025-03-11 09:30"), BreachedAt: ts("2025-03-11 09:30"), State: Breached}},
		},
		{
			// Cancelled 09:30 and replied at the same instant: the reply comes first. 30m: met.
			name:  "response clock, reply at the cancellation instant",
			clock: response,
			tk:    withResponse(tkt("P1", "2025-03-10 09:00", ch("2025-03-10 09:30", Cancelled)), "2025-03-10 09:30"),
			now:   "2025-03-10 12:00",
			want:  []Cycle{{Start: ts("2025-03-10 09:00"), Stop: ts("2025-03-10 09:30"), Target: 30 * m, Elapsed: 30 * m, State: Met}},
		},
		{
			// Cancelled 09:10 before any reply: cancelled after 10m of 30m.
			name:  "response clock, cancelled before a reply",
			clock: response,
			tk:    withResponse(tkt("P1", "2025-03-10 09:00", ch("2025-03-10 09:10", Cancelled)), "2025-03-10 09:30"),
			now:   "2025-03-10 12:00",
			want:  []Cycle{{Start: ts("2025-03-10 09:00"), Stop: ts("2025-03-10 09:10"), Target: 30 * m, Elapsed: 10 * m, State: CancelledState}},
		},
		{
			name:  "response clock, resolved and reopened: no second cycle",
			clock: response,
			tk:    tkt("P1", "2025-03-10 09:00", ch("2025-03-10 09:10", Resolved), ch("2025-03-10 10:00", Open)),
			now:   "2025-03-10 12:00",
			want:  []Cycle{{Start: ts("2025-03-10 09:00"), Stop: ts("2025-03-10 09:10"), Target: 30 * m, Elapsed: 10 * m, State: Met}},
		},
		{
			name:  "priority without a target has no cycle",
			clock: resolution,
			tk:    tkt("P4", "2025-03-10 09:00"),
			now:   "2025-03-10 12:00",
			want:  nil,
		},
		{
			// P4 is not listed: the "*" default of 8h applies. 09:00-12:00 = 3h: met.
			name:  "default target",
			clock: withDefault,
			tk:    tkt("P4", "2025-03-10 09:00", ch("2025-03-10 12:00", Resolved)),
			now:   "2025-03-10 12:00",
			want:  []Cycle{{Start: ts("2025-03-10 09:00"), Stop: ts("2025-03-10 12:00"), Target: 8 * h, Elapsed: 3 * h, State: Met}},
		},
		{
			// A listed priority keeps its own target: P1 2h, 3h elapsed, breached at 11:00.
			name:  "listed priority ignores the default",
			clock: withDefault,
			tk:    tkt("P1", "2025-03-10 09:00", ch("2025-03-10 12:00", Resolved)),
			now:   "2025-03-10 12:00",
			want: []Cycle{{Start: ts("2025-03-10 09:00"), Stop: ts("2025-03-10 12:00"), Target: 2 * h, Elapsed: 3 * h,
				Deadline: ts("2025-03-10 11:00"), BreachedAt: ts("2025-03-10 11:00"), State: Breached}},
		},
		{
			// Sun 30 Mar 2025, clocks go 02:00 CET -> 03:00 CEST. 00:00 to 12:00 on the wall is 11h
			// of real time on a 24x7 Europe/Rome calendar: 39600 s of a 12h target: met.
			name:  "DST spring day, 24x7 in zone",
			clock: dst,
			tk:    tkt("P3", "2025-03-30 00:00", ch("2025-03-30 12:00", Resolved)),
			now:   "2025-03-30 18:00",
			want:  []Cycle{{Start: ts("2025-03-30 00:00"), Stop: ts("2025-03-30 12:00"), Target: 12 * h, Elapsed: 11 * h, State: Met}},
		},
		{
			// Open at 12:00 the same day: 11h counted (>= 9h: at risk); 1h left: 13:00 CEST.
			name:  "DST spring day, 24x7 in zone, open",
			clock: dst,
			tk:    tkt("P3", "2025-03-30 00:00"),
			now:   "2025-03-30 12:00",
			want:  []Cycle{{Start: ts("2025-03-30 00:00"), Target: 12 * h, Elapsed: 11 * h, Deadline: ts("2025-03-30 13:00"), State: InProgress, AtRisk: true}},
		},
		{
			// Sun 26 Oct 2025, clocks go 03:00 CEST -> 02:00 CET. 00:00 to 12:00 on the wall is 13h:
			// 46800 s > 43200 s. 12h of real time after 00:00 CEST (22:00 UTC) is 10:00 UTC, 11:00
			// CET on the wall.
			name:  "DST autumn day, 24x7 in zone",
			clock: dst,
			tk:    tkt("P3", "2025-10-26 00:00", ch("2025-10-26 12:00", Resolved)),
			now:   "2025-10-26 18:00",
			want: []Cycle{{Start: ts("2025-10-26 00:00"), Stop: ts("2025-10-26 12:00"), Target: 12 * h, Elapsed: 13 * h,
				Deadline: ts("2025-10-26 11:00"), BreachedAt: ts("2025-10-26 11:00"), State: Breached}},
		},
		{
			// Office hours across the spring DST weekend: Fri 28 Mar 16:00-17:00 CET (1h) + Mon 31
			// Mar 09:00-10:00 CEST (1h) = 7200 s.
			name:  "office hours across a DST weekend",
			clock: resolution,
			tk:    tkt("P3", "2025-03-28 16:00", ch("2025-03-31 10:00", Resolved)),
			now:   "2025-03-31 12:00",
			want:  []Cycle{{Start: ts("2025-03-28 16:00"), Stop: ts("2025-03-31 10:00"), Target: 8 * h, Elapsed: 2 * h, State: Met}},
		},
		{
			// Resolved then closed: closing does nothing more. Then reopened from closed: a new
			// cycle. Mon 09:00-10:00 met; reopened Tue 09:00 into a pause until 10:00, running
			// since: 2h by 12:00 of 2h: at the target, not beyond; deadline reached at 12:00.
			name:  "closed, reopened into a pause",
			clock: resolution,
			tk: tkt("P1", "2025-03-10 09:00", ch("2025-03-10 10:00", Resolved), ch("2025-03-10 11:00", Closed),
				ch("2025-03-11 09:00", Paused), ch("2025-03-11 10:00", Open)),
			now: "2025-03-11 12:00",
			want: []Cycle{
				{Start: ts("2025-03-10 09:00"), Stop: ts("2025-03-10 10:00"), Target: 2 * h, Elapsed: 1 * h, State: Met},
				{N: 1, Start: ts("2025-03-11 09:00"), Target: 2 * h, Elapsed: 2 * h, Deadline: ts("2025-03-11 12:00"), State: InProgress, AtRisk: true},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := cyclesOf(t, tc.clock, tc.tk, ts(tc.now))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("cycles (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCyclesAllocs: with room in buf, computing cycles allocates nothing.
func TestCyclesAllocs(t *testing.T) {
	resp, res := benchClocks(t, office(t))
	st := NewStore(StoreOptions{})
	tk := tkt("P2", "2025-03-10 16:30", ch("2025-03-10 17:30", Paused), ch("2025-03-11 10:00", Open),
		ch("2025-03-11 12:00", Resolved), ch("2025-03-12 09:00", Open), ch("2025-03-12 18:00", Resolved))
	if err := st.Add(&tk); err != nil {
		t.Fatal(err)
	}
	buf := make([]Cycle, 0, 8)
	now := ts("2025-03-12 10:00")
	allocs := testing.AllocsPerRun(100, func() {
		buf = resp.Cycles(st, 0, now, buf[:0])
		buf = res.Cycles(st, 0, now, buf)
	})
	if allocs != 0 {
		t.Errorf("Cycles allocates %v times per call", allocs)
	}
	if len(buf) != 3 {
		t.Errorf("got %d cycles, want 3", len(buf))
	}
}

func TestNewClockErrors(t *testing.T) {
	ok := map[string]time.Duration{"P1": time.Hour}
	tests := []struct {
		spec ClockSpec
		want string
	}{
		{ClockSpec{Kind: Resolution}, `resolution clock: targets: none set`},
		{ClockSpec{Kind: Response, Targets: map[string]time.Duration{"P1": 0}}, `response clock: targets: target 0s for priority "P1" is not positive`},
		{ClockSpec{Kind: Response, Targets: map[string]time.Duration{"P1": -time.Hour}}, `target -1h0m0s for priority "P1" is not positive`},
		{ClockSpec{Kind: Resolution, Targets: map[string]time.Duration{"*": 1500 * time.Millisecond}}, `target 1.5s for priority "*" is not a whole number of seconds`},
		{ClockSpec{Kind: Resolution, Targets: ok, WarnAt: 1.5}, `warn_at: 1.5 is not a fraction in (0, 1]`},
		{ClockSpec{Kind: Resolution, Targets: ok, WarnAt: -0.1}, `warn_at: -0.1 is not a fraction in (0, 1]`},
		{ClockSpec{Kind: Resolution, Targets: ok, PauseOn: []Category{Resolved}}, `pause_on: category resolved cannot pause a clock`},
		{ClockSpec{Kind: Resolution, Targets: ok, PauseOn: []Category{Unmapped}}, `pause_on: category unmapped cannot pause a clock`},
		{ClockSpec{Kind: 7, Targets: ok}, `clock: unknown kind 7`},
		{ClockSpec{Kind: Resolution, Targets: ok, Reopen: 3}, `resolution clock: reopen: unknown policy 3`},
	}
	for _, tc := range tests {
		_, err := NewClock(tc.spec)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewClock(%+v) = %v, want an error containing %q", tc.spec, err, tc.want)
		}
	}
}

func TestClockDefaults(t *testing.T) {
	res := mustClock(t, ClockSpec{Kind: Resolution, Targets: map[string]time.Duration{"P1": time.Hour, "*": 2 * time.Hour}})
	if res.Calendar() != calendar.AlwaysOn || res.WarnAt() != DefaultWarnAt || res.Reopen() != NewCycle {
		t.Errorf("defaults: calendar %s, warn %v, reopen %s", res.Calendar().Name(), res.WarnAt(), res.Reopen())
	}
	if diff := cmp.Diff([]Category{Paused}, res.PauseOn()); diff != "" {
		t.Errorf("resolution PauseOn (-want +got):\n%s", diff)
	}
	if got := mustClock(t, ClockSpec{Kind: Response, Targets: map[string]time.Duration{"P1": time.Hour}}).PauseOn(); len(got) != 0 {
		t.Errorf("response PauseOn = %v, want none", got)
	}
	if got := mustClock(t, ClockSpec{Kind: Resolution, Targets: map[string]time.Duration{"P1": time.Hour}, PauseOn: []Category{}}).PauseOn(); len(got) != 0 {
		t.Errorf("explicit empty PauseOn = %v, want none", got)
	}
	if d, ok := res.Target("P9"); !ok || d != 2*time.Hour {
		t.Errorf("Target(P9) = %v, %v; want the 2h default", d, ok)
	}
	if diff := cmp.Diff([]string{"P1"}, res.Priorities()); diff != "" {
		t.Errorf("Priorities (-want +got):\n%s", diff)
	}
	// A pause is not counted by a resolution clock with no pause categories.
	noPause := mustClock(t, ClockSpec{Kind: Resolution, Targets: map[string]time.Duration{"P1": time.Hour}, PauseOn: []Category{}})
	got := cyclesOf(t, noPause, tkt("P1", "2025-03-10 09:00", ch("2025-03-10 09:10", Paused), ch("2025-03-10 09:40", Resolved)), ts("2025-03-10 12:00"))
	want := []Cycle{{Start: ts("2025-03-10 09:00"), Stop: ts("2025-03-10 09:40"), Target: h, Elapsed: 40 * m, State: Met}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("no pause (-want +got):\n%s", diff)
	}
	// A response clock told to pause does.
	pausing := mustClock(t, ClockSpec{Kind: Response, Targets: map[string]time.Duration{"P1": time.Hour}, PauseOn: []Category{Paused}})
	got = cyclesOf(t, pausing, withResponse(tkt("P1", "2025-03-10 09:00", ch("2025-03-10 09:10", Paused), ch("2025-03-10 09:40", Open)), "2025-03-10 09:50"), ts("2025-03-10 12:00"))
	want = []Cycle{{Start: ts("2025-03-10 09:00"), Stop: ts("2025-03-10 09:50"), Target: h, Elapsed: 20 * m, State: Met}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pausing response (-want +got):\n%s", diff)
	}
}

func TestNames(t *testing.T) {
	for s, want := range map[State]string{InProgress: "in_progress", PausedState: "paused", Met: "met", Breached: "breached", CancelledState: "cancelled", 9: "state(9)"} {
		if s.String() != want {
			t.Errorf("State(%d) = %q, want %q", s, s.String(), want)
		}
	}
	for _, k := range []Kind{Response, Resolution} {
		if got, err := ParseKind(strings.ToUpper(k.String())); err != nil || got != k {
			t.Errorf("ParseKind(%s) = %v, %v", k, got, err)
		}
	}
	for _, p := range []ReopenPolicy{NewCycle, Resume} {
		if got, err := ParseReopenPolicy(p.String()); err != nil || got != p {
			t.Errorf("ParseReopenPolicy(%s) = %v, %v", p, got, err)
		}
	}
	if _, err := ParseKind("sla"); err == nil {
		t.Error("ParseKind(sla) succeeded")
	}
}
