package collector_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// A ticket's native SLA records are committed, applied and loaded again after a restart; a
// ticket whose records are inconsistent is rejected like any other invalid ticket.
func TestRunner_NativeSLAs(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir)
	f := sourcetest.NewFake()
	h.update(desk(f))
	h.run()

	good := sourcetest.Ticket(1)
	c := good.Created
	good.Native = []ticket.NativeSLA{
		{Name: "Time to first response", Clock: "response", Start: c, Deadline: c.Add(time.Hour), Stop: c.Add(7 * time.Minute)},
		{Name: "Time to resolution", Clock: "resolution", Start: c, Deadline: c.Add(4 * time.Hour), Stop: c.Add(5 * time.Hour), Breached: true},
	}
	bad := sourcetest.Ticket(2)
	bad.Native = []ticket.NativeSLA{{Name: "Time to resolution", Clock: "resolution", Start: bad.Created, Stop: bad.Created.Add(-time.Hour)}}
	_, _ = h.sync(f, collector.Batch{Tickets: []ticket.Ticket{good, bad}, Checkpoint: []byte("1")}, nil)

	if st := h.status("desk"); st.Rejected != 1 || st.Records != 1 {
		t.Errorf("status: %d rejected, %d records; want 1 and 1", st.Rejected, st.Records)
	}
	const why = `where=INC0000002 reason="ticket INC0000002: native SLA \"Time to resolution\" started 2026-03-02T09:32:00Z: stop 2026-03-02T08:32:00Z is before the start"`
	if h.logs.count(why) != 1 {
		t.Errorf("no log of the rejection %s", why)
	}
	h.stop()

	h = newHarness(t, dir)
	h.update(desk(sourcetest.NewFake()))
	h.r.Read(func(d collector.Data) {
		v, ok := d.Tickets["desk"].Find("INC0000001")
		if !ok {
			t.Fatal("the ticket with native records was not loaded")
		}
		if diff := cmp.Diff(good, v.Ticket()); diff != "" {
			t.Errorf("ticket after a restart (-committed +loaded):\n%s", diff)
		}
	})
}
