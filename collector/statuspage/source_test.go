package statuspage

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
	"github.com/sla-exporter/sla_exporter/collector/statuspage/statuspagesim"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

func aff(code, old, new string) statuspagesim.Affected {
	return statuspagesim.Affected{Code: code, Name: code, Old: old, New: new}
}

func supd(id string, m int, status string, a ...statuspagesim.Affected) statuspagesim.Update {
	return statuspagesim.Update{ID: id, Status: status, Created: at(m), Affected: a}
}

var month = -30 * 24 * 60 // minutes: thirty days before t0

// acme fills the simulated page of the mapping test: t0 is 09:00, the first sync is at 11:00.
func acme(sim *statuspagesim.Server) {
	sim.SetComponents(
		statuspagesim.Component{ID: "api", Name: "API", Status: "under_maintenance", Created: at(month), Updated: at(110)},
		statuspagesim.Component{ID: "web", Name: "Website", Status: "degraded_performance", Created: at(month), Updated: at(100)},
		statuspagesim.Component{ID: "grp", Name: "Backend", Group: true, Members: []string{"db", "queue"}, Created: at(month), Updated: at(month)},
		statuspagesim.Component{ID: "db", Name: "Database", Status: "operational", GroupID: "grp", Created: at(month), Updated: at(40)},
		// Partial since 10:50 without an incident: a monitoring integration set it.
		statuspagesim.Component{ID: "queue", Name: "Queue", Status: "partial_outage", GroupID: "grp", Created: at(month), Updated: at(110)},
		statuspagesim.Component{ID: "billing", Name: "Billing", Status: "operational", Created: at(month), Updated: at(month)},
	)
	sim.PutIncident(statuspagesim.Incident{ID: "i1", Name: "API errors", Status: "resolved", Impact: "major",
		Created: at(2), Started: at(0), Resolved: at(45), Components: []string{"api"},
		Updates: []statuspagesim.Update{
			supd("i1a", 2, "investigating", aff("api", "operational", "partial_outage")),
			supd("i1b", 15, "identified", aff("api", "partial_outage", "major_outage")),
			supd("i1c", 45, "resolved", aff("api", "major_outage", "operational")),
		}})
	sim.PutIncident(statuspagesim.Incident{ID: "i2", Name: "Website slow", Status: "investigating", Impact: "minor",
		Created: at(100), Components: []string{"web"},
		Updates: []statuspagesim.Update{supd("i2a", 100, "investigating", aff("web", "operational", "degraded_performance"))}})
	sim.PutIncident(statuspagesim.Incident{ID: "i3", Name: "Database failover", Status: "resolved", Impact: "major",
		Created: at(30), Started: at(25), Resolved: at(60), Components: []string{"db", "queue"},
		Updates: []statuspagesim.Update{
			supd("i3a", 30, "investigating", aff("db", "operational", "major_outage"), aff("queue", "operational", "partial_outage")),
			supd("i3b", 40, "monitoring", aff("db", "major_outage", "operational")),
			supd("i3c", 60, "resolved", aff("queue", "partial_outage", "operational")),
		}})
	// A status this source does not know, on a component it does not read: ignored.
	sim.PutIncident(statuspagesim.Incident{ID: "i4", Name: "Billing", Status: "investigating", Impact: "minor",
		Created: at(90), Components: []string{"billing"},
		Updates: []statuspagesim.Update{supd("i4a", 90, "investigating", aff("billing", "operational", "minor_outage"))}})
	// A maintenance listed among the incidents (impact maintenance, scheduled_for), not in
	// scheduled-maintenances.json.
	sim.PutIncident(statuspagesim.Incident{ID: "m2", Name: "Website deploy", Status: "scheduled", Impact: "maintenance",
		Created: at(-60), ScheduledFor: at(180), ScheduledUntil: at(210), Components: []string{"web"},
		Updates: []statuspagesim.Update{supd("m2a", -60, "scheduled")}})
	sim.PutMaintenance(statuspagesim.Incident{ID: "m1", Name: "Database upgrade", Status: "completed", Impact: "maintenance",
		Created: at(-1440), ScheduledFor: at(-60), ScheduledUntil: at(-30), Components: []string{"db", "queue"},
		Updates: []statuspagesim.Update{supd("m1a", -1440, "scheduled"), supd("m1b", -58, "in_progress"), supd("m1c", -35, "completed")}})
	sim.PutMaintenance(statuspagesim.Incident{ID: "m3", Name: "API maintenance", Status: "in_progress", Impact: "maintenance",
		Created: at(0), ScheduledFor: at(110), ScheduledUntil: at(115), Components: []string{"api"},
		Updates: []statuspagesim.Update{supd("m3a", 0, "scheduled"), supd("m3b", 110, "in_progress")}})
}

