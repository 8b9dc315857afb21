package demo

import "math"

// Every random draw of the simulation comes from a generator seeded by hashing the configured
// seed with a stream (what is being drawn) and a unit (a day, a minute, a ticket). Nothing is
// drawn from a generator shared across units, so the world at an instant does not depend on
// which units were generated before, or how often Sync ran.

// Streams keep the draws of different parts of the world independent.
const (
	streamArrivals uint64 = iota + 1 // tickets created on a day
	streamTicket                     // one ticket's attributes and future
	streamChanges                    // change tickets created on a day
	streamChange                     // one change's attributes and future
	streamUptime                     // + series index: one series' trouble on a UTC day
	_
	_
	streamCascade  // the hosting platform's long outages on a UTC day
	streamTraffic  // api request volume noise, per minute
	streamErrors   // api baseline error noise, per minute
	streamBursts   // api error bursts on a UTC day
	streamRounding // api bad-request rounding, per minute
	streamDesk     // a P3 incident's work at the desk
)

// mix64 is the splitmix64 finalizer: a bijection of uint64 with good avalanche.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

const golden = 0x9e3779b97f4a7c15

// hash combines the seed, a stream and two unit coordinates.
func hash(seed, stream uint64, a, b int64) uint64 {
	h := mix64(seed + golden)
	h = mix64(h ^ (stream * golden))
	h = mix64(h ^ uint64(a))
	return mix64(h ^ (uint64(b) * 0xd1b54a32d192ed03))
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) * 0x1p-53 }

// rng is a splitmix64 generator: tiny, fast, and good enough for a simulation.
type rng struct{ s uint64 }

func newRNG(seed, stream uint64, a, b int64) rng { return rng{hash(seed, stream, a, b)} }

func (r *rng) next() uint64 {
	r.s += golden
	return mix64(r.s)
}

// float is uniform in [0, 1).
func (r *rng) float() float64 { return unit(r.next()) }

// chance is true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// between is uniform in [lo, hi).
func (r *rng) between(lo, hi float64) float64 { return lo + (hi-lo)*r.float() }

// intn is uniform in [0, n).
func (r *rng) intn(n int) int { return int(r.float() * float64(n)) }

// normal is a standard normal draw (Box-Muller).
func (r *rng) normal() float64 {
	u1 := 1 - r.float() // (0, 1]: the logarithm stays finite
	u2 := r.float()
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// lognormal draws around median with spread sigma (of the logarithm), clamped to [lo, hi]:
// durations of human work are right-skewed, most short and a few very long.
func (r *rng) lognormal(median, sigma, lo, hi float64) float64 {
	return min(max(median*math.Exp(sigma*r.normal()), lo), hi)
}

// poisson draws a count with mean lambda: Knuth's method for small means, a rounded normal
// approximation for large ones (scale can raise the means far).
func (r *rng) poisson(lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		return max(0, int(math.Round(lambda+math.Sqrt(lambda)*r.normal())))
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.float()
		if p <= l {
			return k
		}
		k++
	}
}

// weighted picks an index with probability proportional to its weight.
func (r *rng) weighted(weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := r.float() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}
