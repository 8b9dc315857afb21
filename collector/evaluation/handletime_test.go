package evaluation

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// measuredConfig plans P3 incidents resolved within 8 hours around the clock (the workload
// model) over 2 weeks, with the handle time measured (enough tickets, and too few) and
// configured as the measured mean, on a source whose tool records work time.
const measuredConfig = `
global: {timezone: UTC, staleness: 1h}
sources:
  - {name: desk, type: jira, jira: {url: "https://jira.example.com", jql: "project = OPS"}}
objectives:
  - {name: fix, service: desk, kind: ticket, source: desk, clock: resolution, targets: {P3: 8h, P1: 1h}, select: {type: [incident]}, target: 0.9}
staffing:
  - {name: measured, objective: fix, priority: P3, handle_time: measured, min_measured: 3, weeks: 2, roster: {mon: {"08:00-12:00": 1}}}
  - {name: too-few, objective: fix, priority: P3, handle_time: measured, min_measured: 4, weeks: 2, roster: {mon: {"08:00-12:00": 1}}}
  - {name: configured, objective: fix, priority: P3, handle_time: 51m40s, weeks: 2, roster: {mon: {"08:00-12:00": 1}}}
`

// measuredDesk: evaluated on Wednesday 2026-06-10 12:00 UTC, the two weeks averaged are
// [2026-05-25, 2026-06-08). Three P3 incidents of those weeks carry a work time; every other
// ticket is left out of the mean for one reason each. All are resolved an hour after creation
// but one still open.
func measuredDesk(t *testing.T) (collector.Data, time.Time) {
	now := utc("2026-06-10T12:00:00Z")
	worked := func(id, typ, prio, created string, w time.Duration) ticket.Ticket {
		tk := tk(id, typ, prio, created, resolved(utc(created).Add(time.Hour).Format(time.RFC3339)))
		tk.WorkTime = w
		return tk
	}
	open := func(id, prio, created string, w time.Duration) ticket.Ticket {
		tk := tk(id, "incident", prio, created)
		tk.WorkTime = w
		return tk
	}
	tickets := []ticket.Ticket{
		worked("in-1", "incident", "P3", "2026-05-25T09:00:00Z", 30*time.Minute),
		worked("in-2", "incident", "P3", "2026-05-26T10:00:00Z", 45*time.Minute),
		worked("in-3", "incident", "P3", "2026-06-01T09:00:00Z", 80*time.Minute),
		worked("no-time", "incident", "P3", "2026-06-02T09:00:00Z", 0),               // none recorded
		worked("before", "incident", "P3", "2026-05-20T09:00:00Z", 5*time.Hour),      // before the weeks
		worked("this-week", "incident", "P3", "2026-06-08T09:00:00Z", 5*time.Hour),   // the current week
		worked("p1", "incident", "P1", "2026-06-01T09:00:00Z", 3*time.Hour),          // another priority
		worked("request", "request", "P3", "2026-06-01T09:00:00Z", 4*time.Hour),      // not selected
		worked("last-second", "incident", "P3", "2026-06-07T23:59:59Z", time.Second), // in, just
		open("open", "P3", "2026-06-03T09:00:00Z", 10*time.Minute),                   // work not done
	}
	d := newData()
	d.Tickets["desk"] = storeOf(t, tickets...)
	d.LastSuccess["desk"] = now.Add(-10 * time.Minute)
	return d, now
}

func TestMeanWorkTime(t *testing.T) {
	cfg := loadConfig(t, measuredConfig)
	d, _ := measuredDesk(t)
	o := objectiveByName(cfg, "fix")
	from, to := utc("2026-05-25T00:00:00Z").Unix(), utc("2026-06-08T00:00:00Z").Unix()
	for _, tc := range []struct {
		name     string
		priority string
		from, to int64
		mean     time.Duration
		n        int
	}{
		// 30m + 45m + 80m + 1s over 4 tickets = 9301 s / 4 = 2325.25 s, rounded 2325 s = 38m45s.
		{"P3 in the weeks", "P3", from, to, 38*time.Minute + 45*time.Second, 4},
		// Without the last second's ticket: 155m / 3 = 51m40s exactly.
		{"P3 up to the last day", "P3", from, utc("2026-06-07T00:00:00Z").Unix(), 51*time.Minute + 40*time.Second, 3},
		// Every priority: the P1 incident's 3h joins, the request stays out: 9301 s + 10800 s =
		// 20101 s / 5 = 4020.2 s, rounded 4020 s = 1h7m.
		{"every priority", "", from, to, time.Hour + 7*time.Minute, 5},
		{"no ticket", "P3", utc("2026-01-05T00:00:00Z").Unix(), utc("2026-01-12T00:00:00Z").Unix(), 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mean, n := scanGroup(o, tc.priority, d.Tickets["desk"], tc.from, tc.to).meanWorkTime()
			if mean != tc.mean || n != tc.n {
				t.Errorf("meanWorkTime = %s over %d, want %s over %d", mean, n, tc.mean, tc.n)
			}
		})
	}
}

