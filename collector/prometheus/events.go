package prometheus

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/prometheus/common/model"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/events"
)

// defaultEventLookback is how far apart two raw samples of a counter may be for the increase
// between them to count, when lookback_delta is unset: Prometheus' default lookback delta, past
// which a series reads as gone.
const defaultEventLookback = 5 * time.Minute

// eventLookback is the gap between two raw samples of a counter past which the later one starts
// the series anew (its increase is not known): lookback_delta, else 5m, and never less than two
// resolutions (a counter scraped every resolution loses one scrape without losing its increase).
func (s *settings) eventLookback() time.Duration {
	l := defaultEventLookback
	if s.lookback > 0 {
		l = s.lookback
	}
	return max(l, 2*s.res)
}

// rawQuery is the instant query that returns the raw samples of selector in [from, to): a range
// selector evaluated at to-1ms, reaching back to from-1ms. Prometheus 2.x includes a sample at
// exactly from-1ms and 3.x does not: the caller drops samples before from, so both give the same.
func rawQuery(selector string, from, to time.Time) (query string, at time.Time) {
	return selector + "[" + promDuration(to.Sub(from)) + "]", to.Add(-time.Millisecond)
}

// bucketSums are one group's counter increases per bucket of a chunk.
type bucketSums struct {
	inc  []float64
	seen []bool   // the group had a sample in the bucket
	bad  []string // why the bucket cannot be counted, or ""
}

func newBucketSums(n int) *bucketSums {
	return &bucketSums{inc: make([]float64, n), seen: make([]bool, n), bad: make([]string, n)}
}

// groupSums returns the sums in groups of the group a series adds to (groupName), made for g's
// buckets on first use; ok is false for a series without the label.
func groupSums(groups map[string]*bucketSums, metric model.Metric, label, fixed string, g grid) (b *bucketSums, ok bool) {
	name, ok := groupName(metric, label, fixed)
	if !ok {
		return nil, false
	}
	b = groups[name]
	if b == nil {
		b = newBucketSums(g.slices())
		groups[name] = b
	}
	return b, true
}

// groupName is the group a series of an answer adds to: the value of its label label, or fixed
// when label is empty. ok is false for a series without the label, which the callers count
// apart as unlabelled.
func groupName(metric model.Metric, label, fixed string) (name string, ok bool) {
	if label == "" {
		return fixed, true
	}
	name = string(metric[model.LabelName(label)])
	return name, name != ""
}

// sumIncreases adds up the increases of the raw counter series of m by group (the value of
// label, or fixed), per bucket of g. The increase between two consecutive samples at most
// lookback apart is the difference of their values, or the later value when it is smaller (the
// counter was reset: it counted that much since); it belongs to the bucket holding the later
// sample, so that a bucket read again, with the samples from lookback before it, gets the same
// count. A series' first sample, and one after a longer gap, gives no increase: what happened
// before it is not known. Samples outside [from, g.to) are dropped, where from is lookback
// before g.from. unlabelled counts the series without the label.
func sumIncreases(m model.Matrix, label, fixed string, g grid, lookback time.Duration) (groups map[string]*bucketSums, unlabelled int) {
	groups = map[string]*bucketSums{}
	from := g.from.Add(-lookback)
	for _, ss := range m {
		b, ok := groupSums(groups, ss.Metric, label, fixed, g)
		if !ok {
			unlabelled++
			continue
		}
		for _, h := range ss.Histograms {
			if i, ok := bucketOf(g, h.Timestamp.Time()); ok {
				b.bad[i] = fmt.Sprintf("series %s has native histogram samples: the source counts float counters", ss.Metric)
			}
		}
		var prev *model.SamplePair
		for k := range ss.Values {
			p := &ss.Values[k]
			t := p.Timestamp.Time()
			if t.Before(from) || !t.Before(g.to) {
				continue
			}
			v := float64(p.Value)
			i, inChunk := bucketOf(g, t)
			if inChunk {
				b.seen[i] = true
			}
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				if inChunk {
					b.bad[i] = fmt.Sprintf("series %s has the value %v at %s, which no counter has", ss.Metric, v, t.UTC().Format(time.RFC3339Nano))
				}
				prev = nil // the next sample has no usable predecessor
				continue
			}
			if prev != nil && inChunk && t.Sub(prev.Timestamp.Time()) <= lookback {
				inc := v - float64(prev.Value)
				if v < float64(prev.Value) {
					inc = v // a reset
				}
				b.inc[i] += inc
			}
			prev = p
		}
	}
	return groups, unlabelled
}

