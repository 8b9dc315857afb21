package apisource

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/availability"
)

func smp(at time.Time, s availability.State) availability.Sample {
	return availability.Sample{At: at, State: s}
}

func bt(at time.Time, s availability.State) Beat { return Beat{At: at, State: s} }

func TestRecent(t *testing.T) {
	at := func(m int) time.Time { return time.Date(2026, 3, 2, 9, m, 0, 0, time.UTC) }
	const (
		up   = availability.Up
		down = availability.Down
		unk  = availability.Unknown
	)
	// A monitor checked every minute from 09:10; a lost stretch leaves the oldest beat later.
	beats := []Beat{bt(at(10), up), bt(at(11), down), bt(at(12), up), bt(at(13), up)}
	tests := []struct {
		name      string
		beats     []Beat
		watermark time.Time
		complete  bool
		want      []availability.Sample
		wantMark  time.Time
	}{
		{name: "first sync: everything", beats: beats, want: []availability.Sample{smp(at(10), up), smp(at(11), down), smp(at(12), up), smp(at(13), up)}, wantMark: at(13)},
		{name: "after the watermark only", beats: beats, watermark: at(11),
			want: []availability.Sample{smp(at(12), up), smp(at(13), up)}, wantMark: at(13)},
		{name: "nothing new keeps the watermark", beats: beats, watermark: at(13), wantMark: at(13)},
		{name: "none at all", watermark: at(13), wantMark: at(13)},
		// Checks 09:06 to 09:09 were rotated out: the sample of 09:05 holds one step (1 min,
		// the median spacing), then 09:06 is unknown until the beat of 09:10.
		{name: "a lost stretch starts unknown one step after the watermark", beats: beats, watermark: at(5),
			want: []availability.Sample{smp(at(6), unk), smp(at(10), up), smp(at(11), down), smp(at(12), up), smp(at(13), up)}, wantMark: at(13)},
		{name: "a complete history has no lost stretch", beats: beats, watermark: at(5), complete: true,
			want: []availability.Sample{smp(at(10), up), smp(at(11), down), smp(at(12), up), smp(at(13), up)}, wantMark: at(13)},
		// 09:09 + 1 min is the oldest beat itself: nothing is missing.
		{name: "the next check is the oldest beat", beats: beats, watermark: at(9),
			want: []availability.Sample{smp(at(10), up), smp(at(11), down), smp(at(12), up), smp(at(13), up)}, wantMark: at(13)},
		{name: "one beat gives no step", beats: []Beat{bt(at(10), down)}, watermark: at(5),
			want: []availability.Sample{smp(at(10), down)}, wantMark: at(10)},
		// Spacings 1, 1, 5 min: the median is 1 min, so one slow check does not stretch it.
		{name: "the median resists an irregular step", beats: []Beat{bt(at(10), up), bt(at(11), up), bt(at(12), up), bt(at(17), up)}, watermark: at(2),
			want: []availability.Sample{smp(at(3), unk), smp(at(10), up), smp(at(11), up), smp(at(12), up), smp(at(17), up)}, wantMark: at(17)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, mark := Recent(tt.beats, tt.watermark, tt.complete)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("samples (-want +got):\n%s", diff)
			}
			if !mark.Equal(tt.wantMark) {
				t.Errorf("watermark %v, want %v", mark, tt.wantMark)
			}
		})
	}
}
