package blackbox

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/probe"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParse reads the answers recorded from blackbox_exporter 0.23 (testdata/README.md).
func TestParse(t *testing.T) {
	for _, tc := range []struct {
		file string
		want probe.Result
	}{
		// probe_duration_seconds 0.136176431, probe_http_status_code 200.
		{"probe-success.txt", probe.Result{Success: true, Duration: 136176431 * time.Nanosecond, StatusCode: 200}},
		// Connection refused: probe_success 0, probe_http_status_code 0 (no answer).
		{"probe-failure.txt", probe.Result{Duration: 385770 * time.Nanosecond, Detail: "probe_success 0"}},
		// probe_ssl_earliest_cert_expiry 1.9065456e+09 = 2030-06-01T12:00:00Z.
		{"probe-tls.txt", probe.Result{Success: true, Duration: 2150620 * time.Nanosecond, StatusCode: 200,
			CertExpiry: time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)}},
	} {
		got, err := Parse(fixture(t, tc.file))
		if err != nil {
			t.Errorf("%s: %v", tc.file, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.file, diff)
		}
	}
}

func TestParse_Errors(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"", "the answer has no probe_success"},
		{"probe_duration_seconds 0.1\n", "the answer has no probe_success"},
		{"probe_success 0.5\n", "probe_success is 0.5, neither 0 nor 1"},
		{"probe_success NaN\n", "probe_success is NaN, neither 0 nor 1"},
		{"probe_success{x=\"1\"} 1\nprobe_success{x=\"2\"} 1\n", "probe_success has 2 samples, want one"},
		{"# TYPE probe_success counter\nprobe_success 1\n", "probe_success is a counter, not a gauge"},
		{"probe_success 1\nprobe_duration_seconds -1\n", "probe_duration_seconds is -1, not a duration"},
		{"probe_success 1\nprobe_http_status_code 20.5\n", "probe_http_status_code is 20.5, not an HTTP status"},
		{"probe_success 1\nprobe_ssl_earliest_cert_expiry -6.21355968e+10\n", "probe_ssl_earliest_cert_expiry is -6.21355968e+10, not a time"},
		{"<html>Bad gateway</html>\n", `the answer is not the Prometheus text format: text format parsing error in line 1: invalid metric name`},
	} {
		_, err := Parse([]byte(tc.body))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q: error %v, want %s", tc.body, err, tc.want)
		}
	}
}

// fakeBlackbox answers /probe as blackbox_exporter 0.23 does, from the recorded answers: per
// target a fixture, or a status; unknown modules get its 400. It records the requests.
type fakeBlackbox struct {
	t *testing.T
	*httptest.Server
	mu       sync.Mutex
	requests []*http.Request
	answers  map[string]string // target → fixture file, "status:NNN" or "body:<the body>"
}

func newFakeBlackbox(t *testing.T, answers map[string]string) *fakeBlackbox {
	f := &fakeBlackbox{t: t, answers: answers}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeBlackbox) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Clone(context.Background()))
	answer := f.answers[r.URL.Query().Get("target")]
	f.mu.Unlock()
	switch {
	case !strings.HasSuffix(r.URL.Path, "/probe"):
		http.NotFound(w, r)
	case r.URL.Query().Get("module") != "http_2xx" && r.URL.Query().Get("module") != "http_tls":
		// As blackbox_exporter words it (testdata/unknown-module.txt).
		http.Error(w, fmt.Sprintf("Unknown module %q", r.URL.Query().Get("module")), http.StatusBadRequest)
	case strings.HasPrefix(answer, "body:"):
		_, _ = w.Write([]byte(strings.TrimPrefix(answer, "body:")))
	case strings.HasPrefix(answer, "status:"):
		var code int
		fmt.Sscan(strings.TrimPrefix(answer, "status:"), &code)
		http.Error(w, "probe failed: internal error", code)
	default:
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = w.Write(fixture(f.t, answer))
	}
}

func (f *fakeBlackbox) last() *http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[len(f.requests)-1]
}

// sourceOf compiles a `blackbox:` block on clk.
func sourceOf(t *testing.T, block string, clk collector.Clock) *probe.Source {
	t.Helper()
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(block), &node); err != nil {
		t.Fatal(err)
	}
	var cfg Config
	if err := collector.DecodeStrict(node.Content[0], &cfg); err != nil {
		t.Fatal(err)
	}
	src, err := build(node.Content[0], cfg, collector.Options{Name: "bb"}, clk)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return src
}

func runProbe(t *testing.T, p probe.Prober) (probe.Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	return p.Probe(ctx)
}

