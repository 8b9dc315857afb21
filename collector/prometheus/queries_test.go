package prometheus

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/prometheus/promsim"
	"github.com/sla-exporter/sla_exporter/slo/events"
)

// approx compares counts that went through rates (float products), to 1e-9.
var approx = cmpopts.EquateApprox(0, 1e-9)

// TestEvents_Windowed_HandChecked: Sloth-style queries with {{.window}}. reqs_total rises 10
// per scrape (every 15s from t0+0.5s); errs_total is 100 for scrapes 0-3, 102, 104, 106, 108
// for 4-7, then 108. Each bucket's point is rate over (s, s+60s] × 60s: four samples 45s apart,
// extrapolated by 0.5s to the start and 14.5s to the end (both under 1.1 × 15s), so the increase
// in the window × 60/45:
//
//	bucket 0: reqs 30 × 60/45 = 40; errs 0                → good 40, total 40
//	bucket 1: reqs 40;              errs 6 × 60/45 = 8    → good 32, total 40
//	bucket 2: reqs 40;              errs 0 (108 flat)     → good 40, total 40
//
// The true errors of bucket 1 are 8 too (102-100 between the buckets' samples and 6 inside):
// the extrapolation is exact for a steady rate, not in general.
func TestEvents_Windowed_HandChecked(t *testing.T) {
	reqs := make([]float64, 16)
	errs := make([]float64, 16)
	for k := range reqs {
		reqs[k] = float64(1000 + 10*k)
		switch {
		case k < 4:
			errs[k] = 100
		case k < 8:
			errs[k] = float64(100 + 2*(k-3))
		default:
			errs[k] = 108
		}
	}
	want := []events.Bucket{
		{Start: at(0), Good: 40, Total: 40},
		{Start: at(time.Minute), Good: 32, Total: 40},
		{Start: at(2 * time.Minute), Good: 40, Total: 40},
	}
	for _, v2 := range []bool{false, true} {
		sim := promsim.New()
		defer sim.Close()
		sim.V2 = v2
		sim.Series = []promsim.Series{
			{Labels: map[string]string{"__name__": "reqs_total", "instance": "a"}, Samples: scrapes(t0, reqs...)},
			{Labels: map[string]string{"__name__": "errs_total", "instance": "a"}, Samples: scrapes(t0, errs...)},
		}
		now := at(3*time.Minute + 20*time.Second)
		src := newTestSource(t, sim, "backfill: 3m\nevents:\n  - series: api\n    error_query: sum(rate(errs_total[{{.window}}]))\n    total_query: 'sum(rate(reqs_total[{{ .window }}]))'\n", &now)
		b := syncOnce(t, src, nil)
		if diff := cmp.Diff(want, eventBucketsOf(b, "api"), approx); diff != "" {
			t.Errorf("2.x=%v buckets (-want +got):\n%s", v2, diff)
		}
		// Two range queries, one point per bucket at its end, {{.window}} = step.
		if len(sim.Requests) != 2 {
			t.Fatalf("%d requests", len(sim.Requests))
		}
		r := sim.Requests[0]
		if r.Query != "sum(rate(reqs_total[60s]))" || !r.Start.Equal(at(time.Minute)) || !r.End.Equal(at(3*time.Minute)) || r.Step != time.Minute {
			t.Errorf("total request %+v", r)
		}
	}
}

