package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// The programs of the uptime end-to-end test (uptime_test.go): a target server the test turns
// up and down, an application server counting the responses it gives, Debian's
// blackbox_exporter probing the target, and Debian's Prometheus scraping both every second.

// targetMode is what the target answers.
type targetMode int32

const (
	targetOK    targetMode = iota // 200
	targetError                   // 500
	targetClose                   // the connection closed without an answer
)

func (m targetMode) String() string {
	return [...]string{"200", "500", "connection closed"}[m]
}

// target is the HTTP server the probes check.
type target struct {
	srv  *httptest.Server
	mode atomic.Int32
}

// startTarget serves on a loopback port until the test ends.
func startTarget(t *testing.T) *target {
	tg := &target{}
	tg.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch targetMode(tg.mode.Load()) {
		case targetError:
			http.Error(w, "scripted failure", http.StatusInternalServerError)
		case targetClose:
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler) // aborts the answer where hijacking is not possible
		default:
			_, _ = w.Write([]byte("ok\n"))
		}
	}))
	t.Cleanup(tg.srv.Close)
	return tg
}

// set switches the answer and returns the instant it took effect: every request read after it
// gets the new answer.
func (tg *target) set(m targetMode) time.Time {
	tg.mode.Store(int32(m))
	return time.Now()
}

// app is the application whose responses are counted: /work answers 200, /work?fail=1 500, and
// /metrics exposes app_requests_total{code} from a registry of its own. restart replaces the
// server and the registry on the same port, as a restarted process would: the counters start
// again from 0.
type app struct {
	addr string
	// held makes /metrics answer 503: a restarted application serving requests before its
	// first scrape.
	held atomic.Bool

	mu  sync.Mutex
	srv *http.Server
	// generation counts the registries, for the error messages.
	generation int
}

// startApp starts the application on a free loopback port.
func startApp(t *testing.T) *app {
	t.Helper()
	a := &app{}
	for attempt := 1; ; attempt++ {
		a.addr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
		err := a.listen()
		if err == nil {
			break
		}
		if attempt == 3 {
			t.Fatalf("app: %v", err)
		}
	}
	t.Cleanup(func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		_ = a.srv.Close()
	})
	return a
}

// listen starts a server with a fresh registry; its counters of both codes start at 0 and are
// exposed from the first scrape, so the first request already has a sample before it.
func (a *app) listen() error {
	reg := prometheus.NewRegistry()
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "app_requests_total",
		Help: "Requests answered, by status code.",
	}, []string{"code"})
	reg.MustRegister(requests)
	ok, failed := requests.WithLabelValues("200"), requests.WithLabelValues("500")
	mux := http.NewServeMux()
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		if a.held.Load() {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		metrics.ServeHTTP(w, r)
	})
	mux.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("fail") != "" {
			failed.Inc()
			http.Error(w, "failed", http.StatusInternalServerError)
			return
		}
		ok.Inc()
		_, _ = w.Write([]byte("done\n"))
	})
	// The port was just given up by the previous server or by freePort: binding may race a
	// socket still closing, so it is tried for a moment.
	var l net.Listener
	var err error
	for range 50 {
		if l, err = net.Listen("tcp", a.addr); err == nil || !errors.Is(err, syscall.EADDRINUSE) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	a.mu.Lock()
	a.srv = srv
	a.generation++
	a.mu.Unlock()
	return nil
}

// restart stops the server (its open connections closed) and starts a new one with new
// counters on the same address, its /metrics held until release.
func (a *app) restart() error {
	a.held.Store(true)
	a.mu.Lock()
	old := a.srv
	a.mu.Unlock()
	if err := old.Close(); err != nil {
		return err
	}
	return a.listen()
}

// release lets Prometheus scrape the application again.
func (a *app) release() { a.held.Store(false) }

