package servicenow

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector/servicenow/servicenowsim"
	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// The scripted month: March 2026 on a desk open Monday to Friday 08:00-18:00 UTC, with the
// base system's kind of SLA definitions in the simulator (P1 resolution 4h, P2 resolution 8h,
// both paused On Hold; P2 response 1h, which stops when the incident leaves New) and the same
// targets as the exporter's objectives (response P2 1h; resolution P1 4h, P2 8h, paused while
// paused, a new cycle at a reopen). The source syncs every Monday at midnight, once on Monday
// 16th at 09:00 while an agent edits a ticket between two pages, and on April 1st at midnight.
// The cycles the exporter computes from what it synced are checked against values worked out by
// hand, and ServiceNow's own verdicts (the task_sla records the simulator's engine keeps)
// against what the source imported; the two disagree where ServiceNow's rules differ.

const monthConfig = `
page_size: 3
native_slas: {"P1 resolution (4h)": resolution, "P2 resolution (8h)": resolution, "P2 response (1h)": response}
`

// monthClocks are the exporter's clocks of the month's objectives.
func monthClocks(t *testing.T) (response, resolution *ticket.Clock) {
	t.Helper()
	day := []calendar.Interval{{Start: 8 * 3600, End: 18 * 3600}}
	cal, err := calendar.New(calendar.Spec{Name: "office", Location: time.UTC,
		Week: [7][]calendar.Interval{time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day, time.Friday: day}})
	if err != nil {
		t.Fatal(err)
	}
	response, err = ticket.NewClock(ticket.ClockSpec{Kind: ticket.Response, Calendar: cal, Targets: map[string]time.Duration{"2 - High": time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	resolution, err = ticket.NewClock(ticket.ClockSpec{Kind: ticket.Resolution, Calendar: cal,
		Targets: map[string]time.Duration{"1 - Critical": 4 * time.Hour, "2 - High": 8 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	return response, resolution
}

func cyclesAt(t *testing.T, clock *ticket.Clock, tk ticket.Ticket, now time.Time) []ticket.Cycle {
	t.Helper()
	st := ticket.NewStore(ticket.StoreOptions{})
	if err := st.Add(&tk); err != nil {
		t.Fatal(err)
	}
	return clock.Cycles(st, 0, now.Unix(), nil)
}

func TestScriptedMonth(t *testing.T) {
	e := newEnv(t, servicenowsim.Options{})
	sim := e.sim
	sched := servicenowsim.Weekdays("office", time.UTC, "08:00", "18:00")
	sim.AddSLA(servicenowsim.SLADefinition{Name: "P1 resolution (4h)", Target: "resolution", Table: "incident", Priority: "1",
		Duration: 4 * time.Hour, Schedule: sched, PauseOnHold: true})
	sim.AddSLA(servicenowsim.SLADefinition{Name: "P2 resolution (8h)", Target: "resolution", Table: "incident", Priority: "2",
		Duration: 8 * time.Hour, Schedule: sched, PauseOnHold: true})
	sim.AddSLA(servicenowsim.SLADefinition{Name: "P2 response (1h)", Target: "response", Table: "incident", Priority: "2",
		Duration: time.Hour, Schedule: sched})
	desk := sim.AddGroup("Service Desk")

	src := e.source(t, monthConfig)
	held := map[string]ticket.Ticket{} // what a store would hold
	var cp []byte
	syncAt := func(at string) {
		t.Helper()
		e.clk.Set(utc(at))
		b, err := src.Sync(t.Context(), cp)
		if err != nil {
			t.Fatalf("sync at %s: %v", at, err)
		}
		if len(b.Rejected) > 0 || b.More {
			t.Fatalf("sync at %s: rejected %v, more %v", at, b.Rejected, b.More)
		}
		for _, tk := range b.Tickets {
			held[tk.ID] = tk
		}
		cp = b.Checkpoint
	}
	names := map[string]string{}
	create := func(name, at, prio string) {
		e.clk.Set(utc(at))
		names[name] = sim.Create("incident", servicenowsim.Fields{"priority": prio, "assignment_group": desk})
	}
	set := func(name, at string, f servicenowsim.Fields) {
		e.clk.Set(utc(at))
		sim.Update(names[name], f)
	}
	inProgress := servicenowsim.Fields{"state": "2"}
	resolved := servicenowsim.Fields{"state": "6", "close_code": "Solved (Permanently)"}

	syncAt("2026-03-01 00:00") // nothing yet: the listing is empty
	// B, paused: P1 on hold awaiting a vendor from Tuesday 10:00 to Wednesday 09:00.
	create("B", "2026-03-03 09:00", "1")
	set("B", "2026-03-03 09:15", inProgress)
	set("B", "2026-03-03 10:00", servicenowsim.Fields{"state": "3", "hold_reason": "4"})
	set("B", "2026-03-04 09:00", inProgress)
	set("B", "2026-03-04 10:30", resolved)
	// C, reopened: resolved on Friday, reopened on Monday, resolved again.
	create("C", "2026-03-05 14:00", "2")
	set("C", "2026-03-05 14:30", inProgress)
	set("C", "2026-03-06 10:00", resolved)
	syncAt("2026-03-09 00:00")
	set("C", "2026-03-09 09:00", inProgress)
	set("C", "2026-03-09 15:00", resolved)
	syncAt("2026-03-16 00:00")
	// D, edited between two pages: created at 08:00 with five others (P4, no SLA) a minute
	// apart; the sync at 09:00 reads three a page, and after the first page (D and two others)
	// an agent takes D up. The keyset reads the rest, and D again last.
	create("D", "2026-03-16 08:00", "2")
	for i := 1; i <= 5; i++ {
		create(fmt.Sprintf("filler%d", i), fmt.Sprintf("2026-03-16 08:%02d", i), "4")
	}
	sim.AfterServe(func(endpoint string, n int) {
		if endpoint == "incident" && e.clk.Now().Equal(utc("2026-03-16 09:00")) && sim.Task(names["D"])["state"] == "1" {
			sim.Update(names["D"], inProgress)
		}
	})
	before := sim.Requests("incident")
	syncAt("2026-03-16 09:00")
	sim.AfterServe(nil)
	if got := sim.Requests("incident") - before; got != 3 {
		t.Errorf("the 09:00 sync read %d listing pages, want 3: [D f1 f2], [f3 f4 f5], [D@09:00]", got)
	}
	if d := held[names["D"]]; len(d.History) != 2 || !d.FirstResponse.Equal(utc("2026-03-16 09:00")) {
		t.Errorf("D after the sync that read it twice: %+v", d.History)
	}
	set("D", "2026-03-17 10:00", resolved)
	// F, the planted disagreement: the agent puts a new P2 on hold at once, asking the caller
	// for details, and takes it up later. ServiceNow's response SLA stops when the incident
	// leaves New; the exporter's first response is the first In Progress.
	create("F", "2026-03-17 08:00", "2")
	set("F", "2026-03-17 08:20", servicenowsim.Fields{"state": "3", "hold_reason": "1"})
	set("F", "2026-03-17 10:30", inProgress)
	set("F", "2026-03-17 12:00", resolved)
	// G, canceled by the caller 45 minutes in.
	create("G", "2026-03-18 10:00", "2")
	set("G", "2026-03-18 10:45", servicenowsim.Fields{"state": "8"})
	syncAt("2026-03-23 00:00")
	syncAt("2026-03-30 00:00")
	// E, the breach in the month's last working minute: P1 at 13:59 on Tuesday 31st, due 4h
	// later at 17:59, resolved at the office's close, 18:00.
	create("E", "2026-03-31 13:59", "1")
	set("E", "2026-03-31 14:10", inProgress)
	set("E", "2026-03-31 18:00", resolved)
	syncAt("2026-04-01 00:00")

	response, resolution := monthClocks(t)
	now := utc("2026-04-01 00:00")
	const h, m = 3600, 60
	unix := func(s string) int64 { return utc(s).Unix() }
	tests := []struct {
		name       string
		response   []ticket.Cycle
		resolution []ticket.Cycle
	}{
		{name: "B", // P1: no response target
			// Tue 09:00-10:00 (1h) + Wed 09:00-10:30 (1.5h), the hold excluded: 2.5h of 4h, met.
			resolution: []ticket.Cycle{{Start: unix("2026-03-03 09:00"), Stop: unix("2026-03-04 10:30"), Target: 4 * h, Elapsed: 2*h + 30*m, State: ticket.Met}}},
		{name: "C",
			response: []ticket.Cycle{{Start: unix("2026-03-05 14:00"), Stop: unix("2026-03-05 14:30"), Target: h, Elapsed: 30 * m, State: ticket.Met}},
			resolution: []ticket.Cycle{
				// Thu 14:00-18:00 (4h) + Fri 08:00-10:00 (2h) = 6h of 8h.
				{Start: unix("2026-03-05 14:00"), Stop: unix("2026-03-06 10:00"), Target: 8 * h, Elapsed: 6 * h, State: ticket.Met},
				// The reopen's new cycle: Mon 09:00-15:00 = 6h.
				{N: 1, Start: unix("2026-03-09 09:00"), Stop: unix("2026-03-09 15:00"), Target: 8 * h, Elapsed: 6 * h, State: ticket.Met},
			}},
		{name: "D",
			// Answered at 09:00, exactly the hour: met (elapsed not over the target); ServiceNow
			// completes it in the second of its planned_end_time, before the breach timer.
			response: []ticket.Cycle{{Start: unix("2026-03-16 08:00"), Stop: unix("2026-03-16 09:00"), Target: h, Elapsed: h, State: ticket.Met}},
			// Mon 08:00-18:00 (10h) + Tue 08:00-10:00 (2h) = 12h: breached at Mon 16:00.
			resolution: []ticket.Cycle{{Start: unix("2026-03-16 08:00"), Stop: unix("2026-03-17 10:00"), Target: 8 * h, Elapsed: 12 * h,
				Deadline: unix("2026-03-16 16:00"), BreachedAt: unix("2026-03-16 16:00"), State: ticket.Breached}}},
		{name: "E", // P1: no response target
			// 13:59 + 4h = 17:59; resolved 18:00: 4h01m, breached in the last working minute.
			resolution: []ticket.Cycle{{Start: unix("2026-03-31 13:59"), Stop: unix("2026-03-31 18:00"), Target: 4 * h, Elapsed: 4*h + m,
				Deadline: unix("2026-03-31 17:59"), BreachedAt: unix("2026-03-31 17:59"), State: ticket.Breached}}},
		{name: "F",
			// First In Progress at 10:30: 2.5h, breached at 09:00.
			response: []ticket.Cycle{{Start: unix("2026-03-17 08:00"), Stop: unix("2026-03-17 10:30"), Target: h, Elapsed: 2*h + 30*m,
				Deadline: unix("2026-03-17 09:00"), BreachedAt: unix("2026-03-17 09:00"), State: ticket.Breached}},
			// 08:00-08:20 (20m) + 10:30-12:00 (1.5h), the hold excluded: 1h50m, met.
			resolution: []ticket.Cycle{{Start: unix("2026-03-17 08:00"), Stop: unix("2026-03-17 12:00"), Target: 8 * h, Elapsed: h + 50*m, State: ticket.Met}}},
		{name: "G", // canceled after 45 minutes: both clocks cancelled
			response:   []ticket.Cycle{{Start: unix("2026-03-18 10:00"), Stop: unix("2026-03-18 10:45"), Target: h, Elapsed: 45 * m, State: ticket.CancelledState}},
			resolution: []ticket.Cycle{{Start: unix("2026-03-18 10:00"), Stop: unix("2026-03-18 10:45"), Target: 8 * h, Elapsed: 45 * m, State: ticket.CancelledState}}},
	}
	for _, tt := range tests {
		tk, ok := held[names[tt.name]]
		if !ok {
			t.Fatalf("%s (%s) was not synced", tt.name, names[tt.name])
		}
		if diff := cmp.Diff(tt.response, cyclesAt(t, response, tk, now)); diff != "" {
			t.Errorf("%s response cycles (-want +got):\n%s", tt.name, diff)
		}
		if diff := cmp.Diff(tt.resolution, cyclesAt(t, resolution, tk, now)); diff != "" {
			t.Errorf("%s resolution cycles (-want +got):\n%s", tt.name, diff)
		}
	}
	if len(held) != 11 {
		t.Errorf("%d tickets held, want 11 (B C D E F G and 5 fillers)", len(held))
	}

	// ServiceNow's own records, as the simulator's engine keeps them, are what was imported
	// (the cancelled ones left out).
	for _, name := range []string{"B", "C", "D", "E", "F", "G"} {
		var want []ticket.NativeSLA
		for _, ts := range sim.TaskSLAs(names[name]) {
			if ts.Stage == "cancelled" {
				continue
			}
			want = append(want, ticket.NativeSLA{Name: ts.Name, Clock: ts.Target, Start: ts.Start, Deadline: ts.PlannedEnd, Stop: ts.End, Breached: ts.HasBreached})
		}
		if diff := cmp.Diff(want, held[names[name]].Native); diff != "" {
			t.Errorf("%s native SLAs (-simulator +imported):\n%s", name, diff)
		}
	}

	// The verdicts side by side: the exporter's cycles and ServiceNow's, in order per clock.
	var got []string
	for _, name := range []string{"B", "C", "D", "E", "F", "G"} {
		tk := held[names[name]]
		for _, c := range []struct {
			clock string
			cl    *ticket.Clock
		}{{"response", response}, {"resolution", resolution}} {
			var native []ticket.NativeSLA
			for _, n := range tk.Native {
				if n.Clock == c.clock {
					native = append(native, n)
				}
			}
			for i, cy := range cyclesAt(t, c.cl, tk, now) {
				nv := "none"
				if i < len(native) {
					nv = map[bool]string{true: "breached", false: "met"}[native[i].Breached]
				}
				got = append(got, fmt.Sprintf("%s %s %d: exporter %s, ServiceNow %s", name, c.clock, i, cy.State, nv))
			}
		}
	}
	want := []string{
		"B resolution 0: exporter met, ServiceNow met",
		"C response 0: exporter met, ServiceNow met",
		"C resolution 0: exporter met, ServiceNow met",
		"C resolution 1: exporter met, ServiceNow met",
		"D response 0: exporter met, ServiceNow met",
		"D resolution 0: exporter breached, ServiceNow breached",
		"E resolution 0: exporter breached, ServiceNow breached",
		// ServiceNow's response stopped at On Hold, 08:20; the exporter waits for In Progress.
		"F response 0: exporter breached, ServiceNow met",
		"F resolution 0: exporter met, ServiceNow met",
		// Canceled: ServiceNow's response stop condition (state is not New) matches Canceled
		// and completes it, met; its resolution SLA is cancelled, no verdict.
		"G response 0: exporter cancelled, ServiceNow met",
		"G resolution 0: exporter cancelled, ServiceNow none",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	// What sla_native_disagreements counts says the same of F: its response cycle and
	// ServiceNow's first disagree on the verdict; its resolution agrees (deadlines Wed 08:10 on
	// both sides, within the minute's tolerance).
	st := ticket.NewStore(ticket.StoreOptions{})
	f := held[names["F"]]
	if err := st.Add(&f); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		kind ticket.Kind
		cl   *ticket.Clock
		want ticket.Disagreement
	}{{ticket.Response, response, ticket.VerdictDiffers}, {ticket.Resolution, resolution, ticket.Agree}} {
		cmps := ticket.CompareNative(st.View(0), c.kind, cyclesAt(t, c.cl, f, now), now.Unix(), 60, c.cl.Calendar(), nil)
		if len(cmps) != 1 || cmps[0].Cycle != 0 || cmps[0].Disagreement != c.want {
			t.Errorf("F's %v comparison %+v, want the engine's cycle 0 and ServiceNow's first, disagreement %v", c.kind, cmps, c.want)
		}
	}
	// The deadlines agree where both have one: ServiceNow's planned_end_time is the exporter's
	// deadline on the same schedule, the pauses moving both (B: Tue 09:00 + 4h + the hold's
	// 9h of business time = Wed 12:00; F: Tue 08:00 + 8h + 2h10m = Wed 08:10).
	for _, c := range []struct {
		name string
		i    int
		want string
	}{{"B", 0, "2026-03-04 12:00"}, {"F", 0, "2026-03-18 08:10"}, {"D", 0, "2026-03-16 16:00"}, {"E", 0, "2026-03-31 17:59"}} {
		if n := held[names[c.name]].Native; c.i >= len(n) || !n[c.i].Deadline.Equal(utc(c.want)) {
			t.Errorf("%s native %d deadline: %+v, want %s", c.name, c.i, n, c.want)
		}
	}
}
