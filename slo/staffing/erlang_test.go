package staffing

import (
	"container/heap"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestErlangBTable checks Erlang's loss formula against the traffic a published table gives for
// a blocking probability of 1%: V. B. Iversen, "Teletraffic Engineering and Network Planning"
// (DTU, 2015), the table of Erlang's B-formula (the same figures are in ITU-T's teletraffic
// handbook): 10 channels carry 4.461 erlangs, 20 channels 12.031, 50 channels 37.901 and 100
// channels 84.064 at 1%. The table's traffic is rounded to three decimals, so B is 1% to within
// what that rounding moves it (under 0.001% here).
func TestErlangBTable(t *testing.T) {
	for _, tc := range []struct {
		n int
		a float64
	}{{10, 4.461}, {20, 12.031}, {50, 37.901}, {100, 84.064}} {
		if b := ErlangB(tc.n, tc.a); math.Abs(b-0.01) > 1e-5 {
			t.Errorf("B(%d, %v) = %.7f, want 0.01 (Iversen's table)", tc.n, tc.a, b)
		}
	}
	// Edges: no traffic blocks nothing; no channel blocks everything.
	if b := ErlangB(5, 0); b != 0 {
		t.Errorf("B(5, 0) = %v, want 0", b)
	}
	if b := ErlangB(0, 3); b != 1 {
		t.Errorf("B(0, 3) = %v, want 1", b)
	}
}

// TestErlangCWorkedExamples checks the published worked examples of staffing by Erlang C.
//
// Call Centre Helper, "Erlang C Formula - Made Simple With an Easy Worked Example": 100 calls in
// 30 minutes, 180 s average handling time, 80% answered within 20 s, 30% shrinkage. Traffic
// 100 × 180 / 1800 = 10 erlangs; with 11 agents the probability of waiting is 0.6821; 14 agents
// are needed, 20 with shrinkage (14 / 0.7).
//
// The Westbay Engineers example ("The Erlang-C formula"): 360 calls per half hour, 240 s per
// call, 55 agents: 360 × 240 / 1800 = 48 erlangs, occupancy 48/55 = 0.873.
func TestErlangCWorkedExamples(t *testing.T) {
	if c := ErlangC(11, 10); math.Abs(c-0.6821) > 5e-5 {
		t.Errorf("C(11, 10) = %.5f, want 0.6821", c)
	}
	got, err := Agents(Queue{ArrivalsPerHour: 200, HandleTime: 180 * time.Second, Target: 20 * time.Second, Goal: 0.8, Shrinkage: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	if got.Agents != 14 || got.Scheduled != 20 || got.Traffic != 10 {
		t.Errorf("agents %d, scheduled %d, traffic %v; want 14, 20, 10", got.Agents, got.Scheduled, got.Traffic)
	}
	// 13 agents fall short of 80%, 14 reach it: the answer is the fewest.
	if sl13, sl14 := ServiceLevel(13, 10, 180*time.Second, 20*time.Second), got.ServiceLevel; !(sl13 < 0.8 && sl14 >= 0.8) {
		t.Errorf("service level 13 agents %.4f, 14 agents %.4f: 80%% should fall between them", sl13, sl14)
	}

	// Westbay: C and the figures derived from it, by hand from C = 0.238701:
	// ASA = C × 240 / (55 − 48) = 8.184 s; SL(15 s) = 1 − C·e^(−7 × 15/240) = 0.84588.
	c := ErlangC(55, 48)
	if math.Abs(c-0.238701) > 1e-6 {
		t.Errorf("C(55, 48) = %.6f, want 0.238701", c)
	}
	if asa := ASA(55, 48, 240*time.Second); math.Abs(asa-c*240/7) > 1e-9 || math.Abs(asa-8.184) > 5e-4 {
		t.Errorf("ASA = %.4f s, want 8.184", asa)
	}
	if sl := ServiceLevel(55, 48, 240*time.Second, 15*time.Second); math.Abs(sl-(1-c*math.Exp(-7.0*15/240))) > 1e-12 || math.Abs(sl-0.84588) > 5e-5 {
		t.Errorf("SL(15 s) = %.5f, want 0.84588", sl)
	}
}

// TestErlangCAgainstDirectSum recomputes C from its textbook definition in exact arithmetic on
// logarithms, a computation independent of the recursion, for loads where the sum is still
// accurate in float64.
func TestErlangCAgainstDirectSum(t *testing.T) {
	direct := func(n int, a float64) float64 {
		// C = (a^n/n! · n/(n−a)) / (Σ_{k<n} a^k/k! + a^n/n! · n/(n−a)), scaled by e^(−max log term).
		logTerm := func(k int) float64 { lg, _ := math.Lgamma(float64(k) + 1); return float64(k)*math.Log(a) - lg }
		top := logTerm(n) + math.Log(float64(n)/(float64(n)-a))
		m := top
		for k := 0; k < n; k++ {
			m = math.Max(m, logTerm(k))
		}
		sum := 0.0
		for k := 0; k < n; k++ {
			sum += math.Exp(logTerm(k) - m)
		}
		return math.Exp(top-m) / (sum + math.Exp(top-m))
	}
	for _, tc := range []struct {
		n int
		a float64
	}{{1, 0.5}, {2, 1.5}, {11, 10}, {55, 48}, {100, 95}, {300, 280.5}} {
		if got, want := ErlangC(tc.n, tc.a), direct(tc.n, tc.a); math.Abs(got-want) > 1e-9 {
			t.Errorf("C(%d, %v) = %.12f, direct sum %.12f", tc.n, tc.a, got, want)
		}
	}
	// One agent: C = a (M/M/1's probability of waiting is the utilisation).
	if c := ErlangC(1, 0.3); math.Abs(c-0.3) > 1e-15 {
		t.Errorf("C(1, 0.3) = %v, want 0.3", c)
	}
}

// TestErlangCStable: for N up to 1,000 and loads close to capacity, every figure stays a
// probability, service levels grow with agents, and the recursion does not drift (C at n agents
// from B at n equals the figure the search carries along).
func TestErlangCStable(t *testing.T) {
	for _, n := range []int{1, 10, 100, 500, 1000, 5000} {
		for _, load := range []float64{0.5, 0.9, 0.99, 0.999, 0.99999} {
			a := float64(n) * load
			b, c := ErlangB(n, a), ErlangC(n, a)
			sl := ServiceLevel(n, a, 5*time.Minute, 30*time.Second)
			for _, v := range []float64{b, c, sl} {
				if !(v >= 0 && v <= 1) {
					t.Fatalf("n=%d a=%v: B=%v C=%v SL=%v: not probabilities", n, a, b, c, sl)
				}
			}
			if c < b {
				t.Errorf("n=%d a=%v: C=%v below B=%v (waiting is at least as likely as loss)", n, a, c, b)
			}
			if more := ServiceLevel(n+1, a, 5*time.Minute, 30*time.Second); more < sl {
				t.Errorf("n=%d a=%v: one more agent lowers the service level %v → %v", n, a, sl, more)
			}
		}
	}
	// At capacity and beyond the queue is unstable.
	if c, sl := ErlangC(100, 100), ServiceLevel(100, 100, time.Minute, time.Minute); c != 1 || sl != 0 {
		t.Errorf("n = a: C=%v SL=%v, want 1 and 0", c, sl)
	}
	// A thousand agents' worth of traffic near the limit: found, stable, a little over the load.
	s, err := Agents(Queue{ArrivalsPerHour: 11880, HandleTime: 5 * time.Minute, Target: 20 * time.Second, Goal: 0.8})
	if err != nil {
		t.Fatal(err)
	}
	if s.Traffic != 990 || s.Agents <= 990 || s.Agents > 1010 || s.ServiceLevel < 0.8 {
		t.Errorf("990 erlangs: %+v", s)
	}
}

func TestAgentsOptions(t *testing.T) {
	base := Queue{ArrivalsPerHour: 200, HandleTime: 180 * time.Second, Target: 20 * time.Second, Goal: 0.8}
	for _, tc := range []struct {
		name string
		q    func(Queue) Queue
		want Staff
	}{
		// Occupancy capped at 70%: 10 / 0.7 = 14.3, so 15 agents although 14 reach 80%.
		{"occupancy cap", func(q Queue) Queue { q.MaxOccupancy = 0.7; return q }, Staff{Traffic: 10, Agents: 15, Scheduled: 15}},
		// 40 tickets an hour of 3 minutes: 2 erlangs. By hand, B(3, 2) = 4/19, C(3, 2) = 4/9,
		// SL(3) = 1 − 4/9 · e^(−20/180) = 0.6023 < 0.8; B(4, 2) = 2/21, C(4, 2) = 4/23,
		// SL(4) = 1 − 4/23 · e^(−40/180) = 0.8607: 4 agents; 25% shrinkage: 4/0.75 = 5.33 → 6.
		{"small queue", func(q Queue) Queue { q.ArrivalsPerHour = 40; q.Shrinkage = 0.25; return q }, Staff{Traffic: 2, Agents: 4, Scheduled: 6}},
		{"no arrivals", func(q Queue) Queue { q.ArrivalsPerHour = 0; return q }, Staff{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Agents(tc.q(base))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(Staff{}, "ServiceLevel", "Occupancy", "ASA")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if sl3, sl4 := ServiceLevel(3, 2, 3*time.Minute, 20*time.Second), ServiceLevel(4, 2, 3*time.Minute, 20*time.Second); math.Abs(sl3-0.60229) > 1e-5 || math.Abs(sl4-0.86074) > 1e-5 {
		t.Errorf("SL(3, 2) = %.5f, SL(4, 2) = %.5f; want 0.60229 and 0.86074 (by hand)", sl3, sl4)
	}
	for _, bad := range []Queue{
		{ArrivalsPerHour: -1, HandleTime: time.Minute, Goal: 0.8},
		{ArrivalsPerHour: math.NaN(), HandleTime: time.Minute, Goal: 0.8},
		{ArrivalsPerHour: 1, Goal: 0.8},
		{ArrivalsPerHour: 1, HandleTime: time.Minute, Goal: 1},
		{ArrivalsPerHour: 1, HandleTime: time.Minute, Goal: 0.8, Shrinkage: 1},
		{ArrivalsPerHour: 1, HandleTime: time.Minute, Goal: 0.8, MaxOccupancy: 1.5},
	} {
		if _, err := Agents(bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// freeAt is a min-heap of the times the agents become free.
type freeAt []float64

func (h freeAt) Len() int           { return len(h) }
func (h freeAt) Less(i, j int) bool { return h[i] < h[j] }
func (h freeAt) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *freeAt) Push(x any)        { *h = append(*h, x.(float64)) }
func (h *freeAt) Pop() any          { old := *h; x := old[len(old)-1]; *h = old[:len(old)-1]; return x }

// simulate runs an M/M/n queue served first come first served: Poisson arrivals at rate lambda,
// exponential service of mean 1/mu, each ticket taken by the agent free soonest. It returns the
// share of tickets waiting at most target and the share waiting at all, after a warm-up.
func simulate(seed uint64, n int, lambda, mu, target float64, tickets int) (withinTarget, waited float64) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	h := make(freeAt, n)
	heap.Init(&h)
	warm := tickets / 10
	now := 0.0
	var in, wait int
	for i := 0; i < tickets+warm; i++ {
		now += r.ExpFloat64() / lambda
		start := math.Max(now, h[0])
		h[0] = start + r.ExpFloat64()/mu
		heap.Fix(&h, 0)
		if i < warm {
			continue
		}
		w := start - now
		if w <= target {
			in++
		}
		if w > 0 {
			wait++
		}
	}
	return float64(in) / float64(tickets), float64(wait) / float64(tickets)
}

// TestErlangCAgainstSimulation compares the formulas with a discrete-event simulation of the
// queue they model, an independent computation: seeded, 2,000,000 tickets per case after a
// warm-up of 200,000, so that the simulated shares are within a few tenths of a percent of the
// truth (their standard error, inflated by the correlation of successive waits, is under 0.1%
// here; the tolerance is 0.4 percentage points).
func TestErlangCAgainstSimulation(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation of 10 million tickets")
	}
	for i, tc := range []struct {
		n       int
		a       float64
		aht     time.Duration
		target  time.Duration
		tickets int
	}{
		{11, 10, 180 * time.Second, 20 * time.Second, 2_000_000},
		{14, 10, 180 * time.Second, 20 * time.Second, 2_000_000},
		{55, 48, 240 * time.Second, 15 * time.Second, 2_000_000},
		{4, 2, 6 * time.Minute, time.Minute, 2_000_000},
		{120, 100, 5 * time.Minute, 30 * time.Second, 2_000_000},
	} {
		mu := 1 / tc.aht.Seconds()
		lambda := tc.a * mu
		within, waited := simulate(uint64(i+1), tc.n, lambda, mu, tc.target.Seconds(), tc.tickets)
		sl, c := ServiceLevel(tc.n, tc.a, tc.aht, tc.target), ErlangC(tc.n, tc.a)
		t.Logf("n=%d a=%v: service level %.4f simulated %.4f; waiting %.4f simulated %.4f", tc.n, tc.a, sl, within, c, waited)
		if math.Abs(sl-within) > 0.004 || math.Abs(c-waited) > 0.004 {
			t.Errorf("n=%d a=%v: formula SL %.4f C %.4f, simulation %.4f %.4f", tc.n, tc.a, sl, c, within, waited)
		}
	}
}
