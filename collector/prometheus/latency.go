package prometheus

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"
)

// A latency entry counts, per bucket, the observations of a histogram at most le as good and all
// of them as total, from the raw samples (never histogram_quantile or rate):
//
//   - classic: the increases of Metric_bucket{le} (good) and Metric_count (total), exactly as
//     good and total selectors are counted; le must be one of the histogram's bounds, and a bucket
//     whose total counted events while no _bucket series has that le is rejected;
//   - native: the increases between consecutive histogram samples of Metric, of its count
//     (total) and of the observations at most le (good): whole buckets below le, and of the bucket
//     le falls inside the share (le-lower)/(upper-lower), linear interpolation as
//     histogram_fraction does, so approximate unless le is a bucket boundary. A drop of the
//     count, of the observations at most le or of those above it is a reset (the increase is then
//     the later sample's).
//
// A group (series, or value of series_label) with both (Prometheus scraping a histogram as both,
// scrape_classic_histograms) is counted from the classic series when one has that le, else from
// the native ones.

// latencySpec is a checked latency entry.
type latencySpec struct {
	name     string // the histogram's base name
	matchers string // inside the braces, or ""
	le       float64
}

// reservedMatcher finds a matcher of __name__ or le, which the source sets itself.
var reservedMatcher = regexp.MustCompile(`(?:^|[,{\s])(?:__name__|le)\s*(?:=|!=|=~|!~)`)

var latencyMetricPattern = regexp.MustCompile(`^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?\s*$`)

func compileLatency(node *yaml.Node, i int, lc LatencyConfig, e *eventEntry) error {
	m := latencyMetricPattern.FindStringSubmatch(lc.Metric)
	path := []any{"events", i, "latency"}
	switch {
	case strings.TrimSpace(lc.Metric) == "":
		return fail(node, append(path, "metric"), "is required: the histogram's name, with optional {matchers}")
	case m == nil:
		return fail(node, append(path, "metric"), "%q is not a histogram's name with optional {matchers}", lc.Metric)
	case strings.HasSuffix(m[1], "_bucket") || strings.HasSuffix(m[1], "_count") || strings.HasSuffix(m[1], "_sum"):
		return fail(node, append(path, "metric"), "%q: give the histogram's base name, without _bucket, _count or _sum", m[1])
	case reservedMatcher.MatchString(m[2]):
		return fail(node, append(path, "metric"), "%q: the matchers must not name __name__ or le (le is the threshold)", lc.Metric)
	case lc.Le == nil:
		return fail(node, append(path, "le"), "is required: the threshold, in the histogram's unit (0.3 for 300ms in seconds)")
	case math.IsNaN(*lc.Le) || math.IsInf(*lc.Le, 0):
		return fail(node, append(path, "le"), "%v is not a finite threshold", *lc.Le)
	}
	e.form = formLatency
	e.latency = latencySpec{name: m[1], matchers: strings.TrimSpace(m[2]), le: *lc.Le}
	e.totalKey, e.otherKey = "latency.metric", "latency.le"
	return nil
}

