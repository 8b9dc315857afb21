package evaluation

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// toolSLIConfig has an availability objective on a Zabbix service's series, monthly in
// Europe/Rome as the Zabbix SLA it is compared with, and a ticket objective on the same source.
const toolSLIConfig = `
global: {timezone: Europe/Rome, staleness: 1h, history_periods: 2}
sources:
  - {name: zbx, type: demo}
objectives:
  - name: db
    service: database
    kind: availability
    source: zbx
    series: db-service
    target: 0.999
  - name: db-weekly
    service: database
    kind: availability
    source: zbx
    series: db-service
    period: week
    target: 0.999
`

// Europe/Rome's months of early 2025 in UTC: February from 01-31 23:00 (CET) to 02-28 23:00,
// 28 days; March to 03-31 22:00 (CEST since 03-30), 31 days less the hour DST skips.
var (
	febStart = utc("2025-01-31T23:00:00Z")
	marStart = utc("2025-02-28T23:00:00Z")
	aprStart = utc("2025-03-31T22:00:00Z")
)

// zabbixSLI is a figure of the SLA "DB SLA" for db-service.
func zabbixSLI(from, to, at time.Time, sli float64) collector.ToolSLI {
	return collector.ToolSLI{Tool: "Zabbix", Name: "DB SLA", Series: "db-service", From: from, To: to, At: at, SLI: sli, SLO: 0.999}
}

// TestToolAttainments compares the exporter's attainment of db with Zabbix's SLI, now Monday
// 2025-03-31 11:30 UTC. db-service was down on 02-10 10:00-12:00 UTC and since 03-31 10:30.
func TestToolAttainments(t *testing.T) {
	cfg := loadConfig(t, toolSLIConfig)
	now := utc("2025-03-31T11:30:00Z")
	series, err := availability.FromOutages([]availability.Outage{
		{Start: utc("2025-02-10T10:00:00Z"), End: utc("2025-02-10T12:00:00Z"), State: availability.Down},
		{Start: utc("2025-03-31T10:30:00Z"), End: now, State: availability.Down},
	}, utc("2025-01-01T00:00:00Z"), now)
	if err != nil {
		t.Fatal(err)
	}
	d := newData()
	d.Uptime[collector.SeriesName("zbx", "db-service")] = &collector.Uptime{Series: &series}
	d.LastSuccess["zbx"] = now.Add(-time.Minute)

	// Zabbix's figures, read at the last sync, 11:25:
	//   - March so far, [03-01 00:00 Rome, 11:25): 30 days 12h25m = 2,636,700 s, of which
	//     10:30-11:25 = 3,300 s down: 2,633,400 / 2,636,700;
	//   - February, final (read after its end): an SLA excluded downtime over 02-10 11:00-12:00
	//     leaves 3,600 s down of 2,419,200 - 3,600 counted: 2,412,000 / 2,415,600;
	//   - the week from Sunday 03-30 00:00 Rome, Zabbix's weeks starting on Sunday: the
	//     exporter's start on Monday, so it is not compared;
	//   - another series' March: not db's.
	read := utc("2025-03-31T11:25:00Z")
	march := zabbixSLI(marStart, aprStart, read, 2633400.0/2636700)
	february := zabbixSLI(febStart, marStart, read, 2412000.0/2415600)
	week := zabbixSLI(utc("2025-03-29T23:00:00Z"), utc("2025-04-05T22:00:00Z"), read, 2633400.0/2636700)
	other := zabbixSLI(marStart, aprStart, read, 0.5)
	other.Series = "web-service"
	health := []collector.SourceHealth{{Name: "zbx", Up: true, ToolSLIs: []collector.ToolSLI{february, march, week, other}}}

	e := New(cfg, Options{Data: &fakeReader{data: d, health: health}})
	s := e.Evaluate(now)
	got := objectiveNamed(t, s, "db")
	// The exporter: February 28 days = 2,419,200 s with 7,200 s down, frozen at
	// 2,412,000 / 2,419,200; March so far to 11:30 = 2,637,000 s with 3,600 s down:
	// 2,633,400 / 2,637,000. Each difference is the exporter's less Zabbix's: March's five
	// minutes of downtime the sync had not read yet, February's excluded hour.
	ourFeb, ourMar := 2412000.0/2419200, 2633400.0/2637000
	want := []collector.ToolAttainment{
		{Period: "previous", From: febStart, To: marStart, Exporter: ourFeb, Tool: february.SLI, Difference: ourFeb - february.SLI, SLI: february},
		{Period: "current", From: marStart, To: aprStart, Exporter: ourMar, Tool: march.SLI, Difference: ourMar - march.SLI, SLI: march},
	}
	if diff := cmp.Diff(want, got.ToolAttainments); diff != "" {
		t.Errorf("db's comparisons (-want +got):\n%s", diff)
	}
	// The figures the comparison read are the engine's own.
	if got.Attainment != ourMar || len(got.History) != 2 || got.History[1].Attainment != ourFeb {
		t.Errorf("db: attainment %v, history %+v; want %v and February %v", got.Attainment, got.History, ourMar, ourFeb)
	}
	if w := objectiveNamed(t, s, "db-weekly"); w.ToolAttainments != nil {
		t.Errorf("db-weekly compared with Zabbix's Sunday weeks: %+v", w.ToolAttainments)
	}
}

