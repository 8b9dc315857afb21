package staffing

import (
	"math"
	"testing"
	"time"
)

// FuzzAgents: any queue either is refused or gets agents that keep its promise: a service level
// at the goal or above, occupancy within the cap, one agent fewer falling short (the fewest), and
// scheduled agents enough after shrinkage.
func FuzzAgents(f *testing.F) {
	f.Add(200.0, int64(180), int64(20), 0.8, 0.0, 0.3)
	f.Add(11880.0, int64(300), int64(20), 0.8, 0.85, 0.0)
	f.Add(0.5, int64(3600), int64(0), 0.99, 1.0, 0.5)
	f.Fuzz(func(t *testing.T, arrivals float64, aht, target int64, goal, occ, shrink float64) {
		q := Queue{ArrivalsPerHour: arrivals, HandleTime: time.Duration(aht) * time.Second, Target: time.Duration(target) * time.Second,
			Goal: goal, MaxOccupancy: occ, Shrinkage: shrink}
		if q.Check() == nil && q.Traffic() > 20000 {
			t.Skip("beyond what a test explores quickly")
		}
		s, err := Agents(q)
		if err != nil {
			return
		}
		a := q.Traffic()
		if a == 0 {
			if s.Agents != 0 {
				t.Fatalf("%+v: %d agents without traffic", q, s.Agents)
			}
			return
		}
		cap := occ
		if cap == 0 {
			cap = 1
		}
		if s.ServiceLevel < goal || a/float64(s.Agents) > cap+1e-12 || float64(s.Agents) <= a {
			t.Fatalf("%+v: %+v does not keep the promise", q, s)
		}
		fewer := s.Agents - 1
		if float64(fewer) > a && a/float64(fewer) <= cap && ServiceLevel(fewer, a, q.HandleTime, q.Target) >= goal {
			t.Fatalf("%+v: %d agents would do, got %d", q, fewer, s.Agents)
		}
		if float64(s.Scheduled)*(1-shrink) < float64(s.Agents)-1e-6 {
			t.Fatalf("%+v: %d scheduled leave fewer than %d on the queue", q, s.Scheduled, s.Agents)
		}
		for _, v := range []float64{s.ServiceLevel, s.Occupancy} {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("%+v: %+v", q, s)
			}
		}
	})
}

// FuzzDeferred: the workload model conserves work (what arrives in a week is what the week's
// hours need, in the steady state of a week without holidays near it: a holiday moves work
// across weeks) and its attainment is a share.
func FuzzDeferred(f *testing.F) {
	f.Add(int64(4*3600), int64(3600), 2.0, 4.0, uint8(16), uint8(58), 0.4)
	f.Add(int64(0), int64(60), 0.0, 1.0, uint8(0), uint8(167), 1.0)
	f.Add(int64(40*3600), int64(7200), 3.5, 0.25, uint8(112), uint8(40), 0.0)
	f.Fuzz(func(t *testing.T, target, handle int64, a1, a2 float64, h1, h2 uint8, roster float64) {
		if target < 0 || target > 80*3600 || handle <= 0 || handle > 8*3600 || !(roster >= 0 && roster < 100) {
			t.Skip()
		}
		d := deferred(t, time.Duration(target)*time.Second, map[int]float64{int(h1) % HoursPerWeek: a1, int(h2) % HoursPerWeek: a2}, time.Duration(handle)*time.Second)
		d.Start = time.Date(2027, 1, 11, 0, 0, 0, 0, d.Start.Location()) // five weeks after the Immacolata
		n, err := Required(d)
		if err != nil {
			return
		}
		want := d.Arrivals.Sum() * d.HandleTime.Hours()
		if math.Abs(n.Work.Sum()-want) > 1e-6*math.Max(1, want) {
			t.Fatalf("the week's work %v, want %v arriving", n.Work.Sum(), want)
		}
		var r Week
		for h := range r {
			r[h] = roster
		}
		got, err := DeferredAttainment(d, r)
		if err != nil {
			t.Fatal(err)
		}
		if !(got >= 0 && got <= 1+1e-12) {
			t.Fatalf("attainment %v", got)
		}
		if a1 > 50 || a2 > 50 {
			return // the simulation's cost grows with the tickets: keep the fuzzer fast
		}
		sim, err := SimulateDeferred(d, r, Simulation{Seed: 1, Tickets: 500, MinWeeks: 40, MaxWeeks: 100})
		if err != nil {
			t.Fatal(err)
		}
		if !(sim.Attainment >= 0 && sim.Attainment <= 1+1e-12) || !(sim.StdErr >= 0 && sim.StdErr <= 1) || (d.Arrivals.Sum() > 0 && sim.Weeks < 40) {
			t.Fatalf("simulated %+v", sim)
		}
	})
}
