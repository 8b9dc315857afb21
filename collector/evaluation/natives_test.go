package evaluation

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

const nativeConfig = `
global: {timezone: UTC}
calendars:
  - name: office
    hours: {weekdays: ["09:00-17:00"]}
sources:
  - {name: jsm, type: demo}
objectives:
  - name: resolve
    service: desk
    kind: ticket
    source: jsm
    clock: resolution
    calendar: office
    targets: {P1: 8h}
    target: 0.9
  - name: resolve-native
    service: desk
    kind: ticket
    source: jsm
    clock: resolution
    calendar: office
    targets: {P1: 8h}
    target: 0.9
    verdict: native
  - name: respond
    service: desk
    kind: ticket
    source: jsm
    clock: response
    targets: {P1: 1h}
    target: 0.9
`

// ttr is the tool's record of a resolution cycle; "" leaves an instant out.
func ttr(start, deadline, stop string, breached bool) ticket.NativeSLA {
	n := ticket.NativeSLA{Name: "TTR", Clock: "resolution", Start: utc(start), Breached: breached}
	if deadline != "" {
		n.Deadline = utc(deadline)
	}
	if stop != "" {
		n.Stop = utc(stop)
	}
	return n
}

func native(t ticket.Ticket, n ...ticket.NativeSLA) ticket.Ticket {
	t.Native = n
	return t
}

// nativeTickets are a Jira Service Management desk on an office open Mon-Fri 09:00-17:00 UTC, 8
// working hours to resolve P1, at Wednesday 2026-11-18 12:00 (Monday is 11-16).
func nativeTickets(t *testing.T) *ticket.Store {
	return storeOf(t,
		// Met after 5h; the tool agrees.
		native(tk("A", "incident", "P1", "2026-11-16T10:00:00Z", resolved("2026-11-16T15:00:00Z")),
			ttr("2026-11-16T10:00:00Z", "2026-11-17T10:00:00Z", "2026-11-16T15:00:00Z", false)),
		// 8h reached at Monday's close; the tool says Tuesday's opening, the same working
		// instant: both breached, deadlines agree.
		native(tk("B", "incident", "P1", "2026-11-16T09:00:00Z"),
			ttr("2026-11-16T09:00:00Z", "2026-11-17T09:00:00Z", "", true)),
		// Paused 11:00-13:00: 1h + 4h Monday and 3h Tuesday reach 8h Tuesday 12:00; the tool
		// counts through the pause, 10:00: 2 working hours apart.
		native(tk("C", "incident", "P1", "2026-11-16T10:00:00Z",
			change("2026-11-16T11:00:00Z", "waiting", ticket.Paused), change("2026-11-16T13:00:00Z", "open", ticket.Open)),
			ttr("2026-11-16T10:00:00Z", "2026-11-17T10:00:00Z", "", true)),
		// 3h of 8h used; the tool's deadline, 11:00, passed since it was read: breached by the
		// tool's count, within by the engine's.
		native(tk("D", "incident", "P1", "2026-11-18T09:00:00Z"),
			ttr("2026-11-18T09:00:00Z", "2026-11-18T11:00:00Z", "", false)),
		// Met after 2h, reopened Tuesday 09:00: the engine's second cycle reached 8h at
		// Tuesday's close. The tool resumed nothing: its only record is of the first.
		native(tk("E", "incident", "P1", "2026-11-16T10:00:00Z", resolved("2026-11-16T12:00:00Z"), change("2026-11-17T09:00:00Z", "reopened", ticket.Open)),
			ttr("2026-11-16T10:00:00Z", "2026-11-17T10:00:00Z", "2026-11-16T12:00:00Z", false)),
		// Met after 30 min by both; the tool started a second cycle at 10:00 the engine has not.
		native(tk("F", "incident", "P1", "2026-11-18T09:00:00Z", resolved("2026-11-18T09:30:00Z")),
			ttr("2026-11-18T09:00:00Z", "2026-11-18T17:00:00Z", "2026-11-18T09:30:00Z", false),
			ttr("2026-11-18T10:00:00Z", "2026-11-18T18:00:00Z", "", false)),
		// Decided in October by both: not in the period.
		native(tk("G", "incident", "P1", "2026-10-05T10:00:00Z", resolved("2026-10-05T12:00:00Z")),
			ttr("2026-10-05T10:00:00Z", "2026-10-06T10:00:00Z", "2026-10-05T12:00:00Z", false)),
		// Met in October by the engine; the tool never stopped its cycle, breached since 10-06:
		// open on the tool's side, so compared.
		native(tk("H", "incident", "P1", "2026-10-05T10:00:00Z", resolved("2026-10-05T12:00:00Z")),
			ttr("2026-10-05T10:00:00Z", "2026-10-06T10:00:00Z", "", false)),
		// Not measured by the tool: not compared.
		tk("I", "incident", "P1", "2026-11-16T10:00:00Z", resolved("2026-11-16T11:00:00Z")),
	)
}

