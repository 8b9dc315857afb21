package collector_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sla-exporter/sla_exporter/collector"
)

// liveRegistry is a registry like the one the exporter serves after the snapshot: the
// exposition's live series and a counter standing for the HTTP and process ones.
func liveRegistry(e *collector.Exposition) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(e.Live())
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "sla_test_requests_total", Help: "A live counter."})
	c.Add(3)
	reg.MustRegister(c)
	return reg
}

// scrape serves one request of h and returns the response with its body decompressed, failing
// the test if a gzip body is not exactly one gzip member.
func scrape(t testing.TB, h http.Handler, accept, encoding string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if encoding != "" {
		req.Header.Set("Accept-Encoding", encoding)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	resp := rec.Result()
	body := rec.Body.Bytes()
	if resp.Header.Get("Content-Encoding") == "gzip" {
		rd := bytes.NewReader(body)
		zr, err := gzip.NewReader(rd)
		if err != nil {
			t.Fatalf("gzip body: %v", err)
		}
		zr.Multistream(false)
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatalf("gzip body: %v", err)
		}
		if rd.Len() != 0 {
			t.Fatalf("gzip body: %d bytes after the first member", rd.Len())
		}
	}
	return resp, string(body)
}

// families splits an exposition into its families' texts, sorted, so that two expositions of
// the same families in another order compare equal; the OpenMetrics "# EOF" is its own entry.
func families(body string) []string {
	var out []string
	for i, chunk := range strings.Split(body, "# HELP ") {
		if i == 0 {
			if chunk != "" {
				out = append(out, "preamble: "+chunk)
			}
			continue
		}
		if rest, ok := strings.CutSuffix(chunk, "# EOF\n"); ok {
			chunk = rest
			out = append(out, "# EOF")
		}
		out = append(out, chunk)
	}
	slices.Sort(out)
	return out
}

// TestHandler_AsPromhttp checks that every format and encoding the handler negotiates serves the
// same families, headers and negotiation as promhttp gathering and encoding everything at the
// scrape, as the exporter did before encoding at publication.
func TestHandler_AsPromhttp(t *testing.T) {
	e := newExpo(expoSnapshot())
	live := liveRegistry(e)
	ours := e.Handler(collector.HandlerOpts{Live: live})
	theirs := promhttp.HandlerFor(prometheus.Gatherers{e.Gatherer(), live},
		promhttp.HandlerOpts{EnableOpenMetrics: true, DisableCompression: false})
	accepts := []string{
		"",
		"text/plain;version=0.0.4",
		"application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
		"application/openmetrics-text;version=0.0.1",
		"application/openmetrics-text;version=2.0.0",
		"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3",
		"text/html",
	}
	for _, accept := range accepts {
		for _, enc := range []string{"", "gzip", "gzip, deflate, br", "identity", "gzip;q=0"} {
			t.Run(fmt.Sprintf("%s/%s", accept, enc), func(t *testing.T) {
				gotResp, got := scrape(t, ours, accept, enc)
				wantResp, want := scrape(t, theirs, accept, enc)
				for _, h := range []string{"Content-Type", "Content-Encoding"} {
					if g, w := gotResp.Header.Get(h), wantResp.Header.Get(h); g != w {
						t.Errorf("%s %q, promhttp's %q", h, g, w)
					}
				}
				if g, w := gotResp.Header.Values("Vary"), wantResp.Header.Values("Vary"); !slices.Equal(g, w) {
					t.Errorf("Vary %q, promhttp's %q", g, w)
				}
				if strings.Contains(gotResp.Header.Get("Content-Type"), "protobuf") {
					if got != want {
						t.Error("protobuf body differs from promhttp's")
					}
					return
				}
				if diff := cmp.Diff(families(want), families(got)); diff != "" {
					t.Errorf("families (-promhttp +handler):\n%s", diff)
				}
				if strings.Contains(gotResp.Header.Get("Content-Type"), "openmetrics") &&
					(strings.Count(got, "# EOF") != 1 || !strings.HasSuffix(got, "\n# EOF\n")) {
					t.Errorf("OpenMetrics body does not end with one # EOF:\n...%s", got[max(0, len(got)-200):])
				}
			})
		}
	}
}

