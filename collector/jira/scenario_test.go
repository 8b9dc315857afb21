package jira

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sla-exporter/sla_exporter/collector/jira/jirasim"
	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// The scripted month: a JSM desk in March 2026 on Jira Cloud, its SLAs on the office calendar
// (Mon-Fri 09:00-17:00 Berlin; CET, UTC+1, until summer time starts on Sunday 29 March, CEST,
// UTC+2, after). Time to first response: High 1h, Medium 2h; Time to resolution: High 4h,
// Medium 8h, paused while Waiting for customer. Times in the comments are Berlin's; the values
// UTC. The source syncs on Wednesday 1 April, 08:00 (before the office opens).

var syncAt = local("2026-04-01 08:00")

func requestType(name string) map[string]any {
	return map[string]any{"_links": map[string]any{}, "requestType": map[string]any{"id": "12", "name": name},
		"currentStatus": map[string]any{"status": "x"}}
}

var acme = []map[string]any{{"id": "1", "name": "Acme"}}

func ch(at, from, to string) jirasim.Change { return jirasim.Change{At: local(at), From: from, To: to} }

// month puts the scenario's issues on the simulator.
func month(sim *jirasim.Server) {
	custom := map[string]any{"customfield_10010": requestType("Get IT help"), "customfield_10002": acme}
	base := func(id int64, prio, created string) jirasim.Issue {
		return jirasim.Issue{ID: 10000 + id, Key: "SUP-" + itoa(id), Project: "SUP", Type: "Service Request", Priority: prio,
			Created: local(created), Custom: custom}
	}
	// SUP-1, a pause: answered at 10:30, waiting for the customer 11:00-14:00, resolved Tuesday.
	is := base(1, "Medium", "2026-03-02 10:00")
	is.Responded = local("2026-03-02 10:30")
	is.Changes = []jirasim.Change{ch("2026-03-02 10:30", "Waiting for support", "In Progress"),
		ch("2026-03-02 11:00", "In Progress", "Waiting for customer"), ch("2026-03-02 14:00", "Waiting for customer", "In Progress"),
		ch("2026-03-03 11:00", "In Progress", "Resolved")}
	sim.Add(is)
	// SUP-2, a reopen: resolved Wednesday 11:00, reopened Thursday 10:00, resolved 15:30.
	is = base(2, "High", "2026-03-04 09:00")
	is.Responded = local("2026-03-04 09:20")
	is.Changes = []jirasim.Change{ch("2026-03-04 09:20", "Waiting for support", "In Progress"),
		ch("2026-03-04 11:00", "In Progress", "Resolved"), ch("2026-03-05 10:00", "Resolved", "Reopened"),
		ch("2026-03-05 15:30", "Reopened", "Resolved")}
	sim.Add(is)
	// SUP-3, a breach at the month's last working minute: created Monday 30 March 16:59.
	is = base(3, "Medium", "2026-03-30 16:59")
	is.Responded = local("2026-03-31 09:10")
	is.Changes = []jirasim.Change{ch("2026-03-31 09:10", "Waiting for support", "In Progress")}
	sim.Add(is)
	// SUP-4, across the change to summer time: created Friday 27 March 15:00, resolved Monday.
	is = base(4, "High", "2026-03-27 15:00")
	is.Responded = local("2026-03-27 15:45")
	is.Changes = []jirasim.Change{ch("2026-03-27 15:45", "Waiting for support", "In Progress"),
		ch("2026-03-30 10:30", "In Progress", "Resolved")}
	sim.Add(is)
	// SUP-5, cancelled before any response.
	is = base(5, "Medium", "2026-03-18 10:00")
	is.Changes = []jirasim.Change{ch("2026-03-18 11:00", "Waiting for support", "Canceled")}
	sim.Add(is)
	// SUP-6, waiting for the customer when the source syncs.
	is = base(6, "Medium", "2026-03-31 13:00")
	is.Responded = local("2026-03-31 13:30")
	is.Changes = []jirasim.Change{ch("2026-03-31 13:30", "Waiting for support", "In Progress"),
		ch("2026-03-31 15:00", "In Progress", "Waiting for customer")}
	sim.Add(is)
	// Another project's issue, which the JQL leaves out.
	sim.Add(jirasim.Issue{ID: 20001, Key: "OPS-1", Project: "OPS", Type: "Task", Priority: "High", Created: local("2026-03-10 10:00")})
}

func itoa(n int64) string { return string(rune('0' + n)) }

