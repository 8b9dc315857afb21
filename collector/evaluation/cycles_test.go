package evaluation

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// cyclesNow is Friday 2026-11-13 12:00 UTC; the resolution objective's period is November.
var cyclesNow = utc("2026-11-13T12:00:00Z")

// drillDesk holds one P1 incident in each state of the resolution objective (4h, 24x7, at risk
// from 3h), and tickets it must not list.
func drillDesk(t *testing.T) *fakeReader {
	d := newData()
	d.Tickets["desk"] = storeOf(t,
		tk("T-within", "incident", "P1", "2026-11-13T11:00:00Z"),
		tk("T-risk", "incident", "P1", "2026-11-13T08:30:00Z"),
		tk("T-late", "incident", "P1", "2026-11-13T07:00:00Z"),
		tk("T-waiting", "incident", "P1", "2026-11-13T09:00:00Z", change("2026-11-13T10:00:00Z", "waiting", ticket.Paused)),
		tk("T-met", "incident", "P1", "2026-11-12T09:00:00Z", resolved("2026-11-12T11:00:00Z")),
		tk("T-cancelled", "incident", "P1", "2026-11-12T09:00:00Z", change("2026-11-12T10:00:00Z", "withdrawn", ticket.Cancelled)),
		tk("T-breached", "incident", "P1", "2026-11-05T09:00:00Z", resolved("2026-11-05T15:00:00Z")),
		// Decided in October: not this period's.
		tk("T-october", "incident", "P1", "2026-10-20T09:00:00Z", resolved("2026-10-20T10:00:00Z")),
		// Not selected: a request.
		tk("R-request", "request", "P1", "2026-11-13T10:00:00Z"),
		// Not covered: no P2 target in this objective.
		tk("T-p2", "incident", "P2", "2026-11-13T10:00:00Z"),
	)
	d.LastSuccess["desk"] = cyclesNow
	return &fakeReader{data: d}
}

func ptr(s string) *time.Time { return new(utc(s)) }

