package probe

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

var errBlackboxDown = errors.New("blackbox_exporter: connection refused")

// probeSource builds a source of web (every 30s) and db (every 60s) on clk.
func probeSource(t *testing.T, clk *sourcetest.Clock, web, db []step) (*Source, *scripted, *scripted) {
	t.Helper()
	w := &scripted{clock: clk, steps: web}
	d := &scripted{clock: clk, steps: db}
	src := NewSource([]Target{
		{Series: "web", Target: "https://web.example/", Prober: "http", Interval: 30 * time.Second, Timeout: 5 * time.Second, Probe: w},
		{Series: "db", Target: "db.example:5432", Prober: "tcp", Interval: time.Minute, Timeout: 5 * time.Second, Probe: d},
	}, collector.Options{Name: "probes"}, clk)
	t.Cleanup(func() { _ = src.Close() })
	return src, w, d
}

func syncOK(t *testing.T, src *Source, cp []byte) collector.Batch {
	t.Helper()
	b, err := src.Sync(t.Context(), cp)
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	return b
}

func samples(pairs ...any) []availability.Sample {
	var out []availability.Sample
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, availability.Sample{At: pairs[i].(time.Time), State: pairs[i+1].(availability.State)})
	}
	return out
}

const (
	upS      = availability.Up
	downS    = availability.Down
	unknownS = availability.Unknown
)

// TestSource_Sync: each probe is a sample at its start (up, down, or unknown when it could not
// run); the first sync waits for every target's first probe; the checkpoint says when each
// target was last probed.
func TestSource_Sync(t *testing.T) {
	clk := sourcetest.NewClock(t0)
	src, _, _ := probeSource(t, clk, []step{up, down, up}, []step{{err: errBlackboxDown}, up})
	b1 := syncOK(t, src, nil)
	want1 := []collector.UptimeSeries{
		{Series: "web", Samples: samples(t0, upS)},
		{Series: "db", Samples: samples(t0, unknownS)},
	}
	if diff := cmp.Diff(want1, b1.Uptime); diff != "" {
		t.Errorf("first batch (-want +got):\n%s", diff)
	}
	if got, want := string(b1.Checkpoint), `{"seq":1,"last":{"db":"2026-03-02T10:00:00Z","web":"2026-03-02T10:00:00Z"}}`; got != want {
		t.Errorf("checkpoint %s, want %s", got, want)
	}
	waitAfters(t, clk, 2)
	// t0+30 web down, t0+60 web up and db up.
	clk.Advance(30 * time.Second)
	waitAfters(t, clk, 1)
	clk.Advance(30 * time.Second)
	waitAfters(t, clk, 2)
	b2 := syncOK(t, src, b1.Checkpoint)
	want2 := []collector.UptimeSeries{
		{Series: "web", Samples: samples(at(30*time.Second), downS, at(time.Minute), upS)},
		{Series: "db", Samples: samples(at(time.Minute), upS)},
	}
	if diff := cmp.Diff(want2, b2.Uptime); diff != "" {
		t.Errorf("second batch (-want +got):\n%s", diff)
	}
	if got, want := string(b2.Checkpoint), `{"seq":2,"last":{"db":"2026-03-02T10:01:00Z","web":"2026-03-02T10:01:00Z"}}`; got != want {
		t.Errorf("checkpoint %s, want %s", got, want)
	}
	// Nothing probed since: an empty batch that keeps the probe times.
	b3 := syncOK(t, src, b2.Checkpoint)
	if len(b3.Uptime) != 0 || string(b3.Checkpoint) != `{"seq":3,"last":{"db":"2026-03-02T10:01:00Z","web":"2026-03-02T10:01:00Z"}}` {
		t.Errorf("idle sync: %+v %s", b3.Uptime, b3.Checkpoint)
	}
}

