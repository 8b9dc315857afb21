package gatus

import (
	"fmt"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/collector/gatus/gatussim"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// at is t0 plus m minutes.
func at(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }

// password is the simulator's; tests check it never shows in an error.
const password = "gatus-Secret-0123456789"

type env struct {
	sim      *gatussim.Server
	clk      *apitest.Clock
	dir      string
	requests *collector.Requests
}

func newEnv(t testing.TB, o gatussim.Options) *env {
	t.Helper()
	e := &env{clk: apitest.NewClock(t0), dir: t.TempDir(), requests: collector.NewRequests()}
	o.Now = e.clk.Now
	e.sim = gatussim.New(o)
	t.Cleanup(e.sim.Close)
	apitest.WriteToken(t, e.dir, "password", password)
	return e
}

func (e *env) source(t testing.TB, extra string) *Source {
	t.Helper()
	n := apitest.Node(t, fmt.Sprintf("url: %s\n%s", e.sim.URL, extra))
	src, err := newSource(n, collector.Options{Name: "gatus", Dir: e.dir, Now: e.clk.Now, Requests: e.requests}, e.clk.Hooks())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return src
}

// checks returns results a minute apart from minute from, failing at the minutes listed.
func checks(from, n int, failing ...int) []gatussim.Result {
	var out []gatussim.Result
	for m := from; m < from+n; m++ {
		ok := true
		for _, f := range failing {
			ok = ok && f != m
		}
		status := 200
		if !ok {
			status = 503
		}
		out = append(out, gatussim.Result{At: at(m), Success: ok, Status: status, Duration: 120 * time.Millisecond})
	}
	return out
}

// samples are samples a minute apart from minute from, down at the minutes listed.
func samples(from, n int, down ...int) []availability.Sample {
	var out []availability.Sample
	for _, r := range checks(from, n, down...) {
		st := availability.Up
		if !r.Success {
			st = availability.Down
		}
		out = append(out, availability.Sample{At: r.At, State: st})
	}
	return out
}