// selector writes a selector of the histogram's series: the matcher extra, then the entry's.
func (l latencySpec) selector(extra string) string {
	parts := []string{extra}
	if l.matchers != "" {
		parts = append(parts, strings.TrimSuffix(l.matchers, ","))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// totalSelector reads the native series and the classic _count at once.
func (l latencySpec) totalSelector() string {
	return l.selector(`__name__=~` + strconv.Quote(regexp.QuoteMeta(l.name)+"(?:_count)?"))
}

// goodSelector reads the classic _bucket series of le, in every spelling of the number a
// client library or Prometheus writes (0.3; 1, 1.0 (Prometheus 3 normalises integers so); 1e+06).
func (l latencySpec) goodSelector() string {
	return l.selector(`__name__=` + strconv.Quote(l.name+"_bucket") + `, le=~` + strconv.Quote(leAlternatives(l.le)))
}

func leAlternatives(le float64) string {
	forms := []string{strconv.FormatFloat(le, 'f', -1, 64), strconv.FormatFloat(le, 'g', -1, 64), strconv.FormatFloat(le, 'e', -1, 64)}
	if le == math.Trunc(le) && math.Abs(le) < 1e21 {
		forms = append(forms, strconv.FormatFloat(le, 'f', 1, 64))
	}
	slices.Sort(forms)
	forms = slices.Compact(forms)
	for k, f := range forms {
		forms[k] = regexp.QuoteMeta(f)
	}
	return strings.Join(forms, "|")
}

// readLatency reads a chunk of a latency entry: the native series and classic counts in one
// query, the classic buckets of le in another.
func (src *Source) readLatency(ctx context.Context, name string, e eventEntry, g grid, lookback time.Duration) (total, good map[string]*bucketSums, unlabelled int, err error) {
	read := func(key, selector string) (model.Matrix, error) {
		query, at := rawQuery(selector, g.from.Add(-lookback), g.to)
		return src.client.queryAt(ctx, fmt.Sprintf("%s %s samples over %s", name, key, g), query, at)
	}
	all, err := read("total", e.latency.totalSelector())
	if err != nil {
		return nil, nil, 0, err
	}
	buckets, err := read("le", e.latency.goodSelector())
	if err != nil {
		return nil, nil, 0, err
	}
	var classic, native model.Matrix
	for _, ss := range all {
		if len(ss.Histograms) > 0 {
			native = append(native, ss)
		}
		if len(ss.Values) > 0 {
			classic = append(classic, ss)
		}
	}
	classicTotal, unlabelled := sumIncreases(classic, e.label, e.series, g, lookback)
	classicGood, _ := sumIncreases(buckets, e.label, e.series, g, lookback)
	nativeTotal, nativeGood, n := sumHistogramIncreases(native, e.label, e.series, g, lookback, e.latency.le)
	unlabelled += n
	total, good = map[string]*bucketSums{}, map[string]*bucketSums{}
	for group, t := range classicTotal {
		if gd := classicGood[group]; gd != nil || nativeTotal[group] == nil {
			if gd == nil {
				// No _bucket series with this le: each bucket where the count moved is refused.
				gd = newBucketSums(g.slices())
				for i := range t.seen {
					if t.seen[i] {
						gd.bad[i] = fmt.Sprintf("le %s is not a bucket bound of %s: no %s_bucket series has it (a classic histogram counts only at its bounds; use one of them, or a native histogram)",
							strconv.FormatFloat(e.latency.le, 'g', -1, 64), e.latency.name, e.latency.name)
					}
				}
			}
			total[group], good[group] = t, gd
		}
	}
	for group, t := range nativeTotal {
		if total[group] == nil {
			total[group], good[group] = t, nativeGood[group]
		}
	}
	return total, good, unlabelled, nil
}

// sumHistogramIncreases is sumIncreases for native histogram samples: per group and bucket, the
// increases of the count (total) and of the observations at most le (good).
func sumHistogramIncreases(m model.Matrix, label, fixed string, g grid, lookback time.Duration, le float64) (total, good map[string]*bucketSums, unlabelled int) {
	total, good = map[string]*bucketSums{}, map[string]*bucketSums{}
	from := g.from.Add(-lookback)
	for _, ss := range m {
		name, ok := groupName(ss.Metric, label, fixed)
		if !ok {
			unlabelled++
			continue
		}
		t, gd := total[name], good[name]
		if t == nil {
			t, gd = newBucketSums(g.slices()), newBucketSums(g.slices())
			total[name], good[name] = t, gd
		}
		var prevCount, prevBelow float64
		var prevAt time.Time
		havePrev := false
		for _, h := range ss.Histograms {
			at := h.Timestamp.Time()
			if at.Before(from) || !at.Before(g.to) {
				continue
			}
			i, inChunk := bucketOf(g, at)
			if inChunk {
				t.seen[i], gd.seen[i] = true, true
			}
			count, below, ok := cumulative(h.Histogram, le)
			if !ok {
				if inChunk {
					t.bad[i] = fmt.Sprintf("series %s has a histogram at %s whose counts no histogram has (NaN, negative, buckets past the count)", ss.Metric, at.UTC().Format(time.RFC3339Nano))
				}
				havePrev = false
				continue
			}
			if havePrev && inChunk && at.Sub(prevAt) <= lookback {
				dc, db, da := count-prevCount, below-prevBelow, (count-below)-(prevCount-prevBelow)
				// The interpolated share is a float sum: a difference that is zero in truth may
				// come out a hair below it, which is no reset.
				eps := 1e-9 * max(1, count)
				if dc < 0 || db < -eps || da < -eps {
					dc, db = count, below // a reset
				}
				db = min(max(db, 0), dc)
				t.inc[i] += dc
				gd.inc[i] += db
			}
			prevCount, prevBelow, prevAt, havePrev = count, below, at, true
		}
	}
	return total, good, unlabelled
}

// cumulative returns a native histogram's count and its observations at most le, interpolating
// linearly inside the bucket le falls in; ok is false for counts no histogram has.
func cumulative(h *model.SampleHistogram, le float64) (count, below float64, ok bool) {
	if h == nil {
		return 0, 0, false
	}
	count = float64(h.Count)
	if math.IsNaN(count) || math.IsInf(count, 0) || count < 0 {
		return 0, 0, false
	}
	for _, b := range h.Buckets {
		if b == nil {
			return 0, 0, false
		}
		c, lo, hi := float64(b.Count), float64(b.Lower), float64(b.Upper)
		if math.IsNaN(c) || math.IsInf(c, 0) || c < 0 || math.IsNaN(lo) || math.IsNaN(hi) || lo > hi {
			return 0, 0, false
		}
		switch {
		case hi <= le:
			below += c
		case lo < le:
			if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
				continue // nothing to interpolate in: counted above le
			}
			below += c * (le - lo) / (hi - lo)
		}
	}
	// Float counts may add up a hair past the count; more than that is a broken histogram.
	if below > count*(1+1e-9)+1e-9 {
		return 0, 0, false
	}
	return count, min(below, count), true
}
