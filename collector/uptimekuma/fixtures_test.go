package uptimekuma

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

// TestFixtures syncs testdata/, Uptime Kuma's shapes (see testdata/README.md).
func TestFixtures(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/status-page/acme", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, "testdata/page.json") })
	mux.HandleFunc("/api/status-page/heartbeat/acme", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, "testdata/heartbeat.json") })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	clk := apitest.NewClock(t0)
	src, err := newSource(apitest.Node(t, "url: "+srv.URL+"\nslug: acme\n"), collector.Options{Name: "kuma", Now: clk.Now}, clk.Hooks())
	if err != nil {
		t.Fatal(err)
	}
	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := func(h, m, s, ms int) time.Time {
		return time.Date(2026, 3, 2, h, m, s, ms*int(time.Millisecond), time.UTC)
	}
	// Shop is listed in two groups: one series. A time without milliseconds reads as whole
	// seconds.
	want := []collector.UptimeSeries{
		{Series: "Shop", Samples: []availability.Sample{
			{At: ts(8, 57, 0, 0), State: availability.Up}, {At: ts(8, 58, 0, 412), State: availability.Down},
			{At: ts(8, 59, 0, 398), State: availability.Degraded}, {At: ts(9, 0, 0, 405), State: availability.Up}}},
		// In maintenance from 08:59:30 to the next heartbeat, 09:00:30.001.
		{Series: "Mail", Samples: []availability.Sample{{At: ts(8, 59, 30, 0), State: availability.Unknown}, {At: ts(9, 0, 30, 1), State: availability.Up}},
			Maintenance: []availability.Window{{Start: ts(8, 59, 30, 0), End: ts(9, 0, 30, 1)}}},
	}
	if diff := cmp.Diff(want, b.Uptime); diff != "" {
		t.Errorf("fixtures (-want +got):\n%s", diff)
	}
}

// FuzzDecode feeds arbitrary bodies to both decoders and maps what decodes: nothing may panic,
// and the samples of what decodes are in time order.
func FuzzDecode(f *testing.F) {
	for _, p := range []string{"testdata/page.json", "testdata/heartbeat.json"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"heartbeatList":{"1":[{"status":3,"time":"2026-03-02 09:00:00"},{"status":3,"time":"2026-03-02 09:00:00"}]}}`))
	f.Add([]byte(`{"publicGroupList":[{"name":"g","monitorList":[{"id":"12","name":"x"}]}]}`))
	s := &settings{pending: availability.Degraded}
	f.Fuzz(func(t *testing.T, body []byte) {
		resp := &apisource.Response{Status: 200, Header: http.Header{}, Body: body, Endpoint: "/api/status-page/heartbeat/x"}
		_, _ = decodePage(resp)
		lists, err := decodeHeartbeats(resp)
		if err != nil {
			return
		}
		for id, hbs := range lists {
			u, _ := s.mapMonitor(id, hbs, monitorState{})
			if _, err := availability.FromSamples(u.Samples); err != nil {
				t.Fatalf("monitor %s: %v", id, err)
			}
			for _, w := range u.Maintenance {
				if !w.Start.Before(w.End) {
					t.Fatalf("monitor %s: a window [%v, %v) that does not end after it starts", id, w.Start, w.End)
				}
			}
		}
	})
}