// TestSource_ResendsUncommitted: when the runner hands back an older checkpoint, the batch
// returned with the newer one was not committed (a store that could not write): its samples
// come again with the next batch.
func TestSource_ResendsUncommitted(t *testing.T) {
	clk := sourcetest.NewClock(t0)
	src, _, _ := probeSource(t, clk, []step{up, down, up}, []step{up})
	b1 := syncOK(t, src, nil)
	waitAfters(t, clk, 2)
	clk.Advance(30 * time.Second)
	waitAfters(t, clk, 1)
	b2 := syncOK(t, src, b1.Checkpoint) // not committed
	clk.Advance(30 * time.Second)
	waitAfters(t, clk, 2)
	b3 := syncOK(t, src, b1.Checkpoint)
	want := []collector.UptimeSeries{
		{Series: "web", Samples: samples(at(30*time.Second), downS, at(time.Minute), upS)},
		{Series: "db", Samples: samples(at(time.Minute), upS)},
	}
	if diff := cmp.Diff(want, b3.Uptime); diff != "" {
		t.Errorf("batch after an uncommitted one (-want +got):\n%s", diff)
	}
	// Committed now: the next batch has only what is new.
	clk.Advance(30 * time.Second)
	waitAfters(t, clk, 1)
	b4 := syncOK(t, src, b3.Checkpoint)
	want4 := []collector.UptimeSeries{{Series: "web", Samples: samples(at(90*time.Second), upS)}}
	if diff := cmp.Diff(want4, b4.Uptime); diff != "" {
		t.Errorf("batch after a committed one (-want +got):\n%s", diff)
	}
	_ = b2
}

// TestSource_RestartGap: the first sync after a restart marks the slot after each target's last
// probe as missing, when it is before the first new probe, so that the last sample before the
// restart does not hold over the time the exporter was stopped; after a restart shorter than
// the interval there is no gap.
func TestSource_RestartGap(t *testing.T) {
	cp := []byte(`{"seq":7,"last":{"db":"2026-03-02T10:00:00Z","web":"2026-03-02T10:00:30Z"}}`)
	t.Run("long stop", func(t *testing.T) {
		clk := sourcetest.NewClock(at(10 * time.Minute))
		src, _, _ := probeSource(t, clk, []step{up}, []step{down})
		b := syncOK(t, src, cp)
		// web: last probe t0+30s, interval 30s: missing from t0+60s; db: t0, 60s: from t0+60s.
		want := []collector.UptimeSeries{
			{Series: "web", Samples: samples(at(time.Minute), unknownS, at(10*time.Minute), upS)},
			{Series: "db", Samples: samples(at(time.Minute), unknownS, at(10*time.Minute), downS)},
		}
		if diff := cmp.Diff(want, b.Uptime); diff != "" {
			t.Errorf("first batch after a restart (-want +got):\n%s", diff)
		}
		if got, want := string(b.Checkpoint), `{"seq":8,"last":{"db":"2026-03-02T10:10:00Z","web":"2026-03-02T10:10:00Z"}}`; got != want {
			t.Errorf("checkpoint %s, want %s", got, want)
		}
	})
	t.Run("short stop", func(t *testing.T) {
		// At t0+50s: web's next slot (t0+60s) is not passed, nor is db's (t0+60s).
		clk := sourcetest.NewClock(at(50 * time.Second))
		src, _, _ := probeSource(t, clk, []step{up}, []step{up})
		b := syncOK(t, src, cp)
		want := []collector.UptimeSeries{
			{Series: "web", Samples: samples(at(50*time.Second), upS)},
			{Series: "db", Samples: samples(at(50*time.Second), upS)},
		}
		if diff := cmp.Diff(want, b.Uptime); diff != "" {
			t.Errorf("first batch after a short restart (-want +got):\n%s", diff)
		}
	})
	t.Run("unreadable checkpoint", func(t *testing.T) {
		clk := sourcetest.NewClock(t0)
		src, _, _ := probeSource(t, clk, []step{up}, []step{up})
		b := syncOK(t, src, []byte("{not json"))
		if string(b.Checkpoint) != `{"seq":1,"last":{"db":"2026-03-02T10:00:00Z","web":"2026-03-02T10:00:00Z"}}` {
			t.Errorf("checkpoint %s: an unreadable one is dropped, not a failure forever", b.Checkpoint)
		}
	})
}

