package prometheus

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"
)

// eventForm is how an events entry gets its counts.
type eventForm int

const (
	// formSelectors: good|bad and total, series selectors of counters whose raw samples are
	// counted (events.go).
	formSelectors eventForm = iota
	// formWindowed: error_query|good_query and total_query with {{.window}}, rates over the
	// window; each bucket counts value × step.
	formWindowed
	// formCounter: the same keys without {{.window}}, counter-valued expressions evaluated at
	// every resolution, whose increases are counted as those of raw samples.
	formCounter
	// formLatency: a histogram's observations at most le (latency.go).
	formLatency
)

// windowPattern is Sloth's placeholder, which its templates write {{.window}} (spaces allowed).
var windowPattern = regexp.MustCompile(`\{\{\s*\.window\s*\}\}`)

// constantPattern is a constant vector, vector(1) in Sloth's raw SLIs as the importer writes them.
var constantPattern = regexp.MustCompile(`^vector\(\s*[0-9]+(\.[0-9]+)?\s*\)$`)

// maxCounterLookback bounds, in resolutions, how far before a chunk a counter expression is read
// (the lookback), so that its range query stays under the server's 11,000 points per series: a
// chunk is 10,000 resolutions.
const maxCounterLookback = 500

// compileEvents checks the keys of events entry i (one of its three forms) into e.
func compileEvents(node *yaml.Node, i int, ev EventsConfig, e *eventEntry, s *settings) error {
	sel := ev.Good != "" || ev.Bad != "" || ev.Total != ""
	qs := ev.ErrorQuery != "" || ev.GoodQuery != "" || ev.TotalQuery != ""
	lat := ev.Latency != nil
	switch n := btoi(sel) + btoi(qs) + btoi(lat); {
	case n == 0:
		return fail(node, []any{"events", i}, "needs good|bad and total (counter selectors), error_query|good_query and total_query (PromQL), or latency (a histogram)")
	case n > 1:
		return fail(node, []any{"events", i}, "mixes the forms of an entry: good|bad and total (counter selectors), error_query|good_query and total_query (PromQL), or latency (a histogram), one of them")
	case lat:
		return compileLatency(node, i, *ev.Latency, e)
	case qs:
		return compileQueries(node, i, ev, e, s)
	}
	e.good, e.bad, e.total = strings.TrimSpace(ev.Good), strings.TrimSpace(ev.Bad), strings.TrimSpace(ev.Total)
	switch {
	case e.total == "":
		return fail(node, []any{"events", i, "total"}, "is required: the counter of all events")
	case (e.good == "") == (e.bad == ""):
		return fail(node, []any{"events", i}, "needs good or bad (one of them) beside total")
	}
	e.form = formSelectors
	e.goodIsBad = e.bad != ""
	e.goodSel = cmp.Or(e.good, e.bad)
	e.totalKey, e.otherKey = "total", "good"
	if e.goodIsBad {
		e.otherKey = "bad"
	}
	for _, k := range []struct{ key, sel string }{{"total", e.total}, {"good", e.good}, {"bad", e.bad}} {
		if k.sel != "" && !selectorPattern.MatchString(k.sel) {
			return fail(node, []any{"events", i, k.key}, "%q is not a series selector (a counter's name with optional {matchers}): the source reads the raw samples of the counters and counts their increases itself", k.sel)
		}
	}
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// compileQueries checks error_query|good_query and total_query. Both have {{.window}} or neither:
// a rate and a counter cannot be compared. A constant total (vector(1)) beside a windowed query is
// a rate too: it is how Sloth's raw SLIs (an error ratio) and OpenSLO's ratio-less ones are
// written, each bucket then counting the ratio × step seconds, so that the period's ratio is the
// ratio's time average, as Sloth's own period SLI.
func compileQueries(node *yaml.Node, i int, ev EventsConfig, e *eventEntry, s *settings) error {
	total, errQ, goodQ := strings.TrimSpace(ev.TotalQuery), strings.TrimSpace(ev.ErrorQuery), strings.TrimSpace(ev.GoodQuery)
	switch {
	case total == "":
		return fail(node, []any{"events", i, "total_query"}, "is required: the expression of all events")
	case (errQ == "") == (goodQ == ""):
		return fail(node, []any{"events", i}, "needs error_query or good_query (one of them) beside total_query")
	}
	e.goodIsBad = errQ != ""
	e.totalKey, e.otherKey = "total_query", "good_query"
	other := goodQ
	if e.goodIsBad {
		e.otherKey, other = "error_query", errQ
	}
	tw, ow := windowPattern.MatchString(total), windowPattern.MatchString(other)
	if ow && constantPattern.MatchString(total) {
		tw, e.constantTotal = true, true
	}
	if tw != ow {
		return fail(node, []any{"events", i}, "%s and total_query must both use {{.window}} (rates over the window) or neither (counter values)", e.otherKey)
	}
	window := promDuration(s.step)
	for _, q := range []struct {
		key  string
		expr *string
	}{{"total_query", &total}, {e.otherKey, &other}} {
		x, err := substituteWindow(*q.expr, window)
		if err != nil {
			return fail(node, []any{"events", i, q.key}, "%v", err)
		}
		*q.expr = x
	}
	e.form = formCounter
	if tw {
		e.form = formWindowed
		if s.step < 2*s.res {
			return fail(node, []any{"events", i}, "{{.window}} becomes step %s, shorter than two resolutions (%s): a rate needs two samples in the window; raise step", model.Duration(s.step), model.Duration(2*s.res))
		}
	}
	e.total, e.goodSel = total, other
	if e.goodIsBad {
		e.bad = other
	} else {
		e.good = other
	}
	return nil
}

// substituteWindow replaces Sloth's {{.window}} in q by window. Sloth's templates know no other
// key, so any other {{ ... }} is an error, as in Sloth.
func substituteWindow(q, window string) (string, error) {
	out := windowPattern.ReplaceAllString(q, window)
	if k := strings.Index(out, "{{"); k >= 0 {
		rest := out[k:]
		if end := strings.Index(rest, "}}"); end >= 0 {
			rest = rest[:end+2]
		}
		return "", fmt.Errorf("%q: only {{.window}} is substituted (Sloth's one template key)", rest)
	}
	return out, nil
}

// readWindowed runs a windowed query over the chunk: a range query at the end of every bucket,
// {{.window}} being step, so that each point is the rate over its bucket; the bucket counts the
// rate × step seconds.
func (src *Source) readWindowed(ctx context.Context, what, query string, e eventEntry, g grid) (map[string]*bucketSums, int, error) {
	m, err := src.client.queryRange(ctx, what, query, v1.Range{Start: g.from.Add(g.step), End: g.to, Step: g.step})
	if err != nil {
		return nil, 0, err
	}
	groups, unlabelled, err := sumRates(m, e.label, e.series, g)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", what, err)
	}
	return groups, unlabelled, nil
}