// A measured handle time gives the figures the same group gets configured with that duration;
// too few tickets with a work time give no figures.
func TestStaffingMeasuredHandleTime(t *testing.T) {
	cfg := loadConfig(t, measuredConfig)
	d, now := measuredDesk(t)
	// The last second's ticket would change the mean: drop its work time, so the mean is over
	// in-1, in-2 and in-3, 155m / 3 = 51m40s, which the configured group has.
	st := d.Tickets["desk"]
	last, _ := st.Find("last-second")
	lt := last.Ticket()
	lt.WorkTime = 0
	if err := st.Add(&lt); err != nil {
		t.Fatal(err)
	}
	got := New(cfg, Options{Data: &fakeReader{data: d}}).Evaluate(now).Staffing
	if len(got) != 3 {
		t.Fatalf("%d groups, want 3", len(got))
	}
	measured, tooFew, configured := got[0], got[1], got[2]
	if measured.State != collector.StaffingOK || configured.State != collector.StaffingOK {
		t.Fatalf("states %s (%s), %s (%s)", measured.State, measured.Reason, configured.State, configured.Reason)
	}
	if measured.HandleTime != 51*time.Minute+40*time.Second || measured.HandleTimeTickets != 3 || measured.HandleTimeSource != collector.HandleTimeMeasured {
		t.Errorf("measured: handle time %s over %d (%s), want 51m40s over 3 (measured)", measured.HandleTime, measured.HandleTimeTickets, measured.HandleTimeSource)
	}
	if configured.HandleTimeSource != collector.HandleTimeConfigured || configured.HandleTimeTickets != 0 {
		t.Errorf("configured: %s over %d", configured.HandleTimeSource, configured.HandleTimeTickets)
	}
	// The figures must be there to compare: 6 P3 incidents arrive in the two weeks (the open
	// one among them: an arrival, though its work is not counted yet).
	if measured.Tickets != 6 || sum(measured.Scheduled[:]) == 0 {
		t.Fatalf("measured: %d tickets, scheduled %v", measured.Tickets, measured.Scheduled)
	}
	ignore := cmpopts.IgnoreFields(collector.StaffingResult{}, "Group", "HandleTimeSource", "HandleTimeTickets")
	if diff := cmp.Diff(configured, measured, ignore); diff != "" {
		t.Errorf("measured differs from configured with the measured mean (-configured +measured):\n%s", diff)
	}
	want := collector.StaffingResult{Group: "too-few", Objective: "fix", Service: "desk", Priority: "P3", Model: "workload",
		Target: 8 * time.Hour, Goal: 0.9, HandleTimeSource: collector.HandleTimeMeasured, Weeks: 2, MaxOccupancy: 0.85, Shrinkage: 0.3,
		Timezone: "UTC", State: collector.StaffingNoWorkTime,
		Reason: `handle_time is measured and 3 of the group's tickets from 2026-05-25 to 2026-06-08 in source "desk" have a work time recorded; at least 4 are needed (min_measured)`,
		From:   utc("2026-05-25T00:00:00Z"), To: utc("2026-06-08T00:00:00Z"), Roster: measured.Roster,
		CurrentHour: measured.CurrentHour, NextHour: measured.NextHour}
	if diff := cmp.Diff(want, tooFew, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("too-few (-want +got):\n%s", diff)
	}
}

// A stale source leaves a measured handle time unknown: 0 and no count, never the last one.
func TestStaffingMeasuredStale(t *testing.T) {
	cfg := loadConfig(t, measuredConfig)
	d, now := measuredDesk(t)
	d.LastSuccess["desk"] = now.Add(-2 * time.Hour)
	for _, r := range New(cfg, Options{Data: &fakeReader{data: d}}).Evaluate(now).Staffing {
		want := map[string]time.Duration{"measured": 0, "too-few": 0, "configured": 51*time.Minute + 40*time.Second}[r.Group]
		if r.State != collector.StaffingStale || r.HandleTime != want || r.HandleTimeTickets != 0 {
			t.Errorf("%s: %s, handle time %s over %d; want stale, %s over 0", r.Group, r.State, r.HandleTime, r.HandleTimeTickets, want)
		}
	}
}

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

// BenchmarkScanGroup: the one pass over the store a staffing group makes for its arrivals and,
// measured, its work time, over 100,000 resolved tickets of 8 weeks (two thirds with a work time,
// a quarter of them P3).
func BenchmarkScanGroup(b *testing.B) {
	cfg, err := config.Load([]byte(measuredConfig), "test.yml", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	o := objectiveByName(cfg, "fix")
	st := ticket.NewStore(ticket.StoreOptions{})
	start := utc("2026-04-13T00:00:00Z")
	for i := range 100_000 {
		created := start.Add(time.Duration(i) * 8 * 7 * 24 * time.Hour / 100_000)
		tk := ticket.Ticket{ID: fmt.Sprintf("INC%07d", i), Type: "incident", Priority: []string{"P1", "P2", "P3", "P4"}[i%4], Created: created,
			History:  []ticket.StatusChange{{At: created, Status: "new", Category: ticket.Open}, {At: created.Add(time.Hour), Status: "resolved", Category: ticket.Resolved}},
			WorkTime: time.Duration(i%3) * 20 * time.Minute}
		if err := st.Add(&tk); err != nil {
			b.Fatal(err)
		}
	}
	from, to := start.Unix(), start.AddDate(0, 0, 56).Unix()
	for b.Loop() {
		if _, n := scanGroup(o, "P3", st, from, to).meanWorkTime(); n == 0 {
			b.Fatal("no ticket measured")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*st.Len()), "ns/ticket")
}