func TestNativeComparison(t *testing.T) {
	cfg := loadConfig(t, nativeConfig)
	now := utc("2026-11-18T12:00:00Z")
	d := newData()
	d.Tickets["jsm"] = nativeTickets(t)
	d.LastSuccess["jsm"] = now.Add(-time.Minute)
	e := New(cfg, Options{Data: &fakeReader{data: d}})
	snap := e.Evaluate(now)

	// Compared: A, B, C, D, E's two cycles, F's two, H: 9. Disagreeing: D and H on the verdict,
	// C on the deadline, F's second only the tool has, E's second only the engine has.
	var want collector.NativeComparison
	want.Cycles = 9
	want.Disagreements[ticket.VerdictDiffers] = 2
	want.Disagreements[ticket.DeadlineDiffers] = 1
	want.Disagreements[ticket.NativeOnly] = 1
	want.Disagreements[ticket.EngineOnly] = 1
	if diff := cmp.Diff(&want, objectiveNamed(t, snap, "resolve").Native); diff != "" {
		t.Errorf("comparison (-want +got):\n%s", diff)
	}
	// The tool keeps no response records: nothing to compare.
	if got := objectiveNamed(t, snap, "respond").Native; got != nil {
		t.Errorf("response objective compared: %+v", got)
	}

	// The engine counts good A, E's first, F, I; bad B (Tuesday 09:00, the first working
	// instant after Monday's close), C, E's second. The tool's verdicts: good A, E, F's first;
	// bad B, C and D (past 11:00); F's second runs; H's breach is October's; I has none.
	type counts struct{ Good, Bad float64 }
	for name, want := range map[string]counts{"resolve": {4, 3}, "resolve-native": {3, 3}} {
		r := objectiveNamed(t, snap, name)
		if got := (counts{r.Good, r.Bad}); got != want {
			t.Errorf("%s: %+v, want %+v", name, got, want)
		}
	}

	tm := func(s string) *time.Time { v := utc(s); return &v }
	rows, err := e.CyclesWhere("resolve", CycleFilter{Native: "disagrees"}, now)
	if err != nil {
		t.Fatal(err)
	}
	wantRows := []CycleRow{
		{Ticket: "H", Cycle: 0, Priority: "P1", State: "met", Start: utc("2026-10-05T10:00:00Z"), Stop: tm("2026-10-05T12:00:00Z"),
			Target: 8 * 3600, Elapsed: 2 * 3600, Remaining: 6 * 3600,
			Native: []NativeRow{{Name: "TTR", Start: tm("2026-10-05T10:00:00Z"), Deadline: tm("2026-10-06T10:00:00Z"), Verdict: "breached", Comparison: "verdict"}}},
		// Monday 1h + 4h, Tuesday 8h, Wednesday 3h: 16h used, 8h over.
		{Ticket: "C", Cycle: 0, Priority: "P1", State: "breached", Start: utc("2026-11-16T10:00:00Z"),
			Deadline: tm("2026-11-17T12:00:00Z"), BreachedAt: tm("2026-11-17T12:00:00Z"), Target: 8 * 3600, Elapsed: 16 * 3600, Remaining: -8 * 3600,
			Native: []NativeRow{{Name: "TTR", Start: tm("2026-11-16T10:00:00Z"), Deadline: tm("2026-11-17T10:00:00Z"), Verdict: "breached", Comparison: "deadline"}}},
		// Tuesday 8h and Wednesday 3h.
		{Ticket: "E", Cycle: 1, Priority: "P1", State: "breached", Start: utc("2026-11-17T09:00:00Z"),
			Deadline: tm("2026-11-17T17:00:00Z"), BreachedAt: tm("2026-11-17T17:00:00Z"), Target: 8 * 3600, Elapsed: 11 * 3600, Remaining: -3 * 3600,
			Native: []NativeRow{{Comparison: "engine_only"}}},
		{Ticket: "D", Cycle: 0, Priority: "P1", State: "in_progress", Start: utc("2026-11-18T09:00:00Z"),
			Deadline: tm("2026-11-18T17:00:00Z"), Target: 8 * 3600, Elapsed: 3 * 3600, Remaining: 5 * 3600,
			Native: []NativeRow{{Name: "TTR", Start: tm("2026-11-18T09:00:00Z"), Deadline: tm("2026-11-18T11:00:00Z"), Verdict: "breached", Comparison: "verdict"}}},
		{Ticket: "F", Cycle: -1, Priority: "P1", State: "none", Start: utc("2026-11-18T10:00:00Z"),
			Native: []NativeRow{{Name: "TTR", Start: tm("2026-11-18T10:00:00Z"), Deadline: tm("2026-11-18T18:00:00Z"), Verdict: "within", Comparison: "native_only"}}},
	}
	if diff := cmp.Diff(wantRows, rows); diff != "" {
		t.Errorf("disagreeing cycles (-want +got):\n%s", diff)
	}

	var ids []string
	rows, err = e.CyclesWhere("resolve", CycleFilter{Native: "agrees"}, now)
	for _, r := range rows {
		ids = append(ids, r.Ticket)
	}
	if diff := cmp.Diff([]string{"B", "A", "E", "F"}, ids); err != nil || diff != "" {
		t.Errorf("agreeing cycles (-want +got): %v\n%s", err, diff)
	}
	// Without the filter the rows carry the comparison; I has none, H is October's.
	all, err := e.CyclesWhere("resolve", CycleFilter{}, now)
	if err != nil || len(all) != 8 {
		t.Fatalf("all cycles: %d, %v; want A, B, C, D, E's two, F, I", len(all), err)
	}
	for _, r := range all {
		if (r.Native == nil) != (r.Ticket == "I") {
			t.Errorf("ticket %s: native %+v", r.Ticket, r.Native)
		}
	}
	// The state filter applies to the engine's side; the tool-only row has no state.
	if rows, err := e.CyclesWhere("resolve", CycleFilter{Native: "disagrees", State: "breached"}, now); err != nil || len(rows) != 2 {
		t.Errorf("breached and disagreeing: %d rows, %v; want C and E", len(rows), err)
	}

	for _, tc := range []struct {
		objective string
		f         CycleFilter
		want      string
	}{
		{"resolve", CycleFilter{Native: "both"}, `native "both" is not one of agrees, disagrees`},
		{"resolve", CycleFilter{Native: "disagrees", Period: "previous"}, "native: only the current period is compared with the ticket tool's records"},
		{"respond", CycleFilter{Native: "disagrees"}, `native: the tickets of objective "respond" carry no native SLA records of its response clock to compare with`},
	} {
		if _, err := e.CyclesWhere(tc.objective, tc.f, now); err == nil || err.Error() != tc.want {
			t.Errorf("%s %+v: %v, want %q", tc.objective, tc.f, err, tc.want)
		}
	}
}
