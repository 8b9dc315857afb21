package staffing

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// groups is the benchmarks' service desk: 50 groups, each with its own weekly arrival curve
// (busy weekday office hours, a quieter evening, little at night and at weekends).
const groups = 50

func arrivalCurve(g int) Week {
	var w Week
	for h := range w {
		day, hour := h/24, h%24
		base := 2.0
		if hour >= 8 && hour < 18 {
			base = 40
		} else if hour >= 18 && hour < 22 {
			base = 12
		}
		if day >= 5 {
			base /= 4
		}
		w[h] = base * (1 + 0.5*math.Sin(float64(g+h)))
	}
	return w
}

// BenchmarkRequiredAgents: Erlang C staffing of every hour of the week of 50 groups answering in
// minutes (5-minute handle time, 80% in 60 s, 85% occupancy cap, 30% shrinkage).
func BenchmarkRequiredAgents(b *testing.B) {
	plans := make([]QueuePlan, groups)
	for g := range plans {
		plans[g] = QueuePlan{Arrivals: arrivalCurve(g), HandleTime: 5 * time.Minute, Target: time.Minute, Goal: 0.8, MaxOccupancy: 0.85, Shrinkage: 0.3}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range plans {
			if _, err := RequiredAgents(p); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkRequiredDeferred: the workload model of every hour of the week of 50 groups with
// business-hours targets (8 business hours, 40-minute handle time) on an office calendar with a
// holiday, and the attainment their rosters give.
func BenchmarkRequiredDeferred(b *testing.B) {
	ds := make([]Deferred, groups)
	for g := range ds {
		ds[g] = deferred(b, 8*time.Hour, nil, 40*time.Minute)
		ds[g].Arrivals = arrivalCurve(g)
		ds[g].MaxOccupancy, ds[g].Shrinkage = 0.85, 0.3
	}
	var roster Week
	for h := range roster {
		if h%24 >= 9 && h%24 < 17 && h/24 < 5 {
			roster[h] = 60
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range ds {
			if _, err := Required(d); err != nil {
				b.Fatal(err)
			}
			if _, err := DeferredAttainment(d, roster); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkSimulateDeferred: the simulated expected attainment of one group of the benchmarks'
// desk (its roster a little above the average work), at the default run length, and of 50
// groups, what a first evaluation of a large configuration pays once (later evaluations reuse
// it until the week's arrivals change).
func BenchmarkSimulateDeferred(b *testing.B) {
	for _, n := range []int{1, groups} {
		b.Run(fmt.Sprintf("groups=%d", n), func(b *testing.B) {
			ds := make([]Deferred, n)
			rosters := make([]Week, n)
			for g := range ds {
				ds[g] = deferred(b, 8*time.Hour, nil, 40*time.Minute)
				ds[g].Arrivals = arrivalCurve(g)
				ds[g].MaxOccupancy, ds[g].Shrinkage = 0.85, 0.3
				// The week's work over the 4 × 8 working hours (the Tuesday is a holiday), at
				// 70% on the queue, and 10% more.
				per := ds[g].Arrivals.Sum() * 40 / 60 / 32 / 0.7 * 1.1
				for h := range rosters[g] {
					if h%24 >= 9 && h%24 < 17 && h/24 < 5 {
						rosters[g][h] = math.Ceil(per)
					}
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				for g := range ds {
					if _, err := SimulateDeferred(ds[g], rosters[g], Simulation{Seed: uint64(g)}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
