package slo

import "math"

// riskBins is the resolution of the completed-cycle distribution: elapsed/target ratios in [0, 1]
// fall in one of riskBins bins, so an open cycle's conditional breach probability is read to
// 1/riskBins of its target without keeping every completed cycle.
const riskBins = 1024

// elapsedDistribution is the empirical distribution of completed cycles' elapsed business time
// as a share of their target. Normalizing by the target lets cycles of every priority inform
// each other.
type elapsedDistribution struct {
	bins     [riskBins]int64 // ratio in [k/riskBins, (k+1)/riskBins), ratio <= 1
	breached int64           // ratio > 1
	total    int64
}

func (d *elapsedDistribution) add(elapsed, target int64) { d.addBin(riskBin(elapsed, target)) }

// riskBin is the bin of a completed cycle: k for a ratio in [k/riskBins, (k+1)/riskBins), riskBins
// for a breached one (ratio > 1).
func riskBin(elapsed, target int64) int {
	if elapsed > target {
		return riskBins
	}
	return min(int(elapsed*riskBins/target), riskBins-1)
}

// addBin counts a completed cycle in bin k (riskBin).
func (d *elapsedDistribution) addBin(k int) {
	d.total++
	if k == riskBins {
		d.breached++
		return
	}
	d.bins[k]++
}

// removeBin uncounts a completed cycle of bin k.
func (d *elapsedDistribution) removeBin(k int) {
	d.total--
	if k == riskBins {
		d.breached--
		return
	}
	d.bins[k]--
}

// merge adds another distribution's counts.
func (d *elapsedDistribution) merge(o *elapsedDistribution) {
	for k := range d.bins {
		d.bins[k] += o.bins[k]
	}
	d.breached += o.breached
	d.total += o.total
}

// tails turns the bins into counts of completed cycles whose ratio is at least each bin's lower
// edge: tail[k] = #(ratio >= k/riskBins).
func (d *elapsedDistribution) tails() []int64 {
	tail := make([]int64, riskBins+1)
	tail[riskBins] = d.breached
	for k := riskBins - 1; k >= 0; k-- {
		tail[k] = tail[k+1] + d.bins[k]
	}
	return tail
}

// breachProbability estimates P(ratio > 1 | ratio >= x) for an open cycle that has used share x
// of its target, from the completed cycles that lasted at least as long. Laplace's rule of
// succession ((a+1)/(n+2)) keeps the estimate inside (0, 1) when few cycles ran that long, so a
// cycle with no precedent counts as a coin toss rather than a certainty either way.
func breachProbability(tail []int64, breached int64, x float64) float64 {
	k := int(x * riskBins)
	k = min(max(k, 0), riskBins)
	n := tail[k]
	return (float64(breached) + 1) / (float64(n) + 2)
}

// probabilityAbove returns P(X > k) where X is the number of successes among independent trials
// with probabilities ps (a Poisson binomial distribution). Exact by dynamic programming for up to
// exactLimit trials, by the normal approximation with continuity correction beyond, where the
// O(n²) table would cost more than it is worth and the approximation is good.
func probabilityAbove(ps []float64, k float64) float64 {
	n := len(ps)
	if k < 0 {
		return 1
	}
	if k >= float64(n) {
		return 0
	}
	kk := int(math.Floor(k))
	if n <= exactLimit {
		// dist[j] = P(j successes so far).
		dist := make([]float64, n+1)
		dist[0] = 1
		for i, p := range ps {
			for j := i + 1; j >= 1; j-- {
				dist[j] = dist[j]*(1-p) + dist[j-1]*p
			}
			dist[0] *= 1 - p
		}
		var above float64
		for j := kk + 1; j <= n; j++ {
			above += dist[j]
		}
		return math.Min(1, math.Max(0, above))
	}
	var mean, variance float64
	for _, p := range ps {
		mean += p
		variance += p * (1 - p)
	}
	if variance == 0 {
		if mean > float64(kk) {
			return 1
		}
		return 0
	}
	z := (float64(kk) + 0.5 - mean) / math.Sqrt(variance)
	return 0.5 * math.Erfc(z/math.Sqrt2)
}

const exactLimit = 2000
