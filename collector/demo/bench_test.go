package demo

import (
	"context"
	"testing"
	"time"
)

// BenchmarkFirstSync is the first sync of a source with the default 100 days of history: about
// 4,500 tickets, 3 × 144,000 samples and 144,000 request counts.
func BenchmarkFirstSync(b *testing.B) {
	now := mustTime(b, "2026-04-15T10:17:23+02:00")
	if _, err := businessCalendar(); err != nil { // built once per process, not per source
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s, _ := newSourceAt(b, "", now)
		if _, err := s.Sync(context.Background(), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNextSync is a sync one minute after the previous one, the steady state.
func BenchmarkNextSync(b *testing.B) {
	now := mustTime(b, "2026-04-15T10:17:23+02:00")
	s, clk := newSourceAt(b, "", now)
	first, err := s.Sync(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	clk.Set(now.Add(time.Minute))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Sync(context.Background(), first.Checkpoint); err != nil {
			b.Fatal(err)
		}
	}
}