func sc(at, status string, cat ticket.Category) ticket.StatusChange {
	return ticket.StatusChange{At: local(at), Status: status, Category: cat}
}

func ttfr(start, stop, deadline string) ticket.NativeSLA {
	return ticket.NativeSLA{Name: "Time to first response", Clock: "response", Start: local(start), Stop: local(stop), Deadline: local(deadline)}
}

func ttr(start, stop, deadline string, breached bool) ticket.NativeSLA {
	n := ticket.NativeSLA{Name: "Time to resolution", Clock: "resolution", Start: local(start), Breached: breached}
	if stop != "" {
		n.Stop = local(stop)
	}
	if deadline != "" {
		n.Deadline = local(deadline)
	}
	return n
}

var deskFields = map[string]string{"request_type": "Get IT help", "organization": "Acme"}

func withFields(extra map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range deskFields {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// wantMonth are the tickets of the scenario, worked by hand.
var wantMonth = map[string]ticket.Ticket{
	// Response: 10:00-10:30, 30m of 2h, met; the goal would have been reached at 12:00.
	// Resolution: 10:00-11:00 (1h), paused 11:00-14:00, 14:00-17:00 (3h), Tue 09:00-11:00 (2h):
	// 6h of 8h, met; the 2h left after 11:00 end at 13:00. Edited (a component) between the
	// first two pages of the sync.
	"SUP-1": {ID: "SUP-1", Created: local("2026-03-02 10:00"), Priority: "Medium", Type: "Service Request",
		Fields: withFields(map[string]string{"component": "printer"}),
		History: []ticket.StatusChange{sc("2026-03-02 10:00", "Waiting for support", ticket.Open), sc("2026-03-02 10:30", "In Progress", ticket.Open),
			sc("2026-03-02 11:00", "Waiting for customer", ticket.Paused), sc("2026-03-02 14:00", "In Progress", ticket.Open),
			sc("2026-03-03 11:00", "Resolved", ticket.Resolved)},
		FirstResponse: local("2026-03-02 10:30"),
		Native: []ticket.NativeSLA{ttfr("2026-03-02 10:00", "2026-03-02 10:30", "2026-03-02 12:00"),
			ttr("2026-03-02 10:00", "2026-03-03 11:00", "2026-03-03 13:00", false)}},
	// Response: 20m of 1h, met, goal at 10:00. Resolution, cycle 1: 09:00-11:00, 2h of 4h, met,
	// goal 13:00; cycle 2 from the reopen Thu 10:00 to 15:30: 5h30m of 4h, breached at 14:00.
	"SUP-2": {ID: "SUP-2", Created: local("2026-03-04 09:00"), Priority: "High", Type: "Service Request", Fields: withFields(nil),
		History: []ticket.StatusChange{sc("2026-03-04 09:00", "Waiting for support", ticket.Open), sc("2026-03-04 09:20", "In Progress", ticket.Open),
			sc("2026-03-04 11:00", "Resolved", ticket.Resolved), sc("2026-03-05 10:00", "Reopened", ticket.Open),
			sc("2026-03-05 15:30", "Resolved", ticket.Resolved)},
		FirstResponse: local("2026-03-04 09:20"),
		Native: []ticket.NativeSLA{ttfr("2026-03-04 09:00", "2026-03-04 09:20", "2026-03-04 10:00"),
			ttr("2026-03-04 09:00", "2026-03-04 11:00", "2026-03-04 13:00", false),
			ttr("2026-03-05 10:00", "2026-03-05 15:30", "2026-03-05 14:00", true)}},
	// Response: Mon 16:59-17:00 (1m) + Tue 09:00-09:10 (10m), met; goal: 1m Monday, 1h59m Tuesday
	// from 09:00, 10:59. Resolution, running: 1m Monday + 7h59m Tuesday reach the 8h at 16:59,
	// March's last working minute; at the sync 8h01m have elapsed: breached.
	"SUP-3": {ID: "SUP-3", Created: local("2026-03-30 16:59"), Priority: "Medium", Type: "Service Request", Fields: withFields(nil),
		History:       []ticket.StatusChange{sc("2026-03-30 16:59", "Waiting for support", ticket.Open), sc("2026-03-31 09:10", "In Progress", ticket.Open)},
		FirstResponse: local("2026-03-31 09:10"),
		Native: []ticket.NativeSLA{ttfr("2026-03-30 16:59", "2026-03-31 09:10", "2026-03-31 10:59"),
			ttr("2026-03-30 16:59", "", "2026-03-31 16:59", true)}},
	// Response: 45m of 1h, goal 16:00. Resolution: Fri 15:00-17:00 (2h, CET) + Mon 09:00-10:30
	// (1h30m, CEST): 3h30m of 4h, met; the 30m left end Mon 11:00.
	"SUP-4": {ID: "SUP-4", Created: local("2026-03-27 15:00"), Priority: "High", Type: "Service Request", Fields: withFields(nil),
		History: []ticket.StatusChange{sc("2026-03-27 15:00", "Waiting for support", ticket.Open), sc("2026-03-27 15:45", "In Progress", ticket.Open),
			sc("2026-03-30 10:30", "Resolved", ticket.Resolved)},
		FirstResponse: local("2026-03-27 15:45"),
		Native: []ticket.NativeSLA{ttfr("2026-03-27 15:00", "2026-03-27 15:45", "2026-03-27 16:00"),
			ttr("2026-03-27 15:00", "2026-03-30 10:30", "2026-03-30 11:00", false)}},
	// Cancelled at 11:00: JSM stops both SLAs on the done status, met (1h of 2h, goal 12:00; 1h
	// of 8h, the 7h left run 11:00-17:00 and Thu 09:00-10:00).
	"SUP-5": {ID: "SUP-5", Created: local("2026-03-18 10:00"), Priority: "Medium", Type: "Service Request", Fields: withFields(nil),
		History: []ticket.StatusChange{sc("2026-03-18 10:00", "Waiting for support", ticket.Open), sc("2026-03-18 11:00", "Canceled", ticket.Cancelled)},
		Native: []ticket.NativeSLA{ttfr("2026-03-18 10:00", "2026-03-18 11:00", "2026-03-18 12:00"),
			ttr("2026-03-18 10:00", "2026-03-18 11:00", "2026-03-19 10:00", false)}},
	// Response 30m, goal 15:00. Resolution 13:00-15:00 (2h), then paused: no breach time.
	"SUP-6": {ID: "SUP-6", Created: local("2026-03-31 13:00"), Priority: "Medium", Type: "Service Request", Fields: withFields(nil),
		History: []ticket.StatusChange{sc("2026-03-31 13:00", "Waiting for support", ticket.Open), sc("2026-03-31 13:30", "In Progress", ticket.Open),
			sc("2026-03-31 15:00", "Waiting for customer", ticket.Paused)},
		FirstResponse: local("2026-03-31 13:30"),
		Native: []ticket.NativeSLA{ttfr("2026-03-31 13:00", "2026-03-31 13:30", "2026-03-31 15:00"),
			{Name: "Time to resolution", Clock: "resolution", Start: local("2026-03-31 13:00"), Paused: true}}},
}

// engineCycle is what the test checks of a cycle of the engine.
type engineCycle struct {
	Start, Stop, BreachedAt time.Time
	Elapsed                 time.Duration
	State                   ticket.State
}

func ec(start, stop string, elapsed time.Duration, state ticket.State, breachedAt string) engineCycle {
	c := engineCycle{Start: local(start), Elapsed: elapsed, State: state}
	if stop != "" {
		c.Stop = local(stop)
	}
	if breachedAt != "" {
		c.BreachedAt = local(breachedAt)
	}
	return c
}

// wantEngine are the engine's cycles at the sync (response, resolution), worked by hand as above;
// the resolution clock pauses on paused and starts a new cycle at a reopen.
var wantEngine = map[string][2][]engineCycle{
	"SUP-1": {{ec("2026-03-02 10:00", "2026-03-02 10:30", 30*time.Minute, ticket.Met, "")},
		{ec("2026-03-02 10:00", "2026-03-03 11:00", 6*time.Hour, ticket.Met, "")}},
	"SUP-2": {{ec("2026-03-04 09:00", "2026-03-04 09:20", 20*time.Minute, ticket.Met, "")},
		{ec("2026-03-04 09:00", "2026-03-04 11:00", 2*time.Hour, ticket.Met, ""),
			ec("2026-03-05 10:00", "2026-03-05 15:30", 5*time.Hour+30*time.Minute, ticket.Breached, "2026-03-05 14:00")}},
	"SUP-3": {{ec("2026-03-30 16:59", "2026-03-31 09:10", 11*time.Minute, ticket.Met, "")},
		{ec("2026-03-30 16:59", "", 8*time.Hour+time.Minute, ticket.Breached, "2026-03-31 16:59")}},
	"SUP-4": {{ec("2026-03-27 15:00", "2026-03-27 15:45", 45*time.Minute, ticket.Met, "")},
		{ec("2026-03-27 15:00", "2026-03-30 10:30", 3*time.Hour+30*time.Minute, ticket.Met, "")}},
	// The engine cancels the clocks of a cancelled ticket where JSM says met: both say "not
	// breached".
	"SUP-5": {{ec("2026-03-18 10:00", "2026-03-18 11:00", time.Hour, ticket.CancelledState, "")},
		{ec("2026-03-18 10:00", "2026-03-18 11:00", time.Hour, ticket.CancelledState, "")}},
	"SUP-6": {{ec("2026-03-31 13:00", "2026-03-31 13:30", 30*time.Minute, ticket.Met, "")},
		{ec("2026-03-31 13:00", "", 2*time.Hour, ticket.PausedState, "")}},
}

func TestMonth(t *testing.T) {
	e := newEnv(t, syncAt, jirasim.Options{ChangelogMax: 2})
	month(e.sim)
	// A ticket edited between two pages: SUP-1, on the first page, changes once it is served.
	// An offset or token listing would then skip the issue that moves into its place.
	e.sim.AfterPage(func(page int) {
		if page == 1 {
			e.sim.Edit("SUP-1", func(is *jirasim.Issue) { is.Components = []string{"printer"} })
		}
	})
	src := e.source(t, "page_size: 2\n"+deskConfig)
	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := byID(b.Tickets)
	// The profile's time zone; the first page (SUP-1, SUP-2), whose cut changelogs (more than
	// ChangelogMax 2 histories) one bulkfetch completes; the status list, for the categories of
	// the statuses the changelogs name; then each page asked afresh from the latest update of
	// the one before (SUP-5; SUP-4; SUP-3; SUP-6; SUP-1 again, edited after the first page, its
	// changelog cut again).
	wantLog := []string{"GET /rest/api/3/myself", "POST /rest/api/3/search/jql", "POST /rest/api/3/changelog/bulkfetch", "GET /rest/api/3/status",
		"POST /rest/api/3/search/jql", "POST /rest/api/3/search/jql", "POST /rest/api/3/search/jql", "POST /rest/api/3/search/jql",
		"POST /rest/api/3/search/jql", "POST /rest/api/3/changelog/bulkfetch"}
	if diff := cmp.Diff(wantLog, e.sim.Log()); diff != "" {
		t.Errorf("requests of the first sync (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantMonth, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}

	// The native cycles are what the site reports.
	for key, tk := range got {
		var fromSim []ticket.NativeSLA
		for _, sla := range jsmSLAs() {
			for _, c := range e.sim.NativeCycles(key, sla.Name) {
				n := ticket.NativeSLA{Name: sla.Name, Clock: map[bool]string{true: "response", false: "resolution"}[sla.Response],
					Start: c.Start, Stop: c.Stop, Deadline: c.Breach, Breached: c.Breached, Paused: c.Paused}
				fromSim = append(fromSim, n)
			}
		}
		sortNative(fromSim)
		if diff := cmp.Diff(fromSim, tk.Native, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: native cycles against the simulator's (-sim +imported):\n%s", key, diff)
		}
	}

	// Nothing changed: one search, from the latest update less the overlap.
	b2, err := src.Sync(t.Context(), b.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.sim.Log()) - len(wantLog); len(b2.Tickets) != 0 || n != 1 {
		t.Errorf("unchanged sync: %d tickets, %d requests; want 0 and 1", len(b2.Tickets), n)
	}

	// The engine's cycles of the imported tickets, and their verdicts beside JSM's.
	cal, err := calendar.New(calendar.Spec{Name: "office", Location: berlin, Week: [7][]calendar.Interval{
		time.Monday: {{Start: 9 * 3600, End: 17 * 3600}}, time.Tuesday: {{Start: 9 * 3600, End: 17 * 3600}},
		time.Wednesday: {{Start: 9 * 3600, End: 17 * 3600}}, time.Thursday: {{Start: 9 * 3600, End: 17 * 3600}},
		time.Friday: {{Start: 9 * 3600, End: 17 * 3600}}}})
	if err != nil {
		t.Fatal(err)
	}
	st := ticket.NewStore(ticket.StoreOptions{})
	for _, tk := range b.Tickets {
		if err := st.Add(&tk); err != nil {
			t.Fatal(err)
		}
	}
	clocks := [2]ticket.ClockSpec{
		{Kind: ticket.Response, Calendar: cal, Targets: map[string]time.Duration{"High": time.Hour, "Medium": 2 * time.Hour}},
		{Kind: ticket.Resolution, Calendar: cal, Targets: map[string]time.Duration{"High": 4 * time.Hour, "Medium": 8 * time.Hour}},
	}
	for key, want := range wantEngine {
		v, ok := st.Find(key)
		if !ok {
			t.Fatalf("%s not in the store", key)
		}
		for k, spec := range clocks {
			clk, err := ticket.NewClock(spec)
			if err != nil {
				t.Fatal(err)
			}
			var cycles []engineCycle
			for _, c := range clk.Cycles(st, v.Index(), syncAt.Unix(), nil) {
				out := engineCycle{Start: time.Unix(c.Start, 0).UTC(), Elapsed: time.Duration(c.Elapsed) * time.Second, State: c.State}
				if c.Stop != 0 {
					out.Stop = time.Unix(c.Stop, 0).UTC()
				}
				if c.BreachedAt != 0 {
					out.BreachedAt = time.Unix(c.BreachedAt, 0).UTC()
				}
				cycles = append(cycles, out)
			}
			if diff := cmp.Diff(want[k], cycles); diff != "" {
				t.Errorf("%s %s cycles (-want +got):\n%s", key, spec.Kind, diff)
			}
			// The same verdict as JSM's cycle of that clock, and the same breach instant.
			var native []ticket.NativeSLA
			for _, n := range got[key].Native {
				if n.Clock == spec.Kind.String() {
					native = append(native, n)
				}
			}
			if len(native) != len(cycles) {
				t.Errorf("%s %s: %d native cycles, %d of the engine", key, spec.Kind, len(native), len(cycles))
				continue
			}
			for i, n := range native {
				if breached := cycles[i].State == ticket.Breached; breached != n.Breached {
					t.Errorf("%s %s cycle %d: engine %s, JSM breached=%v", key, spec.Kind, i, cycles[i].State, n.Breached)
				}
				if n.Breached && !n.Deadline.Equal(cycles[i].BreachedAt) {
					t.Errorf("%s %s cycle %d: breached at %v by the engine, %v by JSM", key, spec.Kind, i, cycles[i].BreachedAt, n.Deadline)
				}
			}
			// What sla_native_disagreements counts: every cycle agrees with JSM's.
			engine := clk.Cycles(st, v.Index(), syncAt.Unix(), nil)
			for _, c := range ticket.CompareNative(st.View(v.Index()), spec.Kind, engine, syncAt.Unix(), 60, cal, nil) {
				if c.Disagreement != ticket.Agree {
					t.Errorf("%s %s: comparison %+v, want every cycle to agree with JSM's", key, spec.Kind, c)
				}
			}
		}
	}

	// A planted disagreement: a resolution cycle JSM says was met, flipped to breached, is a
	// verdict disagreement, counted once. (A running cycle past its deadline would not do: the
	// comparison holds it breached whatever the tool last said.)
	clk, err := ticket.NewClock(clocks[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range slices.Sorted(maps.Keys(got)) {
		tk := got[key]
		for i, n := range tk.Native {
			if n.Breached || n.Clock != "resolution" || n.Stop.IsZero() {
				continue
			}
			tk.Native = slices.Clone(tk.Native)
			tk.Native[i].Breached = true
			planted := ticket.NewStore(ticket.StoreOptions{})
			if err := planted.Add(&tk); err != nil {
				t.Fatal(err)
			}
			engine := clk.Cycles(planted, 0, syncAt.Unix(), nil)
			var differ int
			for _, c := range ticket.CompareNative(planted.View(0), ticket.Resolution, engine, syncAt.Unix(), 60, cal, nil) {
				if c.Disagreement == ticket.VerdictDiffers {
					differ++
				}
			}
			if differ != 1 {
				t.Errorf("%s with JSM's met resolution flipped to breached: %d verdict disagreements, want 1", key, differ)
			}
			return
		}
	}
	t.Error("no resolution cycle JSM says was met, to plant a disagreement on")
}

func sortNative(ns []ticket.NativeSLA) {
	for i := 1; i < len(ns); i++ {
		for j := i; j > 0 && ns[j].Start.Before(ns[j-1].Start); j-- {
			ns[j], ns[j-1] = ns[j-1], ns[j]
		}
	}
}
