package gatus

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/collector/gatus/gatussim"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

func TestSync_Incremental(t *testing.T) {
	e := newEnv(t, gatussim.Options{})
	// API checked each minute 09:00-09:11, failing at 09:04 and 09:05; Web from 09:09.
	e.sim.Add("core", "API", checks(0, 12, 4, 5)...)
	e.sim.Add("core", "Web", checks(9, 3)...)
	src := e.source(t, "page_size: 5\n")
	e.clk.Set(at(12))
	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Pages of 5, newest first: API 09:07-11, 09:02-06, 09:00-01 (short: the end); Web's
	// first page is short already. Three requests, every result once.
	want := []collector.UptimeSeries{
		{Series: "core_api", Samples: samples(0, 12, 4, 5)},
		{Series: "core_web", Samples: samples(9, 3)},
	}
	if diff := cmp.Diff(want, b.Uptime); diff != "" {
		t.Errorf("first sync (-want +got):\n%s", diff)
	}
	if n := e.sim.Requests("statuses"); n != 3 {
		t.Errorf("%d requests, want 3 pages", n)
	}

	// Three more checks of API, one failing of Web; at 09:15 the newest page reaches back to
	// each watermark (09:11): one request, the new results only.
	e.sim.Add("core", "API", checks(12, 3)...)
	e.sim.Add("core", "Web", checks(12, 1, 12)...)
	e.clk.Set(at(15))
	e.sim.ResetCounts()
	b2, err := src.Sync(t.Context(), b.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	want = []collector.UptimeSeries{
		{Series: "core_api", Samples: samples(12, 3)},
		{Series: "core_web", Samples: samples(12, 1, 12)},
	}
	if diff := cmp.Diff(want, b2.Uptime); diff != "" {
		t.Errorf("second sync (-want +got):\n%s", diff)
	}
	if n := e.sim.Requests("statuses"); n != 1 {
		t.Errorf("%d requests for an incremental sync, want 1", n)
	}

	// Nothing new: nothing returned, the checkpoint kept.
	e.clk.Set(at(16))
	b3, err := src.Sync(t.Context(), b2.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	if len(b3.Uptime) != 0 || string(b3.Checkpoint) != string(b2.Checkpoint) {
		t.Errorf("an unchanged sync returned %+v, checkpoint %s (was %s)", b3.Uptime, b3.Checkpoint, b2.Checkpoint)
	}
}

// TestSync_LostChecks: Gatus keeps 10 results here; 25 checks between two syncs rotate 15 out,
// and the series says so with an Unknown sample where the first lost check was due.
func TestSync_LostChecks(t *testing.T) {
	e := newEnv(t, gatussim.Options{MaxResults: 10})
	e.sim.Add("", "API", checks(0, 10)...)
	src := e.source(t, "")
	e.clk.Set(at(10))
	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]collector.UptimeSeries{{Series: "_api", Samples: samples(0, 10)}}, b.Uptime); diff != "" {
		t.Errorf("first sync (-want +got):\n%s", diff)
	}
	// 09:10-09:34: Gatus keeps 09:25-09:34. The sample of 09:09 holds one step (1 min, the
	// spacing of the checks) and 09:10 to 09:25 is missing: 15 minutes.
	e.sim.Add("", "API", checks(10, 25)...)
	e.clk.Set(at(35))
	b, err = src.Sync(t.Context(), b.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]availability.Sample{{At: at(10), State: availability.Unknown}}, samples(25, 10)...)
	if diff := cmp.Diff([]collector.UptimeSeries{{Series: "_api", Samples: want}}, b.Uptime); diff != "" {
		t.Errorf("after the rotation (-want +got):\n%s", diff)
	}
}

// TestSync_PageCap: a first sync reads at most max_requests_per_sync pages; what it could not
// reach is older history, never a hole in the middle.
func TestSync_PageCap(t *testing.T) {
	e := newEnv(t, gatussim.Options{})
	e.sim.Add("core", "API", checks(0, 30)...)
	e.clk.Set(at(30))
	b, err := e.source(t, "page_size: 5\nmax_requests_per_sync: 2\n").Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Two pages of 5: the newest 10 results, 09:20-09:29.
	if diff := cmp.Diff([]collector.UptimeSeries{{Series: "core_api", Samples: samples(20, 10)}}, b.Uptime); diff != "" {
		t.Errorf("capped first sync (-want +got):\n%s", diff)
	}
}

func TestSync_Selection(t *testing.T) {
	e := newEnv(t, gatussim.Options{})
	e.sim.Add("core", "API", checks(0, 2)...)
	e.sim.Add("staging", "API", checks(0, 2, 1)...)
	e.sim.Add("core", "Web", checks(0, 2)...)
	e.clk.Set(at(2))
	tests := []struct {
		extra   string
		want    []string
		wantErr string
	}{
		{extra: "", want: []string{"core_api", "core_web", "staging_api"}},
		{extra: "endpoints: [staging_api, Web]\n", want: []string{"staging_api", "Web"}},
		{extra: "endpoints: [API]\n", wantErr: `gatus source "gatus": endpoint "API" names 2 endpoints (ids core_api, staging_api): select one by its id`},
		{extra: "endpoints: [core_api, core_db]\n",
			wantErr: `gatus source "gatus": endpoint "core_db" is not listed (gone, renamed, or not public?); the listing has "API", "API", "Web"`},
	}
	for _, tt := range tests {
		b, err := e.source(t, tt.extra).Sync(t.Context(), nil)
		e.clk.Advance(time.Minute)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%q: error %v\nwant %s", tt.extra, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range b.Uptime {
			got = append(got, u.Series)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q: series (-want +got):\n%s", tt.extra, diff)
		}
	}
}

func TestSync_BasicAuth(t *testing.T) {
	e := newEnv(t, gatussim.Options{User: "sla", Password: password})
	e.sim.Add("core", "API", checks(0, 2)...)
	e.clk.Set(at(2))
	good := "http_client_config:\n  basic_auth: {username: sla, password_file: password}\n"
	if _, err := e.source(t, good).Sync(t.Context(), nil); err != nil {
		t.Fatalf("with the credentials: %v", err)
	}
	_, err := e.source(t, "").Sync(t.Context(), nil)
	const want = `gatus source "gatus": GET /api/v1/endpoints/statuses: HTTP 401 Unauthorized (credentials missing, expired or refused: check http_client_config: no credentials are configured; set http_client_config.basic_auth (when Gatus' security.basic is on)): "Unauthorized"`
	if err == nil || err.Error() != want {
		t.Errorf("without credentials: %v\nwant %s", err, want)
	}
	apitest.WriteToken(t, e.dir, "password", "wrong-"+password)
	_, err = e.source(t, good).Sync(t.Context(), nil)
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") || strings.Contains(err.Error(), password) {
		t.Errorf("with a wrong password: %v", err)
	}
}

func TestContract(t *testing.T) {
	e := newEnv(t, gatussim.Options{})
	e.sim.Add("core", "API", checks(0, 20, 3)...)
	e.clk.Set(at(20))
	sourcetest.RunContract(t, func() collector.Source { return e.source(t, "page_size: 7\n") })
}
