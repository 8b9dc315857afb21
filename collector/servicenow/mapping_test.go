package servicenow

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/servicenow/servicenowsim"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// mappingConfig is the block the mapping tests configure.
const mappingConfig = `
paused_hold_reasons: ["1", "4"]
fields: {category: category}
native_slas: {"P2 resolution (8h)": resolution, "P2 response (1h)": response}
`

// office is the simulator's schedule of the scenarios: Monday to Friday 08:00-18:00 UTC.
var office = servicenowsim.Weekdays("8-6 weekdays", time.UTC, "08:00", "18:00")

// scenario fills the simulator with the incidents TestMapping works out by hand; t0 is Monday
// 2026-03-02 08:00 UTC. It returns the time to sync at, Wednesday 10:00.
func scenario(e *env) time.Time {
	sim := e.sim
	sim.AddSLA(servicenowsim.SLADefinition{Name: "P2 resolution (8h)", Target: "resolution", Table: "incident", Priority: "2",
		Duration: 8 * time.Hour, Schedule: office, PauseOnHold: true, PauseHoldReasons: []string{"1", "4"}})
	sim.AddSLA(servicenowsim.SLADefinition{Name: "P2 response (1h)", Target: "response", Table: "incident", Priority: "2", Duration: time.Hour})
	desk, network := sim.AddGroup("Service Desk"), sim.AddGroup("Network")
	step := func(at time.Time, number string, f servicenowsim.Fields) {
		e.clk.Set(at)
		sim.Update(number, f)
	}
	create := func(at time.Time, f servicenowsim.Fields) string {
		e.clk.Set(at)
		return sim.Create("incident", f)
	}

	// A, "the walk": answered, on hold for the caller (a pause), resolved, reopened the next
	// day, resolved again, closed.
	a := create(utc("2026-03-02 08:00"), servicenowsim.Fields{"priority": "2", "assignment_group": desk, "category": "network"})
	// B, on hold awaiting a problem, which paused_hold_reasons does not list: it stays open.
	b := create(utc("2026-03-02 08:05"), servicenowsim.Fields{"priority": "2", "assignment_group": network})
	step(utc("2026-03-02 08:10"), a, servicenowsim.Fields{"state": "2"})
	step(utc("2026-03-02 08:20"), b, servicenowsim.Fields{"state": "2"})
	step(utc("2026-03-02 08:30"), a, servicenowsim.Fields{"state": "3", "hold_reason": "1"})
	step(utc("2026-03-02 09:00"), b, servicenowsim.Fields{"state": "3", "hold_reason": "3"})
	// C, handed from Network to the Service Desk, then canceled.
	c := create(utc("2026-03-02 09:00"), servicenowsim.Fields{"priority": "1", "assignment_group": network})
	step(utc("2026-03-02 09:05"), c, servicenowsim.Fields{"assignment_group": desk})
	step(utc("2026-03-02 09:30"), a, servicenowsim.Fields{"state": "2"})
	step(utc("2026-03-02 09:30"), c, servicenowsim.Fields{"state": "8"})
	step(utc("2026-03-02 10:00"), a, servicenowsim.Fields{"state": "6", "close_code": "Solved (Permanently)"})
	// D, resolved by a background script that wrote no audit row: the record says when.
	d := create(utc("2026-03-02 10:00"), servicenowsim.Fields{"priority": "3"})
	step(utc("2026-03-02 10:30"), d, servicenowsim.Fields{"state": "2"})
	sim.Set(d, servicenowsim.Fields{"state": "6", "resolved_at": "2026-03-02 12:00:00", "sys_updated_on": "2026-03-02 12:00:00"})
	// E, in a state the configuration does not know.
	create(utc("2026-03-02 10:00"), servicenowsim.Fields{"state": "9"})
	// F, imported: opened (in the other tool) the evening before it was created here.
	create(utc("2026-03-02 11:00"), servicenowsim.Fields{"opened_at": "2026-03-01 20:00:00"})
	step(utc("2026-03-02 11:00"), b, servicenowsim.Fields{"state": "2"})
	step(utc("2026-03-03 09:00"), a, servicenowsim.Fields{"state": "2"})
	step(utc("2026-03-03 11:00"), a, servicenowsim.Fields{"state": "6"})
	step(utc("2026-03-04 09:00"), a, servicenowsim.Fields{"state": "7"})
	e.clk.Set(utc("2026-03-04 10:00"))
	return e.clk.Now()
}