func TestCycles_Rows(t *testing.T) {
	ev := New(loadConfig(t, testConfig), Options{Data: drillDesk(t)})
	got, err := ev.Cycles("resolution", "", cyclesNow)
	if err != nil {
		t.Fatal(err)
	}
	const target = 4 * 3600 // P1: 4h = 14,400 s
	want := []CycleRow{
		// 09:00 to 15:00 is 6h = 21,600 s; the 4h ran out at 13:00.
		{Ticket: "T-breached", Priority: "P1", State: "breached", Start: utc("2026-11-05T09:00:00Z"),
			Stop: ptr("2026-11-05T15:00:00Z"), Deadline: ptr("2026-11-05T13:00:00Z"), BreachedAt: ptr("2026-11-05T13:00:00Z"),
			Target: target, Elapsed: 21600, Remaining: target - 21600},
		// Cancelled after 1h; no deadline matters any more.
		{Ticket: "T-cancelled", Priority: "P1", State: "cancelled", Start: utc("2026-11-12T09:00:00Z"),
			Stop: ptr("2026-11-12T10:00:00Z"), Target: target, Elapsed: 3600, Remaining: target - 3600},
		// Resolved after 2h.
		{Ticket: "T-met", Priority: "P1", State: "met", Start: utc("2026-11-12T09:00:00Z"),
			Stop: ptr("2026-11-12T11:00:00Z"), Target: target, Elapsed: 7200, Remaining: target - 7200},
		// Running for 5h: breached at 11:00, still open.
		{Ticket: "T-late", Priority: "P1", State: "breached", Start: utc("2026-11-13T07:00:00Z"),
			Deadline: ptr("2026-11-13T11:00:00Z"), BreachedAt: ptr("2026-11-13T11:00:00Z"),
			Target: target, Elapsed: 18000, Remaining: target - 18000},
		// Running for 3h30 = 12,600 s >= 0.75 × 14,400 = 10,800 s: at risk, due 12:30.
		{Ticket: "T-risk", Priority: "P1", State: "in_progress", AtRisk: true, Start: utc("2026-11-13T08:30:00Z"),
			Deadline: ptr("2026-11-13T12:30:00Z"), Target: target, Elapsed: 12600, Remaining: target - 12600},
		// Ran 1h, paused since 10:00: due 3h after it resumes, 15:00 if it did now.
		{Ticket: "T-waiting", Priority: "P1", State: "paused", Start: utc("2026-11-13T09:00:00Z"),
			Deadline: ptr("2026-11-13T15:00:00Z"), Target: target, Elapsed: 3600, Remaining: target - 3600},
		// Running for 1h: due 15:00.
		{Ticket: "T-within", Priority: "P1", State: "in_progress", Start: utc("2026-11-13T11:00:00Z"),
			Deadline: ptr("2026-11-13T15:00:00Z"), Target: target, Elapsed: 3600, Remaining: target - 3600},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func TestCycles_StateFilter(t *testing.T) {
	ev := New(loadConfig(t, testConfig), Options{Data: drillDesk(t)})
	tests := []struct {
		state string
		want  []string
	}{
		{"within", []string{"T-within"}},
		{"at_risk", []string{"T-risk"}},
		// Every breached cycle of the period, running or stopped.
		{"breached", []string{"T-breached", "T-late"}},
		{"paused", []string{"T-waiting"}},
		{"met", []string{"T-met"}},
		{"cancelled", []string{"T-cancelled"}},
		// Running or paused, breached or not.
		{"open", []string{"T-late", "T-risk", "T-waiting", "T-within"}},
	}
	if len(tests) != len(DrillStates) {
		t.Errorf("%d states tested, %d in DrillStates", len(tests), len(DrillStates))
	}
	for _, tt := range tests {
		t.Run(tt.state, func(t *testing.T) {
			rows, err := ev.Cycles("resolution", tt.state, cyclesNow)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rows {
				got = append(got, r.Ticket)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("tickets (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCycles_Errors(t *testing.T) {
	ev := New(loadConfig(t, testConfig), Options{Data: drillDesk(t)})
	tests := []struct {
		name, objective, state string
		notFound               bool
		msg                    string
	}{
		{"unknown objective", "nope", "", true, `no such ticket objective: "nope"`},
		{"not a ticket objective", "requests", "", true, `no such ticket objective: "requests"`},
		{"unknown state", "resolution", "late", false, `state "late" is not one of within, at_risk, breached, paused, met, cancelled, open`},
		{"state names are exact", "resolution", "in_progress", false, `state "in_progress" is not one of within, at_risk, breached, paused, met, cancelled, open`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := ev.Cycles(tt.objective, tt.state, cyclesNow)
			if err == nil {
				t.Fatalf("no error; rows %v", rows)
			}
			if errors.Is(err, ErrNotFound) != tt.notFound {
				t.Errorf("errors.Is(%v, ErrNotFound) = %v, want %v", err, !tt.notFound, tt.notFound)
			}
			if err.Error() != tt.msg {
				t.Errorf("error %q, want %q", err, tt.msg)
			}
		})
	}
}

// TestCycles_BreachAtMonthEnd lists a breach where the engine counts it. Under the office
// calendar (weekdays 08:00-18:00 UTC) a P2 incident opened on Friday 2026-10-30 at 14:00 uses up
// its 4h at 18:00, the close of October's last working day; resolved on Monday 2026-11-02 at
// 09:00 it took 4h + 1h = 5h. The breach becomes a fact when work resumes, on Monday 08:00: the
// engine counts it against November, so November's drill-down must list it.
func TestCycles_BreachAtMonthEnd(t *testing.T) {
	d := newData()
	d.Tickets["desk"] = storeOf(t,
		tk("T-friday", "incident", "P2", "2026-10-30T14:00:00Z", resolved("2026-11-02T09:00:00Z")),
		// Monday 09:00 to 10:00: 1h, met.
		tk("T-monday", "incident", "P2", "2026-11-02T09:00:00Z", resolved("2026-11-02T10:00:00Z")),
	)
	d.LastSuccess["desk"] = cyclesNow
	ev := New(loadConfig(t, testConfig), Options{Data: &fakeReader{data: d}})

	o := objectiveNamed(t, ev.Evaluate(cyclesNow), "office-resolution")
	if o.Good != 1 || o.Bad != 1 {
		t.Fatalf("engine: good %v, bad %v; want 1, 1", o.Good, o.Bad)
	}
	rows, err := ev.Cycles("office-resolution", "breached", cyclesNow)
	if err != nil {
		t.Fatal(err)
	}
	want := []CycleRow{{
		Ticket: "T-friday", Priority: "P2", State: "breached", Start: utc("2026-10-30T14:00:00Z"),
		Stop: ptr("2026-11-02T09:00:00Z"), Deadline: ptr("2026-10-30T18:00:00Z"), BreachedAt: ptr("2026-10-30T18:00:00Z"),
		Target: 4 * 3600, Elapsed: 5 * 3600, Remaining: -3600,
	}}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("breached rows (-want +got):\n%s", diff)
	}
}
