package collector_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// storedIDs lists the ticket ids the store holds for desk.
func storedIDs(t *testing.T, h *harness) []string {
	t.Helper()
	st, err := h.db.Load("desk")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tk := range st.Tickets {
		ids = append(ids, tk.ID)
	}
	return ids
}

func TestRunner_DeletedAndReconciledTicketsAreDropped(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir)
	f := sourcetest.NewFake()
	h.update(desk(f))
	h.run()
	_, next := h.sync(f, collector.Batch{
		Tickets:    tickets(1, 2, 3, 4, 5, 6),
		Uptime:     []collector.UptimeSeries{{Series: "web", Samples: []availability.Sample{{At: at(0), State: availability.Up}}}},
		Checkpoint: []byte("1"),
	}, nil)

	// Explicit deletions: 2 goes; 9 is not held (nothing to drop); 3 is deleted and brought
	// back in the same batch, and the batch wins.
	h.clk.Advance(next)
	_, next = h.sync(f, collector.Batch{Tickets: tickets(3), Deleted: []string{"INC0000002", "INC0000009", "INC0000003"}, Checkpoint: []byte("2")}, nil)
	want := []string{"INC0000001", "INC0000003", "INC0000004", "INC0000005", "INC0000006"}
	if diff := cmp.Diff(want, h.ticketIDs("desk")); diff != "" {
		t.Errorf("tickets after deletions (-want +got):\n%s", diff)
	}

	// A reconciliation: 4 is no longer listed; 7 is new in the batch, and held although the
	// listing (taken before it was created) lacks it.
	h.clk.Advance(next)
	_, _ = h.sync(f, collector.Batch{
		Tickets: tickets(7), Reconciled: true,
		Present: []string{"INC0000001", "INC0000003", "INC0000005", "INC0000006", "INC0000404"}, Checkpoint: []byte("3"),
	}, nil)
	want = []string{"INC0000001", "INC0000003", "INC0000005", "INC0000006", "INC0000007"}
	if diff := cmp.Diff(want, h.ticketIDs("desk")); diff != "" {
		t.Errorf("tickets after the reconciliation (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, storedIDs(t, h)); diff != "" {
		t.Errorf("stored tickets (-want +got):\n%s", diff)
	}
	h.r.Read(func(d collector.Data) {
		if d.Uptime["desk/web"] == nil {
			t.Error("a ticket deletion dropped the source's series")
		}
	})
	if st := h.status("desk"); !st.Up || st.Records != 6 { // 5 tickets and 1 sample
		t.Errorf("status %+v, want up with 6 records", st)
	}
	if n := h.logs.count("tickets dropped"); n != 2 {
		t.Errorf("%d logs of dropped tickets, want 2", n)
	}
	h.stop()

	// A restart loads what the store kept.
	h = newHarness(t, dir)
	h.update(desk(sourcetest.NewFake()))
	if diff := cmp.Diff(want, h.ticketIDs("desk")); diff != "" {
		t.Errorf("tickets after restart (-want +got):\n%s", diff)
	}
}

func TestRunner_ReconciliationDroppingMostTicketsIsRefused(t *testing.T) {
	h := newHarness(t, t.TempDir())
	f := sourcetest.NewFake()
	cfg := desk(f)
	cfg.Health.MinVolumeRatio = 0.5
	h.update(cfg)
	h.run()
	_, next := h.sync(f, collector.Batch{Tickets: tickets(1, 2, 3, 4), Checkpoint: []byte("1")}, nil)

	// Listing 2 of the 4 held would leave 2 = 0.5 × 4: at most min_volume_ratio, refused.
	h.clk.Advance(next)
	_, next = h.sync(f, collector.Batch{Reconciled: true, Present: []string{"INC0000001", "INC0000002"}, Checkpoint: []byte("2")}, nil)
	st := h.status("desk")
	wantReason := "the reconciliation would drop 2 of the 4 tickets held (leaving at most min_volume_ratio 0.5 of them): taken for a truncated listing"
	if st.Up || st.State != collector.SourceShrunk || st.LastError != wantReason {
		t.Errorf("status up=%v state %s error %q, want shrunk: %s", st.Up, st.State, st.LastError, wantReason)
	}
	if diff := cmp.Diff([]string{"INC0000001", "INC0000002", "INC0000003", "INC0000004"}, h.ticketIDs("desk")); diff != "" {
		t.Errorf("tickets after a refused reconciliation (-want +got):\n%s", diff)
	}
	h.clk.Advance(next)
	c := <-f.Calls()
	if string(c.Checkpoint) != "1" {
		t.Errorf("checkpoint after a refused batch %q, want 1", c.Checkpoint)
	}
	// Listing 3 of 4 leaves 3 > 2: committed.
	c.Reply(collector.Batch{Reconciled: true, Present: []string{"INC0000001", "INC0000002", "INC0000003"}, Checkpoint: []byte("3")}, nil)
	<-h.clk.Afters
	if diff := cmp.Diff([]string{"INC0000001", "INC0000002", "INC0000003"}, h.ticketIDs("desk")); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}
}

func TestRunner_MoreSyncsAgainSoon(t *testing.T) {
	h := newHarness(t, t.TempDir())
	f := sourcetest.NewFake()
	h.update(desk(f))
	h.run()
	_, next := h.sync(f, collector.Batch{Tickets: tickets(1), More: true, Checkpoint: []byte("1")}, nil)
	if next != collector.MoreDelay {
		t.Errorf("after a batch with more: next sync in %v, want %v", next, collector.MoreDelay)
	}
	h.clk.Advance(next)
	// More without progress (the same checkpoint) waits the interval: no spinning.
	_, next = h.sync(f, collector.Batch{More: true, Checkpoint: []byte("1")}, nil)
	if next != time.Hour {
		t.Errorf("after more without progress: next sync in %v, want the interval", next)
	}
	h.clk.Advance(next)
	_, next = h.sync(f, collector.Batch{Checkpoint: []byte("2")}, nil)
	if next != time.Hour {
		t.Errorf("after a batch without more: next sync in %v, want the interval", next)
	}
}
