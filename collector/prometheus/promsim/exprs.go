package promsim

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Histogram is a native histogram sample: its count and its buckets (the sum is not modelled).
type Histogram struct {
	Count   float64
	Buckets []HistogramBucket
}

// HistogramBucket is one bucket (Lower, Upper] of a native histogram, as the API lists it.
type HistogramBucket struct {
	Lower, Upper, Count float64
}

// encode writes h as the API does: {"count", "sum", "buckets": [[boundaries, lower, upper, count]]}.
func (h *Histogram) encode() map[string]any {
	out := map[string]any{"count": formatValue(h.Count), "sum": "0"}
	if len(h.Buckets) > 0 {
		bs := make([][4]any, 0, len(h.Buckets))
		for _, b := range h.Buckets {
			bs = append(bs, [4]any{0, formatValue(b.Lower), formatValue(b.Upper), formatValue(b.Count)})
		}
		out["buckets"] = bs
	}
	return out
}

// expr is a parsed events expression: [sum [by (label)] (] [rate(] SEL [[d])] [)].
type expr struct {
	sum    bool
	by     string
	sel    selector
	rate   bool
	window time.Duration
}

var (
	sumPattern  = regexp.MustCompile(`^sum\s*(?:by\s*\(([a-zA-Z_][a-zA-Z0-9_]*)\)\s*)?\((.*)\)$`)
	ratePattern = regexp.MustCompile(`^rate\((.*)\[(\d+m?s)\]\)$`)
)

// parseExpr reads an events expression; ok is false for a query of another shape (the
// availability subqueries).
func parseExpr(q string) (ex expr, ok bool, err error) {
	q = strings.TrimSpace(q)
	if strings.Contains(q, "_over_time(") {
		return ex, false, nil
	}
	if m := sumPattern.FindStringSubmatch(q); m != nil {
		ex.sum, ex.by, q = true, m[1], strings.TrimSpace(m[2])
	}
	if m := ratePattern.FindStringSubmatch(q); m != nil {
		ex.rate = true
		if ex.window, err = parseDuration(m[2]); err != nil {
			return ex, true, err
		}
		q = m[1]
	}
	ex.sel, err = parseSelector(q)
	return ex, true, err
}

// exprRange evaluates ex at every step of req.
func (s *Server) exprRange(ex expr, req Request, lookback time.Duration) []result {
	groups := map[string]*result{}
	var order []string
	add := func(key string, metric map[string]string, T time.Time, v float64) {
		g := groups[key]
		if g == nil {
			g = &result{Metric: metric}
			groups[key] = g
			order = append(order, key)
		}
		if n := len(g.Values); n > 0 && g.Values[n-1][0] == unix(T) {
			prev, _ := strconv.ParseFloat(g.Values[n-1][1].(string), 64)
			g.Values[n-1][1] = formatValue(prev + v)
			return
		}
		g.Values = append(g.Values, [2]any{unix(T), formatValue(v)})
	}
	for T := req.Start; !T.After(req.End); T = T.Add(req.Step) {
		for _, ser := range s.Series {
			if !ex.sel.matches(ser.Labels) {
				continue
			}
			var v float64
			var ok bool
			if ex.rate {
				v, ok = s.rate(ser, T, ex.window)
			} else {
				v, ok = s.at(ser, T, lookback)
			}
			if !ok {
				continue
			}
			switch {
			case ex.sum && ex.by != "":
				add(ser.Labels[ex.by], map[string]string{ex.by: ser.Labels[ex.by]}, T, v)
			case ex.sum:
				add("", map[string]string{}, T, v)
			default:
				metric := ser.Labels
				key := fmt.Sprint(metric)
				if ex.rate { // rate drops the metric name
					metric = map[string]string{}
					for k, x := range ser.Labels {
						if k != "__name__" {
							metric[k] = x
						}
					}
				}
				add(key, metric, T, v)
			}
		}
	}
	slices.Sort(order)
	out := make([]result, 0, len(order))
	for _, k := range order {
		out = append(out, *groups[k])
	}
	return out
}

// rate is Prometheus' rate() of a counter over the window ending at T (promql/functions.go,
// extrapolatedRate): the increase between the window's first and last samples, resets
// corrected, extrapolated to the window's edges when they are within 1.1 average intervals of a
// sample (else by half an interval), never to before the counter was zero; per second.
func (s *Server) rate(ser Series, T time.Time, window time.Duration) (float64, bool) {
	// The samples from window before T (a binary search: a month of samples is long).
	lo, _ := slices.BinarySearchFunc(ser.Samples, T.Add(-window), func(x Sample, t time.Time) int { return x.T.Compare(t) })
	var in []Sample
	for _, x := range ser.Samples[lo:] {
		if x.T.After(T) {
			break
		}
		if x.H == nil && s.inWindow(x.T, T, window) {
			in = append(in, x)
		}
	}
	if len(in) < 2 {
		return 0, false
	}
	first, last := in[0], in[len(in)-1]
	inc := last.V - first.V
	for k := 1; k < len(in); k++ {
		if in[k].V < in[k-1].V {
			inc += in[k-1].V
		}
	}
	toStart := first.T.Sub(T.Add(-window)).Seconds()
	toEnd := T.Sub(last.T).Seconds()
	sampled := last.T.Sub(first.T).Seconds()
	avg := sampled / float64(len(in)-1)
	if inc > 0 && first.V >= 0 {
		if toZero := sampled * (first.V / inc); toZero < toStart {
			toStart = toZero
		}
	}
	threshold := avg * 1.1
	extrapolated := sampled
	for _, d := range []float64{toStart, toEnd} {
		if d < threshold {
			extrapolated += d
		} else {
			extrapolated += avg / 2
		}
	}
	v := inc * (extrapolated / sampled) / window.Seconds()
	return v, !math.IsNaN(v)
}
