package prometheus

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/prometheus/promsim"
	"github.com/sla-exporter/sla_exporter/slo/events"
)

// requests are http_requests_total of instance "a", scraped every 15s from t0+0.5s (k = 0 ...),
// four scrapes per 1m bucket:
//
//	bucket        code 200 (k 4n .. 4n+3)   code 500
//	0  10:00      100 110 120 130           0 1 1 1
//	1  10:01      140 150   5  15 (reset)   2 2 2 2
//	2  10:02       15  15  15  15           3 3 3 3
//	3  10:03       20  25  30  35           3 3 3 3
//	4  10:04       40  45  50  55           3 3 3 3
//	5  10:05       60  65  70  75           3 3 3 3
//	6  10:06       80  85  90  95           3 3 3 4
var (
	ok200 = []float64{100, 110, 120, 130, 140, 150, 5, 15, 15, 15, 15, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95}
	err5  = []float64{0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4}
)

func requestSeries(instance string, start time.Time) []promsim.Series {
	return []promsim.Series{
		{Labels: map[string]string{"__name__": "http_requests_total", "code": "200", "instance": instance}, Samples: scrapes(start, ok200...)},
		{Labels: map[string]string{"__name__": "http_requests_total", "code": "500", "instance": instance}, Samples: scrapes(start, err5...)},
	}
}

// Each bucket's increases (an increase belongs to the bucket of its later sample; a scrape's
// first sample gives none; after a drop the increase is the new value):
//
//	0: 200: 10+10+10 = 30 (k0 is the first sample)   500: 1      → good 30, total 31
//	1: 200: 10 (140-130) + 10 + 5 (reset) + 10 = 35   500: 1      → good 35, total 36
//	2: 200: 0                                          500: 1      → good 0,  total 1
//	3: 200: 5+5+5+5 = 20                               500: 0      → good 20, total 20
//	4: 200: 20                                         500: 0      → good 20, total 20
//	5: 200: 20                                         500: 0      → good 20, total 20
//	6: 200: 20                                         500: 1      → good 20, total 21
var wantBuckets = []events.Bucket{
	{Start: at(0), Good: 30, Total: 31},
	{Start: at(time.Minute), Good: 35, Total: 36},
	{Start: at(2 * time.Minute), Good: 0, Total: 1},
	{Start: at(3 * time.Minute), Good: 20, Total: 20},
	{Start: at(4 * time.Minute), Good: 20, Total: 20},
	{Start: at(5 * time.Minute), Good: 20, Total: 20},
	{Start: at(6 * time.Minute), Good: 20, Total: 21},
}

func eventBucketsOf(b collector.Batch, series string) []events.Bucket {
	for _, e := range b.Events {
		if e.Series == series {
			return e.Buckets
		}
	}
	return nil
}

// TestEvents_HandChecked reads the buckets of a first sync and of the next one, whose overlap
// must give the buckets it reads again whole, with good and total and with bad and total.
func TestEvents_HandChecked(t *testing.T) {
	for _, tc := range []struct{ name, entry string }{
		{"good and total", `{series: api, good: 'http_requests_total{code!~"5.."}', total: http_requests_total}`},
		{"bad and total", `{series: api, bad: 'http_requests_total{code=~"5.."}', total: http_requests_total}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v2 := range []bool{false, true} {
				sim := promsim.New()
				defer sim.Close()
				sim.V2 = v2
				sim.Series = requestSeries("a", t0)
				// First sync at 10:05:20: buckets 10:00 to 10:04.
				now := at(5*time.Minute + 20*time.Second)
				src := newTestSource(t, sim, "backfill: 5m\nevents:\n  - "+tc.entry+"\n", &now)
				b := syncOnce(t, src, nil)
				if diff := cmp.Diff(wantBuckets[:5], eventBucketsOf(b, "api")); diff != "" {
					t.Errorf("2.x=%v first sync buckets (-want +got):\n%s", v2, diff)
				}
				// Two requests (total, then good or bad), raw samples from 5m (the lookback)
				// before 10:00 to 10:05, asked at 10:04:59.999.
				if len(sim.Requests) != 2 {
					t.Fatalf("%d requests, want 2", len(sim.Requests))
				}
				if r := sim.Requests[0]; r.Query != "http_requests_total[600s]" || !r.Time.Equal(at(5*time.Minute-time.Millisecond)) {
					t.Errorf("first request %q at %v", r.Query, r.Time)
				}
				if len(b.Uptime) != 0 || len(b.Rejected) != 0 {
					t.Errorf("uptime %v, rejected %v", b.Uptime, b.Rejected)
				}

				// Next sync at 10:07:20: from floor(10:05 - 2m overlap) = 10:03 to 10:07. The
				// buckets 10:03 and 10:04 come again, whole: their first increases need the
				// samples of 10:02, which the lookback brings.
				now = at(7*time.Minute + 20*time.Second)
				b = syncOnce(t, src, b.Checkpoint)
				if diff := cmp.Diff(wantBuckets[3:], eventBucketsOf(b, "api")); diff != "" {
					t.Errorf("2.x=%v second sync buckets (-want +got):\n%s", v2, diff)
				}
			}
		})
	}
}

// TestEvents_FanOut groups raw series by instance; a series without the label is rejected once.
func TestEvents_FanOut(t *testing.T) {
	sim := promsim.New()
	defer sim.Close()
	sim.Series = append(requestSeries("a", t0), requestSeries("b", t0.Add(time.Minute))...)
	sim.Series = append(sim.Series, promsim.Series{Labels: map[string]string{"__name__": "http_requests_total", "code": "200"}, Samples: scrapes(t0, 1, 2, 3)})
	now := at(3*time.Minute + 20*time.Second)
	src := newTestSource(t, sim, "backfill: 3m\nevents:\n  - {series_label: instance, good: 'http_requests_total{code!~\"5..\"}', total: http_requests_total}\n", &now)
	b := syncOnce(t, src, nil)
	// Instance b starts a minute later: its first bucket (10:01) misses the increase of its
	// first sample, as bucket 0 of a does: 30 of 31; then bucket 1 of its data (35 of 36).
	want := map[string][]events.Bucket{
		"a": wantBuckets[:3],
		"b": {{Start: at(time.Minute), Good: 30, Total: 31}, {Start: at(2 * time.Minute), Good: 35, Total: 36}},
	}
	got := map[string][]events.Bucket{}
	for _, e := range b.Events {
		got[e.Series] = e.Buckets
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("buckets (-want +got):\n%s", diff)
	}
	wantRej := []collector.Rejection{{Where: "events[0]", Reason: "1 result series without the label instance: left out",
		Rule: "fan-out series need the series_label", Setting: "prometheus.events[0].series_label"}}
	if diff := cmp.Diff(wantRej, b.Rejected); diff != "" {
		t.Errorf("rejections (-want +got):\n%s", diff)
	}
}
