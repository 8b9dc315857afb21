package ticket

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
)

// TestCyclesBusinessDays checks targets in working days on the office calendar (Mon-Fri
// 09:00-17:00 Europe/Rome, Italian holidays, 2020-2030; 8h working days). The deadline of n
// working days is the end of the nth working day after the date the cycle starts; the target is
// the working time from the start to it. WarnAt 0.75.
func TestCyclesBusinessDays(t *testing.T) {
	cal := office(t)
	days := map[string]int{"P2": 1, "P3": 5}
	resolution := mustClock(t, ClockSpec{Kind: Resolution, Calendar: cal, BusinessDays: days})
	resume := mustClock(t, ClockSpec{Kind: Resolution, Calendar: cal, BusinessDays: days, Reopen: Resume})
	mixed := mustClock(t, ClockSpec{Kind: Response, Calendar: cal, Targets: map[string]time.Duration{"P1": time.Hour}, BusinessDays: map[string]int{"*": 3}})

	tests := []struct {
		name  string
		clock *Clock
		tk    Ticket
		now   string
		want  []Cycle
	}{
		{
			// Friday 10:00 + 1 working day: the weekend does not count, Monday does; deadline Mon
			// 17:00. Target Fri 10:00-17:00 (7h) + Mon 8h = 15h = 54000 s. By Mon 12:00: 7h + 3h =
			// 10h = 36000 s < 0.75 × 54000 = 40500: not at risk.
			name:  "across a weekend",
			clock: resolution,
			tk:    tkt("P2", "2025-03-07 10:00"),
			now:   "2025-03-10 12:00",
			want:  []Cycle{{Start: ts("2025-03-07 10:00"), Target: 15 * h, Elapsed: 10 * h, Deadline: ts("2025-03-10 17:00"), State: InProgress}},
		},
		{
			// Created before opening: Monday still does not count. Deadline Tue 17:00; target Mon
			// 8h + Tue 8h = 16h.
			name:  "created before opening",
			clock: resolution,
			tk:    tkt("P2", "2025-03-10 07:00", ch("2025-03-11 16:00", Resolved)),
			now:   "2025-03-11 18:00",
			want:  []Cycle{{Start: ts("2025-03-10 07:00"), Stop: ts("2025-03-11 16:00"), Target: 16 * h, Elapsed: 15 * h, State: Met}},
		},
		{
			// Good Friday is not a holiday in Italy, Easter Monday 2026-04-06 is: Friday's next
			// working day is Tuesday 04-07. Target Fri 10:00-17:00 (7h) + Tue 8h = 15h; resolved
			// Tue 16:00 after 7h + 7h = 14h. Met.
			name:  "across Easter Monday",
			clock: resolution,
			tk:    tkt("P2", "2026-04-03 10:00", ch("2026-04-07 16:00", Resolved)),
			now:   "2026-04-08 12:00",
			want:  []Cycle{{Start: ts("2026-04-03 10:00"), Stop: ts("2026-04-07 16:00"), Target: 15 * h, Elapsed: 14 * h, State: Met}},
		},
		{
			// Five working days from Thursday 2026-03-26, across the spring DST change of Sunday
			// 03-29: Fri 27, Mon 30, Tue 31, Wed 04-01, Thu 04-02; deadline Thu 17:00 CEST. Target
			// Thu 10:00-17:00 (7h) + 5 × 8h = 47h. Resolved Fri 04-03 10:00 after 47h + 1h = 48h:
			// breached at the deadline.
			name:  "five days across DST",
			clock: resolution,
			tk:    tkt("P3", "2026-03-26 10:00", ch("2026-04-03 10:00", Resolved)),
			now:   "2026-04-03 12:00",
			want: []Cycle{{Start: ts("2026-03-26 10:00"), Stop: ts("2026-04-03 10:00"), Target: 47 * h, Elapsed: 48 * h,
				Deadline: ts("2026-04-02 17:00"), BreachedAt: ts("2026-04-02 17:00"), State: Breached}},
		},
		{
			// A pause pushes the deadline by the working time it took. Mon 10:00 + 1 day: target
			// Mon 7h + Tue 8h = 15h. Runs Mon 10:00-12:00 (2h), paused to Tue 11:00 (Mon 5h + Tue 2h
			// of working time), runs Tue 11:00-12:00 (1h): 3h by Tue 12:00. The 12h left run Tue
			// 12:00-17:00 (5h) and Wed 09:00-16:00 (7h): Tue 17:00 pushed by the 7h paused.
			// 10800 < 40500: not at risk.
			name:  "a pause pushes the deadline",
			clock: resolution,
			tk:    tkt("P2", "2025-03-10 10:00", ch("2025-03-10 12:00", Paused), ch("2025-03-11 11:00", Open)),
			now:   "2025-03-11 12:00",
			want:  []Cycle{{Start: ts("2025-03-10 10:00"), Target: 15 * h, Elapsed: 3 * h, Deadline: ts("2025-03-12 16:00"), State: InProgress}},
		},
		{
			// Reopened under new_cycle: the second cycle counts its day from the reopen. Thu 16:00
			// + 1 day: Fri 17:00; target Thu 1h + Fri 8h = 9h. By Fri 10:00: 1h + 1h = 2h.
			name:  "a new cycle counts from the reopen",
			clock: resolution,
			tk:    tkt("P2", "2025-03-10 10:00", ch("2025-03-10 11:00", Resolved), ch("2025-03-13 16:00", Open)),
			now:   "2025-03-14 10:00",
			want: []Cycle{
				{Start: ts("2025-03-10 10:00"), Stop: ts("2025-03-10 11:00"), Target: 15 * h, Elapsed: 1 * h, State: Met},
				{N: 1, Start: ts("2025-03-13 16:00"), Target: 9 * h, Elapsed: 2 * h, Deadline: ts("2025-03-14 17:00"), State: InProgress},
			},
		},
		{
			// Under resume the target stays the one fixed at creation: 15h (Mon 7h + Tue 8h).
			// Elapsed Mon 10:00-11:00 and Thu 16:00 - Fri 10:00: 1h + 1h + 1h = 3h; the 12h left
			// from Fri 10:00: Fri 7h, Mon 09:00-14:00.
			name:  "resume keeps the first target",
			clock: resume,
			tk:    tkt("P2", "2025-03-10 10:00", ch("2025-03-10 11:00", Resolved), ch("2025-03-13 16:00", Open)),
			now:   "2025-03-14 10:00",
			want:  []Cycle{{Start: ts("2025-03-10 10:00"), Target: 15 * h, Elapsed: 3 * h, Deadline: ts("2025-03-17 14:00"), State: InProgress}},
		},
		{
			// The "*" default in working days beside a P1 in hours. P4 created Wed 2025-03-12
			// 12:00: Thu, Fri, Mon; target Wed 5h + 3 × 8h = 29h. Answered Thu 10:00 after 5h + 1h.
			name:  "a default in working days",
			clock: mixed,
			tk:    withResponse(tkt("P4", "2025-03-12 12:00"), "2025-03-13 10:00"),
			now:   "2025-03-13 12:00",
			want:  []Cycle{{Start: ts("2025-03-12 12:00"), Stop: ts("2025-03-13 10:00"), Target: 29 * h, Elapsed: 6 * h, State: Met}},
		},
		{
			// The calendar ends with 2030: a day after Tuesday 2030-12-31 is beyond it. The target
			// cannot be reached and there is no deadline.
			name:  "beyond the calendar's span",
			clock: resolution,
			tk:    tkt("P2", "2030-12-31 10:00"),
			now:   "2030-12-31 12:00",
			want:  []Cycle{{Start: ts("2030-12-31 10:00"), Target: unreachable, Elapsed: 2 * h, Deadline: calendar.Never, State: InProgress}},
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

func TestBusinessDaysTargets(t *testing.T) {
	c := mustClock(t, ClockSpec{Kind: Resolution, Targets: map[string]time.Duration{"P1": time.Hour}, BusinessDays: map[string]int{"P3": 5, "*": 10}})
	type target struct {
		Duration time.Duration
		Days     int
		Covered  bool
	}
	var got []target
	for _, p := range []string{"P1", "P3", "P9"} {
		d, ok := c.Target(p)
		got = append(got, target{d, c.BusinessDays(p), ok})
	}
	want := []target{{time.Hour, 0, true}, {0, 5, true}, {0, 10, true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"P1", "P3"}, c.Priorities()); diff != "" {
		t.Errorf("Priorities (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		spec ClockSpec
		want string
	}{
		{ClockSpec{Kind: Resolution, Targets: map[string]time.Duration{"P1": time.Hour}, BusinessDays: map[string]int{"P1": 1}},
			`resolution clock: targets: priority "P1" has a target both in business time and in working days`},
		{ClockSpec{Kind: Resolution, BusinessDays: map[string]int{"P2": 0}},
			`resolution clock: targets: target of 0 working days for priority "P2" is not between 1 and 2500`},
		{ClockSpec{Kind: Resolution, BusinessDays: map[string]int{"P2": 2501}},
			`resolution clock: targets: target of 2501 working days for priority "P2" is not between 1 and 2500`},
	} {
		if _, err := NewClock(tc.spec); err == nil || err.Error() != tc.want {
			t.Errorf("NewClock = %v, want %q", err, tc.want)
		}
	}
}

// TestBusinessDaysAllocs: a target in working days costs a search, not an allocation.
func TestBusinessDaysAllocs(t *testing.T) {
	c := mustClock(t, ClockSpec{Kind: Resolution, Calendar: office(t), BusinessDays: map[string]int{"*": 2}})
	st := NewStore(StoreOptions{})
	tk := tkt("P2", "2025-03-10 16:30", ch("2025-03-11 12:00", Resolved), ch("2025-03-12 09:00", Open))
	if err := st.Add(&tk); err != nil {
		t.Fatal(err)
	}
	buf := make([]Cycle, 0, 4)
	now := ts("2025-03-12 10:00")
	if allocs := testing.AllocsPerRun(100, func() { buf = c.Cycles(st, 0, now, buf[:0]) }); allocs != 0 {
		t.Errorf("Cycles allocates %v times per call", allocs)
	}
}
