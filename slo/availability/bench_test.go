package availability

import (
	"testing"
	"time"
)

// benchConfig is a realistic configuration: weekly maintenance and a lenient threshold.
func benchConfig(loc *time.Location) Config {
	return Config{
		GoodThreshold:  0.99,
		DegradedWeight: 0.5,
		Recurring: []Recurring{{
			Weekdays: []time.Weekday{time.Sunday}, Start: 2 * time.Hour, Duration: 2 * time.Hour, Location: loc,
		}},
	}
}

// benchSamples is one probe a minute, with jitter, some trouble and a missed probe now and then.
func benchSamples(from, to time.Time) []Sample {
	var out []Sample
	for i, t := 0, from; t.Before(to); i, t = i+1, t.Add(time.Minute) {
		state := Up
		switch {
		case i%997 == 0:
			state = Down
		case i%499 == 0:
			state = Degraded
		case i%1009 == 0:
			continue
		}
		out = append(out, Sample{At: t.Add(time.Duration(i%7) * time.Second), State: state})
	}
	return out
}

// BenchmarkBuild builds October 2026 in Europe/Rome (745h = 44,700 slices) from 1-minute
// samples. Run: go test -run '^$' -bench BenchmarkBuild -benchmem ./slo/availability/
func BenchmarkBuild(b *testing.B) {
	rome := mustLoad(b, "Europe/Rome")
	from, to := at("2026-10-01T00:00:00+02:00"), at("2026-11-01T00:00:00+01:00")
	cfg := benchConfig(rome)
	data := mustSamples(b, benchSamples(from, to))
	var tl *Timeline
	b.ReportAllocs()
	for b.Loop() {
		tl = mustBuild(b, cfg, data, from, to)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(tl.Len()), "ns/slice")
	b.ReportMetric(float64(tl.bytes())/float64(tl.Len()), "B/slice")
}

// BenchmarkCounts measures one Counts over an arbitrary window of the month.
func BenchmarkCounts(b *testing.B) {
	rome := mustLoad(b, "Europe/Rome")
	from, to := at("2026-10-01T00:00:00+02:00"), at("2026-11-01T00:00:00+01:00")
	tl := mustBuild(b, benchConfig(rome), mustSamples(b, benchSamples(from, to)), from, to)
	a, z := from.Add(37*time.Hour+13*time.Minute), to.Add(-101*time.Hour)
	var c Counts
	for b.Loop() {
		c = tl.Counts(a, z)
	}
	if c.Good+c.Bad+c.Excluded != z.Sub(a).Truncate(time.Minute) {
		b.Fatalf("counts %+v do not add up to the window", c)
	}
}
