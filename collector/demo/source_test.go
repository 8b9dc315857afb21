package demo

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func TestKindBuildsSource(t *testing.T) {
	src, err := Kind.New(nil, collector.Options{Name: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	s := src.(*Source)
	if s.cfg != DefaultConfig() {
		t.Errorf("config %+v, want the defaults %+v", s.cfg, DefaultConfig())
	}
	if s.now == nil || s.log == nil {
		t.Error("nil clock or logger not defaulted")
	}
}

func TestDeterminism(t *testing.T) {
	now := mustTime(t, "2026-02-11T14:03:27+01:00")
	a, ca := newSourceAt(t, "history: 20d", now)
	b, cb := newSourceAt(t, "history: 20d", now)
	ba, bb := mustSync(t, a, nil), mustSync(t, b, nil)
	if diff := fastDiff(ba, bb); diff != "" {
		t.Fatalf("first syncs differ (-a +b):\n%s", diff)
	}
	if len(ba.Tickets) == 0 || len(ba.Uptime) != 3 || len(ba.Events) != 1 || !ba.Replace {
		t.Fatalf("first sync: %d tickets, %d uptime series, %d event series, replace %v",
			len(ba.Tickets), len(ba.Uptime), len(ba.Events), ba.Replace)
	}
	later := now.Add(90*time.Minute + 13*time.Second)
	ca.Set(later)
	cb.Set(later)
	ia, ib := mustSync(t, a, ba.Checkpoint), mustSync(t, b, bb.Checkpoint)
	if diff := fastDiff(ia, ib); diff != "" {
		t.Fatalf("second syncs differ (-a +b):\n%s", diff)
	}
	if ia.Replace || len(ia.Tickets) == 0 {
		t.Fatalf("second sync: replace %v, %d tickets", ia.Replace, len(ia.Tickets))
	}

	// Another seed is another world.
	c, _ := newSourceAt(t, "history: 20d\nseed: 2", now)
	bc := mustSync(t, c, nil)
	if reflect.DeepEqual(ba.Tickets, bc.Tickets) || reflect.DeepEqual(ba.Uptime, bc.Uptime) {
		t.Error("seeds 1 and 2 generated the same world")
	}
}

// TestIncrementalMatchesOnce syncs one source at irregular intervals over two days and another
// once at the end, reaching back to the same start: the stores they fill must be identical.
// Along the way nothing after the clock may appear, and an incremental batch holds only what
// changed.
func TestIncrementalMatchesOnce(t *testing.T) {
	start := mustTime(t, "2026-03-27T22:41:09+01:00") // across the spring-forward night
	end := start.Add(48 * time.Hour)
	inc, clk := newSourceAt(t, "history: 15d\nseed: 42", start)
	once, _ := newSourceAt(t, "history: 17d\nseed: 42", end)

	got := newWorld()
	var cp []byte
	steps := []time.Duration{time.Hour, time.Second, 59 * time.Minute, 3*time.Hour + 7*time.Second, 30 * time.Second}
	for i, now := 0, start; ; i++ {
		clk.Set(now)
		b := mustSync(t, inc, cp)
		if (i == 0) != b.Replace {
			t.Fatalf("sync %d: replace %v", i, b.Replace)
		}
		checkNotAfter(t, b, now)
		if i > 0 {
			for _, tk := range b.Tickets {
				if old, ok := got.tickets[tk.ID]; ok && cmp.Equal(old, tk) {
					t.Errorf("sync %d at %s: %s returned unchanged", i, now, tk.ID)
				}
			}
		}
		got.add(b)
		if want := now.UTC().Format(time.RFC3339) + " seed=42 scale=1"; string(b.Checkpoint) != want {
			t.Fatalf("checkpoint %q, want %q", b.Checkpoint, want)
		}
		cp = b.Checkpoint
		if now.Equal(end) {
			break
		}
		now = now.Add(steps[i%len(steps)])
		if now.After(end) {
			now = end
		}
	}

	want := newWorld()
	wb := mustSync(t, once, nil)
	checkNotAfter(t, wb, end)
	want.add(wb)
	if diff := fastDiff(want.sortedTickets(), got.sortedTickets()); diff != "" {
		t.Errorf("tickets differ (-once +incremental):\n%s", diff)
	}
	if diff := fastDiff(want.samples, got.samples); diff != "" {
		t.Errorf("samples differ (-once +incremental):\n%s", diff)
	}
	if diff := fastDiff(want.buckets, got.buckets); diff != "" {
		t.Errorf("buckets differ (-once +incremental):\n%s", diff)
	}
	t.Logf("%d tickets, %d samples of webshop", len(got.tickets), len(got.samples[SeriesWebshop]))
}

// fastDiff is cmp.Diff with a fast path for the usual case, equal values: tens of thousands of
// samples are slow to diff by reflection, especially under the race detector.
func fastDiff(a, b any) string {
	if reflect.DeepEqual(a, b) {
		return ""
	}
	return cmp.Diff(a, b)
}

// checkNotAfter fails on anything in b later than now.
func checkNotAfter(t *testing.T, b collector.Batch, now time.Time) {
	t.Helper()
	for _, tk := range b.Tickets {
		if tk.Created.After(now) || tk.FirstResponse.After(now) {
			t.Fatalf("at %s: %s created %s, first response %s", now, tk.ID, tk.Created, tk.FirstResponse)
		}
		for _, h := range tk.History {
			if h.At.After(now) {
				t.Fatalf("at %s: %s has %s at %s", now, tk.ID, h.Status, h.At)
			}
		}
		if err := tk.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range b.Uptime {
		if n := len(u.Samples); n > 0 && u.Samples[n-1].At.After(now) {
			t.Fatalf("at %s: %s sample at %s", now, u.Series, u.Samples[n-1].At)
		}
	}
	for _, e := range b.Events {
		if n := len(e.Buckets); n > 0 && e.Buckets[n-1].Start.Add(time.Minute).After(now) {
			t.Fatalf("at %s: %s bucket of the minute from %s", now, e.Series, e.Buckets[n-1].Start)
		}
	}
}

// TestRevealsTheFuture follows tickets through their lives: what a sync shows at each instant is
// the prefix of the ticket's history up to that instant, with the first response, rating,
// hand-overs and close code appearing only once they happened.
func TestRevealsTheFuture(t *testing.T) {
	now := mustTime(t, "2026-06-01T09:30:00+02:00")
	full, _ := newSourceAt(t, "history: 70d", now.Add(30*24*time.Hour))
	final := map[string]ticket.Ticket{}
	for _, tk := range mustSync(t, full, nil).Tickets {
		final[tk.ID] = tk
	}
	early, _ := newSourceAt(t, "history: 40d", now)
	for _, tk := range mustSync(t, early, nil).Tickets {
		f, ok := final[tk.ID]
		if !ok {
			t.Fatalf("%s is not there a month later", tk.ID)
		}
		if len(tk.History) > len(f.History) {
			t.Fatalf("%s: %d changes at %s, %d later", tk.ID, len(tk.History), now, len(f.History))
		}
		if diff := cmp.Diff(f.History[:len(tk.History)], tk.History); diff != "" {
			t.Fatalf("%s: early history is not a prefix of the later one:\n%s", tk.ID, diff)
		}
		if len(tk.History) < len(f.History) && !f.History[len(tk.History)].At.After(now) {
			t.Fatalf("%s: change at %s not shown at %s", tk.ID, f.History[len(tk.History)].At, now)
		}
		if !tk.FirstResponse.IsZero() && !tk.FirstResponse.Equal(f.FirstResponse) {
			t.Fatalf("%s: first response moved", tk.ID)
		}
		if f.FirstResponse.After(now) != tk.FirstResponse.IsZero() && !f.FirstResponse.IsZero() {
			t.Fatalf("%s: first response %s shown %v at %s", tk.ID, f.FirstResponse, !tk.FirstResponse.IsZero(), now)
		}
		if tk.Reassignments > f.Reassignments || (tk.Rating != ticket.Unrated && tk.Rating != f.Rating) {
			t.Fatalf("%s: reassignments %d/%d, rating %v/%v", tk.ID, tk.Reassignments, f.Reassignments, tk.Rating, f.Rating)
		}
		if _, ok := tk.Fields[FieldCloseCode]; ok && tk.History[len(tk.History)-1].Category != ticket.Closed {
			t.Fatalf("%s: close code before closure", tk.ID)
		}
	}
}

func TestCheckpoints(t *testing.T) {
	now := mustTime(t, "2026-05-04T11:00:00+02:00")
	s, clk := newSourceAt(t, "history: 3d", now)
	first := mustSync(t, s, nil)

	// A clock that has not moved, or went back, returns nothing and keeps the checkpoint.
	for _, at := range []time.Time{now, now.Add(-time.Hour)} {
		clk.Set(at)
		b := mustSync(t, s, first.Checkpoint)
		if len(b.Tickets)+len(b.Uptime)+len(b.Events) != 0 || b.Replace || string(b.Checkpoint) != string(first.Checkpoint) {
			t.Errorf("at %s: %d tickets, %d uptime, %d events, replace %v, checkpoint %q",
				at, len(b.Tickets), len(b.Uptime), len(b.Events), b.Replace, b.Checkpoint)
		}
	}

	// After a long stop, no more than the history is returned, and not as a snapshot.
	old := now.Add(-200*24*time.Hour).UTC().Format(time.RFC3339) + " seed=1 scale=1"
	if b := mustSync(t, s, []byte(old)); b.Replace || len(b.Uptime) != 3 || len(b.Uptime[0].Samples) != 3*1440+1 { // both ends: now is on a minute
		t.Errorf("resuming after 200 days: replace %v, %d series, %d samples", b.Replace, len(b.Uptime), len(b.Uptime[0].Samples))
	}

	// A checkpoint of another world, or an unreadable one, starts over with a full snapshot.
	clk.Set(now)
	other, _ := newSourceAt(t, "history: 3d\nseed: 9", now)
	for _, cp := range []string{string(mustSync(t, other, nil).Checkpoint), "garbage", "2026-05-04T09:00:00Z seed=1 scale=2", ""} {
		b := mustSync(t, s, []byte(cp))
		if diff := fastDiff(first, b); diff != "" || !b.Replace {
			t.Errorf("checkpoint %q: not a full snapshot (-want +got):\n%s", cp, diff)
		}
	}
}

func TestContextCancelled(t *testing.T) {
	s, _ := newSourceAt(t, "", mustTime(t, "2026-05-04T11:00:00+02:00"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Sync(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sync with a cancelled context: %v", err)
	}
}

func TestClockOutOfRange(t *testing.T) {
	for _, at := range []string{"1999-12-31T23:00:00Z", "2099-06-01T00:00:00Z"} {
		s, _ := newSourceAt(t, "", mustTime(t, at))
		if _, err := s.Sync(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "outside") {
			t.Errorf("clock %s: %v", at, err)
		}
	}
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct {
		block string
		want  Config
		err   string // substring; empty: no error
	}{
		{block: "", want: DefaultConfig()},
		{block: "~", want: DefaultConfig()},
		{block: "seed: 7\nhistory: 30d\nscale: 2.5", want: Config{Seed: 7, History: model.Duration(30 * 24 * time.Hour), Scale: 2.5}},
		{block: "history: 1h", want: Config{Seed: 1, History: model.Duration(time.Hour), Scale: 1}},
		{block: "seed: 3\nseeds: 1", err: "line 2: seeds: unknown field"},
		{block: "history: 0s", err: "line 1: history: 0s is not positive"},
		{block: "seed: 1\nhistory: 400d", err: "line 2: history: 400d is longer than the 366d allowed"},
		{block: "history: soon", err: "line 1"},
		{block: "\n\nscale: 0", err: "line 3: scale: 0 is not in (0, 100]"},
		{block: "scale: 101", err: "line 1: scale: 101"},
		{block: "scale: .nan", err: "scale: NaN"},
		{block: "seed: -1", err: "line 1"},
	} {
		var node *yaml.Node
		if tc.block != "" {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tc.block), &doc); err != nil {
				t.Fatal(err)
			}
			node = doc.Content[0]
		}
		src, err := New(node, collector.Options{})
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.block, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want one containing %q", tc.block, err, tc.err)
		case tc.err == "":
			if got := src.(*Source).cfg; got != tc.want {
				t.Errorf("%q: config %+v, want %+v", tc.block, got, tc.want)
			}
		default:
			t.Logf("%q: %v", tc.block, err)
		}
	}
}

// TestMaintenanceMatchesEngine evaluates the hosting samples with the maintenance window an
// objective would declare (every Sunday 02:00 for 2h, Europe/Rome): the engine must exclude all
// the maintenance downtime and nothing else, DST nights included.
func TestMaintenanceMatchesEngine(t *testing.T) {
	loc := rome(t)
	now := mustTime(t, "2026-11-10T16:42:05+01:00")
	s, _ := newSourceAt(t, "history: 260d", now) // from February: both DST changes
	b := mustSync(t, s, nil)
	var samples []availability.Sample
	for _, u := range b.Uptime {
		if u.Series == SeriesHosting {
			samples = u.Samples
		}
	}
	from, to := samples[0].At, samples[len(samples)-1].At.Add(time.Minute)
	var bad, maint int
	windows := s.sim.maintenance(from.Unix(), to.Unix())
	for _, smp := range samples {
		in := false
		for _, w := range windows {
			if u := smp.At.Unix(); u >= w[0] && u < w[1] {
				in = true
			}
		}
		switch {
		case in:
			maint++
		case smp.State == availability.Down || smp.State == availability.Degraded:
			bad++
		}
	}
	series, err := availability.FromSamples(samples)
	if err != nil {
		t.Fatal(err)
	}
	cfg := availability.Config{Recurring: []availability.Recurring{{
		Weekdays: []time.Weekday{MaintenanceWeekday}, Start: MaintenanceStart, Duration: MaintenanceDuration, Location: loc,
	}}}
	tl, err := availability.Build(cfg, series, from, to)
	if err != nil {
		t.Fatal(err)
	}
	c := tl.Counts(from, to)
	if c.Bad != time.Duration(bad)*time.Minute {
		t.Errorf("engine: %s bad, the demo generated %d bad minutes outside maintenance", c.Bad, bad)
	}
	if c.Excluded < time.Duration(maint)*time.Minute {
		t.Errorf("engine: %s excluded, less than the %d maintenance minutes", c.Excluded, maint)
	}
	att, _ := c.Attainment()
	t.Logf("hosting: %d windows, %d maintenance minutes, %d bad minutes; engine attainment %.5f", len(windows), maint, bad, att)
	if len(windows) < 36 {
		t.Errorf("%d maintenance windows in 260 days", len(windows))
	}
}
