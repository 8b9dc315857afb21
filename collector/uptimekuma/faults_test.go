package uptimekuma

import (
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/collector/store"
	"github.com/sla-exporter/sla_exporter/collector/uptimekuma/uptimekumasim"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

func TestConfigErrors(t *testing.T) {
	tests := []struct{ doc, want string }{
		{"url: https://kuma.example.com\n", "line 1: slug: is required: the status page's slug, as in <url>/status/<slug>"},
		{"url: https://kuma.example.com\nslug: acme/main\n", `line 2: slug: "acme/main" is not a status page's slug (letters, digits, - and _)`},
		{"url: https://kuma.example.com\nslug: acme\npending: up\n", `line 3: pending: "up" is not degraded or down`},
		{"url: https://kuma.example.com\nslug: acme\nmonitors: [Shop, Shop]\n", `line 3: monitors: "Shop" is listed twice`},
		{"url: https://kuma.example.com\nslug: acme\npage_size: 5\n", "line 3: page_size: unknown field (known: url, http_client_config, rate_limit, request_timeout, slug, monitors, pending)"},
		{"slug: acme\n", "line 1: url: is required (the API's base URL)"},
	}
	for _, tt := range tests {
		_, err := New(apitest.Node(t, tt.doc), collector.Options{Name: "kuma"})
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q:\n got %v\nwant %s", tt.doc, err, tt.want)
		}
	}
	if _, err := New(nil, collector.Options{}); err == nil || err.Error() != "the uptime_kuma source needs an `uptime_kuma:` block with at least url and slug" {
		t.Errorf("no block: %v", err)
	}
}

func TestErrors(t *testing.T) {
	e := newEnv(t)
	e.sim.Beat(1, beats(0, kUp)...)
	e.clk.Set(at(1))
	tests := []struct{ extra, want string }{
		{"monitors: [Website, Status]\n",
			`uptime_kuma source "kuma": monitor "Status" is not listed (gone, renamed, or not public?); the listing has "API", "DNS", "Website"`},
	}
	for _, tt := range tests {
		_, err := e.source(t, tt.extra).Sync(t.Context(), nil)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q: error %v\nwant %s", tt.extra, err, tt.want)
		}
	}
	n := apitest.Node(t, "url: "+e.sim.URL+"\nslug: nosuch\n")
	src, err := newSource(n, collector.Options{Name: "kuma", Now: e.clk.Now}, e.clk.Hooks())
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Sync(t.Context(), nil)
	const want = `uptime_kuma source "kuma": GET /api/status-page/nosuch: HTTP 404 Not Found (no such endpoint, or one the credentials may not see): "{\"msg\":\"Status Page Not Found\",\"status\":\"fail\"}"`
	if err == nil || err.Error() != want {
		t.Errorf("an unknown slug: %v\nwant %s", err, want)
	}
}

// TestFaults runs the source in a collector.Runner over a store: a failed sync commits
// nothing and marks the source down with the reason; the next one brings what came meanwhile.
func TestFaults(t *testing.T) {
	tests := []struct {
		name           string
		fault          uptimekumasim.Fault
		wantErr        string // a trailing "…" matches a prefix
		wantRetryAfter time.Duration
	}{
		{name: "500 on the heartbeats", fault: uptimekumasim.Fault{Endpoint: "heartbeat", Status: 500},
			wantErr: `uptime_kuma source "kuma": GET /api/status-page/heartbeat/acme: HTTP 500 Internal Server Error: "{\"msg\":\"Internal Server Error\",\"status\":\"fail\"}"`},
		{name: "503 with a long Retry-After", fault: uptimekumasim.Fault{Endpoint: "page", Status: 503, RetryAfter: "90"},
			wantErr:        `uptime_kuma source "kuma": rate limited until 2026-03-02T09:11:30Z: GET /api/status-page/acme: HTTP 503 Service Unavailable: "{\"msg\":\"Service Unavailable\",\"status\":\"fail\"}" (server asked to retry after 1m30s)`,
			wantRetryAfter: 90 * time.Second},
		{name: "truncated heartbeats", fault: uptimekumasim.Fault{Endpoint: "heartbeat", Truncate: true},
			wantErr: `uptime_kuma source "kuma": GET /api/status-page/heartbeat/acme: the JSON answer is cut short after …`},
		{name: "malformed JSON", fault: uptimekumasim.Fault{Endpoint: "heartbeat", BadJSON: true},
			wantErr: `uptime_kuma source "kuma": GET /api/status-page/heartbeat/acme: the answer is not JSON (byte 48: invalid character '}' looking for beginning of value)`},
		{name: "a time in another layout", fault: uptimekumasim.Fault{Endpoint: "heartbeat", BadTime: true},
			wantErr: `uptime_kuma source "kuma": GET /api/status-page/heartbeat/acme: monitor 1 heartbeat 1: time "Mon, 02 Mar 2026 09:00:00 UTC" is not YYYY-MM-DD HH:MM:SS[.SSS]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.sim.Beat(1, beats(0, kUp, kDown, kUp)...)
			db, err := store.Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			r := collector.NewRunner(collector.RunnerOptions{Store: db, Logger: slog.New(slog.DiscardHandler), Requests: e.requests})
			if err := r.Update([]collector.SourceConfig{{Name: "kuma", Type: "uptime_kuma", Source: e.source(t, "monitors: [Website]\n"), Interval: time.Hour, Timeout: time.Minute, Hash: "1"}}); err != nil {
				t.Fatal(err)
			}
			e.clk.Set(at(3))
			if err := r.SyncOnce(t.Context()); err != nil {
				t.Fatal(err)
			}
			before, err := db.Load("kuma")
			if err != nil {
				t.Fatal(err)
			}
			e.sim.Beat(1, beats(3, kDown, kUp)...)
			e.clk.Set(at(10))
			e.sim.Inject(tt.fault)
			err = r.SyncOnce(t.Context())
			msg := apitest.CheckError(t, err, "kuma", tt.wantErr, tt.wantRetryAfter)
			after, err := db.Load("kuma")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("a failed sync changed the store (-before +after):\n%s", diff)
			}
			if st := r.Status()[0]; st.Up || st.LastError != msg {
				t.Errorf("status up=%v error %q", st.Up, st.LastError)
			}

			e.sim.Clear()
			e.clk.Set(at(12))
			if err := r.SyncOnce(t.Context()); err != nil {
				t.Fatalf("after recovery: %v", err)
			}
			got, err := db.Load("kuma")
			if err != nil {
				t.Fatal(err)
			}
			// 09:00 up, 09:01 down, 09:02 up, 09:03 down, 09:04 up: each once.
			want := []availability.Sample{smp(0, up), smp(1, down), smp(2, up), smp(3, down), smp(4, up)}
			if diff := cmp.Diff(want, got.Uptime["Website"].Samples); diff != "" {
				t.Errorf("samples after recovery (-want +got):\n%s", diff)
			}
		})
	}
}
