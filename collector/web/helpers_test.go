package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/demo"
	"github.com/sla-exporter/sla_exporter/collector/evaluation"
	"github.com/sla-exporter/sla_exporter/collector/sources"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// evalAt is the instant the tests evaluate at: the demo world is generated up to it, so the
// figures do not depend on when the tests run.
var evalAt = time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)

// fixedClock is the system clock with Now stopped at one instant.
type fixedClock struct {
	collector.SystemClock
	at time.Time
}

func (c fixedClock) Now() time.Time { return c.at }

// demoFixture is the built-in demo configuration with its data synced once at evalAt. The
// runner is shared by the tests, which only read it.
type demoFixture struct {
	cfg    *config.Config
	runner *collector.Runner
}

var loadDemo = sync.OnceValues(func() (*demoFixture, error) {
	cfg, err := config.Load(demo.ConfigYAML, "demo.yml", ".")
	if err != nil {
		return nil, err
	}
	clock := fixedClock{at: evalAt}
	runner := collector.NewRunner(collector.RunnerOptions{Clock: clock})
	var srcs []collector.SourceConfig
	for _, s := range cfg.Sources {
		kind, err := sources.Lookup(s.Type)
		if err != nil {
			return nil, err
		}
		src, err := kind.New(s.Block, collector.Options{Name: s.Name, Dir: s.Dir, Now: clock.Now})
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, collector.SourceConfig{Name: s.Name, Type: s.Type, Source: src, Interval: s.Interval, Timeout: s.Timeout, Hash: s.Hash})
	}
	if err := runner.Update(srcs); err != nil {
		return nil, err
	}
	if err := runner.SyncOnce(context.Background()); err != nil {
		return nil, err
	}
	return &demoFixture{cfg: cfg, runner: runner}, nil
})

func demoFor(t *testing.T) *demoFixture {
	t.Helper()
	f, err := loadDemo()
	if err != nil {
		t.Fatalf("demo fixture: %v", err)
	}
	return f
}

// fakeReader is collected data handed to the evaluator as is: no source runs.
type fakeReader struct{ data collector.Data }

func (f fakeReader) Read(fn func(collector.Data))       { fn(f.data) }
func (f fakeReader) Health() []collector.SourceHealth   { return nil }
func (f fakeReader) StoreHealth() collector.StoreHealth { return collector.StoreHealth{} }
func (f fakeReader) Changed() <-chan struct{}           { return nil }

// emptyData is what a runner holds for the named sources before anything was collected; synced
// marks them as having synced successfully at evalAt (with nothing to show).
func emptyData(synced bool, names ...string) collector.Data {
	d := collector.Data{Tickets: map[string]*ticket.Store{}, Uptime: map[string]*collector.Uptime{},
		Events: map[string]*collector.EventCounts{}, LastSuccess: map[string]time.Time{}}
	for _, n := range names {
		d.Tickets[n] = ticket.NewStore(ticket.StoreOptions{})
		if synced {
			d.LastSuccess[n] = evalAt
		}
	}
	return d
}

// testServer is the handler under test with what the tests drive it through.
type testServer struct {
	h    http.Handler
	expo *collector.Exposition
	eval *evaluation.Evaluator
	logs *strings.Builder
}

// newTestServer serves cfg over data with a real evaluator; nothing is evaluated yet.
func newTestServer(t *testing.T, cfg *config.Config, data evaluation.Reader, mod func(*Options)) *testServer {
	t.Helper()
	logs := &strings.Builder{}
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	expo := collector.NewExposition()
	eval := evaluation.New(cfg, evaluation.Options{Data: data, Expo: expo, Logger: logger, Now: func() time.Time { return evalAt }})
	reg := prometheus.NewRegistry()
	reg.MustRegister(expo.Live())
	o := Options{Registry: reg, Expo: expo, Evaluator: eval, Logger: logger, Version: "1.2.3-test"}
	if mod != nil {
		mod(&o)
	}
	return &testServer{h: Handler(o), expo: expo, eval: eval, logs: logs}
}

// newDemoServer serves the demo configuration over the demo data, evaluated once.
func newDemoServer(t *testing.T, mod func(*Options)) *testServer {
	t.Helper()
	f := demoFor(t)
	s := newTestServer(t, f.cfg, f.runner, mod)
	s.eval.Publish()
	return s
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// do sends a request to the handler and returns the response with its body read.
func (s *testServer) do(t *testing.T, method, target string, header http.Header) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	resp := rec.Result()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func (s *testServer) get(t *testing.T, target string) (*http.Response, string) {
	t.Helper()
	return s.do(t, http.MethodGet, target, nil)
}
