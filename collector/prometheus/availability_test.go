package prometheus

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/prometheus/promsim"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// probeData is probe_success of instance "a", scraped every 15s from t0+0.5s (k = 0, 1, ...):
//
//	k  0-4: 1    k 5-6: 0    k 7-11: 1    k 12: 2 (not 0/1)    k 13-15: 1    k 16-18: none    k 19: 1
//
// An evaluation at t0+15j reads scrape j-1 (the latest at or before it), so with slices of 1m
// and evaluations every 15s, slice n holds evaluations j = 4n..4n+3, reading scrapes 4n-1..4n+2.
var probeData = cat(repeat(1, 5), repeat(0, 2), repeat(1, 5), []float64{2}, repeat(1, 3), repeat(gap, 3), []float64{1})

// TestAvailability_HandChecked runs the first sync over five slices of hand-checked data.
func TestAvailability_HandChecked(t *testing.T) {
	// Slice by slice (evaluations j, the scrapes they read, their values):
	//   0 [10:00, 10:01): j 0-3 read -, k0-2: no scrape before j0 → 3 of 4 up, 1 missing:
	//                     Up at 10:00:00, Unknown at 10:00:45 (0 + 3×15s).
	//   1 [10:01, 10:02): j 4-7 read k3-6 = 1 1 0 0 → 2 up, 2 down: Up 10:01:00, Down 10:01:30.
	//   2 [10:02, 10:03): j 8-11 read k7-10 = 1 1 1 1 → Up 10:02:00.
	//   3 [10:03, 10:04): j 12-15 read k11-14 = 1 2 1 1 → one value not 0/1: rejected, Unknown 10:03.
	//   4 [10:04, 10:05): j 16 reads k15 (14.5s old); j 17-19 find k15 29.5s, 44.5s, 59.5s old,
	//                     past lookback_delta 20s → 1 up, 3 missing: Up 10:04:00, Unknown 10:04:15.
	// The closing Unknown at 10:05 follows an Unknown and is left out.
	for _, v2 := range []bool{false, true} {
		t.Run(map[bool]string{false: "3.x windows", true: "2.x windows"}[v2], func(t *testing.T) {
			sim := promsim.New()
			defer sim.Close()
			sim.V2 = v2
			sim.Series = []promsim.Series{{Labels: map[string]string{"__name__": "probe_success", "instance": "a"}, Samples: scrapes(t0, probeData...)}}
			// now 10:05:20: end = floor(10:05:20 - 15s, 1m) = 10:05; backfill 5m from 10:00:20 → 10:00.
			now := at(5*time.Minute + 20*time.Second)
			src := newTestSource(t, sim, "backfill: 5m\nlookback_delta: 20s\navailability:\n  - {series: web, query: 'probe_success{instance=\"a\"}'}\n", &now)
			b := syncOnce(t, src, nil)

			want := []availability.Sample{
				up(at(0)), unknown(at(45 * time.Second)),
				up(at(time.Minute)), down(at(90 * time.Second)),
				up(at(2 * time.Minute)),
				unknown(at(3 * time.Minute)),
				up(at(4 * time.Minute)), unknown(at(4*time.Minute + 15*time.Second)),
			}
			if diff := cmp.Diff(want, uptime(b, "web")); diff != "" {
				t.Errorf("samples (-want +got):\n%s", diff)
			}
			wantRej := []collector.Rejection{{
				Where:   "series web slice 2026-03-02T10:03:00Z",
				Reason:  "1 of 4 evaluations are neither 0 nor 1 (NaN, 2, -1 ...)",
				Rule:    "availability evaluations must be one value, 0 or 1, per series",
				Setting: "prometheus.availability[0].query",
			}}
			if diff := cmp.Diff(wantRej, b.Rejected); diff != "" {
				t.Errorf("rejections (-want +got):\n%s", diff)
			}
			if got, want := string(b.Checkpoint), `{"end":"2026-03-02T10:05:00Z"}`; got != want {
				t.Errorf("checkpoint %s, want %s", got, want)
			}
			// One chunk: count, ones and invalid, each a range query from 10:01 (the end of
			// the first slice) to 10:05 by 1m.
			requests, points := sim.Stats()
			if requests != 3 {
				t.Errorf("%d requests, want 3", requests)
			}
			// count: 5 slices with a point; ones: 5; invalid: 1 (slice 3).
			if points != 11 {
				t.Errorf("%d points, want 11", points)
			}
			for _, r := range sim.Requests {
				if !r.Start.Equal(at(time.Minute)) || !r.End.Equal(at(5*time.Minute)) || r.Step != time.Minute || r.Params["lookback_delta"] != "20s" || r.Params["timeout"] != "30s" {
					t.Errorf("request %+v", r)
				}
			}
		})
	}
}