// request makes one request and returns the status code the client got.
func (a *app) request(fail bool) (int, error) {
	u := "http://" + a.addr + "/work"
	if fail {
		u += "?fail=1"
	}
	resp, err := httpClient.Get(u)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// blackboxConfig is the exporter's configuration: one module probing over HTTP, on IPv4 (the
// target listens on 127.0.0.1).
const blackboxConfig = "modules:\n  http_2xx:\n    prober: http\n    timeout: 2s\n    http: {preferred_ip_protocol: ip4}\n"

// blackbox is a blackbox_exporter that the test stops and starts again on the same address.
type blackbox struct {
	bin, addr, cfg string
	cur            *server
}

// startBlackbox starts Debian's blackbox_exporter on a free loopback port.
func startBlackbox(t *testing.T) *blackbox {
	t.Helper()
	bin := requireTool(t, "blackbox")
	b := &blackbox{bin: bin, cfg: writeFile(t, t.TempDir(), "blackbox.yml", blackboxConfig)}
	b.cur = startServer(t, "blackbox_exporter", bin, "/-/healthy", time.Minute, func(addr, dir string) []string {
		return b.args(addr)
	})
	b.addr = b.cur.addr
	return b
}

func (b *blackbox) args(addr string) []string {
	return []string{"--config.file=" + b.cfg, "--web.listen-address=" + addr}
}

// stop ends the exporter (SIGTERM) and returns the instant it had exited.
func (b *blackbox) stop(t *testing.T) time.Time {
	b.cur.stop(t)
	return time.Now()
}

// start starts the exporter again on its address and returns the instant it answered its
// health check: probes can run from about then on.
func (b *blackbox) start(t *testing.T) time.Time {
	t.Helper()
	p := startProc(t, "blackbox_exporter", t.TempDir(), b.bin, b.args(b.addr)...)
	b.cur = &server{proc: p, addr: b.addr, url: "http://" + b.addr}
	if err := b.cur.waitReady("/-/healthy", time.Minute); err != nil {
		t.Fatalf("blackbox_exporter did not start again on %s: %v\n%s", b.addr, err, tail(p.log(), 40))
	}
	return time.Now()
}

// startUptimePrometheus runs Debian's Prometheus scraping, every second, the blackbox exporter
// probing targetURL (job blackbox, as prometheus.md §3 sets it up) and the application (job app).
func startUptimePrometheus(t *testing.T, bb *blackbox, targetURL, appAddr string) *server {
	t.Helper()
	bin := requireTool(t, "prometheus")
	return startServer(t, "prometheus", bin, "/-/ready", 2*time.Minute, func(addr, dir string) []string {
		cfg := fmt.Sprintf(`global: {scrape_interval: 1s, scrape_timeout: 1s}
scrape_configs:
  - job_name: blackbox
    metrics_path: /probe
    params: {module: [http_2xx]}
    static_configs: [{targets: [%q]}]
    relabel_configs:
      - {source_labels: [__address__], target_label: __param_target}
      - {source_labels: [__param_target], target_label: instance}
      - {target_label: __address__, replacement: %q}
  - job_name: app
    static_configs: [{targets: [%q]}]
`, targetURL, bb.addr, appAddr)
		path := writeFile(t, dir, "prometheus.yml", cfg)
		return []string{
			"--config.file=" + path,
			"--storage.tsdb.path=" + filepath.Join(dir, "tsdb"),
			"--web.listen-address=" + addr,
			"--web.external-url=http://" + addr + "/",
		}
	})
}

// promValues runs an instant query and returns its values by the value of label.
func promValues(prom *server, query, label string) (map[string]float64, error) {
	r, err := promQuery(prom, query)
	if err != nil {
		return nil, err
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("%s: %s %s", query, r.ErrorType, r.Error)
	}
	out := map[string]float64{}
	for _, x := range r.Data.Result {
		if len(x.Value) != 2 {
			return nil, fmt.Errorf("%s: value %v", query, x.Value)
		}
		s, _ := x.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: value %v: %w", query, x.Value, err)
		}
		out[x.Metric[label]] = v
	}
	return out, nil
}

// waitScraped waits until Prometheus' last scrape of the application shows exactly the counts
// (good, bad) of the current server: every request made so far is then in Prometheus.
func waitScraped(ctx context.Context, prom *server, good, bad int) error {
	want := fmt.Sprintf("200=%d 500=%d", good, bad)
	var last string
	for {
		v, err := promValues(prom, `app_requests_total{job="app"}`, "code")
		if err != nil {
			last = err.Error()
		} else {
			last = fmt.Sprintf("200=%g 500=%g", v["200"], v["500"])
			if len(v) == 2 && last == want {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("Prometheus never scraped the application's counts %s; last: %s", want, last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// sleepUntil sleeps until at; the script's instants are when things are done, not what is
// checked.
func sleepUntil(at time.Time) { time.Sleep(time.Until(at)) }

// joinLines indents lines for a log message.
func joinLines(lines []string) string { return "\n\t" + strings.Join(lines, "\n\t") }