// TestToolAttainmentsNotCompared lists what is not compared, each case changing one thing of a
// matching current or previous figure.
func TestToolAttainmentsNotCompared(t *testing.T) {
	cfg := loadConfig(t, toolSLIConfig)
	o := &cfg.Objectives[0]
	base := func() collector.ObjectiveResult {
		return collector.ObjectiveResult{
			Result:  slo.Result{Kind: slo.Availability, PeriodStart: marStart, PeriodEnd: aprStart, Attainment: 0.99, HasData: true},
			History: []collector.FrozenPeriod{{Label: "2025-02", Start: febStart, End: marStart, Attainment: 0.98, HasData: true}},
		}
	}
	read := utc("2025-03-10T00:00:00Z")
	current := zabbixSLI(marStart, aprStart, read, 0.97)
	previous := zabbixSLI(febStart, marStart, read, 0.96)
	tests := []struct {
		name   string
		change func(*collector.ObjectiveResult)
		sli    collector.ToolSLI
		source string
	}{
		{name: "stale objective", change: func(r *collector.ObjectiveResult) { r.Stale = true }, sli: current},
		{name: "no data yet", change: func(r *collector.ObjectiveResult) { r.HasData = false }, sli: current},
		{name: "ticket objective", change: func(r *collector.ObjectiveResult) { r.Kind = slo.TicketSLA }, sli: current},
		{name: "no period (refused by the engine)", change: func(r *collector.ObjectiveResult) { r.PeriodStart, r.PeriodEnd = time.Time{}, time.Time{} }, sli: current},
		{name: "another source", sli: current, source: "other"},
		{name: "one hour later (another timezone)", sli: zabbixSLI(marStart.Add(time.Hour), aprStart.Add(time.Hour), read, 0.97)},
		{name: "previous read before its end", sli: zabbixSLI(febStart, marStart, febStart.Add(24*time.Hour), 0.96)},
		{name: "previous not frozen", change: func(r *collector.ObjectiveResult) { r.History = nil }, sli: previous},
		{name: "previous frozen without data", change: func(r *collector.ObjectiveResult) { r.History[0].HasData = false }, sli: previous},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := base()
			if tc.change != nil {
				tc.change(&r)
			}
			source := "zbx"
			if tc.source != "" {
				source = tc.source
			}
			got := toolAttainments(o, &r, []collector.SourceHealth{{Name: source, ToolSLIs: []collector.ToolSLI{tc.sli}}})
			if got != nil {
				t.Errorf("compared: %+v", got)
			}
		})
	}
	// The unchanged base compares both, as a check that each case above fails for its change.
	r := base()
	got := toolAttainments(o, &r, []collector.SourceHealth{{Name: "zbx", ToolSLIs: []collector.ToolSLI{current, previous}}})
	if len(got) != 2 {
		t.Errorf("the base case compared %d figures, want 2: %+v", len(got), got)
	}
}
