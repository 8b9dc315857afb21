package evaluation

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/store"
)

// persistFixture is an evaluator over testConfig (staleness 1h) with a store, whose clock the
// test moves, and a source that synced at 23:00.
type persistFixture struct {
	cfg  *config.Config
	db   *store.DB
	now  time.Time
	data *fakeReader
}

func newPersistFixture(t *testing.T) *persistFixture {
	t.Helper()
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	d := newData()
	last := utc("2026-11-15T23:00:00Z")
	d.Events["probes/requests"] = eventsOf(t, bucket("2026-11-10T00:00:00Z", 99, 100))
	d.LastSuccess["probes"] = last
	return &persistFixture{cfg: loadConfig(t, testConfig), db: db, now: utc("2026-11-15T23:10:00Z"),
		data: &fakeReader{data: d, health: []collector.SourceHealth{{Name: "probes", Up: true, LastSuccess: last}}}}
}

func (f *persistFixture) evaluator(cfg *config.Config) (*Evaluator, *collector.Exposition) {
	expo := collector.NewExposition()
	return New(cfg, Options{Data: f.data, DB: f.db, Expo: expo, Now: func() time.Time { return f.now }}), expo
}

func (f *persistFixture) stored(t *testing.T) *collector.Snapshot {
	t.Helper()
	b, err := f.db.Published()
	if err != nil || b == nil {
		t.Fatalf("stored snapshot: %v, %v", b, err)
	}
	s, _, err := collector.DecodeSnapshot(b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var snapshotOpts = cmp.Options{cmpopts.EquateNaNs(), cmpopts.EquateEmpty(),
	cmp.Comparer(func(a, b *time.Location) bool { return a.String() == b.String() })}

// The first publication is stored at once, the next ones at most every PersistGap, and the last
// one when Run ends; a restart serves it, marked restored, until its first evaluation.
func TestPersistAndRestore(t *testing.T) {
	f := newPersistFixture(t)
	ev, _ := f.evaluator(f.cfg)
	first := ev.Publish()
	if got := f.stored(t); !got.At.Equal(first.At) {
		t.Fatalf("stored snapshot of %s, want the first publication's %s", got.At, first.At)
	}
	f.now = f.now.Add(PersistGap / 2)
	ev.Publish()
	if got := f.stored(t); !got.At.Equal(first.At) {
		t.Errorf("a publication within PersistGap was stored (%s)", got.At)
	}
	// Run publishes at once and, when it ends, stores the last publication.
	f.now = f.now.Add(PersistGap / 4)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); ev.Run(ctx) }()
	for !ev.expo.Snapshot().At.Equal(f.now) { // Run's first publication
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	last := ev.expo.Snapshot()
	if got := f.stored(t); !got.At.Equal(last.At) || !last.At.Equal(f.now) {
		t.Errorf("stored at the end of Run: %s, want the last publication's %s", got.At, last.At)
	}

	// The restart, 30 seconds later.
	f.now = f.now.Add(30 * time.Second)
	ev2, expo2 := f.evaluator(f.cfg)
	if ok, err := ev2.Restore(); !ok {
		t.Fatalf("Restore: %v", err)
	}
	want := *last
	want.DataGen, want.Restored = 0, true
	if diff := cmp.Diff(&want, expo2.Snapshot(), snapshotOpts); diff != "" {
		t.Errorf("restored snapshot (-last published +restored):\n%s", diff)
	}
	if ev2.Publish(); expo2.Snapshot().Restored {
		t.Error("the first evaluation after the restart is still marked restored")
	}
	if ok, err := ev2.Restore(); ok || !strings.Contains(err.Error(), "published already") {
		t.Errorf("Restore after an evaluation: %v, %v; want it refused", ok, err)
	}
}

// A stored snapshot that could mislead is not served.
func TestRestore_Refused(t *testing.T) {
	tests := []struct {
		name string
		// change acts on the fixture after a snapshot was stored at 23:10 (source synced 23:00).
		change func(f *persistFixture) *config.Config
		want   string
	}{
		{"another configuration", func(f *persistFixture) *config.Config {
			other := *f.cfg
			other.Hash = "something-else"
			return &other
		}, "another configuration"},
		{"older than the staleness limit", func(f *persistFixture) *config.Config {
			f.now = f.now.Add(time.Hour + time.Second)
			return f.cfg
		}, "more than the staleness limit"},
		{"a source stale by now", func(f *persistFixture) *config.Config {
			// 23:10 + 51m: the snapshot is 51 minutes old, its source's sync 61.
			f.now = f.now.Add(51 * time.Minute)
			return f.cfg
		}, `source "probes"`},
		{"empty value stored", func(f *persistFixture) *config.Config {
			if err := f.db.PutPublished(nil); err != nil {
				panic(err)
			}
			return f.cfg
		}, "decode"},
		{"garbage stored", func(f *persistFixture) *config.Config {
			if err := f.db.PutPublished([]byte("garbage")); err != nil {
				panic(err)
			}
			return f.cfg
		}, "decode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newPersistFixture(t)
			ev, _ := f.evaluator(f.cfg)
			ev.Publish()
			cfg := tt.change(f)
			ev2, expo2 := f.evaluator(cfg)
			ok, err := ev2.Restore()
			if ok || err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Restore = %v, %v; want refused with %q", ok, err, tt.want)
			}
			if !expo2.Snapshot().At.IsZero() {
				t.Error("a refused snapshot was published")
			}
		})
	}
	// A store that never had one.
	f := newPersistFixture(t)
	ev, _ := f.evaluator(f.cfg)
	if ok, err := ev.Restore(); ok || !strings.Contains(err.Error(), "no snapshot stored") {
		t.Errorf("Restore on an empty store = %v, %v", ok, err)
	}
}
