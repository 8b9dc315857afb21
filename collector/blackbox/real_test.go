package blackbox

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/probe"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// blackboxBinary finds Debian's prometheus-blackbox-exporter (or an upstream blackbox_exporter),
// or skips the test loudly; under CI it fails instead, since deploy/ci/install-tools.sh
// installs it there.
func blackboxBinary(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"prometheus-blackbox-exporter", "blackbox_exporter"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("blackbox_exporter is not installed, and CI is set: a missing program is a failure there. " +
			"CI must run deploy/ci/install-tools.sh (apt-get install prometheus-blackbox-exporter) before the tests.")
	}
	t.Skip("!!! blackbox_exporter is not installed: install it with sudo deploy/ci/install-tools.sh (with CI set, this skip is a FAILURE)")
	return ""
}

// startBlackbox runs blackbox_exporter on a free loopback port with an http_2xx module, and
// returns its URL and a function that stops it.
func startBlackbox(t *testing.T) (string, func()) {
	t.Helper()
	bin := blackboxBinary(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "blackbox.yml")
	if err := os.WriteFile(cfg, []byte("modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	var out bytes.Buffer
	cmd := exec.Command(bin, "--config.file="+cfg, "--web.listen-address="+addr)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var stopped atomic.Bool
	stop := func() {
		if stopped.CompareAndSwap(false, true) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("blackbox_exporter output:\n%s", out.String())
		}
	})
	u := "http://" + addr
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(u + "/-/healthy")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return u, stop
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("blackbox_exporter did not come up on %s: %v\n%s", addr, err, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// target is an HTTP server the test takes down and brings up again on the same address.
type target struct {
	t       *testing.T
	addr    string
	srv     *http.Server
	failing atomic.Bool
}

func (s *target) up() {
	s.t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the port may linger a moment after the close
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	s.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.failing.Load() {
			http.Error(w, "failing", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	})}
	go func() { _ = s.srv.Serve(ln) }()
}

func (s *target) down() { _ = s.srv.Close() }

// TestRealBlackbox probes a server the test controls through a real blackbox_exporter, taking
// the server down and up, making it fail, and stopping blackbox_exporter itself: the server's
// states are the results, blackbox_exporter's absence is a probe that did not run.
func TestRealBlackbox(t *testing.T) {
	bbURL, stopBlackbox := startBlackbox(t)
	srv := &target{t: t, addr: "127.0.0.1:0"}
	srv.up()
	t.Cleanup(srv.down)

	src, err := New(Config{URL: bbURL, Targets: []TargetConfig{{
		Timing: probe.Timing{Series: "shop", Interval: model.Duration(time.Second), Timeout: model.Duration(time.Second)},
		Target: "http://" + srv.addr + "/health", Module: "http_2xx",
	}}}, collector.Options{Name: "blackbox"})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	p := src.Scheduler().Targets()[0].Probe
	check := func(what string, wantSuccess bool, wantCode int) {
		t.Helper()
		r, err := runProbe(t, p)
		if err != nil {
			t.Fatalf("%s: the probe did not run: %v", what, err)
		}
		if r.Success != wantSuccess || r.StatusCode != wantCode || r.Duration <= 0 {
			t.Errorf("%s: %+v, want success %v, status %d", what, r, wantSuccess, wantCode)
		}
	}
	check("server up", true, 200)
	srv.down()
	check("server down", false, 0)
	srv.up()
	check("server up again", true, 200)
	srv.failing.Store(true)
	check("server failing", false, 503)
	srv.failing.Store(false)

	// The source's first sync waits for the first probe: one up sample.
	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Uptime) != 1 || len(b.Uptime[0].Samples) == 0 || b.Uptime[0].Samples[0].State != availability.Up {
		t.Errorf("first batch %+v, want an up sample of shop", b.Uptime)
	}

	stopBlackbox()
	_, err = runProbe(t, p)
	if err == nil || !strings.HasPrefix(err.Error(), "blackbox_exporter "+bbURL+"/: dial tcp ") {
		t.Errorf("blackbox_exporter stopped: %v, want the probe not run, naming it", err)
	}
}
