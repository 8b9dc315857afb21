package availability

import (
	"testing"
	"time"
)

// FuzzBuild builds timelines from fuzzer-chosen configs and data. Build must never panic, the
// verdicts must add up to the timeline, and when the case is exact (whole seconds, fixed zones)
// every slice must match the reference implementation.
func FuzzBuild(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x01\x00\x00\x00\xff\x10\x00\x00\x02\x00\x00\x00\x03\x00\x00\x00\x05"))
	f.Add([]byte("some longer seed that makes for a few windows, samples and outages......."))
	zones := []*time.Location{mustLoad(f, "Europe/Rome"), mustLoad(f, "America/New_York"), mustLoad(f, "America/Asuncion")}
	f.Fuzz(func(t *testing.T, in []byte) {
		c := &choices{data: in}
		g := generate(c, c.intn(2) == 0, zones)
		data, err := g.series()
		if err != nil {
			t.Fatalf("generated an invalid series: %v", err)
		}
		tl, err := Build(g.cfg, data, g.from, g.to)
		if err != nil {
			t.Fatalf("Build: %v", err)
		}
		checkInvariants(t, tl, g)
		if g.exact {
			checkReference(t, g, tl)
		}
	})
}
