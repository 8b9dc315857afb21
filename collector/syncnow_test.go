package collector_test

import (
	"errors"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
)

// A flood of SyncNow calls between two syncs is one incremental sync, started SyncNowSpacing
// after the previous one; the runner's fake clock decides when, never the wall clock.
func TestRunner_SyncNowCoalesces(t *testing.T) {
	h := newHarness(t, t.TempDir())
	f := sourcetest.NewFake()
	h.update(desk(f))
	h.run()
	if _, next := h.sync(f, collector.Batch{Tickets: tickets(1), Checkpoint: []byte("1")}, nil); next != time.Hour {
		t.Fatalf("next sync in %v, want the interval", next)
	}

	for i := range 50 {
		queued, err := h.r.SyncNow("desk")
		if err != nil || queued != (i == 0) {
			t.Fatalf("call %d: queued %v, %v; want only the first queued", i, queued, err)
		}
	}
	// Woken, the runner waits out the spacing from the last sync's start: the clock has not
	// moved since.
	if d := <-h.clk.Afters; d != collector.SyncNowSpacing {
		t.Fatalf("waits %v before the requested sync, want %v", d, collector.SyncNowSpacing)
	}
	h.clk.Advance(collector.SyncNowSpacing)
	c, next := h.sync(f, collector.Batch{Tickets: tickets(2), Checkpoint: []byte("2")}, nil)
	if string(c.Checkpoint) != "1" {
		t.Errorf("requested sync got checkpoint %q, want 1: it is incremental", c.Checkpoint)
	}
	if next != time.Hour {
		t.Errorf("after the requested sync, next in %v, want the interval", next)
	}
	// The flood left nothing pending: a new call queues a new sync, which waits out the spacing
	// again.
	if queued, err := h.r.SyncNow("desk"); !queued || err != nil {
		t.Errorf("after the sync: queued %v, %v; want a new request", queued, err)
	}
	if d := <-h.clk.Afters; d != collector.SyncNowSpacing {
		t.Errorf("waits %v, want %v", d, collector.SyncNowSpacing)
	}
	// Past the spacing already: the sync starts at once.
	h.clk.Advance(time.Minute)
	if c, _ := h.sync(f, collector.Batch{Checkpoint: []byte("3")}, nil); string(c.Checkpoint) != "2" {
		t.Errorf("third sync got checkpoint %q, want 2", c.Checkpoint)
	}

	if _, err := h.r.SyncNow("nope"); !errors.Is(err, collector.ErrUnknownSource) || err.Error() != `no such source "nope"` {
		t.Errorf("unknown source: %v", err)
	}
}

// A failing source keeps its backoff: a request waits for the retry, which serves it.
func TestRunner_SyncNowKeepsBackoff(t *testing.T) {
	h := newHarness(t, t.TempDir())
	f := sourcetest.NewFake()
	h.update(desk(f))
	h.run()
	_, retry := h.sync(f, collector.Batch{}, errors.New("boom"))
	if queued, err := h.r.SyncNow("desk"); !queued || err != nil {
		t.Fatalf("queued %v, %v", queued, err)
	}
	h.clk.Advance(retry)
	_, next := h.sync(f, collector.Batch{Checkpoint: []byte("1")}, nil)
	if next != time.Hour {
		t.Errorf("after the retry, next in %v, want the interval: the retry served the request", next)
	}
	if queued, _ := h.r.SyncNow("desk"); !queued {
		t.Error("the request was still pending after the retry")
	}
}