// TestEvents_Counter_HandChecked: queries without {{.window}} are counters evaluated every
// resolution (15s, on multiples of 15s) whose increases are counted per bucket. An evaluation
// sees the latest scrape (at +0.5s), so bucket b's evaluations at +0, +15, +30, +45s see scrapes
// 4b-1 .. 4b+2 of requestSeries (events_test.go):
//
//	0: scrapes 0-2 (none before 0): 200: +10 +10 = 20   500: +1 +0 = 1  → 20 of 21
//	1: scrapes 3-6: 200: 10+10+10+5 (reset) = 35        500: 0+1+0+0    → 35 of 36
//	2: scrapes 7-10: 200: 10 (15-5) +0+0+0 = 10         500: 0+1+0+0    → 10 of 11
//	3: scrapes 11-14: 200: 0+5+5+5 = 15                 500: 0          → 15 of 15
//	4: scrapes 15-18: 200: 5+5+5+5 = 20                 500: 0          → 20 of 20
//
// the raw counting's totals shifted by the half a second an evaluation waits for its scrape.
func TestEvents_Counter_HandChecked(t *testing.T) {
	want := []events.Bucket{
		{Start: at(0), Good: 20, Total: 21},
		{Start: at(time.Minute), Good: 35, Total: 36},
		{Start: at(2 * time.Minute), Good: 10, Total: 11},
		{Start: at(3 * time.Minute), Good: 15, Total: 15},
		{Start: at(4 * time.Minute), Good: 20, Total: 20},
	}
	for _, entry := range []string{
		`{series: api, good_query: 'http_requests_total{code!~"5.."}', total_query: http_requests_total}`,
		`{series: api, error_query: 'sum(http_requests_total{code=~"5.."})', total_query: 'http_requests_total'}`,
	} {
		sim := promsim.New()
		defer sim.Close()
		sim.Series = requestSeries("a", t0)
		now := at(5*time.Minute + 20*time.Second)
		src := newTestSource(t, sim, "backfill: 5m\nevents:\n  - "+entry+"\n", &now)
		b := syncOnce(t, src, nil)
		if diff := cmp.Diff(want, eventBucketsOf(b, "api")); diff != "" {
			t.Errorf("%s: buckets (-want +got):\n%s", entry, diff)
		}
		// Range queries at the resolution, from the lookback (5m) before the chunk to its last
		// evaluation.
		if r := sim.Requests[0]; r.Query != "http_requests_total" || !r.Start.Equal(at(-5*time.Minute)) || !r.End.Equal(at(5*time.Minute-15*time.Second)) || r.Step != 15*time.Second {
			t.Errorf("%s: total request %+v", entry, r)
		}
		if len(b.Rejected) != 0 {
			t.Errorf("%s: rejected %v", entry, b.Rejected)
		}
	}
}

// latencySeries: a classic histogram of job api (bounds 0.1, 0.3, +Inf) and a native one of
// job native, scraped every 15s:
//
//	scrape        0    1    2    3 (reset)  4      5
//	_count        0    4   10   10         20     22
//	_bucket 0.3   0    3    8    8          9     11
//	native count  0    4   10    3          5      -
//	  (0.1,0.25]  -    2    5    1          2
//	  (0.25,0.5]  -    2    5    2          3
func latencySeries() []promsim.Series {
	classic := func(name, le string, vs ...float64) promsim.Series {
		l := map[string]string{"__name__": name, "job": "api"}
		if le != "" {
			l["le"] = le
		}
		return promsim.Series{Labels: l, Samples: scrapes(t0, vs...)}
	}
	h := func(lo, mid float64) *promsim.Histogram {
		return &promsim.Histogram{Count: lo + mid, Buckets: []promsim.HistogramBucket{{Lower: 0.1, Upper: 0.25, Count: lo}, {Lower: 0.25, Upper: 0.5, Count: mid}}}
	}
	native := []*promsim.Histogram{{Count: 0}, h(2, 2), h(5, 5), h(1, 2), h(2, 3)}
	var ns []promsim.Sample
	for k, x := range native {
		ns = append(ns, promsim.Sample{T: t0.Add(time.Duration(k)*15*time.Second + 500*time.Millisecond), H: x})
	}
	return []promsim.Series{
		classic("lat_seconds_count", "", 0, 4, 10, 10, 20, 22),
		classic("lat_seconds_bucket", "0.1", 0, 1, 2, 2, 2, 2),
		classic("lat_seconds_bucket", "0.3", 0, 3, 8, 8, 9, 11),
		classic("lat_seconds_bucket", "+Inf", 0, 4, 10, 10, 20, 22),
		{Labels: map[string]string{"__name__": "lat_seconds", "job": "native"}, Samples: ns},
	}
}