// TestHandler_Golden checks the bytes served against the golden file TestExposition_Golden
// checks the collected metrics against: the encoding at publication serves the same families.
func TestHandler_Golden(t *testing.T) {
	e := newExpo(expoSnapshot())
	reg := prometheus.NewRegistry()
	reg.MustRegister(e.Live())
	_, got := scrape(t, e.Handler(collector.HandlerOpts{Live: reg}), "", "gzip")
	want, err := os.ReadFile(filepath.Join("testdata", "exposition.prom"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(families(string(want)), families(got)); diff != "" {
		t.Errorf("served families (-golden +served):\n%s", diff)
	}
	problems, err := testutil.GatherAndLint(prometheus.Gatherers{e.Gatherer(), reg})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}

// TestHandler_FollowsSet checks that a scrape after Set serves the new snapshot's bytes.
func TestHandler_FollowsSet(t *testing.T) {
	e := newExpo(expoSnapshot())
	h := e.Handler(collector.HandlerOpts{Live: liveRegistry(e)})
	_, before := scrape(t, h, "", "")
	s := *expoSnapshot()
	s.Objectives = s.Objectives[:1]
	e.Set(&s)
	_, after := scrape(t, h, "", "")
	for _, name := range []string{"incident-response", "api-requests"} {
		in := strings.Contains(after, `objective="`+name+`"`)
		if want := name == "incident-response"; in != want || !strings.Contains(before, `objective="`+name+`"`) {
			t.Errorf("objective %s: in the scrape after Set %v, want %v", name, in, want)
		}
	}
}

// TestHandler_LiveRepeatsSnapshot checks that a live registry holding the Exposition itself
// (a wiring mistake) cannot make a family appear twice: the repeated live family is left out,
// logged and counted.
func TestHandler_LiveRepeatsSnapshot(t *testing.T) {
	e := newExpo(expoSnapshot())
	reg := prometheus.NewRegistry()
	reg.MustRegister(e)
	var logged []string
	h := e.Handler(collector.HandlerOpts{Live: reg, Registry: reg, ErrorLog: printer(func(v ...any) { logged = append(logged, fmt.Sprint(v...)) })})
	_, body := scrape(t, h, "application/openmetrics-text;version=1.0.0", "")
	seen := map[string]bool{}
	for line := range strings.SplitSeq(body, "\n") {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, _, _ = strings.Cut(name, " ")
			if seen[name] {
				t.Errorf("family %s typed twice", name)
			}
			seen[name] = true
		}
	}
	if len(logged) == 0 || !strings.Contains(logged[0], "snapshot publishes that name") {
		t.Errorf("logged %q, want the repeated family", logged)
	}
	if !strings.Contains(body, `promhttp_metric_handler_errors_total{cause="encoding"}`) {
		t.Error("the error counter is not served")
	}
}

type printer func(v ...any)

func (p printer) Println(v ...any) { p(v...) }

// TestHandler_SnapshotDoesNotGather checks that a snapshot whose series do not gather (two
// objectives of one name) answers 500, as promhttp did, rather than a scrape missing series.
func TestHandler_SnapshotDoesNotGather(t *testing.T) {
	s := expoSnapshot()
	s.Objectives = append(s.Objectives, s.Objectives[0])
	e := newExpo(s)
	resp, body := scrape(t, e.Handler(collector.HandlerOpts{Live: liveRegistry(e)}), "", "")
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(body, "error gathering metrics") {
		t.Errorf("status %d, body %q; want 500 naming the gathering error", resp.StatusCode, body)
	}
}

func TestHandler_AcceptEncoding(t *testing.T) {
	e := newExpo(expoSnapshot())
	h := e.Handler(collector.HandlerOpts{Live: liveRegistry(e)})
	for _, tc := range []struct {
		header string
		gzip   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"deflate, gzip;q=1.0, *;q=0.5", true},
		{"br, *", true},
		{"gzip;q=0", false},
		{"*;q=0", false},
		{"identity", false},
		{"identity;q=1, gzip;q=0.5", false},
		{"br", false},
		{"gzip;q=oops", false},
	} {
		resp, _ := scrape(t, h, "", tc.header)
		if got := resp.Header.Get("Content-Encoding") == "gzip"; got != tc.gzip {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", tc.header, got, tc.gzip)
		}
	}
}

// discard is a ResponseWriter that keeps nothing, so a benchmark measures the handler and not
// a recorder's buffer of megabytes.
type discard struct {
	h    http.Header
	n    int
	code int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }
