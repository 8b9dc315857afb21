package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// loadConfig is 1,000 objectives over the demo source, a third of each kind, evaluated every
// interval.
func loadConfig(interval time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "global:\n  evaluation_interval: %s\ncalendars:\n  - name: office\n    hours: {weekdays: [\"08:00-18:00\"]}\n", interval)
	b.WriteString("sources:\n  - {name: demo, type: demo, interval: 1m, demo: {seed: 1}}\nobjectives:\n")
	for i := range 1000 {
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, "  - {name: tickets-%04d, service: desk-%02d, kind: ticket, source: demo, clock: response, calendar: office, targets: {P1: 15m, P2: 30m, P3: 4h, P4: 8h}, target: 0.95}\n", i, i%50)
		case 1:
			fmt.Fprintf(&b, "  - {name: uptime-%04d, service: web-%02d, kind: availability, source: demo, series: webshop, target: 0.999}\n", i, i%50)
		default:
			fmt.Fprintf(&b, "  - {name: requests-%04d, service: api-%02d, kind: event_ratio, source: demo, series: api_requests, target: 0.99}\n", i, i%50)
		}
	}
	return b.String()
}

// TestLoad is issue 12's bounded load test: 200 scrapers at once for 30 s on loopback against
// serve with 1,000 objectives and --web.max-requests at its default. Every request must be
// answered 200 or, beyond the limit, 503; the evaluation must keep its schedule (an observer
// counts the evaluations from sla_last_evaluation_timestamp_seconds); the process's RSS must
// stay bounded. The scrapers ask for gzip, as Prometheus does, and read the body through without
// decompressing it, so that the test's own clients, in the daemon's process and on its cores, cost
// what a network's would not. Run by make test-load (SLA_LOAD_TEST=1); the figures are logged
// for docs/performance.md.
func TestLoad(t *testing.T) {
	if os.Getenv("SLA_LOAD_TEST") == "" {
		t.Skip("a load test of about two minutes: run with SLA_LOAD_TEST=1 (make test-load)")
	}
	const (
		scrapers = 200
		duration = 30 * time.Second
		interval = 5 * time.Second
	)
	cfg := writeFile(t, t.TempDir(), "load.yml", loadConfig(interval))
	observer := &http.Client{Timeout: 60 * time.Second}
	d := startDaemon(t, "http", observer, "--config.file="+cfg)
	// The first sync and evaluation of 1,000 objectives take a while on a shared machine.
	for deadline := time.Now().Add(5 * time.Minute); ; time.Sleep(time.Second) {
		if code, _, err := d.request("GET", "/-/ready", nil); err == nil && code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready within 5 minutes:\n%s", d.stderr.String())
		}
	}

	var (
		mu          sync.Mutex
		evaluations = map[string]string{} // timestamp: duration, as published
	)
	// observe scrapes once a second (retrying a 503) and notes each evaluation seen.
	observe := func(stop <-chan struct{}) {
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Second):
			}
			resp, err := observer.Get(d.base + "/metrics")
			if err != nil {
				t.Errorf("observer: %v", err)
				return
			}
			at, took, err := scanEvaluation(resp.Body)
			resp.Body.Close()
			if err == nil && resp.StatusCode == http.StatusOK && at != "" {
				mu.Lock()
				evaluations[at] = took
				mu.Unlock()
			}
		}
	}
	// Unloaded first, for comparison: how often an evaluation happens here without scrapers.
	stop := make(chan struct{})
	var bg sync.WaitGroup
	bg.Go(func() { observe(stop) })
	time.Sleep(duration)
	close(stop)
	bg.Wait()
	unloaded := seen(evaluations)
	clear(evaluations)

	var (
		ok, rejected atomic.Int64
		failures     []string
		latencies    []time.Duration
	)
	rssBefore := vmRSS(t)
	var rssMax atomic.Int64
	rssMax.Store(rssBefore)
	stop = make(chan struct{})
	bg.Go(func() { observe(stop) })
	bg.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
				if r := vmRSS(t); r > rssMax.Load() {
					rssMax.Store(r)
				}
			}
		}
	})
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: scrapers, DisableCompression: true}}
	fail := func(s string) {
		mu.Lock()
		failures = append(failures, s)
		mu.Unlock()
	}
	end := time.Now().Add(duration)
	var wg sync.WaitGroup
	for range scrapers {
		wg.Go(func() {
			for time.Now().Before(end) {
				req, _ := http.NewRequest(http.MethodGet, d.base+"/metrics", nil)
				req.Header.Set("Accept-Encoding", "gzip")
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					fail(err.Error())
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				elapsed := time.Since(start)
				switch {
				case err != nil:
					fail(err.Error())
				case resp.StatusCode == http.StatusServiceUnavailable:
					rejected.Add(1)
					time.Sleep(100 * time.Millisecond) // as Retry-After asks, sooner
				case resp.StatusCode == http.StatusOK:
					ok.Add(1)
					mu.Lock()
					latencies = append(latencies, elapsed)
					mu.Unlock()
				default:
					fail(fmt.Sprintf("status %d", resp.StatusCode))
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	bg.Wait()
	loaded := seen(evaluations)

	if len(failures) > 0 {
		t.Errorf("%d requests failed other than with 503, the first: %s", len(failures), failures[0])
	}
	if ok.Load() == 0 {
		t.Error("no scrape answered 200")
	}
	// 30 s at a 5 s interval, an evaluation taking a few seconds here: 3 or 4 evaluations. A
	// starved one (67 s late before the limit) would show one at most; require half the
	// unloaded count.
	if len(loaded) < max(2, len(unloaded)/2) {
		t.Errorf("%d evaluations seen in %s under load, %d unloaded: the evaluation falls behind", len(loaded), duration, len(unloaded))
	}
	const bound = 1 << 30
	if rssMax.Load() > bound {
		t.Errorf("RSS peaked at %d MiB, above %d MiB", rssMax.Load()>>20, bound>>20)
	}
	slices.Sort(latencies)
	p := func(q float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[int(q*float64(len(latencies)-1))]
	}
	t.Logf("evaluations (timestamp: seconds taken) in %s unloaded: %s", duration, strings.Join(unloaded, ", "))
	t.Logf("evaluations (timestamp: seconds taken) in %s loaded: %s", duration, strings.Join(loaded, ", "))
	t.Logf("%d scrapers for %s (GOMAXPROCS %d): %d answered 200, %d answered 503; latency of the 200s p50 %s, p99 %s; RSS %d MiB before, %d MiB peak",
		scrapers, duration, runtime.GOMAXPROCS(0), ok.Load(), rejected.Load(), p(0.5).Round(time.Millisecond), p(0.99).Round(time.Millisecond), rssBefore>>20, rssMax.Load()>>20)
}

// seen lists the evaluations seen, in order.
func seen(evaluations map[string]string) []string {
	var out []string
	for at, took := range evaluations {
		out = append(out, at+": "+took)
	}
	slices.Sort(out)
	return out
}

// scanEvaluation reads a scrape through, line by line rather than whole (200 bodies of 3.5 MB
// held at once would be the test's memory, not the daemon's), and returns the last evaluation's
// timestamp and duration.
func scanEvaluation(body io.Reader) (at, took string, err error) {
	r := bufio.NewReaderSize(body, 64<<10)
	for {
		line, err := r.ReadSlice('\n')
		if v, ok := bytes.CutPrefix(line, []byte("sla_last_evaluation_timestamp_seconds ")); ok {
			at = string(bytes.TrimSpace(v))
		}
		if v, ok := bytes.CutPrefix(line, []byte("sla_evaluation_duration_seconds ")); ok {
			took = string(bytes.TrimSpace(v))
		}
		switch {
		case err == io.EOF:
			return at, took, nil
		case err == bufio.ErrBufferFull:
			// A line longer than the buffer is no line sought: skip its rest.
			for err == bufio.ErrBufferFull {
				_, err = r.ReadSlice('\n')
			}
			if err == io.EOF {
				return at, took, nil
			}
			if err != nil {
				return at, took, err
			}
		case err != nil:
			return at, took, err
		}
	}
}

// vmRSS is this process's resident set (the daemon runs in it), from /proc/self/status.
func vmRSS(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("VmRSS %q: %v", v, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}
