package availability

import (
	"encoding/binary"
	"math/rand/v2"
	"time"
)

// choices hands out the decisions that shape a random case: from fuzz input, so the fuzzer can
// steer them, or from a seeded generator in the property tests. Exhausted input reads as zeros,
// so every byte string makes a valid case.
type choices struct {
	data []byte
	rng  *rand.Rand
}

// intn returns a number in [0, n).
func (c *choices) intn(n int) int {
	if n <= 1 {
		return 0
	}
	if c.rng != nil {
		return c.rng.IntN(n)
	}
	var buf [4]byte
	k := copy(buf[:], c.data)
	c.data = c.data[k:]
	return int(binary.LittleEndian.Uint32(buf[:]) % uint32(n))
}

func pick[T any](c *choices, from ...T) T { return from[c.intn(len(from))] }

// genCase is a random Build input. When exact, every instant is a whole second and every zone has
// fixed offsets, which is what the reference implementation handles.
type genCase struct {
	cfg         Config
	samples     []Sample
	outages     []Outage
	covFrom     time.Time
	covTo       time.Time
	fromOutages bool
	from, to    time.Time
	exact       bool
}

func (g genCase) series() (Series, error) {
	if g.fromOutages {
		return FromOutages(g.outages, g.covFrom, g.covTo)
	}
	return FromSamples(g.samples)
}

func generate(c *choices, exact bool, dstZones []*time.Location) genCase {
	g := genCase{exact: exact}
	// Spread over 28-31 March 2026, which holds the spring forward of Europe/Rome, often close
	// to a midnight so that windows of the day before reach in.
	offset := c.intn(3 * 86400)
	if c.intn(2) == 0 {
		offset = 86400*(1+c.intn(2)) - 1800 + c.intn(3600)
	}
	base := time.Date(2026, time.March, 28, 0, 0, 0, 0, time.UTC).Add(time.Duration(offset) * time.Second)
	g.from = base.Add(time.Duration(c.intn(600)) * time.Second)
	g.to = g.from.Add(time.Duration(1+c.intn(7200)) * time.Second)
	// instant returns a time around the range, with stray nanoseconds unless exact.
	instant := func() time.Time {
		t := g.from.Add(time.Duration(c.intn(9000)-900) * time.Second)
		if !exact {
			t = t.Add(time.Duration(c.intn(1e9)))
		}
		return t
	}
	g.cfg = Config{
		Slice:          pick(c, 0, time.Second, 7*time.Second, 10*time.Second, time.Minute, 5*time.Minute, 15*time.Minute),
		GoodThreshold:  pick(c, 0, 0.5, 0.75, 0.9, 0.999, 1),
		DegradedWeight: pick(c, 0, 0.25, 0.5, 1),
		MaxSampleAge:   pick(c, 0, time.Second, 30*time.Second, 90*time.Second, 10*time.Minute),
		Gaps:           GapPolicy(c.intn(3)),
	}
	for range c.intn(4) {
		s := instant()
		g.cfg.Maintenance = append(g.cfg.Maintenance, Window{Start: s, End: s.Add(time.Duration(1+c.intn(1800)) * time.Second)})
	}
	zones := []*time.Location{time.UTC, time.FixedZone("+0545", 5*3600+45*60), time.FixedZone("-0330", -(3*3600 + 30*60))}
	if !exact {
		zones = append(zones, dstZones...)
	}
	for range c.intn(3) {
		r := Recurring{
			Start:    time.Duration(pick(c, c.intn(86400), 86399-c.intn(7200))) * time.Second,
			Duration: time.Duration(1+c.intn(7200)) * time.Second,
			Location: pick(c, zones...),
		}
		for d, mask := time.Sunday, c.intn(128); d <= time.Saturday; d++ {
			if mask&(1<<d) != 0 {
				r.Weekdays = append(r.Weekdays, d)
			}
		}
		g.cfg.Recurring = append(g.cfg.Recurring, r)
	}

	g.fromOutages = c.intn(2) == 1
	if g.fromOutages {
		for range c.intn(10) {
			s := instant()
			g.outages = append(g.outages, Outage{Start: s, End: s.Add(time.Duration(1+c.intn(1200)) * time.Second), State: pick(c, Down, Degraded)})
		}
		g.covFrom = instant()
		g.covTo = g.covFrom.Add(time.Duration(c.intn(9000)) * time.Second)
		if !exact && c.intn(4) == 0 {
			// Outages beyond the supported years must be clipped, not overflow.
			g.outages = append(g.outages, Outage{Start: time.Time{}, End: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), State: Degraded})
		}
		return g
	}
	if !exact && c.intn(4) == 0 {
		g.samples = append(g.samples, Sample{At: time.Time{}, State: Up})
	}
	t := g.from.Add(-10 * time.Minute)
	for range c.intn(40) {
		t = t.Add(time.Duration(c.intn(400)) * time.Second) // 0 makes a duplicate
		if !exact {
			t = t.Add(time.Duration(c.intn(1e6)))
		}
		g.samples = append(g.samples, Sample{At: t, State: State(c.intn(4))})
	}
	if !exact && c.intn(4) == 0 {
		g.samples = append(g.samples, Sample{At: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), State: Down})
	}
	return g
}
