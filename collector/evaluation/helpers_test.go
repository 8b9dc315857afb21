package evaluation

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo/events"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// fakeReader serves hand-built data, as the runner's Read would.
type fakeReader struct {
	data   collector.Data
	health []collector.SourceHealth
}

var (
	_ Reader = (*fakeReader)(nil)
	_ Reader = (*collector.Runner)(nil)
)

func (f *fakeReader) Read(fn func(collector.Data))       { fn(f.data) }
func (f *fakeReader) Health() []collector.SourceHealth   { return f.health }
func (f *fakeReader) StoreHealth() collector.StoreHealth { return collector.StoreHealth{} }
func (f *fakeReader) Changed() <-chan struct{}           { return nil }

// newData returns data with every map made, as the runner's is.
func newData() collector.Data {
	return collector.Data{
		Tickets:     map[string]*ticket.Store{},
		Uptime:      map[string]*collector.Uptime{},
		Events:      map[string]*collector.EventCounts{},
		LastSuccess: map[string]time.Time{},
	}
}

// testConfig has three demo sources (the fake reader supplies their data): desk for tickets,
// probes for series, and silent, which never synced. Periods are UTC months.
const testConfig = `
global:
  timezone: UTC
  staleness: 1h
  history_periods: 3
calendars:
  - name: office
    hours: {weekdays: ["08:00-18:00"]}
sources:
  - {name: desk, type: demo}
  - {name: probes, type: demo}
  - {name: silent, type: demo}
objectives:
  - name: resolution
    service: desk
    kind: ticket
    source: desk
    clock: resolution
    targets: {P1: 4h}
    select: {type: [incident]}
    target: 0.9
  - name: office-resolution
    service: desk
    kind: ticket
    source: desk
    clock: resolution
    calendar: office
    targets: {P2: 4h}
    select: {type: [incident]}
    target: 0.9
  - name: uptime
    service: web
    kind: availability
    source: probes
    series: web
    target: 0.99
  - name: requests
    service: api
    kind: event_ratio
    source: probes
    series: requests
    target: 0.95
  - name: quiet-requests
    service: api
    kind: event_ratio
    source: probes
    series: quiet
    target: 0.95
  - name: silent-requests
    service: api
    kind: event_ratio
    source: silent
    series: requests
    target: 0.95
kpis:
  - {name: mtta, service: desk, kind: mtta, source: desk, stat: mean, select: {type: [incident]}, target: 50m, red: 2h}
  - {name: created-this-week, service: desk, kind: created, source: desk, select: {type: [incident]}, period: week, target: 5}
  - {name: csat, service: desk, kind: csat, source: desk, target: 0.9}
  - {name: silent-backlog, service: desk, kind: backlog, source: silent, target: 10}
contracts:
  - name: api-credits
    objectives: [requests, quiet-requests, silent-requests]
    tiers: [{below: 0.99, credit: 0.1}, {below: 0.95, credit: 0.5}]
    fee: 1000
    currency: EUR
  - name: silent-credits
    objectives: [silent-requests]
    tiers: [{below: 0.99, credit: 0.1}]
`

func loadConfig(t *testing.T, yml string) *config.Config {
	t.Helper()
	cfg, err := config.Load([]byte(yml), "test.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// tk is a ticket created at created (RFC 3339) in status new, then through changes.
func tk(id, typ, prio, created string, changes ...ticket.StatusChange) ticket.Ticket {
	c := utc(created)
	return ticket.Ticket{
		ID: id, Type: typ, Priority: prio, Created: c,
		History: append([]ticket.StatusChange{{At: c, Status: "new", Category: ticket.Open}}, changes...),
	}
}

func change(at, status string, cat ticket.Category) ticket.StatusChange {
	return ticket.StatusChange{At: utc(at), Status: status, Category: cat}
}

func resolved(at string) ticket.StatusChange { return change(at, "resolved", ticket.Resolved) }

func responded(t ticket.Ticket, at string) ticket.Ticket {
	t.FirstResponse = utc(at)
	return t
}

func storeOf(t *testing.T, tickets ...ticket.Ticket) *ticket.Store {
	t.Helper()
	st := ticket.NewStore(ticket.StoreOptions{})
	for i := range tickets {
		if err := st.Add(&tickets[i]); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// bucket is good of total events at start (RFC 3339).
func bucket(start string, good, total float64) events.Bucket {
	return events.Bucket{Start: utc(start), Good: good, Total: total}
}

func eventsOf(t *testing.T, bs ...events.Bucket) *collector.EventCounts {
	t.Helper()
	s, err := events.New(bs)
	if err != nil {
		t.Fatal(err)
	}
	return &collector.EventCounts{Buckets: bs, Series: s}
}

func objectiveNamed(t *testing.T, s *collector.Snapshot, name string) collector.ObjectiveResult {
	t.Helper()
	for _, o := range s.Objectives {
		if o.Objective == name {
			return o
		}
	}
	t.Fatalf("no objective %q in the snapshot", name)
	return collector.ObjectiveResult{}
}

// scrape gathers an exposition serving s.
func scrape(t *testing.T, s *collector.Snapshot) []*dto.MetricFamily {
	t.Helper()
	e := collector.NewExposition()
	e.Set(s)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(e)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	return mfs
}

// sample returns the value of the series of family name with the given labels (a subset of its
// labels), and whether there is one.
func sample(mfs []*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			for k, v := range labels {
				found := false
				for _, lp := range m.GetLabel() {
					if lp.GetName() == k && lp.GetValue() == v {
						found = true
					}
				}
				if !found {
					continue metrics
				}
			}
			switch {
			case m.Gauge != nil:
				return m.GetGauge().GetValue(), true
			case m.Counter != nil:
				return m.GetCounter().GetValue(), true
			}
		}
	}
	return 0, false
}

// fixedClock is a runner clock stopped at one instant: syncs never time out and schedules never
// fire, so nothing in a test waits on the wall clock.
type fixedClock struct{ now time.Time }

func (c fixedClock) Now() time.Time                       { return c.now }
func (c fixedClock) After(time.Duration) <-chan time.Time { return nil }
func (c fixedClock) WithTimeout(ctx context.Context, _ time.Duration) (context.Context, context.CancelFunc) {
	return context.WithCancel(ctx)
}