// sumRates adds up, per group and bucket, the per-second rates of m's points times the step in
// seconds. A point stands for the bucket it ends; a point elsewhere fails the chunk, as for the
// availability queries.
func sumRates(m model.Matrix, label, fixed string, g grid) (groups map[string]*bucketSums, unlabelled int, err error) {
	groups = map[string]*bucketSums{}
	secs := g.step.Seconds()
	for _, ss := range m {
		b, ok := groupSums(groups, ss.Metric, label, fixed, g)
		if !ok {
			unlabelled++
			continue
		}
		for _, h := range ss.Histograms {
			if i, ok := g.slice(h.Timestamp.Time()); ok {
				b.bad[i] = fmt.Sprintf("series %s gives native histograms: the expression must give numbers (rates)", ss.Metric)
			}
		}
		for _, p := range ss.Values {
			i, ok := g.slice(p.Timestamp.Time())
			if !ok {
				return nil, 0, fmt.Errorf("series %s: a point at %s, which is not the end of a slice of %s from %s: the server (or a query frontend before it) moved the evaluation instants of the range query",
					ss.Metric, p.Timestamp.Time().UTC().Format(time.RFC3339Nano), model.Duration(g.step), g.from.UTC().Format(time.RFC3339))
			}
			v := float64(p.Value)
			b.seen[i] = true
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				b.bad[i] = fmt.Sprintf("series %s has the rate %v, which no count of events has", ss.Metric, v)
				continue
			}
			b.inc[i] += v * secs
		}
	}
	return groups, unlabelled, nil
}

// counterLookback is how far before a chunk a counter expression is read, and the gap between
// two of its points past which the later starts anew: the events' lookback, at most
// maxCounterLookback resolutions.
func (s *settings) counterLookback() time.Duration {
	return min(s.eventLookback(), maxCounterLookback*s.res)
}

// readCounter evaluates a counter-valued expression at every resolution over the chunk and the
// lookback before it, and counts the increases between consecutive points as those of raw
// samples (sumIncreases): each in the bucket of the later point, a drop being a reset.
func (src *Source) readCounter(ctx context.Context, what, query string, e eventEntry, g grid) (map[string]*bucketSums, int, error) {
	s := src.s
	lookback := s.counterLookback()
	first := g.from.Add(-lookback)
	res := s.res.Milliseconds()
	if ms := first.UnixMilli(); ms%res != 0 {
		first = time.UnixMilli(ms - ((ms%res)+res)%res).UTC()
	}
	m, err := src.client.queryRange(ctx, what, query, v1.Range{Start: first, End: g.to.Add(-s.res), Step: s.res})
	if err != nil {
		return nil, 0, err
	}
	groups, unlabelled := sumIncreases(m, e.label, e.series, g, lookback)
	return groups, unlabelled, nil
}
