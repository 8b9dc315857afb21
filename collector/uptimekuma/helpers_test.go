package uptimekuma

import (
	"fmt"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/collector/uptimekuma/uptimekumasim"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// at is t0 plus m minutes.
func at(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }

type env struct {
	sim      *uptimekumasim.Server
	clk      *apitest.Clock
	requests *collector.Requests
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{clk: apitest.NewClock(t0), requests: collector.NewRequests()}
	e.sim = uptimekumasim.New("acme", e.clk.Now)
	t.Cleanup(e.sim.Close)
	e.sim.SetMonitors(
		uptimekumasim.Monitor{ID: 1, Name: "Website", Group: "Services"},
		uptimekumasim.Monitor{ID: 2, Name: "API", Group: "Services"},
		uptimekumasim.Monitor{ID: 3, Name: "DNS", Group: "Infrastructure"},
	)
	return e
}

func (e *env) source(t testing.TB, extra string) *Source {
	t.Helper()
	n := apitest.Node(t, fmt.Sprintf("url: %s\nslug: acme\n%s", e.sim.URL, extra))
	src, err := newSource(n, collector.Options{Name: "kuma", Now: e.clk.Now, Requests: e.requests}, e.clk.Hooks())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return src
}

// beats are heartbeats a minute apart from minute from, with the statuses given.
func beats(from int, statuses ...int) []uptimekumasim.Beat {
	out := make([]uptimekumasim.Beat, len(statuses))
	for i, st := range statuses {
		out[i] = uptimekumasim.Beat{At: at(from + i), Status: st, Ping: 42}
	}
	return out
}

func smp(m int, s availability.State) availability.Sample {
	return availability.Sample{At: at(m), State: s}
}

func win(from, to int) availability.Window { return availability.Window{Start: at(from), End: at(to)} }
