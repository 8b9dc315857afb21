package evaluation

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

const toolDeadlineConfig = `
global: {timezone: UTC}
calendars:
  - name: office
    hours: {weekdays: ["09:00-17:00"]}
sources:
  - {name: rt, type: demo}
objectives:
  - name: resolve
    service: desk
    kind: ticket
    source: rt
    clock: resolution
    calendar: office
    targets: {P1: 8h}
    target: 0.9
    tool_deadline_field: rt_due
`

// TestToolDeadlines compares the exporter's deadlines with RT's Due, as RT reports them (see
// collector/rt's integration test), on an office open Mon-Fri 09:00-17:00 UTC, 8 working hours
// to resolve. Monday is 2026-11-16; now is Tuesday 08:00, before any deadline.
func TestToolDeadlines(t *testing.T) {
	cfg := loadConfig(t, toolDeadlineConfig)
	now := utc("2026-11-17T08:00:00Z")
	withDue := func(tk ticket.Ticket, due string) ticket.Ticket {
		tk.Fields = map[string]string{"rt_due": due}
		return tk
	}
	d := newData()
	d.Tickets["rt"] = storeOf(t,
		// Mon 10:00 + 8h: Mon 10-17 (7h) + Tue 09-10 (1h) = Tue 10:00; RT says the same: agree.
		withDue(tk("A", "incident", "P1", "2026-11-16T10:00:00Z"), "2026-11-17T10:00:00Z"),
		// Mon 09:00 + 8h = Mon 17:00; RT reports the next working instant, Tue 09:00: no
		// working time between them, agree.
		withDue(tk("B", "incident", "P1", "2026-11-16T09:00:00Z"), "2026-11-17T09:00:00Z"),
		// Paused Mon 11:00-13:00: the exporter's deadline moves 2h to Tue 12:00; RT counts
		// through the stall and keeps Tue 10:00: 2 working hours apart, disagree.
		withDue(tk("C", "incident", "P1", "2026-11-16T10:00:00Z",
			change("2026-11-16T11:00:00Z", "stalled", ticket.Paused), change("2026-11-16T13:00:00Z", "open", ticket.Open)),
			"2026-11-17T10:00:00Z"),
		// Resolved: no open cycle to compare.
		withDue(tk("D", "incident", "P1", "2026-11-16T10:00:00Z", resolved("2026-11-16T12:00:00Z")), "2026-11-17T10:00:00Z"),
		// No Due from RT: nothing to compare.
		tk("E", "incident", "P1", "2026-11-16T10:00:00Z"),
	)
	d.LastSuccess["rt"] = now.Add(-time.Minute)
	e := New(cfg, Options{Data: &fakeReader{data: d}})
	got := objectiveNamed(t, e.Evaluate(now), "resolve").ToolDeadlines
	if diff := cmp.Diff(&collector.ToolDeadlines{Field: "rt_due", Agree: 2, Disagree: 1}, got); diff != "" {
		t.Errorf("tool deadlines (-want +got):\n%s", diff)
	}

	rows, err := e.CyclesWhere("resolve", CycleFilter{Deadline: "disagrees"}, now)
	if err != nil {
		t.Fatal(err)
	}
	tool, ours, no := utc("2026-11-17T10:00:00Z"), utc("2026-11-17T12:00:00Z"), false
	want := []CycleRow{{Ticket: "C", Cycle: 0, Priority: "P1", State: "in_progress", Start: utc("2026-11-16T10:00:00Z"),
		// 8h target; by Tue 08:00 it ran Mon 10-11 and 13-17: 5h, 3h left.
		Deadline: &ours, Target: 8 * 3600, Elapsed: 5 * 3600, Remaining: 3 * 3600, ToolDeadline: &tool, DeadlineAgrees: &no}}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("cycles whose deadline RT disagrees with (-want +got):\n%s", diff)
	}
	if rows, err := e.CyclesWhere("resolve", CycleFilter{Deadline: "agrees"}, now); err != nil || len(rows) != 2 {
		t.Errorf("agreeing cycles: %d, %v; want A and B", len(rows), err)
	}
	if _, err := e.CyclesWhere("resolve", CycleFilter{Deadline: "later"}, now); err == nil || err.Error() != `deadline "later" is not one of agrees, disagrees` {
		t.Errorf("bad filter: %v", err)
	}
}
