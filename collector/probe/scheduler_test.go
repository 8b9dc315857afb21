package probe

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
)

// TestScheduler_EachTargetOnItsInterval: two targets, every 30s and every 45s, are probed at
// once on Start, then each on its own interval from its first probe.
func TestScheduler_EachTargetOnItsInterval(t *testing.T) {
	clk := sourcetest.NewClock(t0)
	a := &scripted{clock: clk, steps: []step{up}}
	b := &scripted{clock: clk, steps: []step{down}}
	s := NewScheduler([]Target{
		{Series: "a", Target: "https://a.example/", Prober: "http", Interval: 30 * time.Second, Timeout: 10 * time.Second, Probe: a},
		{Series: "b", Target: "b.example:5432", Prober: "tcp", Interval: 45 * time.Second, Timeout: 10 * time.Second, Probe: b},
	}, clk, nil)
	defer s.Close()
	s.Start()
	s.Start() // idempotent: no second set of goroutines
	if got, want := waitAfters(t, clk, 2), []time.Duration{30 * time.Second, 45 * time.Second}; !cmp.Equal(got, want) {
		t.Fatalf("first waits %v, want %v", got, want)
	}
	// t0+30: a; t0+45: b; t0+60: a; t0+90: both.
	for _, step := range []struct {
		advance time.Duration
		probes  int
	}{{30 * time.Second, 1}, {15 * time.Second, 1}, {15 * time.Second, 1}, {30 * time.Second, 2}} {
		clk.Advance(step.advance)
		waitAfters(t, clk, step.probes)
	}
	ra, rb := up.res, down.res
	want := []Outcome{
		{Series: "a", At: at(0), Result: ra}, {Series: "b", At: at(0), Result: rb},
		{Series: "a", At: at(30 * time.Second), Result: ra}, {Series: "b", At: at(45 * time.Second), Result: rb},
		{Series: "a", At: at(60 * time.Second), Result: ra},
		{Series: "a", At: at(90 * time.Second), Result: ra}, {Series: "b", At: at(90 * time.Second), Result: rb},
	}
	if diff := cmp.Diff(want, sortOutcomes(s.Take())); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if got := s.Take(); len(got) != 0 {
		t.Errorf("a second Take returned %v: outcomes are taken once", got)
	}
}

// TestScheduler_OverrunSkipsSlots: a probe that runs past its next slot (the clock moves 70s
// during a probe of a 30s target started at t0+30) skips the slots it missed: the next probe
// is at t0+120, the first slot after it ended (t0+100), never two probes at once.
func TestScheduler_OverrunSkipsSlots(t *testing.T) {
	clk := sourcetest.NewClock(t0)
	slow := up
	slow.advance = 70 * time.Second
	p := &scripted{clock: clk, steps: []step{up, slow, up}}
	s := NewScheduler([]Target{{Series: "a", Interval: 30 * time.Second, Timeout: 30 * time.Second, Probe: p}}, clk, nil)
	defer s.Close()
	s.Start()
	waitAfters(t, clk, 1)
	clk.Advance(30 * time.Second)
	if got := waitAfters(t, clk, 1); got[0] != 20*time.Second {
		t.Fatalf("after the overrun the probe waits %s, want 20s (to t0+120)", got[0])
	}
	clk.Advance(20 * time.Second)
	waitAfters(t, clk, 1)
	want := []time.Time{at(0), at(30 * time.Second), at(120 * time.Second)}
	if diff := cmp.Diff(want, p.called()); diff != "" {
		t.Errorf("probe times (-want +got):\n%s", diff)
	}
}

// TestScheduler_Timeout: each probe gets its target's timeout; a probe still running when it
// passes is cut, and its outcome is what the prober says of that (a failure).
func TestScheduler_Timeout(t *testing.T) {
	clk := sourcetest.NewClock(t0)
	p := &scripted{clock: clk, steps: []step{{block: true}}}
	s := NewScheduler([]Target{{Series: "a", Interval: time.Minute, Timeout: 5 * time.Second, Probe: p}}, clk, nil)
	defer s.Close()
	s.Start()
	waitCalls(t, p, 1)
	clk.Advance(4 * time.Second)
	if got := s.Take(); len(got) != 0 {
		t.Fatalf("outcome before the timeout: %v", got)
	}
	clk.Advance(time.Second)
	if got := waitAfters(t, clk, 1); got[0] != 55*time.Second {
		t.Errorf("next probe in %s, want 55s", got[0])
	}
	want := []Outcome{{Series: "a", At: t0, Result: Result{Detail: "context deadline exceeded"}}}
	if diff := cmp.Diff(want, s.Take()); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
}

