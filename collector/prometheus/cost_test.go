package prometheus

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"

	"github.com/sla-exporter/sla_exporter/collector/prometheus/promsim"
)

// TestCost_Month counts the requests and points of a first sync over a 31-day month at 1m slices
// and of the incremental sync after it, with one availability series and one event series (a
// request counter with two raw series, code 200 and 500, good being code 200); the figures are
// in docs/performance.md, "prometheus source".
func TestCost_Month(t *testing.T) {
	if testing.Short() {
		t.Skip("a month of data")
	}
	from, counter := costMonth()
	sim := promsim.New()
	defer sim.Close()
	sim.Series = []promsim.Series{
		{Labels: map[string]string{"__name__": "probe_success"}, Samples: scrapes(from, repeat(1, len(counter))...)},
		{Labels: map[string]string{"__name__": "http_requests_total", "code": "200"}, Samples: scrapes(from, counter...)},
		{Labels: map[string]string{"__name__": "http_requests_total", "code": "500"}, Samples: scrapes(from, counter...)},
	}
	// 1 September 00:00:30: the first sync reads August and the 0 slices of September (2
	// periods), 44,640 slices.
	now := time.Date(2026, 9, 1, 0, 0, 30, 0, time.UTC)
	src := newTestSource(t, sim, "availability:\n  - {series: web, query: probe_success}\n"+
		"events:\n  - {series: api, good: 'http_requests_total{code=\"200\"}', total: http_requests_total}\n", &now)
	b := syncOnce(t, src, nil)
	requests, points := sim.Stats()
	// Chunks of 2,500 slices (10,000 evaluations at 15s): 17 whole and one of 2,140 = 18.
	// Requests: 18 × (3 availability + 2 events) = 90.
	// Points: availability 44,640 slices × (count + ones; invalid is empty) = 89,280; events:
	// the raw samples of each chunk and the 5m before it, (2,505 × 4) = 10,020 per series per
	// whole chunk and (2,145 × 4) = 8,580 in the last, 178,920 per series, for 3 series (total's
	// two, good's one) = 536,760. In all 626,040.
	if requests != 90 || points != 626040 {
		t.Errorf("first sync: %d requests, %d points; want 90 and 626,040", requests, points)
	}
	if got := len(uptime(b, "web")); got != 44640+1 { // Up at each slice, the closing Unknown
		t.Errorf("%d samples", got)
	}
	if got := len(eventBucketsOf(b, "api")); got != 44640 {
		t.Errorf("%d buckets", got)
	}
	t.Logf("first sync: %d requests, %d points", requests, points)

	// The next sync, 5 minutes later (the default interval): from 31 August 23:58 (2m of
	// overlap) to 00:05, 7 slices, one chunk: 5 requests; points 7 × 2 = 14 for availability,
	// (7 + 5) × 4 = 48 per series × 3 = 144 for events: 158.
	checkIncrementalCost(t, sim, src, &now, b.Checkpoint, 5, 158)
}

// costMonth is the span the month's cost tests read, from 31 July 23:50 to 1 September 00:10,
// and the values of a counter scraped every 15s over it, one more at each scrape.
func costMonth() (from time.Time, counter []float64) {
	from = time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC).Add(-10 * time.Minute)
	counter = make([]float64, time.Date(2026, 9, 1, 0, 10, 0, 0, time.UTC).Sub(from)/(15*time.Second))
	for i := range counter {
		counter[i] = float64(i)
	}
	return from, counter
}

// checkIncrementalCost syncs src again from checkpoint 5 minutes (the default interval) after
// *now, moving *now on, and checks the requests and points that sync cost.
func checkIncrementalCost(t *testing.T, sim *promsim.Server, src *Source, now *time.Time, checkpoint []byte, wantRequests, wantPoints int) {
	t.Helper()
	sim.Reset()
	*now = now.Add(5 * time.Minute)
	syncOnce(t, src, checkpoint)
	requests, points := sim.Stats()
	if requests != wantRequests || points != wantPoints {
		t.Errorf("incremental sync: %d requests, %d points; want %d and %d", requests, points, wantRequests, wantPoints)
	}
	t.Logf("incremental sync: %d requests, %d points", requests, points)
}

