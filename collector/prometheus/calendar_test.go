package prometheus

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector/prometheus/promsim"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// TestBackfill_RomeOctober: the first sync on 2 November in Europe/Rome reads from 1 October
// 00:00 CEST, across the end of DST on 25 October and the October-November boundary, and the
// October it gives has exactly the eligible, covered, good and bad time of the data.
func TestBackfill_RomeOctober(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	octStart := time.Date(2026, 10, 1, 0, 0, 0, 0, rome) // 2026-09-30T22:00Z
	octEnd := time.Date(2026, 11, 1, 0, 0, 0, 0, rome)   // 2026-10-31T23:00Z
	// Scrapes every minute at :00.5 from 21:55:00.5Z the day before; each evaluation, once a
	// minute at the slice's start, reads the scrape 59.5s before it (lookback_delta 1m).
	//   - down: the scrapes of 2026-10-25 01:29Z to 01:43Z (15), read by the slices 01:30Z to
	//     01:44Z: 02:30 to 02:45 CET, the second time clocks read that hour (DST ended at
	//     03:00 CEST = 01:00Z);
	//   - missing: the scrapes of 2026-10-31 22:49Z to 23:08Z (20): the slices 22:50Z to 23:09Z
	//     find no scrape within 1m, 10 of them in October (23:50 to 24:00 CET), 10 in November.
	first := time.Date(2026, 9, 30, 21, 55, 0, 500e6, time.UTC)
	downFrom, downTo := time.Date(2026, 10, 25, 1, 29, 0, 500e6, time.UTC), time.Date(2026, 10, 25, 1, 43, 0, 500e6, time.UTC)
	gapFrom, gapTo := time.Date(2026, 10, 31, 22, 49, 0, 500e6, time.UTC), time.Date(2026, 10, 31, 23, 8, 0, 500e6, time.UTC)
	now := time.Date(2026, 11, 2, 11, 0, 30, 0, time.UTC) // end: floor(10:59:30, 1m) = 10:59Z
	var samples []promsim.Sample
	for ts := first; ts.Before(now); ts = ts.Add(time.Minute) {
		switch {
		case !ts.Before(gapFrom) && !ts.After(gapTo):
			continue
		case !ts.Before(downFrom) && !ts.After(downTo):
			samples = append(samples, promsim.Sample{T: ts, V: 0})
		default:
			samples = append(samples, promsim.Sample{T: ts, V: 1})
		}
	}
	sim := promsim.New()
	defer sim.Close()
	sim.Series = []promsim.Series{{Labels: map[string]string{"__name__": "probe_success"}, Samples: samples}}
	src := newTestSource(t, sim, "timezone: Europe/Rome\nresolution: 1m\nlookback_delta: 1m\navailability:\n  - {series: web, query: probe_success}\n", &now)
	b := syncOnce(t, src, nil)

	// From 2026-09-30T22:00Z to 2026-11-02T10:59Z: October's 745h (31 days and the hour DST
	// gave back) and 35h59m of November, 46,859 slices; in chunks of 10,000 slices (one
	// evaluation each): 5 chunks of 3 queries.
	if requests, _ := sim.Stats(); requests != 15 {
		t.Errorf("%d requests, want 15", requests)
	}
	if r := sim.Requests[0]; !r.Start.Equal(octStart.Add(time.Minute)) {
		t.Errorf("first query from %v, want the end of the slice at 1 October 00:00 CEST", r.Start)
	}
	series, err := availability.FromSamples(uptime(b, "web"))
	if err != nil {
		t.Fatal(err)
	}
	tl, err := availability.Build(availability.Config{Slice: time.Minute}, series, octStart, octEnd)
	if err != nil {
		t.Fatal(err)
	}
	// Eligible: 745h. Covered: 745h less the 10 missing minutes. Bad: the 15 down minutes.
	// Excluded (gaps excluded): the 10 missing minutes. Good: the rest, 745h - 25m.
	want := availability.Counts{
		Good:     745*time.Hour - 25*time.Minute,
		Bad:      15 * time.Minute,
		Excluded: 10 * time.Minute,
		Covered:  745*time.Hour - 10*time.Minute,
		Eligible: 745 * time.Hour,
	}
	if diff := cmp.Diff(want, tl.Counts(octStart, octEnd)); diff != "" {
		t.Errorf("October (-want +got):\n%s", diff)
	}
	// November so far: 35h59m, of which the first 10 minutes are missing.
	tl, err = availability.Build(availability.Config{Slice: time.Minute}, series, octEnd, now.Add(-30*time.Second-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	nov := tl.Counts(octEnd, now.Add(-30*time.Second-time.Minute))
	if nov.Eligible != 35*time.Hour+59*time.Minute || nov.Covered != 35*time.Hour+49*time.Minute || nov.Bad != 0 {
		t.Errorf("November %+v", nov)
	}
}