// TestProber: the request is blackbox_exporter's /probe under the configured URL's path, with
// the target, the module and the timeout header Prometheus sends; an answer is a result, an
// error of the blackbox_exporter (or none) is a probe that did not run.
func TestProber(t *testing.T) {
	bb := newFakeBlackbox(t, map[string]string{
		"https://shop.example/health?key=abc": "probe-success.txt",
		"http://down.example/":                "probe-failure.txt",
		"https://tls.example/":                "probe-tls.txt",
		"http://broken.example/":              "status:500",
		"http://garbage.example/":             "body:<html>Bad gateway</html>",
	})
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	src := sourceOf(t, `
url: `+bb.URL+`/blackbox
targets:
  - {series: shop, target: "https://shop.example/health?key=abc", module: http_2xx, timeout: 2500ms}
  - {series: down, target: "http://down.example/", module: http_2xx}
  - {series: tls, target: "https://tls.example/", module: http_tls}
  - {series: broken, target: "http://broken.example/", module: http_2xx}
  - {series: typo, target: "http://down.example/", module: http_2xxx}
  - {series: garbage, target: "http://garbage.example/", module: http_2xx}
`, nil)
	targets := src.Scheduler().Targets()

	got, err := runProbe(t, targets[0].Probe)
	if err != nil {
		t.Fatal(err)
	}
	if got.Success != true || got.StatusCode != 200 {
		t.Errorf("result %+v", got)
	}
	req := bb.last()
	if req.URL.Path != "/blackbox/probe" || req.URL.Query().Get("target") != "https://shop.example/health?key=abc" ||
		req.URL.Query().Get("module") != "http_2xx" || req.Header.Get("X-Prometheus-Scrape-Timeout-Seconds") != "2.5" ||
		req.Header.Get("Accept") != "text/plain;version=0.0.4" {
		t.Errorf("request %s %v", req.URL, req.Header)
	}
	if targets[0].Target != "https://shop.example/health" || targets[0].Prober != "http_2xx" {
		t.Errorf("target %q prober %q: the target's query (a key) must not reach the metrics", targets[0].Target, targets[0].Prober)
	}

	for _, tc := range []struct {
		i    int
		want probe.Result
	}{
		{1, probe.Result{Duration: 385770 * time.Nanosecond, Detail: "probe_success 0"}},
		{2, probe.Result{Success: true, Duration: 2150620 * time.Nanosecond, StatusCode: 200, CertExpiry: time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)}},
	} {
		got, err := runProbe(t, targets[tc.i].Probe)
		if err != nil {
			t.Errorf("%s: %v", targets[tc.i].Series, err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", targets[tc.i].Series, diff)
		}
	}

	display := bb.URL + "/blackbox/"
	for _, tc := range []struct {
		i    int
		want string
	}{
		{3, "blackbox_exporter " + display + `: HTTP 500 Internal Server Error: "probe failed: internal error"`},
		{4, "blackbox_exporter " + display + `: HTTP 400 Bad Request: "Unknown module \"http_2xxx\""`},
		{5, "blackbox_exporter " + display + ": the answer is not the Prometheus text format: text format parsing error in line 1: invalid metric name"},
	} {
		got, err := runProbe(t, targets[tc.i].Probe)
		if err == nil || err.Error() != tc.want || got != (probe.Result{}) {
			t.Errorf("%s: %+v, %v\nwant the error %s", targets[tc.i].Series, got, err, tc.want)
		}
	}

	down := sourceOf(t, "url: "+gone.URL+"\ntargets: [{series: s, target: x, module: http_2xx}]", nil)
	_, err = runProbe(t, down.Scheduler().Targets()[0].Probe)
	if want := "blackbox_exporter " + gone.URL + "/: dial tcp " + strings.TrimPrefix(gone.URL, "http://") + ": connect: connection refused"; err == nil || err.Error() != want {
		t.Errorf("unreachable: %v\nwant %s", err, want)
	}
}

