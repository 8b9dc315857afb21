package zabbix

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// The scenario the integration test plays on a real Zabbix, and the replay tests replay from its
// recording. Everything happens on Monday 2025-03-31 (UTC), the day after Europe/Rome's spring
// DST change, so that the recurring maintenance crosses it:
//
//	web1 (group "SLA shop"), item up: 1 at 08:00, 0 at 09:00, 1 at 09:30, 2 at 10:00, 1 at 10:20,
//	  0 at 11:00 | 1 at 12:00, 0 at 12:30, 2 at 12:45, 1 at 13:00
//	  triggers: "web1 down" up=0 (high), "web1 not up" up<>1 (average), "web1 slow" up=2 (warning)
//	web2 (group "SLA shop"): 1 at 08:00, 0 at 09:15, 1 at 09:45; trigger "web2 down" up=0 (high)
//	db1 (group "SLA db"): 1 at 08:00, 0 at 10:30 (never back); trigger "db1 down" up=0
//	  (disaster), tagged service=db
//
//	service "DB service": the problems tagged service=db, its status their most critical,
//	  dated as made on 2025-01-01
//	SLA "DB SLA": the service, monthly in Europe/Rome, SLO 99.9%, excluded downtime
//	  "DB upgrade" 2025-03-31 12:00-13:00 UTC
//
// "|" is the first sync, at 11:30; the second is at 13:30, the third at 13:30 again.
// Maintenance (the server's and the source's time zone Europe/Rome: CET until 01:00 UTC on
// 03-30, CEST after):
//
//	M1 one time, host web2: 2025-03-31 11:00 UTC for 1h
//	M2 daily 02:00 local for 1h, group SLA shop, active from 03-25 00:00 UTC
//	M3 weekly on Monday 06:00 local for 2h, group SLA shop, active from 03-01
//	M4 monthly on the last Sunday 03:00 local for 1h, group SLA shop, active from 01-01
//	M5 one time 2025-03-31 08:00 UTC for 1h, group SLA shop, with a problem tag: not imported

// day is 2025-03-31 UTC.
var day = time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC)

// at is a time of day on day, "15:04".
func at(hhmm string) time.Time {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		panic(err)
	}
	return day.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute)
}

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// scenarioConfig is the source's block; url and token_file are filled in.
const scenarioConfig = `
url: %s
token_file: %s
timezone: Europe/Rome
series:
  - name: shop
    host_groups: [SLA shop]
    degraded_severities: [warning, average]
  - per_host: true
    host_groups: [SLA shop]
  - name: db
    tags: [{tag: service, value: db}]
  - name: ghost
    hosts: [nohost]
  - name: db-service
    service: DB service
slas:
  - {name: DB SLA, series: db-service}
`

// values of each phase of the scenario, sent before the sync of the same index.
func phaseValues(phase int) []value {
	v := func(host, hhmm, val string) value {
		return value{Host: host, Key: "up", Value: val, Clock: at(hhmm).Unix()}
	}
	if phase == 0 {
		return []value{
			v("web1", "08:00", "1"), v("web2", "08:00", "1"), v("db1", "08:00", "1"),
			v("web1", "09:00", "0"), v("web2", "09:15", "0"), v("web1", "09:30", "1"), v("web2", "09:45", "1"),
			v("web1", "10:00", "2"), v("web1", "10:20", "1"), v("db1", "10:30", "0"), v("web1", "11:00", "0"),
		}
	}
	if phase == 1 {
		return []value{v("web1", "12:00", "1"), v("web1", "12:30", "0"), v("web1", "12:45", "2"), v("web1", "13:00", "1")}
	}
	return nil
}

// wantEvents is how many trigger events (problems and recoveries) Zabbix holds after each
// phase: phase 0 has 8 problems (web1 down ×2, not up ×3, slow, web2 down, db1 down) and 5
// recoveries (web1 down, not up ×2, slow, web2 down); phase 1 adds 3 problems (down, not up,
// slow) and 5 recoveries (down ×2, not up ×2, slow).
var wantEvents = []int{13, 21, 21}

func down(from, to time.Time) availability.Outage {
	return availability.Outage{Start: from, End: to, State: availability.Down}
}

func degraded(from, to time.Time) availability.Outage {
	return availability.Outage{Start: from, End: to, State: availability.Degraded}
}

func window(from, to time.Time) availability.Window { return availability.Window{Start: from, End: to} }

