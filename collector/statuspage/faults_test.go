package statuspage

import (
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/collector/statuspage/statuspagesim"
	"github.com/sla-exporter/sla_exporter/collector/store"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// rig runs the statuspage source in a collector.Runner over a store, as the daemon does.
type rig struct {
	e  *env
	db *store.DB
	r  *collector.Runner
}

func newRig(t *testing.T, extra string) *rig {
	t.Helper()
	e := newEnv(t, statuspagesim.Options{})
	acme(e.sim)
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	r := collector.NewRunner(collector.RunnerOptions{Store: db, Logger: slog.New(slog.DiscardHandler), Requests: e.requests})
	src := e.source(t, "components: [API, Website, Backend]\nrequest_timeout: 200ms\n"+extra)
	if err := r.Update([]collector.SourceConfig{{Name: "vendor", Type: "statuspage", Source: src, Interval: time.Hour, Timeout: time.Minute, Hash: "1"}}); err != nil {
		t.Fatal(err)
	}
	return &rig{e: e, db: db, r: r}
}

func (g *rig) stored(t *testing.T) store.State {
	t.Helper()
	st, err := g.db.Load("vendor")
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (g *rig) status(t *testing.T) collector.SourceStatus {
	t.Helper()
	for _, s := range g.r.Status() {
		if s.Name == "vendor" {
			return s
		}
	}
	t.Fatal("no status")
	return collector.SourceStatus{}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault statuspagesim.Fault
		// change alters the page instead of injecting a fault.
		change func(*statuspagesim.Server)
		// wantErr is the sync's error; a trailing "…" matches a prefix. Empty: the sync succeeds.
		wantErr        string
		wantRetryAfter time.Duration
	}{
		{name: "500 on incidents, retried, then failing", fault: statuspagesim.Fault{Endpoint: "incidents", Status: 500},
			wantErr: `statuspage source "vendor": GET /api/v2/incidents.json: HTTP 500 Internal Server Error: "{\"error\":\"Internal Server Error\"}"`},
		{name: "a 500 that recovers on the retry", fault: statuspagesim.Fault{Endpoint: "incidents", Status: 500, Times: 2}},
		{name: "429 with a short Retry-After, waited for in place", fault: statuspagesim.Fault{Endpoint: "maintenances", Status: 429, RetryAfter: "5", Times: 1}},
		{name: "503 with a long Retry-After: the runner waits", fault: statuspagesim.Fault{Endpoint: "components", Status: 503, RetryAfter: "120"},
			wantErr:        `statuspage source "vendor": rate limited until 2026-03-02T11:07:00Z: GET /api/v2/components.json: HTTP 503 Service Unavailable: "{\"error\":\"Service Unavailable\"}" (server asked to retry after 2m0s)`,
			wantRetryAfter: 2 * time.Minute},
		{name: "429 without Retry-After: a minute", fault: statuspagesim.Fault{Endpoint: "incidents", Status: 429},
			wantErr:        `statuspage source "vendor": rate limited until 2026-03-02T11:06:01Z: GET /api/v2/incidents.json: HTTP 429 Too Many Requests: "{\"error\":\"Too Many Requests\"}" (server asked to retry after 1m0s)`,
			wantRetryAfter: time.Minute},
		{name: "a truncated document", fault: statuspagesim.Fault{Endpoint: "incidents", Truncate: true},
			wantErr: `statuspage source "vendor": GET /api/v2/incidents.json: the JSON answer is cut short after …`},
		{name: "malformed JSON", fault: statuspagesim.Fault{Endpoint: "components", BadJSON: true},
			wantErr: `statuspage source "vendor": GET /api/v2/components.json: the answer is not JSON (byte 60: invalid character '}' looking for beginning of object key string)`},
		{name: "an HTML page from a proxy", fault: statuspagesim.Fault{Endpoint: "maintenances", HTML: true},
			wantErr: `statuspage source "vendor": GET /api/v2/scheduled-maintenances.json: the answer is not JSON (byte 1: invalid character '<' looking for beginning of value) (the server sent an HTML page: a login or proxy error page?)`},
		{name: "a slow answer past request_timeout", fault: statuspagesim.Fault{Endpoint: "components", Delay: 5 * time.Second},
			wantErr: `statuspage source "vendor": GET /api/v2/components.json: no complete answer within 200ms (request_timeout): no complete answer in time`},
		{name: "a selected component gone from the page", change: func(sim *statuspagesim.Server) {
			sim.SetComponents(statuspagesim.Component{ID: "api", Name: "API", Status: "operational", Created: at(month), Updated: at(month)},
				statuspagesim.Component{ID: "web", Name: "Website", Status: "operational", Created: at(month), Updated: at(month)})
		},
			wantErr: `statuspage source "vendor": component "Backend" is not listed (gone, renamed, or not public?); the listing has "API", "Website"`},
		{name: "a status the mapping does not know", change: func(sim *statuspagesim.Server) { acmeComponent(sim, "db", "melting", at(124)) },
			wantErr: `statuspage source "vendor": component "Database" (id db): component status "melting" is not in statuspage.statuses: map it to down, degraded, up or maintenance`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newRig(t, "")
			g.e.clk.Set(at(120))
			if err := g.r.SyncOnce(t.Context()); err != nil {
				t.Fatal(err)
			}
			before := g.stored(t)

			g.e.clk.Set(at(125))
			g.e.sim.Inject(tt.fault)
			if tt.change != nil {
				tt.change(g.e.sim)
			}
			err := g.r.SyncOnce(t.Context())
			after := g.stored(t)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("sync error %v, want the fault ridden out", err)
				}
				if got := after.Uptime["Website"].Covered; len(got) != 1 || !got[0].To.Equal(at(125)) {
					t.Errorf("coverage after the sync %v, want to 11:05", got)
				}
				return
			}
			msg := apitest.CheckError(t, err, "vendor", tt.wantErr, tt.wantRetryAfter)
			if st := g.status(t); st.Up || st.State != collector.SourceSyncFailed || st.LastError != msg {
				t.Errorf("status up=%v state %s error %q", st.Up, st.State, st.LastError)
			}
			// Nothing committed: no outage, window or coverage changed, the checkpoint kept.
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("a failed sync changed the store (-before +after):\n%s", diff)
			}

			// The page recovers: the next sync covers the time of the failure too, since the
			// listing reaches back to the last good sync.
			g.e.sim.Clear()
			acmeComponent(g.e.sim, "", "", time.Time{})
			g.e.clk.Set(at(135))
			if err := g.r.SyncOnce(t.Context()); err != nil {
				t.Fatalf("sync after recovery: %v", err)
			}
			got := g.stored(t).Uptime["Website"]
			if len(got.Covered) != 1 || !got.Covered[0].From.Equal(at(120)) || !got.Covered[0].To.Equal(at(135)) {
				t.Errorf("coverage after recovery %v, want [11:00, 11:15)", got.Covered)
			}
			if diff := cmp.Diff([]availability.Outage{outage(100, 135, availability.Degraded)}, got.Outages); diff != "" {
				t.Errorf("website outages after recovery: the open one to 11:15 (-want +got):\n%s", diff)
			}
			if st := g.status(t); !st.Up {
				t.Errorf("status after recovery: %+v", st)
			}
		})
	}
}