// TestProber_Timeout: a blackbox_exporter that does not answer within the target's timeout did
// not probe it.
func TestProber_Timeout(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	src := sourceOf(t, "url: "+hang.URL+"\ntargets: [{series: s, target: x, module: http_2xx, interval: 1s, timeout: 1s}]", nil)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := src.Scheduler().Targets()[0].Probe.Probe(ctx)
	if want := "blackbox_exporter " + hang.URL + "/: no answer within the target's timeout of 1s"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

// TestSource_BlackboxDown: through the probing source, a blackbox_exporter that is down makes
// missing samples and a failed sync naming it; once back, the probes are samples again and the
// missing span is kept.
func TestSource_BlackboxDown(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	clk := sourcetest.NewClock(t0)
	bb := newFakeBlackbox(t, map[string]string{"https://shop.example/": "probe-success.txt"})
	src := sourceOf(t, "url: "+bb.URL+"\ntargets: [{series: shop, target: 'https://shop.example/', module: http_2xx, interval: 30s, timeout: 5s}]", clk)
	b1, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	wait := func() {
		t.Helper()
		select {
		case <-clk.Afters:
		case <-time.After(10 * time.Second):
			t.Fatal("the probe did not come back to wait on the clock")
		}
	}
	wait()
	bb.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "blackbox is restarting", http.StatusServiceUnavailable)
	})
	clk.Advance(30 * time.Second)
	wait()
	_, err = src.Sync(t.Context(), b1.Checkpoint)
	want := `no probe could run since the last sync (1 tried): shop: blackbox_exporter ` + bb.URL + `/: HTTP 503 Service Unavailable: "blackbox is restarting"`
	if err == nil || err.Error() != want {
		t.Fatalf("sync error %v\nwant %s", err, want)
	}
	bb.Config.Handler = http.HandlerFunc(bb.serve)
	clk.Advance(30 * time.Second)
	wait()
	b2, err := src.Sync(t.Context(), b1.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	wantUptime := []collector.UptimeSeries{{Series: "shop", Samples: []availability.Sample{
		{At: t0.Add(30 * time.Second), State: availability.Unknown}, {At: t0.Add(time.Minute), State: availability.Up},
	}}}
	if diff := cmp.Diff(wantUptime, b2.Uptime); diff != "" {
		t.Errorf("batch after blackbox came back (-want +got):\n%s", diff)
	}
	res := src.ProbeResults()
	if len(res) != 1 || res[0].At != t0.Add(time.Minute) || !res[0].Success || res[0].Prober != "http_2xx" {
		t.Errorf("probe results %+v", res)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct{ name, block, want string }{
		{"no url", "targets: [{series: a, target: x, module: m}]", "line 1: url: is required (the blackbox_exporter's URL, e.g. http://127.0.0.1:9115)"},
		{"bad url", "url: '127.0.0.1:9115'\ntargets: [{series: a, target: x, module: m}]", "line 1: url: not an http:// or https:// URL with a host"},
		{"query in url", "url: 'http://bb:9115/?module=x'\ntargets: [{series: a, target: x, module: m}]",
			"line 1: url: has user information, a query or a fragment: credentials go in http_client_config, and the base URL is only scheme://host/path"},
		{"no targets", "url: http://bb:9115", "line 1: targets: is required: at least one target"},
		{"no target", "url: http://bb:9115\ntargets:\n  - {series: a, module: http_2xx}",
			"line 3: targets[0].target: is required: what blackbox_exporter probes (a URL, host:port or host)"},
		{"no module", "url: http://bb:9115\ntargets:\n  - {series: a, target: x}",
			"line 3: targets[0].module: is required: one of the blackbox_exporter's modules (http_2xx ...)"},
		{"duplicate", "url: http://bb:9115\ntargets:\n  - {series: a, target: x, module: m}\n  - {series: a, target: y, module: m}",
			`line 4: targets[1].series: "a" is also the series of targets[0]: each target feeds a series of its own`},
		{"timeout", "url: http://bb:9115\ntargets:\n  - series: a\n    target: x\n    module: m\n    interval: 5s\n    timeout: 6s",
			"line 7: targets[0].timeout: 6s is longer than the interval 5s: probes of a target never overlap"},
		{"unknown key", "url: http://bb:9115\ntargets:\n  - {series: a, target: x, module: m, modul: n}",
			"line 3: targets[0].modul: unknown field (known: series, interval, timeout, target, module)"},
		{"plain credential", "url: http://bb:9115\nhttp_client_config:\n  http_headers:\n    Authorization-Token: {values: [s3cret]}\ntargets: [{series: a, target: x, module: m}]",
			"line 4: http_client_config.http_headers.Authorization-Token.values: a credential in plain values shows wherever the configuration is printed: use secrets, or better files"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var node yaml.Node
			if err := yaml.Unmarshal([]byte(tc.block), &node); err != nil {
				t.Fatal(err)
			}
			_, err := newKind(node.Content[0], collector.Options{Name: "bb"})
			if err == nil || err.Error() != tc.want {
				t.Errorf("error\n got %v\nwant %s", err, tc.want)
			}
		})
	}
}

// TestContract: the promises of every source kind.
func TestContract(t *testing.T) {
	bb := newFakeBlackbox(t, map[string]string{"x": "probe-success.txt"})
	sourcetest.RunContract(t, func() collector.Source {
		return sourceOf(t, "url: "+bb.URL+"\ntargets: [{series: a, target: x, module: http_2xx}]", nil)
	})
}

// FuzzParse: any answer is read or refused, never a panic, and what is read is sane.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"probe-success.txt", "probe-failure.txt", "probe-tls.txt", "unknown-module.txt"} {
		f.Add(fixture(f, name))
	}
	f.Add([]byte("probe_success 1\nprobe_duration_seconds 1e300\n"))
	f.Add([]byte("probe_success 1\nprobe_ssl_earliest_cert_expiry +Inf\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := Parse(body)
		if err != nil {
			return
		}
		if r.Duration < 0 || (r.StatusCode != 0 && (r.StatusCode < 100 || r.StatusCode > 999)) {
			t.Errorf("%q read as %+v", body, r)
		}
		if !r.CertExpiry.IsZero() && (r.CertExpiry.Year() < 1970 || r.CertExpiry.Year() > 9999) {
			t.Errorf("%q: expiry %s", body, r.CertExpiry)
		}
		if r.Success != (r.Detail == "") {
			t.Errorf("%q: success %v with detail %q", body, r.Success, r.Detail)
		}
	})
}