// bucketOf returns the index of the bucket of g holding t.
func bucketOf(g grid, t time.Time) (int, bool) {
	if t.Before(g.from) || !t.Before(g.to) {
		return 0, false
	}
	return int(t.Sub(g.from) / g.step), true
}

// eventChunk is what one chunk of an events entry gave.
type eventChunk struct {
	buckets  map[string][]events.Bucket
	rejected []collector.Rejection
}

// rule is the rule a rejected bucket of e broke.
func (e eventEntry) rule() string {
	switch e.form {
	case formWindowed, formCounter:
		return "event expressions must give numbers no count of events contradicts, " + e.otherKey + " within total_query"
	case formLatency:
		return "a latency histogram must have sound counts, and a classic one a bucket at le"
	}
	return "event counters must be float counters, " + e.otherKey + " within total"
}

// eventBuckets pairs the totals of a chunk with the good (or bad) counts into buckets. A bucket
// is written where the group's total counter had a sample (a zero bucket says "observed, no
// event"); a bucket whose counts cannot be right is rejected instead.
func eventBuckets(e eventEntry, g grid, total, other map[string]*bucketSums) eventChunk {
	out := eventChunk{buckets: map[string][]events.Bucket{}}
	otherKey := e.otherKey
	names := make([]string, 0, len(total)+len(other))
	for n := range total {
		names = append(names, n)
	}
	for n := range other {
		if total[n] == nil {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	empty := newBucketSums(g.slices())
	for _, name := range names {
		t, o := total[name], other[name]
		if t == nil {
			t = empty
		}
		if o == nil {
			o = empty
		}
		var bs []events.Bucket
		for i := range g.slices() {
			start := g.from.Add(time.Duration(i) * g.step)
			reject := func(setting, reason string) {
				out.rejected = append(out.rejected, collector.Rejection{
					Where:   fmt.Sprintf("series %s bucket %s", name, start.UTC().Format(time.RFC3339)),
					Reason:  reason,
					Rule:    e.rule(),
					Setting: fmt.Sprintf("prometheus.events[%d].%s", e.index, setting),
				})
			}
			switch {
			case t.bad[i] != "":
				reject(e.totalKey, t.bad[i])
				continue
			case o.bad[i] != "":
				reject(otherKey, o.bad[i])
				continue
			case e.constantTotal && !o.seen[i]:
				// Sloth's raw ratio gives no point where it is 0/0 or its series are missing:
				// no data, not a good bucket the constant total would make of it.
				continue
			case !t.seen[i]:
				if o.inc[i] > 0 {
					reject(e.totalKey, fmt.Sprintf("%s counted %s events but total has no sample", otherKey, fmtCount(o.inc[i])))
				}
				continue
			}
			if math.IsInf(t.inc[i], 0) || math.IsInf(o.inc[i], 0) {
				reject(e.totalKey, "the increases add up past the largest number")
				continue
			}
			good := o.inc[i]
			if e.goodIsBad {
				good = t.inc[i] - o.inc[i]
			}
			if good < 0 || good > t.inc[i] {
				reject(otherKey, fmt.Sprintf("%s counted %s events, more than the %s of total", otherKey, fmtCount(o.inc[i]), fmtCount(t.inc[i])))
				continue
			}
			bs = append(bs, events.Bucket{Start: start, Good: good, Total: t.inc[i]})
		}
		if len(bs) > 0 {
			out.buckets[name] = bs
		}
	}
	return out
}