func outage(from, to int, s availability.State) availability.Outage {
	return availability.Outage{Start: at(from), End: at(to), State: s}
}

func window(from, to int) availability.Window {
	return availability.Window{Start: at(from), End: at(to)}
}

func TestSync_Mapping(t *testing.T) {
	e := newEnv(t, statuspagesim.Options{Zone: time.FixedZone("CST", -6*3600)})
	acme(e.sim)
	src := e.source(t, "components: [API, Website, Backend]\n")
	e.clk.Set(at(120)) // 11:00
	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	const (
		down = availability.Down
		deg  = availability.Degraded
	)
	// The first sync is at 11:00: coverage starts there, empty yet.
	want := []collector.UptimeSeries{
		// i1: partial from its start 09:00 (the update of 09:02 backdated) to 09:15, major to
		// 09:45. m3, in progress since 10:50 though announced until 10:55: maintenance to now;
		// the component's under_maintenance since 10:50 says the same.
		{Series: "API", Outages: []availability.Outage{outage(0, 15, deg), outage(15, 45, down)},
			Maintenance: []availability.Window{window(110, 120)}, CoveredFrom: at(120), CoveredTo: at(120)},
		// i2, open since 10:40 (no started_at: its creation); m2 announced 12:00-12:30.
		{Series: "Website", Outages: []availability.Outage{outage(100, 120, deg)},
			Maintenance: []availability.Window{window(180, 210)}, CoveredFrom: at(120), CoveredTo: at(120)},
		// The group is the worst of Database and Queue. i3 (from its start 09:25): Database
		// major to 09:40, Queue partial to 10:00; Queue partial again since 10:50 outside any
		// incident. m1 took both 08:00-08:25 (completed early).
		{Series: "Backend", Outages: []availability.Outage{outage(25, 40, down), outage(40, 60, deg), outage(110, 120, deg)},
			Maintenance: []availability.Window{window(-60, -35)}, CoveredFrom: at(120), CoveredTo: at(120)},
	}
	if diff := cmp.Diff(want, b.Uptime); diff != "" {
		t.Errorf("first sync (-want +got):\n%s", diff)
	}

	// 11:03: m3 completed and API operational again; 11:05: the second sync.
	e.clk.Set(at(123))
	e.sim.PutMaintenance(statuspagesim.Incident{ID: "m3", Name: "API maintenance", Status: "completed", Impact: "maintenance",
		Created: at(0), ScheduledFor: at(110), ScheduledUntil: at(115), Components: []string{"api"},
		Updates: []statuspagesim.Update{supd("m3a", 0, "scheduled"), supd("m3b", 110, "in_progress"), supd("m3c", 123, "completed")}})
	acmeComponent(e.sim, "api", "operational", at(123))
	e.clk.Set(at(125))
	b2, err := src.Sync(t.Context(), b.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	// The open stretches are sent again, longer, with the same starts; coverage 11:00-11:05.
	want = []collector.UptimeSeries{
		{Series: "API", Outages: []availability.Outage{outage(0, 15, deg), outage(15, 45, down)},
			Maintenance: []availability.Window{window(110, 123)}, CoveredFrom: at(120), CoveredTo: at(125)},
		{Series: "Website", Outages: []availability.Outage{outage(100, 125, deg)},
			Maintenance: []availability.Window{window(180, 210)}, CoveredFrom: at(120), CoveredTo: at(125)},
		{Series: "Backend", Outages: []availability.Outage{outage(25, 40, down), outage(40, 60, deg), outage(110, 125, deg)},
			Maintenance: []availability.Window{window(-60, -35)}, CoveredFrom: at(120), CoveredTo: at(125)},
	}
	if diff := cmp.Diff(want, b2.Uptime); diff != "" {
		t.Errorf("second sync (-want +got):\n%s", diff)
	}
	if e.sim.RateLimited() != 0 {
		t.Errorf("%d requests refused by the page's rate limit, want none", e.sim.RateLimited())
	}
	// Three requests a sync, one per document, whatever changed.
	for _, ep := range []string{"components", "incidents", "maintenances"} {
		if n := e.sim.Requests(ep); n != 2 {
			t.Errorf("%d requests to %s for two syncs, want 2", n, ep)
		}
	}
	if s := e.log.String(); s != "" {
		t.Errorf("warnings logged: %s", s)
	}
}

// acmeComponent sets one component's status, as a change on the page would.
func acmeComponent(sim *statuspagesim.Server, id, status string, updated time.Time) {
	cs := []statuspagesim.Component{
		{ID: "api", Name: "API", Status: "under_maintenance", Created: at(month), Updated: at(110)},
		{ID: "web", Name: "Website", Status: "degraded_performance", Created: at(month), Updated: at(100)},
		{ID: "grp", Name: "Backend", Group: true, Members: []string{"db", "queue"}, Created: at(month), Updated: at(month)},
		{ID: "db", Name: "Database", Status: "operational", GroupID: "grp", Created: at(month), Updated: at(40)},
		{ID: "queue", Name: "Queue", Status: "partial_outage", GroupID: "grp", Created: at(month), Updated: at(110)},
		{ID: "billing", Name: "Billing", Status: "operational", Created: at(month), Updated: at(month)},
	}
	for i := range cs {
		if cs[i].ID == id {
			cs[i].Status, cs[i].Updated = status, updated
		}
	}
	sim.SetComponents(cs...)
}

func TestSync_SelectionAndDefaults(t *testing.T) {
	e := newEnv(t, statuspagesim.Options{})
	acme(e.sim)
	e.clk.Set(at(120))
	tests := []struct {
		name, extra string
		want        []string
		wantErr     string
	}{
		{name: "every component but the groups, by name", want: []string{"API", "Website", "Database", "Queue", "Billing"},
			wantErr: `statuspage source "vendor": incident i4 update i4a component billing: component status "minor_outage" is not in statuspage.statuses: map it to down, degraded, up or maintenance`},
		{name: "the unknown status mapped", extra: "statuses: {minor_outage: degraded}\n", want: []string{"API", "Website", "Database", "Queue", "Billing"}},
		{name: "by id, named as written", extra: "components: [queue, Database]\n", want: []string{"queue", "Database"}},
		{name: "a component gone from the page", extra: "components: [API, Payments]\n",
			wantErr: `statuspage source "vendor": component "Payments" is not listed (gone, renamed, or not public?); the listing has "API", "Backend", "Billing", "Database", "Queue", "Website"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := e.source(t, tt.extra).Sync(t.Context(), nil)
			e.clk.Advance(time.Minute)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v\nwant %s", err, tt.wantErr)
				}
				if b.Uptime != nil || b.Checkpoint != nil {
					t.Errorf("a failed sync returned data: %+v", b)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range b.Uptime {
				got = append(got, u.Series)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("series (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSync_CoverageBreaks: when more incidents are created between two syncs than the listing
// holds, the listing no longer reaches back to the previous sync, and coverage stops there.
func TestSync_CoverageBreaks(t *testing.T) {
	e := newEnv(t, statuspagesim.Options{})
	e.sim.SetComponents(statuspagesim.Component{ID: "api", Name: "API", Status: "operational", Created: at(month), Updated: at(month)})
	incident := func(n, m int) statuspagesim.Incident {
		return statuspagesim.Incident{ID: fmt.Sprintf("n%03d", n), Name: "noise", Status: "resolved", Impact: "none",
			Created: at(m), Resolved: at(m), Updates: []statuspagesim.Update{supd(fmt.Sprintf("u%03d", n), m, "resolved")}}
	}
	// 60 incidents before the first sync: the listing is full from the start.
	for n := range 60 {
		e.sim.PutIncident(incident(n, -120+n))
	}
	src := e.source(t, "")
	e.clk.Set(at(0))
	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if u := b.Uptime[0]; !u.CoveredFrom.Equal(at(0)) || !u.CoveredTo.Equal(at(0)) {
		t.Fatalf("first sync coverage [%v, %v), want from its own time", u.CoveredFrom, u.CoveredTo)
	}
	// 09:05: 20 new incidents, fewer than the listing holds: it still reaches back to 09:00.
	for n := range 20 {
		e.sim.PutIncident(incident(100+n, 1))
	}
	e.clk.Set(at(5))
	if b, err = src.Sync(t.Context(), b.Checkpoint); err != nil {
		t.Fatal(err)
	}
	if u := b.Uptime[0]; !u.CoveredFrom.Equal(at(0)) || !u.CoveredTo.Equal(at(5)) {
		t.Fatalf("second sync coverage [%v, %v), want [09:00, 09:05)", u.CoveredFrom, u.CoveredTo)
	}
	// 09:06 to 09:09: 55 incidents; at 09:10 the listing's oldest is from 09:06, after the
	// previous sync (09:05): what was created between may be missing. Coverage stops at 09:05.
	for n := range 55 {
		e.sim.PutIncident(incident(200+n, 6+n%4))
	}
	for _, m := range []int{10, 15} {
		e.clk.Set(at(m))
		if b, err = src.Sync(t.Context(), b.Checkpoint); err != nil {
			t.Fatal(err)
		}
		if u := b.Uptime[0]; !u.CoveredFrom.Equal(at(0)) || !u.CoveredTo.Equal(at(5)) {
			t.Errorf("sync at 09:%02d: coverage [%v, %v), want it stopped at 09:05", m, u.CoveredFrom, u.CoveredTo)
		}
	}
	if n := strings.Count(e.log.String(), "no longer reaches back to the previous sync"); n != 1 {
		t.Errorf("the break was logged %d times, want once:\n%s", n, e.log)
	}
}

// TestSync_RateLimit: the client keeps to Statuspage's 1 request a second (the three documents
// of a sync take two seconds of the clock), and a page refusing a burst with 429 and
// Retry-After is waited for in place.
func TestSync_RateLimit(t *testing.T) {
	e := newEnv(t, statuspagesim.Options{})
	acme(e.sim)
	e.clk.Set(at(120))
	src := e.source(t, "components: [API]\n")
	var cp []byte
	for range 3 {
		start := e.clk.Now()
		b, err := src.Sync(t.Context(), cp)
		if err != nil {
			t.Fatal(err)
		}
		cp = b.Checkpoint
		if d := e.clk.Now().Sub(start); d != 2*time.Second {
			t.Errorf("a sync took %v of the clock, want 2s (three requests a second apart)", d)
		}
		e.clk.Advance(time.Minute)
	}
	if n := e.sim.RateLimited(); n != 0 {
		t.Errorf("%d requests refused, want none", n)
	}

	// A burst of three is refused by the page: each refusal says Retry-After: 1, waited for.
	burst := e.source(t, "components: [API]\nrate_limit: {requests: 1, per: 1s, burst: 3}\n")
	if _, err := burst.Sync(t.Context(), nil); err != nil {
		t.Fatalf("the sync did not wait for the page's Retry-After: %v", err)
	}
	if n := e.sim.RateLimited(); n != 2 {
		t.Errorf("%d requests refused, want 2 (the second and third of the burst)", n)
	}
	if st := burst.APIStats(); st.RateLimitWaits == 0 {
		t.Errorf("no rate-limit wait counted: %+v", st)
	}
}

func TestContract(t *testing.T) {
	e := newEnv(t, statuspagesim.Options{NoRateLimit: true})
	acme(e.sim)
	e.clk.Set(at(120))
	sourcetest.RunContract(t, func() collector.Source { return e.source(t, "components: [API, Backend]\n") })
}
