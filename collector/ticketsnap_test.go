package collector_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
	"github.com/sla-exporter/sla_exporter/collector/store"
)

// A source writes its ticket snapshot when it stops; the next start builds the tickets from it,
// in id order as a load from the database would. A commit the snapshot does not hold (a crash
// after it) or other ticket settings make the start read the database instead.
func TestRunner_RestartLoadsTicketSnapshot(t *testing.T) {
	dir := t.TempDir()
	const fromSnapshot, notUsed, written = "loaded from the ticket snapshot", "ticket snapshot not used", "ticket snapshot written"

	h := newHarness(t, dir)
	f := sourcetest.NewFake()
	h.update(desk(f))
	h.run()
	// Catching up (more to fetch): no snapshot yet.
	_, next := h.sync(f, collector.Batch{Tickets: tickets(3, 1, 2), Checkpoint: []byte("1"), More: true}, nil)
	if got := h.logs.count(written); got != 0 {
		t.Errorf("snapshots written while catching up: %d, want 0", got)
	}
	h.clk.Advance(next)
	_, _ = h.sync(f, collector.Batch{Tickets: tickets(4), Checkpoint: []byte("2")}, nil)
	if got := h.logs.count(written); got != 1 {
		t.Errorf("snapshots written once caught up: %d, want 1", got)
	}
	h.stop() // nothing committed since: nothing to write
	if got := h.logs.count(written); got != 1 {
		t.Errorf("snapshots written after the stop: %d, want 1", got)
	}

	want := []string{"INC0000001", "INC0000002", "INC0000003", "INC0000004"}
	h = newHarness(t, dir)
	h.update(desk(sourcetest.NewFake()))
	if h.logs.count(fromSnapshot) != 1 {
		t.Errorf("the start did not use the snapshot; log:\n%s", h.logs.buf.String())
	}
	if diff := cmp.Diff(want, h.ticketIDs("desk")); diff != "" {
		t.Errorf("tickets from the snapshot (-want +got):\n%s", diff)
	}
	if st := h.status("desk"); st.Records != 4 {
		t.Errorf("records after the snapshot load: %d, want 4", st.Records)
	}
	// A commit behind the snapshot's back, as a crash after a sync leaves it.
	if err := h.db.Commit("desk", store.Batch{Tickets: tickets(5), Config: "h1"}, at(1)); err != nil {
		t.Fatal(err)
	}
	h.stop() // never ran: writes nothing

	h = newHarness(t, dir)
	h.update(desk(sourcetest.NewFake()))
	if h.logs.count(notUsed) != 1 || h.logs.count("the last commit is") != 1 {
		t.Errorf("a stale snapshot was not refused; log:\n%s", h.logs.buf.String())
	}
	if diff := cmp.Diff(append(want, "INC0000005"), h.ticketIDs("desk")); diff != "" {
		t.Errorf("tickets read from the database (-want +got):\n%s", diff)
	}
	h.run()
	h.stop() // the start read the database: the stop writes a current snapshot
	if got := h.logs.count(written); got != 1 {
		t.Errorf("snapshots written at the stop after a load from the database: %d, want 1", got)
	}

	h = newHarness(t, dir)
	cfg := desk(sourcetest.NewFake())
	cfg.Tickets.Priorities = []string{"P1", "P2", "P3", "P4"}
	h.update(cfg)
	if h.logs.count(notUsed) != 1 || h.logs.count("other settings") != 1 {
		t.Errorf("a snapshot of other ticket settings was not refused; log:\n%s", h.logs.buf.String())
	}
}
