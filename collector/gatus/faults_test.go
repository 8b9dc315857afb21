package gatus

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/collector/gatus/gatussim"
	"github.com/sla-exporter/sla_exporter/collector/store"
)

func TestConfigErrors(t *testing.T) {
	tests := []struct{ doc, want string }{
		{"endpoints: [core_api]\n", "line 1: url: is required (the API's base URL)"},
		{"url: https://status.example.com\noverlap: 5m\n", "line 2: overlap: unknown field (known: url, http_client_config, rate_limit, request_timeout, endpoints, page_size, max_requests_per_sync)"},
		{"url: https://status.example.com\npage_size: 0\nmax_requests_per_sync: -1\n", "line 3: max_requests_per_sync: -1 is negative"},
		{"url: https://status.example.com\npage_size: 20000\n", "line 2: page_size: 20000 is not between 1 and 10000, the most the API returns per page"},
		{"url: https://status.example.com\nendpoints: [core_api, '']\n", "line 2: endpoints: entry 2 is empty"},
		{"url: https://status.example.com\nhttp_client_config:\n  basic_auth: {username: sla, password: hunter2-secret}\n  bearer_token: x\n",
			"line 3: http_client_config: at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured"},
	}
	for _, tt := range tests {
		_, err := New(apitest.Node(t, tt.doc), collector.Options{Name: "gatus"})
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q:\n got %v\nwant %s", tt.doc, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
	if _, err := New(nil, collector.Options{}); err == nil || err.Error() != "the gatus source needs a `gatus:` block with at least url (Gatus' address)" {
		t.Errorf("no block: %v", err)
	}
}

// TestFaults runs the source in a collector.Runner over a store: a failed sync commits
// nothing (no sample, the watermark kept) and marks the source down with the reason; the next
// sync brings what came meanwhile.
func TestFaults(t *testing.T) {
	tests := []struct {
		name           string
		fault          gatussim.Fault
		wantErr        string // a trailing "…" matches a prefix
		wantRetryAfter time.Duration
	}{
		{name: "500, retried, then failing", fault: gatussim.Fault{Status: 500},
			wantErr: `gatus source "gatus": GET /api/v1/endpoints/statuses: HTTP 500 Internal Server Error: "Internal Server Error"`},
		{name: "429 with a long Retry-After", fault: gatussim.Fault{Status: 429, RetryAfter: "300"},
			wantErr:        `gatus source "gatus": rate limited until 2026-03-02T09:25:00Z: GET /api/v1/endpoints/statuses: HTTP 429 Too Many Requests: "Too Many Requests" (server asked to retry after 5m0s)`,
			wantRetryAfter: 5 * time.Minute},
		{name: "the second page truncated", fault: gatussim.Fault{After: 1, Truncate: true},
			wantErr: `gatus source "gatus": GET /api/v1/endpoints/statuses: the JSON answer is cut short after …`},
		{name: "malformed JSON", fault: gatussim.Fault{BadJSON: true},
			wantErr: `gatus source "gatus": GET /api/v1/endpoints/statuses: the answer is not JSON (byte 54: invalid character '}' in literal true (expecting 'e'))`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, gatussim.Options{})
			e.sim.Add("core", "API", checks(0, 10)...)
			db, err := store.Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			r := collector.NewRunner(collector.RunnerOptions{Store: db, Logger: slog.New(slog.DiscardHandler), Requests: e.requests})
			if err := r.Update([]collector.SourceConfig{{Name: "gatus", Type: "gatus", Source: e.source(t, "page_size: 5\n"), Interval: time.Hour, Timeout: time.Minute, Hash: "1"}}); err != nil {
				t.Fatal(err)
			}
			e.clk.Set(at(10))
			if err := r.SyncOnce(t.Context()); err != nil {
				t.Fatal(err)
			}
			before, err := db.Load("gatus")
			if err != nil {
				t.Fatal(err)
			}
			e.sim.Add("core", "API", checks(10, 10, 12)...)
			e.clk.Set(at(20))
			e.sim.Inject(tt.fault)
			err = r.SyncOnce(t.Context())
			msg := apitest.CheckError(t, err, "gatus", tt.wantErr, tt.wantRetryAfter)
			after, err := db.Load("gatus")
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
			e.clk.Set(at(30))
			if err := r.SyncOnce(t.Context()); err != nil {
				t.Fatalf("after recovery: %v", err)
			}
			got, err := db.Load("gatus")
			if err != nil {
				t.Fatal(err)
			}
			// Every check 09:00-09:19 stored once, 09:12 down.
			if diff := cmp.Diff(samples(0, 20, 12), got.Uptime["core_api"].Samples); diff != "" {
				t.Errorf("samples after recovery (-want +got):\n%s", diff)
			}
		})
	}
}
