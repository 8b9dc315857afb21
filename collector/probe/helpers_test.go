package probe

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
)

// t0 is when the tests' clocks start.
var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// hang bounds a wait for goroutines the test drives, so that a bug fails the test rather than
// hanging it; it never decides a result.
const hang = 10 * time.Second

// step is what a scripted probe does on one call.
type step struct {
	res Result
	err error
	// block waits for the probe's context to end and reports its error as the failure.
	block bool
	// advance moves the clock during the probe (a probe that overruns its slot).
	advance time.Duration
}

// scripted is a Prober that plays its steps in turn, the last one again and again, and
// records the clock's time of each call.
type scripted struct {
	clock *sourcetest.Clock
	steps []step

	mu    sync.Mutex
	calls []time.Time
}

func (p *scripted) Probe(ctx context.Context) (Result, error) {
	p.mu.Lock()
	n := len(p.calls)
	p.calls = append(p.calls, p.clock.Now())
	s := p.steps[min(n, len(p.steps)-1)]
	p.mu.Unlock()
	if s.advance > 0 {
		p.clock.Advance(s.advance)
	}
	if s.block {
		<-ctx.Done()
		return Result{Detail: ctx.Err().Error()}, nil
	}
	return s.res, s.err
}

func (p *scripted) called() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.calls)
}

var (
	up   = step{res: Result{Success: true, Duration: 20 * time.Millisecond, StatusCode: 200}}
	down = step{res: Result{Duration: 5 * time.Millisecond, StatusCode: 503, Detail: "HTTP 503"}}
)

// waitAfters waits for n goroutines to wait on the clock, and returns the durations they wait.
func waitAfters(t *testing.T, clk *sourcetest.Clock, n int) []time.Duration {
	t.Helper()
	var got []time.Duration
	timeout := time.After(hang)
	for len(got) < n {
		select {
		case d := <-clk.Afters:
			got = append(got, d)
		case <-timeout:
			t.Fatalf("%d of %d probes came back to wait on the clock", len(got), n)
		}
	}
	slices.Sort(got)
	return got
}

// sortOutcomes orders outcomes by time, then series: goroutines of targets probed at the same
// instant record in any order.
func sortOutcomes(o []Outcome) []Outcome {
	o = slices.Clone(o)
	slices.SortStableFunc(o, func(a, b Outcome) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.Series, b.Series)
	})
	return o
}

// at is t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }
