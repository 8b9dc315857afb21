package prometheus

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/prometheus/promsim"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// TestFaults: every failure of the server fails the sync with an error naming the source, the
// query and the cause, credentials scrubbed, and returns nothing: no slice is turned good or
// bad by a failure.
func TestFaults(t *testing.T) {
	const prefix = `prometheus source "prom": availability[0] (series web) count query over [2026-03-02T10:00:00Z, 2026-03-02T10:05:00Z): `
	firstOnly := func(f promsim.Fault) func(promsim.Request) *promsim.Fault {
		return func(r promsim.Request) *promsim.Fault { return &f }
	}
	for _, tc := range []struct {
		name  string
		fault func(promsim.Request) *promsim.Fault
		extra string // more settings
		want  string
	}{
		{"bad_data", firstOnly(promsim.Fault{Status: 400, ErrorType: "bad_data", Error: `1:14: parse error: unexpected "}"`}), "",
			prefix + `bad_data: 1:14: parse error: unexpected "}"`},
		{"execution", firstOnly(promsim.Fault{Status: 422, ErrorType: "execution", Error: "query processing would load too many samples into memory in query execution"}), "",
			prefix + "execution: query processing would load too many samples into memory in query execution"},
		{"server timeout", firstOnly(promsim.Fault{Status: 503, ErrorType: "timeout", Error: "query timed out in expression evaluation"}), "",
			prefix + "timeout: query timed out in expression evaluation (server error: 503)"},
		{"plain 500", firstOnly(promsim.Fault{Status: 500, Body: "internal error\n"}), "",
			prefix + "server_error: server error: 500 (internal error)"},
		{"not JSON", firstOnly(promsim.Fault{Status: 200, Body: "{not json"}), "",
			prefix + "bad_response: invalid character 'n' looking for beginning of object key string"},
		{"a vector", firstOnly(promsim.Fault{Status: 200, Body: `{"status":"success","data":{"resultType":"vector","result":[]}}`}), "",
			prefix + "the answer is a vector, not a matrix"},
		{"moved instants", firstOnly(promsim.Fault{Status: 200, Body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1772445690,"4"]]}]}}`}), "",
			prefix + "series web: a point at 2026-03-02T10:01:30Z, which is not the end of a slice of 1m from 2026-03-02T10:00:00Z: the server (or a query frontend before it) moved the evaluation instants of the range query"},
		{"warnings", func(r promsim.Request) *promsim.Fault {
			return &promsim.Fault{Warnings: []string{"partial response: store 10.0.0.7:10901 unavailable"}}
		}, "",
			prefix + "the server warned that the answer may be partial, so none of it is used: partial response: store 10.0.0.7:10901 unavailable"},
		{"warnings of a later query", func(r promsim.Request) *promsim.Fault {
			if strings.Contains(r.Query, "== bool 1") {
				return &promsim.Fault{Warnings: []string{"PromQL warning: something"}}
			}
			return nil
		}, "",
			strings.Replace(prefix, "count query", "ones query", 1) + "the server warned that the answer may be partial, so none of it is used: PromQL warning: something"},
		{"no answer in time", firstOnly(promsim.Fault{Hang: true}), "query_timeout: 100ms\n",
			prefix + "no answer within 100ms (query_timeout)"},
		{"credentials scrubbed", func(r promsim.Request) *promsim.Fault {
			return &promsim.Fault{Status: 400, ErrorType: "bad_data", Error: "refused " + r.Header.Get("Authorization")}
		}, "http_client_config: {authorization: {credentials: s3cr3t-t0ken}}\n",
			prefix + "bad_data: refused Bearer <secret>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := promsim.New()
			defer sim.Close()
			sim.Series = probe(repeat(1, 40)...)
			sim.Fault = tc.fault
			now := at(5*time.Minute + 20*time.Second)
			src := newTestSource(t, sim, "backfill: 5m\n"+tc.extra+probeBlock, &now)
			b, err := src.Sync(context.Background(), nil)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error\n got: %v\nwant: %s", err, tc.want)
			}
			if !cmp.Equal(b, collector.Batch{}) {
				t.Errorf("a failed sync returned %+v", b)
			}
		})
	}
}

// TestFaults_ServerDown: nothing listens at the URL.
func TestFaults_ServerDown(t *testing.T) {
	sim := promsim.New()
	url := sim.URL
	sim.Close()
	now := at(5*time.Minute + 20*time.Second)
	src, err := New(block(t, url, "backfill: 5m\n"+probeBlock), collector.Options{Name: "prom", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Sync(context.Background(), nil)
	want := `prometheus source "prom": availability[0] (series web) count query over [2026-03-02T10:00:00Z, 2026-03-02T10:05:00Z): Post ` +
		url + `/api/v1/query_range: dial tcp ` + strings.TrimPrefix(url, "http://") + ": connect: connection refused"
	if err == nil || err.Error() != want {
		t.Errorf("error\n got: %v\nwant: %s", err, want)
	}
}

// TestNoSeries: an expression giving nothing is missing data for a fixed series (Unknown from the
// first slice on, and the checkpoint moves), and nothing at all for a fan-out.
func TestNoSeries(t *testing.T) {
	sim := promsim.New()
	defer sim.Close()
	now := at(5*time.Minute + 20*time.Second)
	src := newTestSource(t, sim, "backfill: 5m\navailability:\n  - {series: web, query: probe_success}\n  - {series_label: instance, query: up}\n"+
		"events:\n  - {series: api, good: ok_total, total: all_total}\n", &now)
	b := syncOnce(t, src, nil)
	want := collector.Batch{
		Uptime:     []collector.UptimeSeries{{Series: "web", Samples: []availability.Sample{unknown(at(0))}}},
		Checkpoint: []byte(`{"end":"2026-03-02T10:05:00Z"}`),
	}
	if diff := cmp.Diff(want, b); diff != "" {
		t.Errorf("batch (-want +got):\n%s", diff)
	}
}

// TestContract runs the promises every source keeps.
func TestContract(t *testing.T) {
	sim := promsim.New()
	defer sim.Close()
	sim.Series = probe(repeat(1, 40)...)
	now := at(5*time.Minute + 20*time.Second)
	sourcetest.RunContract(t, func() collector.Source { return newTestSource(t, sim, "backfill: 5m\n"+probeBlock, &now) })
}

// TestCancelled: a sync cancelled mid-way returns an error wrapping the cancellation.
func TestCancelled(t *testing.T) {
	sim := promsim.New()
	defer sim.Close()
	ctx, cancel := context.WithCancel(context.Background())
	sim.Fault = func(promsim.Request) *promsim.Fault { cancel(); return &promsim.Fault{Hang: true} }
	now := at(5*time.Minute + 20*time.Second)
	_, err := newTestSource(t, sim, "backfill: 5m\n"+probeBlock, &now).Sync(ctx, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want one wrapping context.Canceled", err)
	}
}