func probeOf(labels map[string]string, values ...float64) promsim.Series {
	l := map[string]string{"__name__": "probe_success"}
	for k, v := range labels {
		l[k] = v
	}
	return promsim.Series{Labels: l, Samples: scrapes(t0, values...)}
}

// TestAvailability_FanOut makes one series per instance; a result without the label is left out
// with a rejection; a fixed series another entry's fan-out gives already is refused.
func TestAvailability_FanOut(t *testing.T) {
	sim := promsim.New()
	defer sim.Close()
	sim.Series = []promsim.Series{
		probeOf(map[string]string{"instance": "a"}, repeat(1, 20)...),
		// b: k 5-8 down. Slice 1 reads k3-6 = 1 1 0 0, slice 2 reads k7-10 = 0 0 1 1: two up
		// and two down each, laid out up first: Up at the slice's start, Down 30s in.
		probeOf(map[string]string{"instance": "b"}, cat(repeat(1, 5), repeat(0, 4), repeat(1, 11))...),
		probeOf(map[string]string{"job": "other"}, repeat(1, 20)...),
	}
	now := at(3*time.Minute + 20*time.Second)
	src := newTestSource(t, sim, "backfill: 3m\navailability:\n  - {series_label: instance, query: probe_success}\n  - {series: a, query: 'probe_success{job=\"other\"}'}\n", &now)
	b := syncOnce(t, src, nil)
	want := map[string][]availability.Sample{
		"a": {up(at(0)), unknown(at(45 * time.Second)), up(at(time.Minute)), up(at(2 * time.Minute)), unknown(at(3 * time.Minute))},
		"b": {up(at(0)), unknown(at(45 * time.Second)), up(at(time.Minute)), down(at(90 * time.Second)),
			up(at(2 * time.Minute)), down(at(150 * time.Second)), unknown(at(3 * time.Minute))},
	}
	got := map[string][]availability.Sample{}
	for _, u := range b.Uptime {
		got[u.Series] = u.Samples
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
	wantRej := []collector.Rejection{
		{Where: "availability[0]", Reason: "1 result series without the label instance: left out",
			Rule: "fan-out series need the series_label", Setting: "prometheus.availability[0].series_label"},
		{Where: "availability[1] series a", Reason: "availability[0] gives series a already: left out",
			Rule: "a series comes from one entry", Setting: "prometheus.availability[1]"},
	}
	if diff := cmp.Diff(wantRej, b.Rejected); diff != "" {
		t.Errorf("rejections (-want +got):\n%s", diff)
	}
}

// TestAvailability_TwoSeriesForOne: a fixed series whose expression gives two series counts
// more evaluations than a slice holds: each slice is rejected and missing, never up.
func TestAvailability_TwoSeriesForOne(t *testing.T) {
	sim := promsim.New()
	defer sim.Close()
	sim.Series = []promsim.Series{
		probeOf(map[string]string{"instance": "a"}, repeat(1, 20)...),
		probeOf(map[string]string{"instance": "b"}, repeat(1, 20)...),
	}
	now := at(2*time.Minute + 20*time.Second)
	src := newTestSource(t, sim, "backfill: 2m\navailability:\n  - {series: web, query: probe_success}\n", &now)
	b := syncOnce(t, src, nil)
	if diff := cmp.Diff([]availability.Sample{unknown(at(0))}, uptime(b, "web")); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
	// Slice 0: 3 evaluations of each series (none at 10:00:00); slice 1: 4 of each.
	var reasons []string
	for _, r := range b.Rejected {
		reasons = append(reasons, r.Where+": "+r.Reason)
	}
	want := []string{
		"series web slice 2026-03-02T10:00:00Z: 6 evaluations where the slice holds 4: the expression gives more than one series for the series at once (aggregate it, e.g. min by (instance) (...))",
		"series web slice 2026-03-02T10:01:00Z: 8 evaluations where the slice holds 4: the expression gives more than one series for the series at once (aggregate it, e.g. min by (instance) (...))",
	}
	if diff := cmp.Diff(want, reasons); diff != "" {
		t.Errorf("rejections (-want +got):\n%s", diff)
	}
}
