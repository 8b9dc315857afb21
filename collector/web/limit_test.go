package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sla-exporter/sla_exporter/collector"
	c "github.com/sla-exporter/sla_exporter/slo/conventions"
)

// blockingHandler holds every request but the health endpoints' until release is closed, and
// says on entered when one has started, so a test knows exactly how many are in flight.
type blockingHandler struct {
	entered chan string
	release chan struct{}
}

func (b blockingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !unlimitedPaths[r.URL.Path] {
		b.entered <- r.URL.Path
		<-b.release
	}
	w.Write([]byte("ok\n"))
}

func TestLimitRequests(t *testing.T) {
	const limit = 3
	b := blockingHandler{entered: make(chan string, limit), release: make(chan struct{})}
	rejected := prometheus.NewCounter(prometheus.CounterOpts{Name: "rejected_total", Help: "test"})
	h := limitRequests(b, limit, rejected)

	// Fill every slot: limit requests, each blocked inside the handler.
	var wg sync.WaitGroup
	codes := make([]int, limit)
	for i, path := range []string{"/metrics", "/api/v1/objectives", "/"} {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			codes[i] = rec.Code
		})
	}
	for range limit {
		<-b.entered
	}

	// One more is refused at once, without reaching the handler.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("request %d: status %d, want 503", limit+1, rec.Code)
	}
	if got := rec.Header().Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After %q, want 1", got)
	}
	if got, want := rec.Body.String(), "too many concurrent requests: the limit is 3 (--web.max-requests)\n"; got != want {
		t.Errorf("body %q, want %q", got, want)
	}
	if got := testutil.ToFloat64(rejected); got != 1 {
		t.Errorf("rejected %v, want 1", got)
	}

	// The health endpoints answer although every slot is taken, and are not counted.
	for _, path := range []string{"/-/healthy", "/-/ready"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s at the limit: status %d, want 200", path, rec.Code)
		}
	}
	if got := testutil.ToFloat64(rejected); got != 1 {
		t.Errorf("rejected after the health checks %v, want 1", got)
	}

	// Released, the blocked requests finish and free their slots: limit new requests are all
	// served again, and none is refused.
	close(b.release)
	wg.Wait()
	for i, code := range codes {
		if code != http.StatusOK {
			t.Errorf("blocked request %d: status %d, want 200", i, code)
		}
	}
	for range limit {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
			if rec.Code != http.StatusOK {
				t.Errorf("after release: status %d, want 200", rec.Code)
			}
		})
	}
	for range limit {
		<-b.entered
	}
	wg.Wait()
	if got := testutil.ToFloat64(rejected); got != 1 {
		t.Errorf("rejected after release %v, want 1", got)
	}
}

// TestLimitRequestsUnlimited: a limit of 0 serves any number at once.
func TestLimitRequestsUnlimited(t *testing.T) {
	const n = 50
	b := blockingHandler{entered: make(chan string, n), release: make(chan struct{})}
	rejected := prometheus.NewCounter(prometheus.CounterOpts{Name: "rejected_total", Help: "test"})
	h := limitRequests(b, 0, rejected)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
			if rec.Code != http.StatusOK {
				t.Errorf("status %d, want 200", rec.Code)
			}
		})
	}
	// All n are inside the handler at once: with any limit below n this would never finish.
	for range n {
		<-b.entered
	}
	close(b.release)
	wg.Wait()
	if got := testutil.ToFloat64(rejected); got != 0 {
		t.Errorf("rejected %v, want 0", got)
	}
}

// TestHandlerRejectedMetric: Handler registers the counter in the registry it serves, so the
// refusals show on /metrics; a second handler over the same registry (a test's, or a rebuilt
// one) shares the counter instead of panicking on the registration.
func TestHandlerRejectedMetric(t *testing.T) {
	reg := prometheus.NewRegistry()
	o := Options{Registry: reg, Expo: collector.NewExposition(), MaxRequests: 1}
	Handler(o)
	h := Handler(o)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: status %d", rec.Code)
	}
	if want := "\n" + c.HTTPRequestsRejected + " 0\n"; !strings.Contains(rec.Body.String(), want) {
		t.Errorf("/metrics lacks %q:\n%s", want, rec.Body.String())
	}
}
