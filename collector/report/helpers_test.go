package report

import (
	"context"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/demo"
	"github.com/sla-exporter/sla_exporter/collector/evaluation"
	"github.com/sla-exporter/sla_exporter/collector/sources"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// demoAt is the instant the demo's report is built at: a Thursday morning early in December
// 2026, so the default period is November 2026, whose data the demo world holds in full (it is
// generated from 100 days before this instant), and December is in progress for the risks.
var demoAt = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

type fixedClock struct {
	collector.SystemClock
	at time.Time
}

func (c fixedClock) Now() time.Time { return c.at }

// demoFixture is the built-in demo configuration synced once at demoAt and evaluated there.
type demoFixture struct {
	eval *evaluation.Evaluator
	snap *collector.Snapshot
}

var loadDemo = sync.OnceValues(func() (*demoFixture, error) {
	cfg, err := config.Load(demo.ConfigYAML, "demo.yml", ".")
	if err != nil {
		return nil, err
	}
	clock := fixedClock{at: demoAt}
	runner := collector.NewRunner(collector.RunnerOptions{Clock: clock})
	var srcs []collector.SourceConfig
	for _, s := range cfg.Sources {
		kind, err := sources.Lookup(s.Type)
		if err != nil {
			return nil, err
		}
		src, err := kind.New(s.Block, collector.Options{Name: s.Name, Dir: s.Dir, Now: clock.Now})
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, collector.SourceConfig{Name: s.Name, Type: s.Type, Source: src, Interval: s.Interval, Timeout: s.Timeout, Hash: s.Hash})
	}
	if err := runner.Update(srcs); err != nil {
		return nil, err
	}
	if err := runner.SyncOnce(context.Background()); err != nil {
		return nil, err
	}
	ev := evaluation.New(cfg, evaluation.Options{Data: runner, Now: clock.Now})
	return &demoFixture{eval: ev, snap: ev.Publish()}, nil
})

// demoReport builds the demo's report at demoAt.
func demoReport(t *testing.T, req Request) (*Report, error) {
	t.Helper()
	f, err := loadDemo()
	if err != nil {
		t.Fatalf("demo fixture: %v", err)
	}
	return Build(Inputs{Source: f.eval, Current: f.snap, Demo: true}, req)
}

func mustDemoReport(t *testing.T, req Request) *Report {
	t.Helper()
	rep, err := demoReport(t, req)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// fakeSource serves a configuration, hand-built data and frozen periods, as the evaluator would.
type fakeSource struct {
	cfg    *config.Config
	data   collector.Data
	frozen map[string]map[string]collector.FrozenPeriod
}

func (f *fakeSource) View(fn func(*config.Config, collector.Data)) { fn(f.cfg, f.data) }

func (f *fakeSource) FrozenPeriods(objective string) map[string]collector.FrozenPeriod {
	return maps.Clone(f.frozen[objective])
}

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./collector/report -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; go test ./collector/report -update rewrites it):\n%s", path, diff)
	}
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func fptr(v float64) *float64 { return &v }