// TestEvents_Latency_HandChecked: good is the observations at most le.
//
// Classic, le 0.3: bucket 0 (scrapes 0-3): _bucket 3+5+0 = 8 of _count 4+6+0 = 10; bucket 1
// (scrapes 4-5): 1+2 = 3 of 10+2 = 12.
//
// Native, le 0.3, in the bucket (0.25, 0.5] at the share (0.3-0.25)/(0.5-0.25) = 0.2: at most
// 0.3 are 2+2×0.2 = 2.4, 5+1 = 6, 1+0.4 = 1.4, 2+0.6 = 2.6 at scrapes 1-4. Bucket 0: 2.4 + 3.6
// + 1.4 (scrape 3 is a reset: its own) = 7.4 of 4+6+3 = 13; bucket 1: 1.2 of 2.
func TestEvents_Latency_HandChecked(t *testing.T) {
	sim := promsim.New()
	defer sim.Close()
	sim.Series = latencySeries()
	now := at(2*time.Minute + 20*time.Second)
	src := newTestSource(t, sim, "backfill: 2m\nevents:\n"+
		"  - {series: classic, latency: {metric: 'lat_seconds{job=\"api\"}', le: 0.3}}\n"+
		"  - {series: native, latency: {metric: 'lat_seconds{job=\"native\"}', le: 0.3}}\n"+
		"  - {series: unbound, latency: {metric: 'lat_seconds{job=\"api\"}', le: 0.2}}\n", &now)
	b := syncOnce(t, src, nil)
	got := map[string][]events.Bucket{}
	for _, e := range b.Events {
		got[e.Series] = e.Buckets
	}
	want := map[string][]events.Bucket{
		"classic": {{Start: at(0), Good: 8, Total: 10}, {Start: at(time.Minute), Good: 3, Total: 12}},
		"native":  {{Start: at(0), Good: 7.4, Total: 13}, {Start: at(time.Minute), Good: 1.2, Total: 2}},
	}
	if diff := cmp.Diff(want, got, approx); diff != "" {
		t.Errorf("buckets (-want +got):\n%s", diff)
	}
	reason := "le 0.2 is not a bucket bound of lat_seconds: no lat_seconds_bucket series has it (a classic histogram counts only at its bounds; use one of them, or a native histogram)"
	rule := "a latency histogram must have sound counts, and a classic one a bucket at le"
	wantRej := []collector.Rejection{
		{Where: "series unbound bucket 2026-03-02T10:00:00Z", Reason: reason, Rule: rule, Setting: "prometheus.events[2].latency.le"},
		{Where: "series unbound bucket 2026-03-02T10:01:00Z", Reason: reason, Rule: rule, Setting: "prometheus.events[2].latency.le"},
	}
	if diff := cmp.Diff(wantRej, b.Rejected); diff != "" {
		t.Errorf("rejections (-want +got):\n%s", diff)
	}
	// The selectors the source sent: native and _count at once, then the _bucket of le.
	var queries []string
	for _, r := range sim.Requests[:2] {
		queries = append(queries, r.Query)
	}
	wantQ := []string{`{__name__=~"lat_seconds(?:_count)?", job="api"}[420s]`, `{__name__="lat_seconds_bucket", le=~"0\\.3|3e-01", job="api"}[420s]`}
	if diff := cmp.Diff(wantQ, queries); diff != "" {
		t.Errorf("queries (-want +got):\n%s", diff)
	}
}

