package uptimekuma

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
	"github.com/sla-exporter/sla_exporter/collector/uptimekuma/uptimekumasim"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

const (
	kUp    = uptimekumasim.Up
	kDown  = uptimekumasim.Down
	kPend  = uptimekumasim.Pending
	kMaint = uptimekumasim.Maintenance
	up     = availability.Up
	down   = availability.Down
	deg    = availability.Degraded
	unk    = availability.Unknown
)

func TestSync_Mapping(t *testing.T) {
	e := newEnv(t)
	// Website 09:00-09:07: up, up, down, pending, up, maintenance twice, up.
	e.sim.Beat(1, beats(0, kUp, kUp, kDown, kPend, kUp, kMaint, kMaint, kUp)...)
	// API in maintenance since 09:00, still at 09:03.
	e.sim.Beat(2, beats(0, kMaint, kMaint, kMaint, kMaint)...)
	src := e.source(t, "")
	e.clk.Set(at(8))
	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []collector.UptimeSeries{
		// Pending counts degraded; the maintenance heartbeats are unknown inside the window
		// 09:05-09:07 (to the next heartbeat of another status).
		{Series: "Website", Samples: []availability.Sample{smp(0, up), smp(1, up), smp(2, down), smp(3, deg), smp(4, up), smp(5, unk), smp(6, unk), smp(7, up)},
			Maintenance: []availability.Window{win(5, 7)}},
		// Still in maintenance: the window runs to its latest heartbeat, 09:03, for now. DNS
		// has no heartbeat yet: no series.
		{Series: "API", Samples: []availability.Sample{smp(0, unk), smp(1, unk), smp(2, unk), smp(3, unk)},
			Maintenance: []availability.Window{win(0, 3)}},
	}
	if diff := cmp.Diff(want, b.Uptime); diff != "" {
		t.Errorf("first sync (-want +got):\n%s", diff)
	}

	// 09:10 (the heartbeat list's one-minute cache has expired): API's maintenance ended at
	// 09:05, its window is sent again, longer, with the same start.
	e.sim.Beat(1, beats(8, kUp, kUp)...)
	e.sim.Beat(2, beats(4, kMaint, kUp)...)
	e.clk.Set(at(10))
	b2, err := src.Sync(t.Context(), b.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	want = []collector.UptimeSeries{
		{Series: "Website", Samples: []availability.Sample{smp(8, up), smp(9, up)}},
		{Series: "API", Samples: []availability.Sample{smp(4, unk), smp(5, up)}, Maintenance: []availability.Window{win(0, 5)}},
	}
	if diff := cmp.Diff(want, b2.Uptime); diff != "" {
		t.Errorf("second sync (-want +got):\n%s", diff)
	}
	if n := e.sim.Requests("page") + e.sim.Requests("heartbeat"); n != 4 {
		t.Errorf("%d requests for two syncs, want 4", n)
	}
}

func TestSync_PendingDownAndSelection(t *testing.T) {
	e := newEnv(t)
	e.sim.Beat(1, beats(0, kUp, kPend)...)
	e.sim.Beat(3, beats(0, kDown)...)
	e.clk.Set(at(2))
	b, err := e.source(t, "pending: down\nmonitors: [\"3\", Website]\n").Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []collector.UptimeSeries{
		{Series: "3", Samples: []availability.Sample{smp(0, down)}},
		{Series: "Website", Samples: []availability.Sample{smp(0, up), smp(1, down)}},
	}
	if diff := cmp.Diff(want, b.Uptime); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestSync_LostHeartbeats: Uptime Kuma lists the last 100 heartbeats; 130 between two syncs
// lose 30, and the series says so.
func TestSync_LostHeartbeats(t *testing.T) {
	e := newEnv(t)
	statuses := func(n, st int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = st
		}
		return out
	}
	// Website up 09:00-10:39 (100 heartbeats); API in maintenance the same time.
	e.sim.Beat(1, beats(0, statuses(100, kUp)...)...)
	e.sim.Beat(2, beats(0, statuses(100, kMaint)...)...)
	src := e.source(t, "monitors: [Website, API]\n")
	e.clk.Set(at(100))
	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(b.Uptime[0].Samples); n != 100 {
		t.Fatalf("%d samples on the first sync, want 100", n)
	}
	// 10:40-12:49: 130 more, up (API back from maintenance). The list holds 11:10-12:49.
	e.sim.Beat(1, beats(100, statuses(130, kUp)...)...)
	e.sim.Beat(2, beats(100, statuses(130, kUp)...)...)
	e.clk.Set(at(230))
	if b, err = src.Sync(t.Context(), b.Checkpoint); err != nil {
		t.Fatal(err)
	}
	// The heartbeat of 10:39 holds one step (1 min); 10:40 to 11:10 is missing (30 min).
	wantSamples := []availability.Sample{smp(100, unk)}
	for m := 130; m < 230; m++ {
		wantSamples = append(wantSamples, smp(m, up))
	}
	// API's maintenance is known to 10:39, its last heartbeat seen: the window ends there
	// (09:00-10:39), the rest is missing like Website's.
	want := []collector.UptimeSeries{
		{Series: "Website", Samples: wantSamples},
		{Series: "API", Samples: wantSamples, Maintenance: []availability.Window{win(0, 99)}},
	}
	if diff := cmp.Diff(want, b.Uptime); diff != "" {
		t.Errorf("after the loss (-want +got):\n%s", diff)
	}
}

func TestContract(t *testing.T) {
	e := newEnv(t)
	e.sim.Beat(1, beats(0, kUp, kDown, kUp)...)
	e.clk.Set(at(5))
	sourcetest.RunContract(t, func() collector.Source { return e.source(t, "") })
}
