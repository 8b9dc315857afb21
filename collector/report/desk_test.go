package report

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// deskConfig has a P1 resolution SLA in calendar time, a volume KPI set per 30 days and a reopen
// rate KPI, all in UTC.
const deskConfig = `
global:
  timezone: UTC
  report: {recurring_incidents: 3, problem_fields: [category, ci]}
sources: [{name: desk, type: demo}]
objectives:
  - {name: resolve, service: desk, kind: ticket, source: desk, clock: resolution, targets: {P1: 4h}, target: 0.9}
kpis:
  - {name: created, service: desk, kind: created, source: desk, period: rolling:30d, target: 30}
  - {name: reopen, service: desk, kind: reopen_rate, source: desk, target: 0.1, red: 0.2}
`

// deskTickets, in October 2026 unless said:
//   - T1 P1 network, 5 Oct 10:00, resolved 12:00: met (2h of 4h);
//   - T2 P1 network, 10 Oct 10:00, resolved 16:00: breached at 14:00, 2h over;
//   - T3 P1 apps, 20 Oct 10:00, still open: breached at 14:00, running at the month's end;
//   - T4 P2 apps, 31 Oct 20:00, open (P2 has no target);
//   - T5 P3 network, 1 September, open;
//   - T6 P3 apps, 2 Oct 10:00, resolved 3 Oct, reopened 4 Oct, resolved again 6 Oct 10:00.
func deskTickets(t *testing.T) *ticket.Store {
	t.Helper()
	st := ticket.NewStore(ticket.StoreOptions{})
	add := func(id, prio, group, category, created string, changes ...string) {
		tk := &ticket.Ticket{ID: id, Created: utc(created), Priority: prio, Type: "incident", Group: group,
			Fields: map[string]string{"category": category}, History: []ticket.StatusChange{{At: utc(created), Status: "New", Category: ticket.Open}}}
		for i := 0; i+1 < len(changes); i += 2 {
			cat, err := ticket.ParseCategory(changes[i+1])
			if err != nil {
				t.Fatal(err)
			}
			tk.History = append(tk.History, ticket.StatusChange{At: utc(changes[i]), Status: changes[i+1], Category: cat})
		}
		if err := st.Add(tk); err != nil {
			t.Fatal(err)
		}
	}
	add("T1", "P1", "network", "network", "2026-10-05T10:00:00Z", "2026-10-05T12:00:00Z", "resolved")
	add("T2", "P1", "network", "network", "2026-10-10T10:00:00Z", "2026-10-10T16:00:00Z", "resolved")
	add("T3", "P1", "apps", "email", "2026-10-20T10:00:00Z")
	add("T4", "P2", "apps", "email", "2026-10-31T20:00:00Z")
	add("T5", "P3", "network", "printer", "2026-09-01T09:00:00Z")
	add("T6", "P3", "apps", "email", "2026-10-02T10:00:00Z", "2026-10-03T10:00:00Z", "resolved", "2026-10-04T10:00:00Z", "open",
		"2026-10-06T10:00:00Z", "resolved")
	return st
}

