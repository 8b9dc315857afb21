package availability

import (
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the zoneinfo of the machine running them
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func mustBuild(t testing.TB, cfg Config, data Series, from, to time.Time) *Timeline {
	t.Helper()
	tl, err := Build(cfg, data, from, to)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return tl
}

func mustSamples(t testing.TB, samples []Sample) Series {
	t.Helper()
	s, err := FromSamples(samples)
	if err != nil {
		t.Fatalf("FromSamples: %v", err)
	}
	return s
}

func mustOutages(t testing.TB, outages []Outage, from, to time.Time) Series {
	t.Helper()
	s, err := FromOutages(outages, from, to)
	if err != nil {
		t.Fatalf("FromOutages: %v", err)
	}
	return s
}

// everyMinute returns Up samples at each whole minute of [from, to).
func everyMinute(from, to time.Time) []Sample {
	var out []Sample
	for t := from; t.Before(to); t = t.Add(time.Minute) {
		out = append(out, Sample{At: t, State: Up})
	}
	return out
}