// shopMaintenance are the windows of M2, M3 and M4 (group SLA shop) from the coverage's origin,
// 2025-01-28 11:30 UTC (62 days before the first sync), to the sync, in UTC:
//   - M4, last Sunday 03:00 local: 02-23 03:00 CET = 02:00 UTC; 03-30 03:00 CEST = 01:00 UTC
//     (01-26 ends before the origin);
//   - M3, Mondays 06:00 local: 05:00 UTC on 03-03, 10, 17, 24 (CET); 04:00 UTC on 03-31 (CEST);
//   - M2, daily 02:00 local from 03-25: 01:00 UTC on 03-25 to 03-29; none on 03-30, when
//     02:00 does not exist (the server runs no maintenance that day); 00:00 UTC on 03-31.
func shopMaintenance() []availability.Window {
	return []availability.Window{
		window(utc("2025-02-23 02:00"), utc("2025-02-23 03:00")),
		window(utc("2025-03-03 05:00"), utc("2025-03-03 07:00")),
		window(utc("2025-03-10 05:00"), utc("2025-03-10 07:00")),
		window(utc("2025-03-17 05:00"), utc("2025-03-17 07:00")),
		window(utc("2025-03-24 05:00"), utc("2025-03-24 07:00")),
		window(utc("2025-03-25 01:00"), utc("2025-03-25 02:00")),
		window(utc("2025-03-26 01:00"), utc("2025-03-26 02:00")),
		window(utc("2025-03-27 01:00"), utc("2025-03-27 02:00")),
		window(utc("2025-03-28 01:00"), utc("2025-03-28 02:00")),
		window(utc("2025-03-29 01:00"), utc("2025-03-29 02:00")),
		window(utc("2025-03-30 01:00"), utc("2025-03-30 02:00")),
		window(utc("2025-03-31 00:00"), utc("2025-03-31 01:00")),
		window(utc("2025-03-31 04:00"), utc("2025-03-31 06:00")),
	}
}

// plus appends windows.
func plus(ws []availability.Window, more ...availability.Window) []availability.Window {
	return append(ws, more...)
}

// syncWant is what one sync of the scenario must return.
type syncWant struct {
	name     string
	at       time.Time
	uptime   []collector.UptimeSeries
	slis     []collector.ToolSLI
	requests int
}

// dbSLIs are the figures of "DB SLA" for db-service that every sync reads, the current
// period and the one before as of the sync, March and February in Europe/Rome. Zabbix counts
// them to its own now, long after the scenario's day: what the test's clock says does not
// change them.
//   - February, 2025-01-31 23:00 to 02-28 23:00 UTC (CET): 28 days = 2,419,200 s up, nothing
//     down, 100%. Error budget: min(time left uncounted = 0, int(2,419,200 / 99.9 × 100) -
//     2,419,200 = 2,421) = 0.
//   - March, 02-28 23:00 to 03-31 22:00 UTC (CEST from 03-30, 743 h = 2,674,800 s): db1 is down
//     from 03-31 10:30 UTC to the period's end, 11h30m = 41,400 s, less the excluded hour
//     12:00-13:00: 37,800 s down; up the rest, 2,674,800 - 41,400 = 2,633,400 s; SLI
//     2,633,400 / (2,633,400 + 37,800) = 98.58%. Error budget: min(0, int(2,633,400 / 0.999) -
//     2,633,400 - 37,800 = 2,636,036 - 2,671,200) = -35,164 s, overspent.
func dbSLIs(at time.Time) []collector.ToolSLI {
	sli := func(from, to string, up, down, budget int64) collector.ToolSLI {
		return collector.ToolSLI{Tool: "Zabbix", Name: "DB SLA", Series: "db-service", From: utc(from), To: utc(to), At: at,
			SLI: float64(up) / float64(up+down), SLO: 0.999,
			Uptime: time.Duration(up) * time.Second, Downtime: time.Duration(down) * time.Second, ErrorBudget: time.Duration(budget) * time.Second}
	}
	return []collector.ToolSLI{
		sli("2025-01-31 23:00", "2025-02-28 23:00", 2419200, 0, 0),
		sli("2025-02-28 23:00", "2025-03-31 22:00", 2633400, 37800, -35164),
	}
}

// checkSLIs compares the SLA figures a sync read with the scenario's. Zabbix sends percentages
// (98.58490566037736), which the source divides by 100: equal to the ratio within a rounding.
func checkSLIs(t *testing.T, w syncWant, got []collector.ToolSLI) {
	t.Helper()
	if diff := cmp.Diff(w.slis, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }), cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("sync %q: SLA figures (-want +got):\n%s", w.name, diff)
	}
}

// ghostRejection is the rejection of every sync: series "ghost" names a host Zabbix has not.
var ghostRejection = collector.Rejection{Where: `host "nohost"`, Reason: `no host "nohost" in Zabbix (or the token's user may not read it)`,
	Rule: "a host of hosts is not in Zabbix", Setting: "zabbix.series[3].hosts", Setup: true}

