package prometheus

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector/prometheus/promsim"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

const probeBlock = "lookback_delta: 20s\navailability:\n  - {series: web, query: probe_success}\n"

func probe(values ...float64) []promsim.Series {
	return []promsim.Series{{Labels: map[string]string{"__name__": "probe_success"}, Samples: scrapes(t0, values...)}}
}

// TestIncremental_OverlapRewritesLateData: scrapes that reach the server after a slice was read
// change the slice when the next sync reads it again in its overlap, and what the store holds
// then reads as a single sync over the complete data would, at every evaluation instant.
func TestIncremental_OverlapRewritesLateData(t *testing.T) {
	// Scrapes every 15s, all up but k 17 and 18, which arrive late: 1 and 0.
	complete := repeat(1, 32)
	complete[18] = 0
	early := append([]float64(nil), complete...)
	early[17], early[18] = gap, gap

	sim := promsim.New()
	defer sim.Close()
	sim.Series = probe(early...)
	now := at(5*time.Minute + 20*time.Second)
	src := newTestSource(t, sim, "backfill: 5m\n"+probeBlock, &now)
	store := newMemStore()

	b := syncOnce(t, src, nil)
	// Slice 10:04 holds evaluations 10:04:00 to 10:04:45, reading k 15 to 18: k15, k16 up; the
	// evaluations at :30 and :45 find k16 29.5s and 44.5s old, past lookback_delta 20s:
	// Up 10:04:00, Unknown 10:04:30.
	if diff := cmp.Diff([]availability.Sample{up(at(0)), unknown(at(45 * time.Second)),
		up(at(time.Minute)), up(at(2 * time.Minute)), up(at(3 * time.Minute)), up(at(4 * time.Minute)), unknown(at(4*time.Minute + 30*time.Second))},
		uptime(b, "web")); diff != "" {
		t.Errorf("first sync (-want +got):\n%s", diff)
	}
	store.apply(b)

	sim.Lock()
	sim.Series = probe(complete...)
	sim.Unlock()
	sim.Reset()
	now = at(7*time.Minute + 20*time.Second)
	b = syncOnce(t, src, b.Checkpoint)
	// From floor(10:05 - 2m) = 10:03: slices 10:03 and 10:04 come dense (one sample per
	// evaluation), 10:05 and 10:06 compact. Slice 10:04 now reads k15-18 = 1 1 1 0: Up from
	// 10:04:00, Down at 10:04:45, and the Unknown at 10:04:30 the first sync wrote is overwritten.
	var want []availability.Sample
	for k := range 8 {
		want = append(want, up(at(3*time.Minute+time.Duration(k)*15*time.Second)))
	}
	want[7] = down(at(4*time.Minute + 45*time.Second))
	want = append(want, up(at(5*time.Minute)), up(at(6*time.Minute)), unknown(at(7*time.Minute)))
	if diff := cmp.Diff(want, uptime(b, "web")); diff != "" {
		t.Errorf("second sync (-want +got):\n%s", diff)
	}
	if r := sim.Requests[0]; !r.Start.Equal(at(4*time.Minute)) || !r.End.Equal(at(7*time.Minute)) {
		t.Errorf("second sync asked %v to %v, want 10:04 (end of slice 10:03) to 10:07", r.Start, r.End)
	}
	store.apply(b)

	// A single sync over the complete data, for comparison.
	fresh := newMemStore()
	sim.Reset()
	src2 := newTestSource(t, sim, "backfill: 7m\n"+probeBlock, &now)
	fresh.apply(syncOnce(t, src2, nil))
	for d := time.Duration(0); d < 7*time.Minute; d += 15 * time.Second {
		if got, want := store.stateAt("web", at(d)), fresh.stateAt("web", at(d)); got != want {
			t.Errorf("at 10:%02d:%02d the store reads %v, a single sync %v", int(d.Minutes()), int(d.Seconds())%60, got, want)
		}
	}
}

// TestIncremental_NothingNew: a sync before another slice has settled asks nothing and keeps
// the checkpoint.
func TestIncremental_NothingNew(t *testing.T) {
	sim := promsim.New()
	defer sim.Close()
	sim.Series = probe(repeat(1, 40)...)
	now := at(5*time.Minute + 20*time.Second)
	src := newTestSource(t, sim, "backfill: 5m\n"+probeBlock, &now)
	b := syncOnce(t, src, nil)
	sim.Reset()
	now = at(6*time.Minute + 14*time.Second) // 10:06:14 - 15s is before 10:06: end stays 10:05
	b2 := syncOnce(t, src, b.Checkpoint)
	if requests, _ := sim.Stats(); requests != 0 || string(b2.Checkpoint) != string(b.Checkpoint) || len(b2.Uptime) != 0 {
		t.Errorf("%d requests, checkpoint %s (was %s), uptime %v", requests, b2.Checkpoint, b.Checkpoint, b2.Uptime)
	}
}

