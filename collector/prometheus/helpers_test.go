package prometheus

import (
	"context"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/prometheus/promsim"
	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/events"
)

// t0 is a Monday 10:00 UTC, the start of most test data.
var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// at is t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// block parses a `prometheus:` block (its lines, without url, which points at sim).
func block(t testing.TB, url, body string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("url: "+url+"\n"+body), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

// blockRaw parses a whole block.
func blockRaw(t testing.TB, body string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

// newTestSource builds a source on sim from a block, its clock at now.
func newTestSource(t testing.TB, sim *promsim.Server, body string, now *time.Time) *Source {
	t.Helper()
	src, err := New(block(t, sim.URL, body), collector.Options{Name: "prom", Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	return src.(*Source)
}

// scrapes returns samples every 15s from start (plus 500ms, as real scrapes are never on the
// second), one per value; a NaN value stands for "no sample" (a gap).
func scrapes(start time.Time, values ...float64) []promsim.Sample {
	var out []promsim.Sample
	for k, v := range values {
		if v != v { // NaN: gap
			continue
		}
		out = append(out, promsim.Sample{T: start.Add(time.Duration(k)*15*time.Second + 500*time.Millisecond), V: v})
	}
	return out
}

// repeat returns n copies of v.
func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func cat(parts ...[]float64) []float64 {
	var out []float64
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

var gap = promsim.NaN

func up(t time.Time) availability.Sample { return availability.Sample{At: t, State: availability.Up} }
func down(t time.Time) availability.Sample {
	return availability.Sample{At: t, State: availability.Down}
}
func unknown(t time.Time) availability.Sample {
	return availability.Sample{At: t, State: availability.Unknown}
}

// syncOnce runs one sync with a generous deadline.
func syncOnce(t testing.TB, src *Source, cp []byte) collector.Batch {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := src.Sync(ctx, cp)
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	return b
}

// uptime returns the samples of a series of b.
func uptime(b collector.Batch, series string) []availability.Sample {
	for _, u := range b.Uptime {
		if u.Series == series {
			return u.Samples
		}
	}
	return nil
}

// memStore keeps batches as the store does: a sample replaces the one at the same instant, a
// bucket the one with the same start.
type memStore struct {
	samples map[string]map[time.Time]availability.State
	buckets map[string]map[time.Time]events.Bucket
}

func newMemStore() *memStore {
	return &memStore{samples: map[string]map[time.Time]availability.State{}, buckets: map[string]map[time.Time]events.Bucket{}}
}

func (m *memStore) apply(b collector.Batch) {
	for _, u := range b.Uptime {
		if m.samples[u.Series] == nil {
			m.samples[u.Series] = map[time.Time]availability.State{}
		}
		for _, s := range u.Samples {
			m.samples[u.Series][s.At.UTC()] = s.State
		}
	}
	for _, e := range b.Events {
		if m.buckets[e.Series] == nil {
			m.buckets[e.Series] = map[time.Time]events.Bucket{}
		}
		for _, x := range e.Buckets {
			m.buckets[e.Series][x.Start.UTC()] = x
		}
	}
}

// stateAt is the state of series at t: that of its last sample at or before t (Unknown before
// the first).
func (m *memStore) stateAt(series string, t time.Time) availability.State {
	var best time.Time
	st := availability.Unknown
	for at, s := range m.samples[series] {
		if !at.After(t) && (best.IsZero() || at.After(best)) {
			best, st = at, s
		}
	}
	return st
}

var noOptions = collector.Options{Name: "prom"}