// sc is a status change at a UTC "2006-01-02 15:04".
func sc(at, status string, cat ticket.Category) ticket.StatusChange {
	return ticket.StatusChange{At: utc(at), Status: status, Category: cat}
}

func TestMapping(t *testing.T) {
	e := newEnv(t, servicenowsim.Options{})
	scenario(e)
	b, err := e.source(t, mappingConfig).Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := byID(b.Tickets)
	sysID := func(n string) string { return e.sim.Task(n)["sys_id"] }
	want := map[string]ticket.Ticket{
		"INC0010001": {
			ID: "INC0010001", Created: utc("2026-03-02 08:00"), Priority: "2 - High", Type: "incident", Group: "Service Desk",
			Fields: map[string]string{"sys_id": sysID("INC0010001"), "close_code": "Solved (Permanently)", "reopen_count": "1", "category": "network"},
			History: []ticket.StatusChange{
				sc("2026-03-02 08:00", "New", ticket.Open),
				sc("2026-03-02 08:10", "In Progress", ticket.Open),
				sc("2026-03-02 08:30", "On Hold (Awaiting Caller)", ticket.Paused),
				sc("2026-03-02 09:30", "In Progress", ticket.Open),
				sc("2026-03-02 10:00", "Resolved", ticket.Resolved),
				sc("2026-03-03 09:00", "In Progress", ticket.Open),
				sc("2026-03-03 11:00", "Resolved", ticket.Resolved),
				sc("2026-03-04 09:00", "Closed", ticket.Closed),
			},
			FirstResponse: utc("2026-03-02 08:10"),
			Native: []ticket.NativeSLA{
				// Mon 08:00 + 8h on 08-18 = 16:00, moved an hour by the pause 08:30-09:30: 17:00;
				// resolved at 10:00, met.
				{Name: "P2 resolution (8h)", Clock: "resolution", Start: utc("2026-03-02 08:00"), Deadline: utc("2026-03-02 17:00"), Stop: utc("2026-03-02 10:00")},
				{Name: "P2 response (1h)", Clock: "response", Start: utc("2026-03-02 08:00"), Deadline: utc("2026-03-02 09:00"), Stop: utc("2026-03-02 08:10")},
				// The reopen attaches a new resolution SLA: Tue 09:00 + 8h = 17:00; met at 11:00.
				{Name: "P2 resolution (8h)", Clock: "resolution", Start: utc("2026-03-03 09:00"), Deadline: utc("2026-03-03 17:00"), Stop: utc("2026-03-03 11:00")},
			},
		},
		"INC0010002": {
			ID: "INC0010002", Created: utc("2026-03-02 08:05"), Priority: "2 - High", Type: "incident", Group: "Network",
			Fields: map[string]string{"sys_id": sysID("INC0010002"), "reopen_count": "0"},
			History: []ticket.StatusChange{
				sc("2026-03-02 08:05", "New", ticket.Open),
				sc("2026-03-02 08:20", "In Progress", ticket.Open),
				sc("2026-03-02 09:00", "On Hold (Awaiting Problem)", ticket.Open),
				sc("2026-03-02 11:00", "In Progress", ticket.Open),
			},
			FirstResponse: utc("2026-03-02 08:20"),
			Native: []ticket.NativeSLA{
				// Not paused by the hold: due Mon 08:05 + 8h = 16:05, open at the sync (Wed
				// 10:00): breached.
				{Name: "P2 resolution (8h)", Clock: "resolution", Start: utc("2026-03-02 08:05"), Deadline: utc("2026-03-02 16:05"), Breached: true},
				{Name: "P2 response (1h)", Clock: "response", Start: utc("2026-03-02 08:05"), Deadline: utc("2026-03-02 09:05"), Stop: utc("2026-03-02 08:20")},
			},
		},
		"INC0010003": {
			ID: "INC0010003", Created: utc("2026-03-02 09:00"), Priority: "1 - Critical", Type: "incident", Group: "Service Desk",
			Fields:        map[string]string{"sys_id": sysID("INC0010003"), "reopen_count": "0"},
			History:       []ticket.StatusChange{sc("2026-03-02 09:00", "New", ticket.Open), sc("2026-03-02 09:30", "Canceled", ticket.Cancelled)},
			Reassignments: 1,
		},
		"INC0010004": {
			ID: "INC0010004", Created: utc("2026-03-02 10:00"), Priority: "3 - Moderate", Type: "incident",
			Fields: map[string]string{"sys_id": sysID("INC0010004"), "reopen_count": "0"},
			History: []ticket.StatusChange{
				sc("2026-03-02 10:00", "New", ticket.Open),
				sc("2026-03-02 10:30", "In Progress", ticket.Open),
				sc("2026-03-02 12:00", "Resolved", ticket.Resolved), // resolved_at: no audit row
			},
			FirstResponse: utc("2026-03-02 10:30"),
		},
		"INC0010006": {
			ID: "INC0010006", Created: utc("2026-03-01 20:00"), Priority: "4 - Low", Type: "incident",
			Fields: map[string]string{"sys_id": sysID("INC0010006"), "reopen_count": "0"},
			// Open from opened_at; its state at the insert, New, from then.
			History: []ticket.StatusChange{sc("2026-03-02 11:00", "New", ticket.Open)},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}
	wantRej := []collector.Rejection{{Where: "INC0010005",
		Reason:  `state "9" has no mapping (known: 1 New, 2 In Progress, 3 On Hold, 6 Resolved, 7 Closed, 8 Canceled): add it to states`,
		Rule:    "a state without a mapping",
		Setting: "states"}}
	if diff := cmp.Diff(wantRej, b.Rejected); diff != "" {
		t.Errorf("rejections (-want +got):\n%s", diff)
	}
	for _, tk := range b.Tickets {
		if err := tk.Validate(); err != nil {
			t.Error(err)
		}
	}
	golden(t, "scenario.json", b)

	// What ServiceNow itself reports of A's SLAs is what the source imported.
	var fromSim []ticket.NativeSLA
	for _, ts := range e.sim.TaskSLAs("INC0010001") {
		n := ticket.NativeSLA{Name: ts.Name, Clock: ts.Target, Start: ts.Start, Deadline: ts.PlannedEnd, Stop: ts.End, Breached: ts.HasBreached}
		fromSim = append(fromSim, n)
	}
	if diff := cmp.Diff(fromSim, got["INC0010001"].Native); diff != "" {
		t.Errorf("native SLAs against the simulator's task_sla (-sim +imported):\n%s", diff)
	}
}

// TestMapping_WithoutInsertAudits: on an instance that does not audit inserts, the state at
// creation is the first change's old value, and the tickets are the same.
func TestMapping_WithoutInsertAudits(t *testing.T) {
	run := func(o servicenowsim.Options) map[string]ticket.Ticket {
		e := newEnv(t, o)
		scenario(e)
		b, err := e.source(t, mappingConfig).Sync(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		out := byID(b.Tickets)
		for _, tk := range out {
			delete(tk.Fields, FieldSysID) // the audit rows not written leave other sys_ids to the records
		}
		return out
	}
	with, without := run(servicenowsim.Options{}), run(servicenowsim.Options{NoInsertAudit: true})
	if diff := cmp.Diff(with, without); diff != "" {
		t.Errorf("tickets (-inserts audited +not):\n%s", diff)
	}
}

// TestMapping_AuditUnreadable: a user who may not read sys_audit gets no rows, not an error.
// An incident updated to Resolved would read as resolved from its creation: it is rejected,
// saying why; one inserted Closed and never updated, and one still open, are taken as they are.
func TestMapping_AuditUnreadable(t *testing.T) {
	e := newEnv(t, servicenowsim.Options{})
	a := e.sim.Create("incident", nil)
	e.clk.Set(at(30))
	e.sim.Update(a, servicenowsim.Fields{"state": "2"})
	e.clk.Set(at(60))
	e.sim.Update(a, servicenowsim.Fields{"state": "6"})
	b := e.sim.Create("incident", servicenowsim.Fields{"state": "7"})
	c := e.sim.Create("incident", nil)
	e.sim.Update(c, servicenowsim.Fields{"state": "2"})
	e.sim.HideTable("sys_audit", true)
	batch, err := e.source(t, "").Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []collector.Rejection{{Where: a, Rule: "an updated record without audited state changes",
		Reason: "state 6 (Resolved) after 2 updates, but no sys_audit row of a state change: can the user read sys_audit (admin only in the base system), and is incident audited?"}}
	if diff := cmp.Diff(want, batch.Rejected); diff != "" {
		t.Errorf("rejections (-want +got):\n%s", diff)
	}
	got := byID(batch.Tickets)
	if len(got) != 2 || got[b].History[0].Status != "Closed" || got[c].History[0].Status != "In Progress" {
		t.Errorf("tickets %+v", batch.Tickets)
	}
}

// TestMapping_ChangeRequests: the change_request table, its states, and close_code for the
// change success rate.
func TestMapping_ChangeRequests(t *testing.T) {
	e := newEnv(t, servicenowsim.Options{})
	cab := e.sim.AddGroup("CAB")
	ch := e.sim.Create("change_request", servicenowsim.Fields{"assignment_group": cab, "priority": "3"})
	for _, s := range []struct {
		at string
		f  servicenowsim.Fields
	}{
		{"2026-03-02 09:00", servicenowsim.Fields{"state": "-4"}},
		{"2026-03-03 10:00", servicenowsim.Fields{"state": "-1"}},
		{"2026-03-03 12:00", servicenowsim.Fields{"state": "0"}},
		{"2026-03-03 13:00", servicenowsim.Fields{"state": "3", "close_code": "successful_issues"}},
	} {
		e.clk.Set(utc(s.at))
		e.sim.Update(ch, s.f)
	}
	b, err := e.source(t, "table: change_request\n").Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []ticket.Ticket{{
		ID: "CHG0030001", Created: t0, Priority: "3 - Moderate", Type: "change", Group: "CAB",
		Fields: map[string]string{"sys_id": e.sim.Task(ch)["sys_id"], "close_code": "successful_issues"},
		History: []ticket.StatusChange{
			sc("2026-03-02 08:00", "New", ticket.Open),
			sc("2026-03-02 09:00", "Assess", ticket.Open),
			sc("2026-03-03 10:00", "Implement", ticket.Open),
			sc("2026-03-03 12:00", "Review", ticket.Resolved),
			sc("2026-03-03 13:00", "Closed", ticket.Closed),
		},
	}}
	if diff := cmp.Diff(want, b.Tickets); diff != "" || len(b.Rejected) > 0 {
		t.Errorf("changes (-want +got):\n%s\nrejected %v", diff, b.Rejected)
	}
	// The audit request of a change asks for state alone (a change has no hold_reason).
	for _, r := range e.sim.Log() {
		if r.Endpoint == "sys_audit" && !strings.HasPrefix(r.Query.Get("sysparm_query"), "tablename=change_request^documentkeyIN") ||
			r.Endpoint == "sys_audit" && !strings.Contains(r.Query.Get("sysparm_query"), "^fieldname=state^") {
			t.Errorf("audit query %s", r.Query.Get("sysparm_query"))
		}
	}
}

// TestNativeSLAs maps task_sla rows by hand: the cases the simulator's engine does not make.
func TestNativeSLAs(t *testing.T) {
	now := utc("2026-03-04 10:00")
	s := &settings{native: map[string]string{"Resolve": "resolution"}, now: func() time.Time { return now }}
	sla := func(f map[string]string) row {
		r := row{"sys_id": "ts1", "sla": "c0ffee", "sla.name": "Resolve", "start_time": "2026-03-02 08:00:00", "has_breached": "false"}
		for k, v := range f {
			r[k] = value(v)
		}
		return r
	}
	tests := []struct {
		name string
		row  row
		want []ticket.NativeSLA
		rej  string
	}{
		{name: "running, past planned_end_time before the breach timer ran: breached",
			row:  sla(map[string]string{"stage": "in_progress", "planned_end_time": "2026-03-04 09:59:59"}),
			want: []ticket.NativeSLA{{Name: "Resolve", Clock: "resolution", Start: utc("2026-03-02 08:00"), Deadline: time.Date(2026, 3, 4, 9, 59, 59, 0, time.UTC), Breached: true}}},
		{name: "running, due now: not breached yet",
			row:  sla(map[string]string{"stage": "in_progress", "planned_end_time": "2026-03-04 10:00:00"}),
			want: []ticket.NativeSLA{{Name: "Resolve", Clock: "resolution", Start: utc("2026-03-02 08:00"), Deadline: utc("2026-03-04 10:00")}}},
		{name: "running, due later",
			row:  sla(map[string]string{"stage": "in_progress", "planned_end_time": "2026-03-04 10:00:01"}),
			want: []ticket.NativeSLA{{Name: "Resolve", Clock: "resolution", Start: utc("2026-03-02 08:00"), Deadline: time.Date(2026, 3, 4, 10, 0, 1, 0, time.UTC)}}},
		{name: "paused: no deadline (it moves on resume), even when the stale one has passed",
			row:  sla(map[string]string{"stage": "paused", "planned_end_time": "2026-03-03 09:00:00"}),
			want: []ticket.NativeSLA{{Name: "Resolve", Clock: "resolution", Start: utc("2026-03-02 08:00"), Paused: true}}},
		{name: "the 2010 engine's breached stage",
			row:  sla(map[string]string{"stage": "breached", "planned_end_time": "2026-03-05 09:00:00"}),
			want: []ticket.NativeSLA{{Name: "Resolve", Clock: "resolution", Start: utc("2026-03-02 08:00"), Deadline: utc("2026-03-05 09:00"), Breached: true}}},
		{name: "cancelled: no verdict, left out", row: sla(map[string]string{"stage": "cancelled"})},
		{name: "a definition not in native_slas: no clock",
			row:  sla(map[string]string{"stage": "completed", "sla.name": "OLA network", "planned_end_time": "2026-03-02 12:00:00", "end_time": "2026-03-02 13:00:00", "has_breached": "true"}),
			want: []ticket.NativeSLA{{Name: "OLA network", Start: utc("2026-03-02 08:00"), Deadline: utc("2026-03-02 12:00"), Stop: utc("2026-03-02 13:00"), Breached: true}}},
		{name: "unknown stage", row: sla(map[string]string{"stage": "achieved"}),
			rej: `task_sla ts1: stage "achieved" is not in_progress, paused, completed or cancelled`},
		{name: "bad date", row: sla(map[string]string{"stage": "in_progress", "planned_end_time": "04.03.2026 10:00"}),
			rej: `task_sla ts1: planned_end_time "04.03.2026 10:00" is not a date-time (yyyy-MM-dd HH:mm:ss, UTC)`},
		{name: "completed without end_time", row: sla(map[string]string{"stage": "completed"}),
			rej: `task_sla ts1: stage completed but end_time is empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rj := s.nativeSLAs([]row{tt.row})
			if rj != nil || tt.rej != "" {
				if rj == nil || rj.reason != tt.rej {
					t.Fatalf("rejection %+v, want %q", rj, tt.rej)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// golden compares v, as indented JSON, with testdata/golden/name; -update rewrites it.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}