// matrixBody is a range query's answer: one series of n points, a count of 4 each.
func matrixBody(n int, from time.Time, step time.Duration) []byte {
	var sb strings.Builder
	sb.WriteString(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"instance":"a"},"values":[`)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `[%d,"4"]`, from.Add(time.Duration(i+1)*step).Unix())
	}
	sb.WriteString(`]}]}}`)
	return []byte(sb.String())
}

// BenchmarkDecodeMatrix decodes an answer of 11,000 points (the most a range query returns per
// series) through client_golang and the source's reading of it into slice counts.
func BenchmarkDecodeMatrix(b *testing.B) {
	const n = 11000
	s := fuzzSettings(b, "instance")
	body := matrixBody(n, t0, time.Minute)
	c := cannedClient(s, body)
	g := grid{from: t0, to: t0.Add(n * time.Minute), step: time.Minute}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		m, err := c.queryRange(context.Background(), "q", "q", v1.Range{Start: g.from.Add(time.Minute), End: g.to, Step: time.Minute})
		if err != nil {
			b.Fatal(err)
		}
		counts := map[string][]sliceCounts{}
		if _, err := decodeCounts(m, "instance", "", g, counts, func(c *sliceCounts, v float64) { c.count = v }); err != nil {
			b.Fatal(err)
		}
		if len(counts["a"]) != n {
			b.Fatal(len(counts["a"]))
		}
	}
}

// TestCost_MonthPromQL counts the requests and points of the PromQL forms over the same month as
// TestCost_Month: a windowed entry (Sloth's error_query and total_query with {{.window}}), a
// counter expression entry and a classic latency entry, each over a request counter with two raw
// series (code 200 and 500) or a histogram's _count and one _bucket; the figures are in
// docs/performance.md, "prometheus source".
func TestCost_MonthPromQL(t *testing.T) {
	if testing.Short() {
		t.Skip("a month of data")
	}
	from, counter := costMonth()
	series := func(labels ...string) promsim.Series {
		l := map[string]string{}
		for k := 0; k < len(labels); k += 2 {
			l[labels[k]] = labels[k+1]
		}
		return promsim.Series{Labels: l, Samples: scrapes(from, counter...)}
	}
	sim := promsim.New()
	defer sim.Close()
	sim.Series = []promsim.Series{
		series("__name__", "reqs_total", "code", "200"), series("__name__", "reqs_total", "code", "500"),
		series("__name__", "lat_seconds_count"), series("__name__", "lat_seconds_bucket", "le", "0.3"), series("__name__", "lat_seconds_bucket", "le", "1"),
	}
	now := time.Date(2026, 9, 1, 0, 0, 30, 0, time.UTC)
	src := newTestSource(t, sim, "events:\n"+
		"  - {series: window, error_query: 'sum(rate(reqs_total{code=\"500\"}[{{.window}}]))', total_query: 'sum(rate(reqs_total[{{.window}}]))'}\n"+
		"  - {series: counter, good_query: 'reqs_total{code=\"200\"}', total_query: reqs_total}\n"+
		"  - {series: latency, latency: {metric: lat_seconds, le: 0.3}}\n", &now)
	b := syncOnce(t, src, nil)
	requests, points := sim.Stats()
	// 18 chunks (17 of 2,500 slices and one of 2,140), 2 requests per entry: 108.
	// Points: windowed, one per bucket per query: 44,640 × 2 = 89,280. Counter, evaluations from
	// the 5m lookback before a chunk to its last resolution, 20 + 10,000 per whole chunk and
	// 20 + 8,560 in the last = 178,920 per series, for 3 series (total's two, good's one) =
	// 536,760. Latency, raw samples as for selectors: 178,920 each for _count and the _bucket of
	// 0.3 = 357,840. In all 983,880.
	if requests != 108 || points != 983880 {
		t.Errorf("first sync: %d requests, %d points; want 108 and 983,880", requests, points)
	}
	for _, s := range []string{"window", "counter", "latency"} {
		if got := len(eventBucketsOf(b, s)); got != 44640 {
			t.Errorf("%s: %d buckets", s, got)
		}
	}
	t.Logf("first sync: %d requests, %d points", requests, points)

	// The next sync, 5 minutes later: 7 slices, one chunk, 6 requests; points 7 × 2 = 14
	// windowed, (20 + 28) × 3 = 144 counter, (5 + 7) × 4 × 2 = 96 latency: 254.
	checkIncrementalCost(t, sim, src, &now, b.Checkpoint, 6, 254)
}

// histogramBody is an instant answer of one native histogram series: n samples 15s apart, each
// of 20 buckets (schema 3 from 0.05s to about 0.27s), counts growing.
func histogramBody(n int, from time.Time) []byte {
	var sb strings.Builder
	sb.WriteString(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"lat_seconds"},"histograms":[`)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `[%d.5,{"count":"%d","sum":"1","buckets":[`, from.Add(time.Duration(i)*15*time.Second).Unix(), 20*(i+1))
		for k := range 20 {
			if k > 0 {
				sb.WriteByte(',')
			}
			lo, hi := 0.05*math.Exp2(float64(k)/8), 0.05*math.Exp2(float64(k+1)/8)
			fmt.Fprintf(&sb, `[0,"%g","%g","%d"]`, lo, hi, i+1)
		}
		sb.WriteString(`]}]`)
	}
	sb.WriteString(`]}]}}`)
	return []byte(sb.String())
}

// BenchmarkDecodeHistograms decodes a chunk's raw native histogram samples (10,020: a chunk of
// 2,500 1m buckets at 15s scrapes, and the 5m lookback) through client_golang and the source's
// counting of observations at most le.
func BenchmarkDecodeHistograms(b *testing.B) {
	const n = 10020
	s := fuzzSettings(b, "")
	body := histogramBody(n, t0.Add(-5*time.Minute))
	c := cannedClient(s, body)
	g := grid{from: t0, to: t0.Add(2500 * time.Minute), step: time.Minute}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		m, err := c.queryAt(context.Background(), "q", "q", g.to)
		if err != nil {
			b.Fatal(err)
		}
		total, _, _ := sumHistogramIncreases(m, "", "api", g, 5*time.Minute, 0.1)
		if got := total["api"].inc[0]; got != 80 {
			b.Fatal(got)
		}
	}
}