func deskReport(t *testing.T) *Report {
	t.Helper()
	cfg, err := config.Load([]byte(deskConfig), "desk.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	src := &fakeSource{cfg: cfg, frozen: map[string]map[string]collector.FrozenPeriod{}, data: collector.Data{
		Tickets: map[string]*ticket.Store{"desk": deskTickets(t)}, Uptime: map[string]*collector.Uptime{}, Events: map[string]*collector.EventCounts{},
		LastSuccess: map[string]time.Time{"desk": utc("2026-11-15T23:00:00Z")}}}
	rep, err := Build(Inputs{Source: src, Now: smallNow, TicketURL: func(source, id string) string {
		return "https://rt.example.org/Ticket/Display.html?id=" + id + "&source=" + source
	}}, Request{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func iptr(v int) *int { return &v }

func TestDeskScorecard(t *testing.T) {
	d := deskReport(t).Desk
	if d == nil {
		t.Fatal("no service desk section")
	}
	// Created in October: T1, T2, T3, T4, T6. Resolved: T1, T2, T6 (its last resolution).
	if diff := cmp.Diff([]*int{iptr(5), iptr(3)}, []*int{d.Volumes.Created, d.Volumes.Resolved}); diff != "" {
		t.Errorf("created, resolved (-want +got):\n%s", diff)
	}
	// September holds T5 alone, created; August is before the oldest ticket: no figure at all.
	n := len(d.Volumes.Trend)
	if diff := cmp.Diff([]VolumePoint{{"2026-08", nil, nil}, {"2026-09", iptr(1), iptr(0)}, {"2026-10", iptr(5), iptr(3)}}, d.Volumes.Trend[n-3:]); diff != "" {
		t.Errorf("volume trend (-want +got):\n%s", diff)
	}
	// Open at 1 November 00:00: T4 (4 hours old), T3 (11 days 14 hours), T5 (61 days 15 hours).
	var ages []*int
	for _, a := range d.Backlog.Ages {
		ages = append(ages, a.Count)
	}
	if diff := cmp.Diff([]*int{iptr(1), iptr(0), iptr(0), iptr(1), iptr(1)}, ages); diff != "" || *d.Backlog.Open != 3 {
		t.Errorf("backlog %v, by age (-want +got):\n%s", *d.Backlog.Open, diff)
	}
	kpis := map[string]KPI{}
	for _, k := range d.KPIs {
		kpis[k.Name] = k
	}
	// 30 per 30 days is 31 for October's 31 days; 5 created is within it (lower is better).
	if k := kpis["created"]; *k.Value != 5 || k.Target != 31 || k.Status != "green" || k.TargetNote != "target 30 per rolling:30d, scaled to the period's length" {
		t.Errorf("created KPI %+v", k)
	}
	// Stops in October: T1, T2 and T6's first (3 October), which was reopened: 1 of 3, above
	// the red threshold of 20%.
	if k := kpis["reopen"]; k.Value == nil || *k.Value != 1.0/3 || k.Status != "red" || k.Samples != 3 {
		t.Errorf("reopen KPI %+v", k)
	}
	var kinds []string
	for _, c := range d.Columns {
		kinds = append(kinds, c.Kind+":"+c.KPI)
	}
	if diff := cmp.Diff([]string{"created:created", "resolved:", "backlog:", "mttr:", "reopen_rate:reopen", "fcr:", "csat:"}, kinds); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	// apps: created T3, T4, T6; resolved T6; open T3, T4; MTTR T6's 4 days (345,600 s, calendar
	// time, no MTTR KPI configured); reopen 1 of 1, red; FCR 0 of 1 (reopened); no ratings.
	// network: created T1, T2 (T5 is September's); resolved both; open T5; MTTR (2h + 6h) / 2 =
	// 4h = 14,400 s; reopen 0 of 2, green; FCR 2 of 2.
	want := []Group{
		{Source: "desk", Group: "apps", Cells: []Cell{{Value: fptr(3)}, {Value: fptr(1)}, {Value: fptr(2)}, {Value: fptr(345600)},
			{Value: fptr(1), Status: "red"}, {Value: fptr(0)}, {}}},
		{Source: "desk", Group: "network", Cells: []Cell{{Value: fptr(2)}, {Value: fptr(2)}, {Value: fptr(1)}, {Value: fptr(14400)},
			{Value: fptr(0), Status: "green"}, {Value: fptr(1)}, {}}},
	}
	if diff := cmp.Diff(want, d.Groups); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
}

func TestDeskCostliestTickets(t *testing.T) {
	rep := deskReport(t)
	o := objectiveIn(t, rep, "resolve")
	// Cycles decided in October: T1 met, T2 breached, T3 breached (running): 1 of 3.
	if o.Attainment == nil || *o.Attainment != 1.0/3 || o.Verdict != verdictMissed {
		t.Errorf("resolve: %v %s, want 1/3 missed", o.Attainment, o.Verdict)
	}
	// T3 ran from 20 Oct 10:00 to the month's end, 11 days 14 hours = 1,000,800 s, against 4h
	// (14,400 s): 986,400 s over. T2: 6h against 4h, 7,200 s over. The budget is (1 - 0.9) × 3
	// cycles = 0.3, so each breach is 1 / 0.3 of it.
	breachedT3, breachedT2 := utc("2026-10-20T14:00:00Z"), utc("2026-10-10T14:00:00Z")
	want := []Cost{
		{Kind: costTicket, Ticket: "T3", TicketURL: "https://rt.example.org/Ticket/Display.html?id=T3&source=desk", Priority: "P1", Group: "apps",
			Start: utc("2026-10-20T10:00:00Z"), End: utc("2026-11-01T00:00:00Z"), BreachedAt: &breachedT3, Amount: 1, Overrun: fptr(986400), BudgetShare: fptr(1 / 0.3)},
		{Kind: costTicket, Ticket: "T2", TicketURL: "https://rt.example.org/Ticket/Display.html?id=T2&source=desk", Priority: "P1", Group: "network",
			Start: utc("2026-10-10T10:00:00Z"), End: utc("2026-10-10T16:00:00Z"), BreachedAt: &breachedT2, Amount: 1, Overrun: fptr(7200), BudgetShare: fptr(1 / 0.3)},
	}
	if diff := cmp.Diff(want, o.Costliest, approx); diff != "" {
		t.Errorf("costliest (-want +got):\n%s", diff)
	}
	// The link is on the page, escaped as an attribute.
	_, page := renderPage(t, rep)
	if !strings.Contains(page, `<a href="https://rt.example.org/Ticket/Display.html?id=T3&amp;source=desk">`) {
		t.Error("the ticket link is not on the page")
	}
}

func TestProblemTrends(t *testing.T) {
	p := deskReport(t).Problems
	if p == nil {
		t.Fatal("no problem trends")
	}
	// October's incidents: email T3, T4, T6 (3, at the threshold of 3: a candidate); network T1,
	// T2. September: printer T5. No ticket has a ci field.
	want := &Problems{IncidentTypes: []string{"incident"}, Threshold: 3,
		Periods: []string{"2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"},
		Held:    []bool{false, false, false, false, true, true},
		Fields: []ProblemField{{Field: "category", Rows: []ProblemRow{
			{Value: "email", Counts: []int{0, 0, 0, 0, 0, 3}, Change: 3, Candidate: true},
			{Value: "network", Counts: []int{0, 0, 0, 0, 0, 2}, Change: 2},
			{Value: "printer", Counts: []int{0, 0, 0, 0, 1, 0}, Change: -1, ChangeRatio: fptr(-1)},
		}}},
		Absent:     []string{"ci"},
		Candidates: []Candidate{{Field: "category", Value: "email", Count: 3}},
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}
