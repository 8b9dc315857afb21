package statuspage

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/collector/statuspage/statuspagesim"
)

// env is a simulated page, the clock it shares with the source, and the source's log.
type env struct {
	sim      *statuspagesim.Server
	clk      *apitest.Clock
	log      *bytes.Buffer
	requests *collector.Requests
}

func newEnv(t testing.TB, o statuspagesim.Options) *env {
	t.Helper()
	e := &env{clk: apitest.NewClock(t0), log: &bytes.Buffer{}, requests: collector.NewRequests()}
	o.Now = e.clk.Now
	e.sim = statuspagesim.New(o)
	t.Cleanup(e.sim.Close)
	return e
}

func (e *env) opts() collector.Options {
	return collector.Options{Name: "vendor", Now: e.clk.Now, Requests: e.requests,
		Logger: slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelWarn}))}
}

// source builds a source of the simulated page with the extra keys.
func (e *env) source(t testing.TB, extra string) *Source {
	t.Helper()
	n := apitest.Node(t, fmt.Sprintf("url: %s\n%s", e.sim.URL, extra))
	src, err := newSource(n, e.opts(), e.clk.Hooks())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return src
}

var discard = slog.New(slog.DiscardHandler)
