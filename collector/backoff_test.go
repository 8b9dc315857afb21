package collector

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/availability"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		name     string
		n        int
		interval time.Duration
		rnd      float64
		want     time.Duration
	}{
		{"first retry, no jitter", 1, 5 * time.Minute, 0, 15 * time.Second},
		{"first retry, half jitter", 1, 5 * time.Minute, 0.5, 22500 * time.Millisecond},
		{"doubles", 3, 5 * time.Minute, 0, 60 * time.Second},
		{"capped at the interval", 5, 5 * time.Minute, 0, 150 * time.Second},
		{"capped far out without overflow", 1000, 5 * time.Minute, 0.5, 225 * time.Second},
		{"short interval is the base", 1, 10 * time.Second, 0, 5 * time.Second},
		{"short interval stays capped", 4, 10 * time.Second, 0, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := backoff(tt.n, tt.interval, tt.rnd); got != tt.want {
				t.Errorf("backoff(%d, %v, %v) = %v, want %v", tt.n, tt.interval, tt.rnd, got, tt.want)
			}
		})
	}
}

func TestMergeByTime(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := func(min int, st availability.State) availability.Sample {
		return availability.Sample{At: base.Add(time.Duration(min) * time.Minute), State: st}
	}
	const u, d = availability.Up, availability.Down
	tests := []struct {
		name      string
		have, add []availability.Sample
		want      []availability.Sample
	}{
		{"nothing added", []availability.Sample{s(1, u)}, nil, []availability.Sample{s(1, u)}},
		{"into empty, sorted", nil, []availability.Sample{s(2, u), s(1, d)}, []availability.Sample{s(1, d), s(2, u)}},
		{"appended after", []availability.Sample{s(1, u)}, []availability.Sample{s(2, d)}, []availability.Sample{s(1, u), s(2, d)}},
		{"interleaved", []availability.Sample{s(1, u), s(3, u)}, []availability.Sample{s(2, d), s(4, d), s(0, d)},
			[]availability.Sample{s(0, d), s(1, u), s(2, d), s(3, u), s(4, d)}},
		{"same instant replaces", []availability.Sample{s(1, u), s(2, u)}, []availability.Sample{s(1, d)}, []availability.Sample{s(1, d), s(2, u)}},
		{"last of the batch wins", nil, []availability.Sample{s(1, u), s(1, d)}, []availability.Sample{s(1, d)}},
	}
	key := func(x availability.Sample) time.Time { return x.At }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, mergeByTime(tt.have, tt.add, key)); diff != "" {
				t.Errorf("mergeByTime (-want +got):\n%s", diff)
			}
		})
	}
}
