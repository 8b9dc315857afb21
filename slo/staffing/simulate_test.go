package staffing

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// steady is a queue worked around the clock in UTC, with the same arrivals every hour and a
// deadline target after arrival: the M/M/c queue, whose sojourn time has a closed form.
func steady(rate float64, handle, target time.Duration) Deferred {
	var w Week
	for h := range w {
		w[h] = rate
	}
	return Deferred{Arrivals: w, HandleTime: handle, Start: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC),
		Deadline: func(a time.Time) time.Time { return a.Add(target) },
		Working:  func(a, b time.Time) time.Duration { return b.Sub(a) }}
}

func flat(agents float64) Week {
	var w Week
	for h := range w {
		w[h] = agents
	}
	return w
}

// TestSimulateDeferredHandWorked: the simulation against closed forms. A ticket is in time when
// its sojourn (wait + work) is within target; in an M/M/c queue, first come first served, the
// wait is 0 with probability 1 − C (Erlang C) and otherwise exponential at rate θ = cμ − λ, the
// work exponential at rate μ, so
//
//	P(S ≤ T) = (1 − C)(1 − e^(−μT)) + C · P(X + B ≤ T),  X ~ Exp(θ), B ~ Exp(μ),
//	P(X + B ≤ T) = 1 − (θe^(−μT) − μe^(−θT)) / (θ − μ),  or 1 − e^(−μT)(1 + μT) when θ = μ.
func TestSimulateDeferredHandWorked(t *testing.T) {
	tests := []struct {
		name   string
		d      Deferred
		roster Week
		want   float64
	}{
		// M/M/1, λ = 1/h, μ = 2/h (30 min), T = 1 h: the sojourn is Exp(μ − λ) = Exp(1/h), so
		// P = 1 − e^(−1) = 0.632121.
		{"M/M/1", steady(1, 30*time.Minute, time.Hour), flat(1), 1 - math.Exp(-1)},
		// M/M/3, λ = 4/h, μ = 2/h, a = 2 E: Erlang B by the recursion 2/3, 0.4, 0.8/3.8 =
		// 0.210526; C = 3B / (3 − 2(1 − B)) = 0.631579 / 1.421053 = 4/9. θ = 6 − 4 = 2 = μ, so
		// P(X + B ≤ 1 h) = 1 − 3e^(−2) = 0.593994, and P = 5/9 × (1 − e^(−2)) + 4/9 × 0.593994
		// = 0.480369 + 0.263997 = 0.744366.
		{"M/M/3", steady(4, 30*time.Minute, time.Hour), flat(3), 5.0/9*(1-math.Exp(-2)) + 4.0/9*(1-3*math.Exp(-2))},
		// Shrinkage: 5 rostered at 40% shrinkage are 3 on the queue, the M/M/3 case again.
		{"M/M/3 from 5 at 40% shrinkage", withShrinkage(steady(4, 30*time.Minute, time.Hour), 0.4), flat(5),
			5.0/9*(1-math.Exp(-2)) + 4.0/9*(1-3*math.Exp(-2))},
		// No agents: nothing is ever done.
		{"nobody", steady(1, 30*time.Minute, time.Hour), Week{}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// A million tickets: a standard error near 0.1 points.
			got, err := SimulateDeferred(tc.d, tc.roster, Simulation{Seed: 1, Tickets: 1_000_000, MaxWeeks: 10_000})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%.5f ± %.5f over %d weeks, %d tickets; closed form %.5f", got.Attainment, got.StdErr, got.Weeks, got.Tickets, tc.want)
			if got.StdErr > 0.0015 || math.Abs(got.Attainment-tc.want) > 4*got.StdErr+1e-12 {
				t.Errorf("attainment %.5f ± %.5f, want %.5f within 4 standard errors", got.Attainment, got.StdErr, tc.want)
			}
		})
	}
}

func withShrinkage(d Deferred, s float64) Deferred { d.Shrinkage = s; return d }

