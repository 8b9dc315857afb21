package probe_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/probe"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
	"github.com/sla-exporter/sla_exporter/collector/store"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// switchable is a prober whose answer the test sets.
type switchable struct{ up atomic.Bool }

func (s *switchable) Probe(context.Context) (probe.Result, error) {
	return probe.Result{Success: s.up.Load(), Duration: time.Millisecond}, nil
}

// runnerWith runs src as source "probes" under a runner over the store in dir.
func runnerWith(t *testing.T, db *store.DB, src collector.Source) *collector.Runner {
	t.Helper()
	r := collector.NewRunner(collector.RunnerOptions{Store: db, Logger: slog.New(slog.DiscardHandler)})
	if err := r.Update([]collector.SourceConfig{{Name: "probes", Type: "probe", Source: src, Interval: 30 * time.Second, Timeout: 20 * time.Second, Hash: "h"}}); err != nil {
		t.Fatal(err)
	}
	return r
}

func waitAfter(t *testing.T, clk *sourcetest.Clock) {
	t.Helper()
	select {
	case <-clk.Afters:
	case <-time.After(10 * time.Second):
		t.Fatal("the probe did not come back to wait on the clock")
	}
}

// TestRunnerRestart: the samples of a probing source are committed by the runner to the store,
// survive a restart of the exporter (a new store handle, runner and source), and the time the
// exporter was stopped reads as missing: t0 up, t0+30s down, stopped, t0+10m up again gives an
// unknown sample at t0+60s (the slot after the last probe), so the down sample holds 30s, not
// max_sample_age.
func TestRunnerRestart(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	target := []probe.Target{{Series: "web", Target: "https://web.example/", Prober: "http", Interval: 30 * time.Second, Timeout: 5 * time.Second}}

	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	clk := sourcetest.NewClock(t0)
	p := &switchable{}
	p.up.Store(true)
	target[0].Probe = p
	src := probe.NewSource(target, collector.Options{Name: "probes"}, clk)
	r := runnerWith(t, db, src)
	if err := r.SyncOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	waitAfter(t, clk)
	p.up.Store(false)
	clk.Advance(30 * time.Second)
	waitAfter(t, clk)
	if err := r.SyncOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	st := r.Status()
	if len(st) != 1 || len(st[0].Probes) != 1 || st[0].Probes[0].At != t0.Add(30*time.Second) || st[0].Probes[0].Success {
		t.Errorf("probe results in the status: %+v", st)
	}
	_ = src.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// The restart, nine and a half minutes later.
	db, err = store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clk = sourcetest.NewClock(t0.Add(10 * time.Minute))
	p = &switchable{}
	p.up.Store(true)
	target[0].Probe = p
	src = probe.NewSource(target, collector.Options{Name: "probes"}, clk)
	defer src.Close()
	r = runnerWith(t, db, src)
	if err := r.SyncOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := []availability.Sample{
		{At: t0, State: availability.Up},
		{At: t0.Add(30 * time.Second), State: availability.Down},
		{At: t0.Add(time.Minute), State: availability.Unknown},
		{At: t0.Add(10 * time.Minute), State: availability.Up},
	}
	r.Read(func(d collector.Data) {
		u := d.Uptime[collector.SeriesName("probes", "web")]
		if u == nil {
			t.Fatal("no series probes/web")
		}
		if diff := cmp.Diff(want, u.Samples); diff != "" {
			t.Errorf("stored samples (-want +got):\n%s", diff)
		}
	})
}