// TestSource_NoneRan: when no probe could run since the last sync (the blackbox_exporter is
// down), the sync fails naming the reason, and nothing is lost: the next sync brings the first
// unknown sample of each target (the ones after it add nothing) with the new probes.
func TestSource_NoneRan(t *testing.T) {
	clk := sourcetest.NewClock(t0)
	notRun := step{err: errBlackboxDown}
	src, _, _ := probeSource(t, clk, []step{up, notRun, notRun, up}, []step{up, notRun, up})
	b1 := syncOK(t, src, nil)
	waitAfters(t, clk, 2)
	clk.Advance(30 * time.Second) // web not run
	waitAfters(t, clk, 1)
	clk.Advance(30 * time.Second) // both not run
	waitAfters(t, clk, 2)
	_, err := src.Sync(t.Context(), b1.Checkpoint)
	want := "no probe could run since the last sync (3 tried): db: blackbox_exporter: connection refused; web: blackbox_exporter: connection refused"
	if err == nil || err.Error() != want {
		t.Fatalf("sync error %v, want %q", err, want)
	}
	clk.Advance(30 * time.Second) // web up
	waitAfters(t, clk, 1)
	b2 := syncOK(t, src, b1.Checkpoint)
	want2 := []collector.UptimeSeries{
		{Series: "web", Samples: samples(at(30*time.Second), unknownS, at(90*time.Second), upS)},
		{Series: "db", Samples: samples(at(time.Minute), unknownS)},
	}
	if diff := cmp.Diff(want2, b2.Uptime); diff != "" {
		t.Errorf("batch after the failure (-want +got):\n%s", diff)
	}
}

// TestSource_FirstSyncHonoursContext: a first sync whose context ends while the first probes
// run returns the context's error, and their outcomes come with the next sync.
func TestSource_FirstSyncHonoursContext(t *testing.T) {
	clk := sourcetest.NewClock(t0)
	src, w, _ := probeSource(t, clk, []step{{block: true}, up}, []step{up})
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		_, err := src.Sync(ctx, nil)
		errc <- err
	}()
	waitCalls(t, w, 1)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("sync error %v, want context.Canceled", err)
	}
	clk.Advance(5 * time.Second) // web's probe times out: a failure
	waitAfters(t, clk, 2)
	b := syncOK(t, src, nil)
	want := []collector.UptimeSeries{
		{Series: "web", Samples: samples(t0, downS)},
		{Series: "db", Samples: samples(t0, upS)},
	}
	if diff := cmp.Diff(want, b.Uptime); diff != "" {
		t.Errorf("next batch (-want +got):\n%s", diff)
	}
}

// TestSource_Contract: the promises of every source kind.
func TestSource_Contract(t *testing.T) {
	sourcetest.RunContract(t, func() collector.Source {
		src, _, _ := probeSource(t, sourcetest.NewClock(t0), []step{up}, []step{down})
		return src
	})
}

// TestSource_Bounded: batches that are never committed are sent again with the next, growing,
// up to maxPending outcomes: the oldest go first.
func TestSource_Bounded(t *testing.T) {
	defer func(n int) { maxPending = n }(maxPending)
	maxPending = 3
	clk := sourcetest.NewClock(t0)
	src, _, _ := probeSource(t, clk, []step{up, down}, []step{up})
	syncOK(t, src, nil)
	waitAfters(t, clk, 2)
	// The runner never commits: the checkpoint it hands back stays nil.
	clk.Advance(30 * time.Second) // web
	waitAfters(t, clk, 1)
	syncOK(t, src, nil)
	clk.Advance(30 * time.Second) // web and db
	waitAfters(t, clk, 2)
	syncOK(t, src, nil)
	clk.Advance(30 * time.Second) // web
	waitAfters(t, clk, 1)
	// Kept: [web t0, db t0, web +30] after the second sync, the last 3 of those and web +60,
	// db +60 after the third (web +30, web +60, db +60), then of those and web +90.
	b := syncOK(t, src, nil)
	want := []collector.UptimeSeries{
		{Series: "web", Samples: samples(at(60*time.Second), downS, at(90*time.Second), downS)},
		{Series: "db", Samples: samples(at(60*time.Second), upS)},
	}
	if diff := cmp.Diff(want, b.Uptime); diff != "" {
		t.Errorf("batch (-want +got):\n%s", diff)
	}
}