// TestSimulateDeferredCalendar: on the office calendar (09:00-17:00 weekdays, the Tuesday of the
// planned week a holiday) with a roster of more agents than tickets, no ticket waits for an
// agent, and both its work and its deadline run in working time only: a ticket is in time when
// its work, Exp(1 h) of working time, is within the 4 business hours, P = 1 − e^(−4) = 0.981684,
// whenever it arrives (at night, on the holiday, on Friday afternoon). Agents rostered outside
// working time do nothing.
func TestSimulateDeferredCalendar(t *testing.T) {
	arrivals := map[int]float64{}
	for h := range HoursPerWeek {
		arrivals[h] = 0.5
	}
	d := deferred(t, 4*time.Hour, arrivals, time.Hour)
	got, err := SimulateDeferred(d, flat(1000), Simulation{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	want := 1 - math.Exp(-4)
	t.Logf("%.5f ± %.5f over %d weeks; want %.5f", got.Attainment, got.StdErr, got.Weeks, want)
	if math.Abs(got.Attainment-want) > 4*got.StdErr {
		t.Errorf("attainment %.5f ± %.5f, want %.5f", got.Attainment, got.StdErr, want)
	}
}

// TestSimulateDeferredSeeded: the same inputs and seed give the same figure, so that the
// published expectation does not flicker between evaluations; another seed another sample.
func TestSimulateDeferredSeeded(t *testing.T) {
	d := steady(4, 30*time.Minute, time.Hour)
	a, err := SimulateDeferred(d, flat(3), Simulation{Seed: 42, Tickets: 10_000})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := SimulateDeferred(d, flat(3), Simulation{Seed: 42, Tickets: 10_000})
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed (-first +second):\n%s", diff)
	}
	if c, _ := SimulateDeferred(d, flat(3), Simulation{Seed: 43, Tickets: 10_000}); c.Attainment == a.Attainment {
		t.Errorf("seeds 42 and 43 give the same %v", a.Attainment)
	}
	if z, _ := SimulateDeferred(Deferred{HandleTime: time.Hour, Deadline: d.Deadline, Working: d.Working, Start: d.Start}, flat(1), Simulation{}); z != (Expected{Attainment: 1}) {
		t.Errorf("no arrivals: %+v, want attainment 1", z)
	}
}

// busyOffice is the office calendar with 3 tickets an hour of 40 minutes due in 4 business
// hours, 09:00-17:00 on weekdays: 80 agent-hours of work a week; and a roster of 4 agents those
// hours, at 30% shrinkage 2.8 on the queue, 89.6 agent-hours in the week's four working days
// (the Tuesday is a holiday): enough on average, little to spare.
func busyOffice(t *testing.T) (Deferred, Week) {
	arrivals := map[int]float64{}
	for d := range 5 {
		for h := 9; h < 17; h++ {
			arrivals[d*24+h] = 3
		}
	}
	d := deferred(t, 4*time.Hour, arrivals, 40*time.Minute)
	d.Shrinkage = 0.3
	var roster Week
	for h := range arrivals {
		roster[h] = 4
	}
	return d, roster
}

// TestSimulateDeferredBelowFluid: with randomness the roster does no better than the fluid
// model's average week, and much worse where the roster barely covers the work (busyOffice).
func TestSimulateDeferredBelowFluid(t *testing.T) {
	d, roster := busyOffice(t)
	fluid, err := DeferredAttainment(d, roster)
	if err != nil {
		t.Fatal(err)
	}
	sim, err := SimulateDeferred(d, roster, Simulation{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fluid %.4f, simulated %.4f ± %.4f", fluid, sim.Attainment, sim.StdErr)
	if !(sim.Attainment < fluid-0.05) {
		t.Errorf("simulated %.4f, fluid %.4f: want the variance to cost more than 5 points", sim.Attainment, fluid)
	}
}

// TestSimulateDeferredErrors: a calendar without deadlines is refused, as by the other models.
func TestSimulateDeferredErrors(t *testing.T) {
	d := steady(1, time.Hour, time.Hour)
	d.Deadline = func(time.Time) time.Time { return time.Time{} }
	if _, err := SimulateDeferred(d, flat(1), Simulation{}); err == nil {
		t.Error("no deadline: want an error")
	}
	d = steady(1, 0, time.Hour)
	if _, err := SimulateDeferred(d, flat(1), Simulation{}); err == nil {
		t.Error("no handle time: want an error")
	}
}

// TestSimulateDeferredStdErr: the published standard error says how far another seed's figure
// lies: over 40 seeds, the spread of the figures matches the mean standard error. The sample
// standard deviation of 40 draws is within 11% of the truth at one sigma, so [0.6, 1.5] is some
// four sigmas wide. The queue is busyOffice's, a roster just above its work, where tickets
// share their fate most and single weeks would understate it.
func TestSimulateDeferredStdErr(t *testing.T) {
	d, roster := busyOffice(t)
	const seeds = 40
	var xs []float64
	var se float64
	for seed := range uint64(seeds) {
		x, err := SimulateDeferred(d, roster, Simulation{Seed: seed, Tickets: 10_000})
		if err != nil {
			t.Fatal(err)
		}
		xs = append(xs, x.Attainment)
		se += x.StdErr / seeds
	}
	var mean, ss float64
	for _, x := range xs {
		mean += x / seeds
	}
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	sd := math.Sqrt(ss / (seeds - 1))
	t.Logf("40 seeds: mean %.4f, spread %.4f, mean standard error %.4f", mean, sd, se)
	if r := sd / se; r < 0.6 || r > 1.5 {
		t.Errorf("the figures spread %.4f, the standard errors say %.4f: ratio %.2f", sd, se, r)
	}
}