func waitCalls(t *testing.T, p *scripted, n int) {
	t.Helper()
	deadline := time.Now().Add(hang)
	for len(p.called()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d probe calls", len(p.called()), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestScheduler_Close: Close ends a probe in progress and the goroutines (it returns only once
// they are done); nothing is probed or kept after it, however far the clock goes.
func TestScheduler_Close(t *testing.T) {
	clk := sourcetest.NewClock(t0)
	idle := &scripted{clock: clk, steps: []step{up}}
	busy := &scripted{clock: clk, steps: []step{{block: true}}}
	s := NewScheduler([]Target{
		{Series: "idle", Interval: 30 * time.Second, Timeout: 5 * time.Second, Probe: idle},
		{Series: "busy", Interval: 30 * time.Second, Timeout: 30 * time.Second, Probe: busy},
	}, clk, nil)
	s.Start()
	waitAfters(t, clk, 1)
	waitCalls(t, busy, 1)
	done := make(chan struct{})
	go func() {
		_ = s.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(hang):
		t.Fatal("Close did not return: a probe goroutine is still running")
	}
	clk.Advance(time.Hour)
	if n := len(idle.called()) + len(busy.called()); n != 2 {
		t.Errorf("%d probes, want the 2 before Close", n)
	}
	if got := s.Take(); len(got) != 0 {
		t.Errorf("outcomes after Close: %v", got)
	}
	select {
	case <-s.FirstRound():
	default:
		t.Error("FirstRound still open after Close: a Sync waiting on it would hang")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestScheduler_Last: the last result of each target that ran, sorted by series; a probe that
// could not run leaves the previous result, a failed handshake the last certificate expiry.
func TestScheduler_Last(t *testing.T) {
	clk := sourcetest.NewClock(t0)
	expiry := time.Date(2027, 1, 31, 12, 0, 0, 0, time.UTC)
	tls := step{res: Result{Success: true, Duration: time.Second, StatusCode: 200, CertExpiry: expiry}}
	refused := step{res: Result{Duration: time.Millisecond, Detail: "connection refused"}}
	notRun := step{err: errors.New("blackbox_exporter: connection refused")}
	web := &scripted{clock: clk, steps: []step{tls, refused}}
	api := &scripted{clock: clk, steps: []step{up, notRun}}
	never := &scripted{clock: clk, steps: []step{notRun}}
	s := NewScheduler([]Target{
		{Series: "web", Target: "https://web.example/", Prober: "http", Interval: time.Minute, Timeout: time.Second, Probe: web},
		{Series: "api", Target: "https://api.example/", Prober: "http_2xx", Interval: time.Minute, Timeout: time.Second, Probe: api},
		{Series: "zz", Target: "z.example", Prober: "icmp", Interval: time.Minute, Timeout: time.Second, Probe: never},
	}, clk, nil)
	defer s.Close()
	s.Start()
	waitAfters(t, clk, 3)
	clk.Advance(time.Minute)
	waitAfters(t, clk, 3)
	want := []collector.ProbeResult{
		{Series: "api", Target: "https://api.example/", Prober: "http_2xx", At: t0, Success: true, Duration: 20 * time.Millisecond, StatusCode: 200},
		{Series: "web", Target: "https://web.example/", Prober: "http", At: at(time.Minute), Duration: time.Millisecond, CertExpiry: expiry},
		{Series: "zz", Target: "z.example", Prober: "icmp"},
	}
	if diff := cmp.Diff(want, s.Last()); diff != "" {
		t.Errorf("last results (-want +got):\n%s", diff)
	}
	m := at(time.Minute)
	wantOutcomes := []Outcome{
		{Series: "api", At: t0, Result: up.res}, {Series: "web", At: t0, Result: tls.res}, {Series: "zz", At: t0, Err: notRun.err},
		{Series: "api", At: m, Err: notRun.err}, {Series: "web", At: m, Result: refused.res}, {Series: "zz", At: m, Err: notRun.err},
	}
	if diff := cmp.Diff(wantOutcomes, sortOutcomes(s.Take()), cmpopts.EquateErrors()); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
}