func (d *discard) WriteHeader(code int)        { d.code = code }

// benchHandlers are the two ways of serving /metrics with 1,000 objectives, over a live registry
// like the exporter's (Go and process collectors, the reload gauges): "gathered", the snapshot
// turned into const metrics, gathered and encoded at every scrape, as before issue 12; and
// "rendered", its bytes encoded at publication.
func benchHandlers(b *testing.B) (e *collector.Exposition, handlers map[string]http.Handler, series int) {
	e = newExpo(benchSnapshot(1000))
	live := prometheus.NewRegistry()
	live.MustRegister(e.Live(), collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mfs, err := e.Gatherer().Gather()
	if err != nil {
		b.Fatal(err)
	}
	for _, mf := range mfs {
		series += len(mf.GetMetric())
	}
	return e, map[string]http.Handler{
		"gathered": promhttp.HandlerFor(prometheus.Gatherers{e.Gatherer(), live}, promhttp.HandlerOpts{EnableOpenMetrics: true}),
		"rendered": e.Handler(collector.HandlerOpts{Live: live}),
	}, series
}

// BenchmarkExposition1000 is one scrape of /metrics with 1,000 objectives (38,119 series), in
// each format and encoding, gathered at the scrape as before issue 12 or served from the bytes
// encoded at publication.
func BenchmarkExposition1000(b *testing.B) {
	_, handlers, series := benchHandlers(b)
	for _, way := range []string{"gathered", "rendered"} {
		for _, f := range []struct{ name, accept, encoding string }{
			{"text", "", ""},
			{"text+gzip", "", "gzip"},
			{"openmetrics", "application/openmetrics-text;version=1.0.0", ""},
			{"openmetrics+gzip", "application/openmetrics-text;version=1.0.0", "gzip"},
		} {
			b.Run(way+"/"+f.name, func(b *testing.B) {
				h := handlers[way]
				req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
				if f.accept != "" {
					req.Header.Set("Accept", f.accept)
				}
				if f.encoding != "" {
					req.Header.Set("Accept-Encoding", f.encoding)
				}
				w := &discard{h: http.Header{}}
				b.ReportAllocs()
				for b.Loop() {
					clear(w.h)
					w.n, w.code = 0, 0
					h.ServeHTTP(w, req)
					if w.code != 0 && w.code != http.StatusOK {
						b.Fatalf("status %d", w.code)
					}
				}
				b.ReportMetric(float64(series), "series")
				b.ReportMetric(float64(w.n), "bytes/scrape")
			})
		}
	}
}

// BenchmarkExpositionPublish1000 is what Set costs once per evaluation with 1,000 objectives:
// gathering the snapshot's series and encoding them in both formats, plain and deflated.
func BenchmarkExpositionPublish1000(b *testing.B) {
	e, s := collector.NewExposition(), benchSnapshot(1000)
	b.ReportAllocs()
	for b.Loop() {
		e.Set(s)
	}
}

// BenchmarkExposition1000Concurrent50 is rounds of 50 concurrent scrapes (gzip, as Prometheus
// asks) of a server on loopback, reporting the latency percentiles over every scrape.
func BenchmarkExposition1000Concurrent50(b *testing.B) {
	const scrapers = 50
	_, handlers, _ := benchHandlers(b)
	for _, way := range []string{"gathered", "rendered"} {
		b.Run(way, func(b *testing.B) {
			srv := httptest.NewServer(handlers[way])
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: scrapers}}
			defer client.CloseIdleConnections()
			var (
				mu        sync.Mutex
				latencies []time.Duration
			)
			for b.Loop() {
				var wg sync.WaitGroup
				for range scrapers {
					wg.Go(func() {
						start := time.Now()
						resp, err := client.Get(srv.URL)
						if err != nil {
							b.Error(err)
							return
						}
						_, err = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if err != nil || resp.StatusCode != http.StatusOK {
							b.Errorf("status %d, %v", resp.StatusCode, err)
						}
						mu.Lock()
						latencies = append(latencies, time.Since(start))
						mu.Unlock()
					})
				}
				wg.Wait()
			}
			slices.Sort(latencies)
			at := func(p float64) float64 {
				return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
			}
			b.ReportMetric(at(0.5), "p50-ms")
			b.ReportMetric(at(0.99), "p99-ms")
		})
	}
}
