package prometheus

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/prometheus/common/model"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// pointsPerQuery bounds the points a query makes per series: the outer points of a range query
// (at most 11,000 in Prometheus), the inner evaluations of its subquery, and about the raw
// samples of a counter scraped every resolution. 10,000 leaves a margin under 11,000.
const pointsPerQuery = 10000

// promDuration writes d as PromQL reads it: whole seconds, or milliseconds.
func promDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
}

// The availability queries of an expression Q, evaluated by a range query at the end of every
// slice [s, s+step), that is at s+step, which every server and query frontend keeps (they align
// ranges on multiples of step). The subquery [step:resolution] offset 1ms covers
// (s-1ms, s+step-1ms] (Prometheus 3, left-open) or [s-1ms, s+step-1ms] (2.x, closed): both hold
// the evaluations at s, s+resolution, ... s+step-resolution, since subquery evaluations fall on
// multiples of resolution since the epoch. So each slice gets exactly its own step/resolution
// evaluations on every version, never its neighbour's.
//
//   - count: the evaluations that had a value (a series without a value at an evaluation, stale
//     or past the lookback delta, is missing there);
//   - ones: those that were exactly 1;
//   - invalid: those that were neither 0 nor 1 (NaN included: NaN != x holds for every x).
//
// With series_label the counts are summed by that label, otherwise over everything: an
// expression giving two series for one series counts twice the evaluations a slice holds,
// which the slice's check catches.
type availQueries struct{ count, ones, invalid string }

func newAvailQueries(query, label string, step, res time.Duration) availQueries {
	agg := "sum"
	if label != "" {
		agg = "sum by (" + label + ")"
	}
	sub := "[" + promDuration(step) + ":" + promDuration(res) + "] offset 1ms"
	q := "(" + query + ")"
	return availQueries{
		count:   agg + " (count_over_time(" + q + sub + "))",
		ones:    agg + " (sum_over_time((" + q + " == bool 1)" + sub + "))",
		invalid: agg + " (count_over_time(((" + q + " != 0) != 1)" + sub + "))",
	}
}

// sliceCounts are one series' evaluations in one slice.
type sliceCounts struct {
	count, ones, invalid float64
}

// grid is the chunk of slices a sync reads at once: [from, to), step long each.
type grid struct {
	from, to time.Time
	step     time.Duration
}

func (g grid) slices() int { return int(g.to.Sub(g.from) / g.step) }

// slice returns the index of the slice a range query's point at t (the slice's end) stands for,
// or false when t is not the end of a slice of the grid: a server or a frontend moved the
// evaluation instants.
func (g grid) slice(t time.Time) (int, bool) {
	d := t.Sub(g.from) - g.step
	if d < 0 || d%g.step != 0 || !t.After(g.from) || t.After(g.to) {
		return 0, false
	}
	return int(d / g.step), true
}

// decodeCounts adds one query's answer to counts (per series name, per slice), reading each
// point's value into the field set picks. Series without the fan-out label are returned apart.
func decodeCounts(m model.Matrix, label string, fixed string, g grid, counts map[string][]sliceCounts, set func(*sliceCounts, float64)) (unlabelled int, err error) {
	for _, ss := range m {
		name, ok := groupName(ss.Metric, label, fixed)
		if !ok {
			unlabelled++
			continue
		}
		if len(ss.Histograms) > 0 {
			return unlabelled, fmt.Errorf("series %s: the answer holds native histogram points: the expression must give numbers", name)
		}
		c := counts[name]
		if c == nil {
			c = make([]sliceCounts, g.slices())
			for i := range c {
				c[i] = sliceCounts{count: -1} // no point: no evaluation had a value
			}
			counts[name] = c
		}
		for _, p := range ss.Values {
			i, ok := g.slice(p.Timestamp.Time())
			if !ok {
				return unlabelled, fmt.Errorf("series %s: a point at %s, which is not the end of a slice of %s from %s: the server (or a query frontend before it) moved the evaluation instants of the range query",
					name, p.Timestamp.Time().UTC().Format(time.RFC3339Nano), model.Duration(g.step), g.from.UTC().Format(time.RFC3339))
			}
			set(&c[i], float64(p.Value))
		}
	}
	return unlabelled, nil
}

// sliceVerdict is what a slice's evaluations say: how many were up and down, or why the slice
// is rejected.
type sliceVerdict struct {
	up, down int // evaluations; the rest of the slice's are missing
	seen     bool
	reject   string
}