// TestChunks: a 5-day backfill at 1m slices and 15s evaluations is read in chunks of 2,500
// slices (10,000 evaluations per series and query), each under the 11,000 points promsim, like
// Prometheus, accepts; the samples run on across the chunks' ends.
func TestChunks(t *testing.T) {
	sim := promsim.New()
	defer sim.Close()
	const days = 5
	sim.Series = probe(repeat(1, days*24*60*4+4)...)
	// 10:00 + 5 days + 20s: end = 10:00 + 5d; backfill 5d from 10:00:20 → 10:00: 7,200 slices,
	// chunks of 2,500, 2,500 and 2,200.
	now := at(days*24*time.Hour + 20*time.Second)
	src := newTestSource(t, sim, fmt.Sprintf("backfill: %dd\n", days)+probeBlock, &now)
	b := syncOnce(t, src, nil)
	var ranges []string
	for _, r := range sim.Requests {
		ranges = append(ranges, r.Start.Format("02 15:04")+"-"+r.End.Format("02 15:04"))
	}
	// Each chunk [a, b) asks its slices' ends: a+1m to b.
	want := []string{"02 10:01-04 03:40", "02 10:01-04 03:40", "02 10:01-04 03:40",
		"04 03:41-05 21:20", "04 03:41-05 21:20", "04 03:41-05 21:20",
		"05 21:21-07 10:00", "05 21:21-07 10:00", "05 21:21-07 10:00"}
	if diff := cmp.Diff(want, ranges); diff != "" {
		t.Errorf("query ranges (-want +got):\n%s", diff)
	}
	// The first slice's first evaluation (10:00:00) finds no scrape yet: Up at 10:00:00,
	// Unknown at 10:00:45; then Up at every slice start (a sample holds at most max_sample_age,
	// so up time is written each slice) and the closing Unknown.
	got := uptime(b, "web")
	if n := len(got); n != 7200+2 {
		t.Fatalf("%d samples, want 7,202", n)
	}
	for i, s := range got[2 : len(got)-1] {
		if want := up(at(time.Duration(i+1) * time.Minute)); s != want {
			t.Fatalf("sample %d = %v, want %v", i+2, s, want)
		}
	}
	if last := got[len(got)-1]; last != unknown(at(days*24*time.Hour)) {
		t.Errorf("last sample %v", last)
	}
}

// TestEarlyStop: when the sync's deadline leaves less than twice the time of the last chunk, the
// sync returns the chunks read with More, and the next one goes on from there.
func TestEarlyStop(t *testing.T) {
	sim := promsim.New()
	defer sim.Close()
	sim.Series = probe(repeat(1, 3*24*60*4)...)
	now := at(2*24*time.Hour + 20*time.Second)
	src := newTestSource(t, sim, "backfill: 2d\n"+probeBlock, &now)
	// Each reading of the clock is 10s later: a chunk takes 10s; the deadline is 45s away, so
	// after the first chunk (clock at +20s) the next check (+30s) leaves 15s, less than 20s.
	base := time.Now()
	tick := 0
	src.clock = func() time.Time { tick++; return base.Add(time.Duration(tick) * 10 * time.Second) }
	ctx, cancel := context.WithDeadline(context.Background(), base.Add(45*time.Second))
	defer cancel()
	b, err := src.Sync(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 2,880 slices from 10:00: the first chunk is 2,500 slices, to 03-04 03:40.
	chunkEnd := at(2500 * time.Minute)
	if !b.More || string(b.Checkpoint) != `{"end":"2026-03-04T03:40:00Z"}` || src.APIStats().EarlyStops != 1 {
		t.Errorf("more %v, checkpoint %s, stats %+v", b.More, b.Checkpoint, src.APIStats())
	}
	if s := uptime(b, "web"); s[len(s)-1] != unknown(chunkEnd) {
		t.Errorf("last sample %v, want Unknown at the chunk's end", s[len(s)-1])
	}
	src.clock = time.Now
	b = syncOnce(t, src, b.Checkpoint)
	if b.More || string(b.Checkpoint) != `{"end":"2026-03-04T10:00:00Z"}` {
		t.Errorf("second sync: more %v, checkpoint %s", b.More, b.Checkpoint)
	}
	// It reads from floor(03:40 - 2m overlap) = 03:38.
	if s := uptime(b, "web"); s[0].At != chunkEnd.Add(-2*time.Minute) {
		t.Errorf("second sync starts at %v", s[0].At)
	}
}

// TestEarlyStop_DeadlineInChunk: the sync's deadline passing while a chunk is read gives the
// chunks before it, with More; nothing of the unfinished chunk.
func TestEarlyStop_DeadlineInChunk(t *testing.T) {
	sim := promsim.New()
	defer sim.Close()
	sim.Series = probe(repeat(1, 3*24*60*4)...)
	// The second chunk's queries (from 03-04 03:41) never answer.
	sim.Fault = func(r promsim.Request) *promsim.Fault {
		if r.Start.After(at(time.Hour)) {
			return &promsim.Fault{Hang: true}
		}
		return nil
	}
	now := at(2*24*time.Hour + 20*time.Second)
	src := newTestSource(t, sim, "backfill: 2d\n"+probeBlock, &now)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	b, err := src.Sync(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := uptime(b, "web")
	if !b.More || string(b.Checkpoint) != `{"end":"2026-03-04T03:40:00Z"}` || s[len(s)-1] != unknown(at(2500*time.Minute)) {
		t.Errorf("more %v, checkpoint %s, last sample %v", b.More, b.Checkpoint, s[len(s)-1])
	}
}