// wantSyncs are the syncs, worked out by hand.
var wantSyncs = func() []syncWant {
	origin := utc("2025-01-28 11:30")
	return []syncWant{
		{
			// The first sync covers the backfill, 62 days to 11:30. shop (warning and
			// average degraded): web1 down 09:00-09:30 and web2 down 09:15-09:45 make one
			// outage 09:00-09:45 (web1 not up, average, inside it); web1 not up and slow
			// 10:00-10:20 are degraded; web1 down from 11:00 lasts to the sync. web1 alone
			// counts every severity as down. db: db1 down from 10:30, and so the service
			// made of its problems (the server dates the service's status change at the
			// event's clock). web2's one-time
			// maintenance runs 11:00-12:00: cut at the sync.
			name: "first", at: at("11:30"), requests: 13, slis: dbSLIs(at("11:30")),
			uptime: []collector.UptimeSeries{
				{Series: "db", Outages: []availability.Outage{down(at("10:30"), at("11:30"))}, CoveredFrom: origin, CoveredTo: at("11:30")},
				{Series: "db-service", Outages: []availability.Outage{down(at("10:30"), at("11:30"))}, CoveredFrom: origin, CoveredTo: at("11:30")},
				{Series: "shop", Outages: []availability.Outage{down(at("09:00"), at("09:45")), degraded(at("10:00"), at("10:20")), down(at("11:00"), at("11:30"))},
					Maintenance: shopMaintenance(), CoveredFrom: origin, CoveredTo: at("11:30")},
				{Series: "web1", Outages: []availability.Outage{down(at("09:00"), at("09:30")), down(at("10:00"), at("10:20")), down(at("11:00"), at("11:30"))},
					Maintenance: shopMaintenance(), CoveredFrom: origin, CoveredTo: at("11:30")},
				{Series: "web2", Outages: []availability.Outage{down(at("09:15"), at("09:45"))},
					Maintenance: plus(shopMaintenance(), window(at("11:00"), at("11:30"))), CoveredFrom: origin, CoveredTo: at("11:30")},
			},
		},
		{
			// From 11:20 (the last sync less the 10 min overlap): web1 down 11:00-12:00 again,
			// now recovered; at 12:30 one value fires down (high) and not up (average) at the
			// same instant: shop is down 12:30-12:45, then degraded (not up and slow) to
			// 13:00; web1 is down 12:30-13:00. db1 is still down: its outage is sent again,
			// longer. web2's maintenance is whole.
			name: "second", at: at("13:30"), requests: 12, slis: dbSLIs(at("13:30")),
			uptime: []collector.UptimeSeries{
				{Series: "db", Outages: []availability.Outage{down(at("10:30"), at("13:30"))}, CoveredFrom: at("11:20"), CoveredTo: at("13:30")},
				{Series: "db-service", Outages: []availability.Outage{down(at("10:30"), at("13:30"))}, CoveredFrom: at("11:20"), CoveredTo: at("13:30")},
				{Series: "shop", Outages: []availability.Outage{down(at("11:00"), at("12:00")), down(at("12:30"), at("12:45")), degraded(at("12:45"), at("13:00"))},
					Maintenance: shopMaintenance(), CoveredFrom: at("11:20"), CoveredTo: at("13:30")},
				{Series: "web1", Outages: []availability.Outage{down(at("11:00"), at("12:00")), down(at("12:30"), at("13:00"))},
					Maintenance: shopMaintenance(), CoveredFrom: at("11:20"), CoveredTo: at("13:30")},
				{Series: "web2", Maintenance: plus(shopMaintenance(), window(at("11:00"), at("12:00"))), CoveredFrom: at("11:20"), CoveredTo: at("13:30")},
			},
		},
		{
			// Nothing new: a page of events per series entry, no recovery to read; db1's
			// outage again.
			name: "unchanged", at: at("13:30"), requests: 10, slis: dbSLIs(at("13:30")),
			uptime: []collector.UptimeSeries{
				{Series: "db", Outages: []availability.Outage{down(at("10:30"), at("13:30"))}, CoveredFrom: at("13:20"), CoveredTo: at("13:30")},
				{Series: "db-service", Outages: []availability.Outage{down(at("10:30"), at("13:30"))}, CoveredFrom: at("13:20"), CoveredTo: at("13:30")},
				{Series: "shop", Maintenance: shopMaintenance(), CoveredFrom: at("13:20"), CoveredTo: at("13:30")},
				{Series: "web1", Maintenance: shopMaintenance(), CoveredFrom: at("13:20"), CoveredTo: at("13:30")},
				{Series: "web2", Maintenance: plus(shopMaintenance(), window(at("11:00"), at("12:00"))), CoveredFrom: at("13:20"), CoveredTo: at("13:30")},
			},
		},
	}
}()

// checkSync compares a sync's batch with what the scenario wants of it.
func checkSync(t *testing.T, w syncWant, b collector.Batch) {
	t.Helper()
	if diff := cmp.Diff(w.uptime, b.Uptime, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("sync %q: uptime (-want +got):\n%s", w.name, diff)
	}
	if diff := cmp.Diff([]collector.Rejection{ghostRejection}, b.Rejected); diff != "" {
		t.Errorf("sync %q: rejected (-want +got):\n%s", w.name, diff)
	}
	if len(b.Tickets) > 0 || len(b.Events) > 0 || b.Replace || b.More || len(b.Deleted) > 0 {
		t.Errorf("sync %q: unexpected %+v", w.name, b)
	}
}

// writeToken writes a token file in a test folder.
func writeToken(t *testing.T, token string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "zabbix.token")
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// testClock is a clock the test sets.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

func sum(counts map[string]float64) int {
	n := 0.0
	for _, c := range counts {
		n += c
	}
	return int(n)
}