// judge reads one slice's counts; expected is step/resolution.
func judge(c sliceCounts, expected int) sliceVerdict {
	if c.count < 0 {
		if c.ones > 0 || c.invalid > 0 {
			return sliceVerdict{reject: fmt.Sprintf("no evaluation counted, yet %s of them 1 and %s neither 0 nor 1", fmtCount(c.ones), fmtCount(c.invalid))}
		}
		return sliceVerdict{} // no point at all: missing
	}
	whole := func(x float64) bool { return x >= 0 && x == math.Trunc(x) && !math.IsInf(x, 0) }
	switch {
	case c.invalid > 0:
		return sliceVerdict{reject: fmt.Sprintf("%s of %s evaluations are neither 0 nor 1 (NaN, 2, -1 ...)", fmtCount(c.invalid), fmtCount(c.count))}
	case !whole(c.count) || !whole(c.ones) || c.ones > c.count:
		return sliceVerdict{reject: fmt.Sprintf("the counts do not add up: %s evaluations, %s of them 1", fmtCount(c.count), fmtCount(c.ones))}
	case c.count > float64(expected):
		return sliceVerdict{reject: fmt.Sprintf("%s evaluations where the slice holds %d: the expression gives more than one series for the series at once (aggregate it, e.g. min by (instance) (...))", fmtCount(c.count), expected)}
	}
	return sliceVerdict{up: int(c.ones), down: int(c.count - c.ones), seen: true}
}

func fmtCount(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// samples appends the samples of one slice starting at s. The slice's evaluations are laid out
// up first, then down, then missing: the order inside a slice is not known, and an objective
// whose slice is a multiple of step does not depend on it. Compact, a slice is one to three
// samples; dense, it is one sample per evaluation, so that whatever a previous sync wrote inside
// the slice (always at an evaluation instant) is overwritten: slices read again in the overlap
// are written dense.
func appendSlice(out []availability.Sample, s time.Time, v sliceVerdict, res time.Duration, expected int, dense bool) []availability.Sample {
	stateAt := func(k int) availability.State {
		switch {
		case k < v.up:
			return availability.Up
		case k < v.up+v.down:
			return availability.Down
		}
		return availability.Unknown
	}
	if dense {
		for k := range expected {
			out = appendSample(out, availability.Sample{At: s.Add(time.Duration(k) * res), State: stateAt(k)}, false)
		}
		return out
	}
	for _, k := range []int{0, v.up, v.up + v.down} {
		if k < expected && (k == 0 || stateAt(k) != stateAt(k-1)) {
			out = appendSample(out, availability.Sample{At: s.Add(time.Duration(k) * res), State: stateAt(k)}, true)
		}
	}
	return out
}

// appendSample appends x, replacing a last sample at the same instant. With collapse, an Unknown
// after an Unknown is left out: missing time needs no repeating (it stays missing past any
// sample age), unlike up or down.
func appendSample(out []availability.Sample, x availability.Sample, collapse bool) []availability.Sample {
	if n := len(out); n > 0 {
		switch {
		case out[n-1].At.Equal(x.At):
			out[n-1] = x
			return out
		case collapse && x.State == availability.Unknown && out[n-1].State == availability.Unknown:
			return out
		}
	}
	return append(out, x)
}

// availChunk is what one chunk of an availability entry gave.
type availChunk struct {
	samples  map[string][]availability.Sample
	rejected []collector.Rejection
}

// sliceSamples turns the counts of a chunk into samples and rejections; slices starting before
// denseTo are written dense.
func sliceSamples(e availEntry, g grid, counts map[string][]sliceCounts, res time.Duration, denseTo time.Time) availChunk {
	expected := int(g.step / res)
	out := availChunk{samples: map[string][]availability.Sample{}}
	for name, cs := range counts {
		var ss []availability.Sample
		for i, c := range cs {
			s := g.from.Add(time.Duration(i) * g.step)
			v := judge(c, expected)
			if v.reject != "" {
				out.rejected = append(out.rejected, collector.Rejection{
					Where:   fmt.Sprintf("series %s slice %s", name, s.UTC().Format(time.RFC3339)),
					Reason:  v.reject,
					Rule:    "availability evaluations must be one value, 0 or 1, per series",
					Setting: fmt.Sprintf("prometheus.availability[%d].query", e.index),
				})
				v = sliceVerdict{}
			}
			ss = appendSlice(ss, s, v, res, expected, s.Before(denseTo))
		}
		out.samples[name] = ss
	}
	return out
}
