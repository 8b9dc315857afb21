package prometheus

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"

	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// cannedAPI is an api.Client answering every request with one body, so that a body goes
// through client_golang's decoding and the source's exactly as from a server, without one.
type cannedAPI struct {
	status int
	body   []byte
}

func (c cannedAPI) URL(ep string, _ map[string]string) *url.URL {
	return &url.URL{Scheme: "http", Host: "prom", Path: ep}
}

func (c cannedAPI) Do(_ context.Context, req *http.Request) (*http.Response, []byte, error) {
	return &http.Response{StatusCode: c.status, Request: req, Header: http.Header{}}, c.body, nil
}

var _ api.Client = cannedAPI{}

// cannedClient is the source's client over a canned body.
func cannedClient(s *settings, body []byte) *client {
	return &client{s: s, api: v1.NewAPI(cannedAPI{status: 200, body: body}), scrubber: apisource.NewScrubber(&s.client, s.base)}
}

func fuzzSettings(t testing.TB, label string) *settings {
	e := AvailabilityConfig{Series: "web", Query: "up"}
	ev := EventsConfig{Series: "api", Good: "ok_total", Total: "all_total"}
	if label != "" {
		e = AvailabilityConfig{SeriesLabel: label, Query: "up"}
		ev = EventsConfig{SeriesLabel: label, Bad: "err_total", Total: "all_total"}
	}
	src, err := NewFromConfig(Config{URL: "http://prom", Availability: []AvailabilityConfig{e}, Events: []EventsConfig{ev}}, noOptions)
	if err != nil {
		t.Fatal(err)
	}
	return src.s
}

// FuzzDecode feeds answers, well-formed or not, through the decoding of both kinds of query:
// nothing may panic, and what comes out must be sound: samples in strictly increasing time
// within the chunk with valid states, buckets in the chunk with 0 <= good <= total, finite.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"instance":"a"},"values":[[1772445660,"4"],[1772445720,"2"]]}]}}`), true)
	f.Add([]byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1772445660,"NaN"],[1772445780,"+Inf"]]}]}}`), false)
	f.Add([]byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"all_total","instance":"a"},"values":[[1772445600.5,"10"],[1772445615.5,"3"],[1772445630.5,"-1"]]}]}}`), true)
	f.Add([]byte(`{"status":"success","warnings":["partial"],"data":{"resultType":"matrix","result":[]}}`), false)
	f.Add([]byte(`{"status":"error","errorType":"bad_data","error":"x"}`), false)
	f.Add([]byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"instance":"a"},"histograms":[[1772445660,{"count":"1","sum":"1","buckets":[[0,"0","1","1"]]}]]}]}}`), true)
	f.Add([]byte(`{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1772445660,"1"]}]}}`), false)
	f.Add([]byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"instance":"a"},"histograms":[[1772445600.5,{"count":"4","sum":"1","buckets":[[0,"0.25","0.5","4"]]}],[1772445615.5,{"count":"9","sum":"2","buckets":[[0,"0.25","0.5","5"],[0,"0.5","1","4"]]}],[1772445630.5,{"count":"2","sum":"1","buckets":[[0,"0.1","0.5","2"]]}]]}]}}`), true)
	f.Fuzz(func(t *testing.T, body []byte, fanOut bool) {
		label := ""
		if fanOut {
			label = "instance"
		}
		s := fuzzSettings(t, label)
		c := cannedClient(s, body)
		g := grid{from: t0, to: t0.Add(3 * time.Minute), step: time.Minute}
		ctx := context.Background()

		counts := map[string][]sliceCounts{}
		if m, err := c.queryRange(ctx, "q", "q", v1.Range{Start: g.from.Add(time.Minute), End: g.to, Step: time.Minute}); err == nil {
			if _, err := decodeCounts(m, label, "web", g, counts, func(c *sliceCounts, v float64) { c.count = v }); err == nil {
				out := sliceSamples(s.avail[0], g, counts, s.res, t0.Add(time.Minute))
				for name, ss := range out.samples {
					for i, x := range ss {
						if x.State > availability.Degraded || x.At.Before(g.from) || !x.At.Before(g.to) || (i > 0 && !x.At.After(ss[i-1].At)) {
							t.Fatalf("series %s sample %d: %+v in %+v", name, i, x, ss)
						}
					}
				}
			}
		}
		sound := func(out eventChunk) {
			for name, bs := range out.buckets {
				for _, x := range bs {
					if !(x.Good >= 0 && x.Good <= x.Total) || math.IsInf(x.Total, 0) || x.Start.Before(g.from) || !x.Start.Before(g.to) {
						t.Fatalf("series %s bucket %+v", name, x)
					}
				}
			}
		}
		if m, err := c.queryAt(ctx, "q", "q", g.to); err == nil {
			sums, _ := sumIncreases(m, label, "api", g, s.eventLookback())
			sound(eventBuckets(s.events[0], g, sums, sums))
			// The same answer as native histograms of a latency entry.
			lat := s.events[0]
			lat.form, lat.goodIsBad, lat.totalKey, lat.otherKey = formLatency, false, "latency.metric", "latency.le"
			total, good, _ := sumHistogramIncreases(m, label, "api", g, s.eventLookback(), 0.3)
			sound(eventBuckets(lat, g, total, good))
		}
		// The range answer as the rates of a windowed entry.
		if m, err := c.queryRange(ctx, "q", "q", v1.Range{Start: g.from.Add(time.Minute), End: g.to, Step: time.Minute}); err == nil {
			if sums, _, err := sumRates(m, label, "api", g); err == nil {
				sound(eventBuckets(s.events[0], g, sums, sums))
			}
		}
	})
}
