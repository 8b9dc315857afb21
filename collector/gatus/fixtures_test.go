package gatus

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// TestFixture syncs testdata/statuses.json, Gatus' documented shape (see testdata/README.md).
func TestFixture(t *testing.T) {
	body, err := os.ReadFile("testdata/statuses.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/endpoints/statuses" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	clk := apitest.NewClock(t0)
	src, err := newSource(apitest.Node(t, "url: "+srv.URL+"\n"), collector.Options{Name: "gatus", Now: clk.Now}, clk.Hooks())
	if err != nil {
		t.Fatal(err)
	}
	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// The 502 is down; the endpoint without results has no series yet.
	want := []collector.UptimeSeries{
		{Series: "_dns", Samples: []availability.Sample{{At: ts("2026-03-02T09:00:30+01:00"), State: availability.Up}}},
		{Series: "core_blog-home", Samples: []availability.Sample{
			{At: ts("2026-03-02T08:58:00.123456789Z"), State: availability.Up},
			{At: ts("2026-03-02T08:59:00.101010101Z"), State: availability.Down},
			{At: ts("2026-03-02T09:00:00.2Z"), State: availability.Up}}},
	}
	if diff := cmp.Diff(want, b.Uptime); diff != "" {
		t.Errorf("fixture (-want +got):\n%s", diff)
	}
}

// FuzzDecode feeds arbitrary bodies to the decoder and maps what decodes: nothing may panic,
// and what decodes has keys and results in time order.
func FuzzDecode(f *testing.F) {
	body, err := os.ReadFile("testdata/statuses.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(body)
	f.Add([]byte(`[{"key":"a","results":[{"timestamp":"2026-03-02T09:00:00Z","success":true},{"timestamp":"2026-03-02T08:00:00Z"}]}]`))
	f.Add([]byte(`[{"key":"a"},{"key":"a"}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		list, err := decodeStatuses(&apisource.Response{Status: 200, Header: http.Header{}, Body: body, Endpoint: "/" + statusesPath})
		if err != nil {
			return
		}
		for _, ep := range list {
			if ep.Key == "" {
				t.Fatal("an endpoint without a key decoded")
			}
			var beats []apisource.Beat
			for i, r := range ep.Results {
				if i > 0 && r.Timestamp.Before(ep.Results[i-1].Timestamp) {
					t.Fatalf("results of %s out of order", ep.Key)
				}
				beats = append(beats, apisource.Beat{At: r.Timestamp, State: state(r)})
			}
			samples, _ := apisource.Recent(inOrder(beats), time.Time{}, false)
			if _, err := availability.FromSamples(samples); err != nil {
				t.Fatalf("samples of %s: %v", ep.Key, err)
			}
		}
	})
}