// TestConfigErrors_PromQL pins the messages of the new forms' mistakes, with their lines.
func TestConfigErrors_PromQL(t *testing.T) {
	const head = "url: http://x\nevents:\n"
	for _, tc := range []struct{ body, want string }{
		{"  - {series: api}\n", "line 3: events[0]: needs good|bad and total (counter selectors), error_query|good_query and total_query (PromQL), or latency (a histogram)"},
		{"  - {series: api, good: a, total_query: b}\n", "line 3: events[0]: mixes the forms of an entry: good|bad and total (counter selectors), error_query|good_query and total_query (PromQL), or latency (a histogram), one of them"},
		{"  - {series: api, error_query: a}\n", "line 3: events[0].total_query: is required: the expression of all events"},
		{"  - {series: api, error_query: a, good_query: b, total_query: c}\n", "line 3: events[0]: needs error_query or good_query (one of them) beside total_query"},
		{"  - series: api\n    error_query: 'sum(rate(e[{{.window}}]))'\n    total_query: sum(t)\n", "line 3: events[0]: error_query and total_query must both use {{.window}} (rates over the window) or neither (counter values)"},
		{"  - series: api\n    good_query: 'sum(rate(e[{{.window}}]))'\n    total_query: 'sum(rate(t[{{.window}}])) / {{.Service}}'\n", `line 5: events[0].total_query: "{{.Service}}": only {{.window}} is substituted (Sloth's one template key)`},
		{"  - series: api\n    latency: {le: 0.3}\n", "line 4: events[0].latency.metric: is required: the histogram's name, with optional {matchers}"},
		{"  - series: api\n    latency: {metric: 'rate(x[5m])', le: 0.3}\n", `line 4: events[0].latency.metric: "rate(x[5m])" is not a histogram's name with optional {matchers}`},
		{"  - series: api\n    latency: {metric: x_bucket, le: 0.3}\n", `line 4: events[0].latency.metric: "x_bucket": give the histogram's base name, without _bucket, _count or _sum`},
		{"  - series: api\n    latency: {metric: 'x{le=\"0.3\"}', le: 0.3}\n", `line 4: events[0].latency.metric: "x{le=\"0.3\"}": the matchers must not name __name__ or le (le is the threshold)`},
		{"  - series: api\n    latency:\n      metric: x\n", "line 4: events[0].latency.le: is required: the threshold, in the histogram's unit (0.3 for 300ms in seconds)"},
		{"  - series: api\n    latency: {metric: x, le: .inf}\n", "line 4: events[0].latency.le: +Inf is not a finite threshold"},
		{"  - series: api\n    latency: {metric: x, lee: 1}\n", "line 4: events[0].latency.lee: unknown field (known: metric, le)"},
		{"  - series: api\n    latency: {metric: x, le: fast}\n", "yaml: unmarshal errors:\n  line 4: cannot unmarshal !!str `fast` into float64"}, // yaml's own, with its line
	} {
		_, err := New(blockRaw(t, head+tc.body), collector.Options{Name: "prom"})
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got: %v\nwant: %s", tc.body, err, tc.want)
		}
	}
	// {{.window}} must leave two samples in a step.
	_, err := New(blockRaw(t, "url: http://x\nstep: 15s\nevents:\n  - {series: api, error_query: 'rate(e[{{.window}}])', total_query: 'rate(t[{{.window}}])'}\n"), collector.Options{Name: "prom"})
	if want := "line 4: events[0]: {{.window}} becomes step 15s, shorter than two resolutions (30s): a rate needs two samples in the window; raise step"; err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// FuzzEventsConfig decodes events entries from outside input: nothing may panic, and an
// accepted entry has one form, with every {{.window}} replaced and no template left.
func FuzzEventsConfig(f *testing.F) {
	for _, s := range []string{
		"{series: a, error_query: 'sum(rate(e[{{.window}}]))', total_query: 'sum(rate(t[{{ .window }}]))'}",
		"{series: a, good_query: 'g', total_query: 't'}",
		"{series: a, latency: {metric: 'h{job=\"x\"}', le: 0.25}}",
		"{series: a, latency: {metric: 'h{le=\"1\"}', le: 1}}",
		"{series: a, good_query: '{{.window}}{{', total_query: '{{.window}}}}'}",
		"{series_label: i, bad: e, total: t}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, entry string) {
		var doc yaml.Node
		if yaml.Unmarshal([]byte("url: http://x\nevents:\n  - "+entry+"\n"), &doc) != nil || len(doc.Content) == 0 {
			return // not YAML: the configuration's loader refuses it before the kind sees it
		}
		src, err := New(doc.Content[0], collector.Options{Name: "prom"})
		if err != nil {
			return
		}
		for _, e := range src.(*Source).s.events {
			switch e.form {
			case formWindowed, formCounter:
				if strings.Contains(e.total, "{{") || strings.Contains(e.goodSel, "{{") || e.total == "" || e.goodSel == "" {
					t.Fatalf("entry %q: queries %q, %q", entry, e.total, e.goodSel)
				}
			case formLatency:
				if e.latency.name == "" || !strings.HasPrefix(e.latency.goodSelector(), "{") || !strings.HasSuffix(e.latency.totalSelector(), "}") {
					t.Fatalf("entry %q: latency %+v", entry, e.latency)
				}
			}
		}
	})
}
