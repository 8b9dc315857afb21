package calendar

import (
	"math/rand/v2"
	"testing"
	"time"
)

// italianOffice is the benchmark calendar: Mon-Fri 09:00-17:00 in Rome with ten recurring
// holidays and Easter Monday, over the default span 2000-2100.
func italianOffice(b *testing.B) Spec {
	recurring := []MonthDay{{1, 1}, {1, 6}, {4, 25}, {5, 1}, {6, 2}, {8, 15}, {11, 1}, {12, 8}, {12, 25}, {12, 26}}
	easterMonday := []Date{
		{2020, 4, 13}, {2021, 4, 5}, {2022, 4, 18}, {2023, 4, 10}, {2024, 4, 1}, {2025, 4, 21},
		{2026, 4, 6}, {2027, 3, 29}, {2028, 4, 17}, {2029, 4, 2}, {2030, 4, 22},
	}
	return Spec{
		Name:      "italian-office",
		Location:  loadZone(b, "Europe/Rome"),
		Week:      mondayToFriday(Interval{9 * hour, 17 * hour}),
		Holidays:  easterMonday,
		Recurring: recurring,
	}
}

// instantPairs draws sorted pairs of instants over 2020-2030, before the timer starts.
func instantPairs(n int) [][2]int64 {
	r := rand.New(rand.NewPCG(9, 10))
	lo := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	pairs := make([][2]int64, n)
	for i := range pairs {
		a, b := lo+r.Int64N(hi-lo), lo+r.Int64N(hi-lo)
		pairs[i] = [2]int64{min(a, b), max(a, b)}
	}
	return pairs
}

var sink int64

func BenchmarkBusinessDuration(b *testing.B) {
	c := mustNew(b, italianOffice(b))
	pairs := instantPairs(4096)
	i := 0
	for b.Loop() {
		p := pairs[i%len(pairs)]
		sink += c.DurationUnix(p[0], p[1])
		i++
	}
}

func BenchmarkDeadline(b *testing.B) {
	c := mustNew(b, italianOffice(b))
	pairs := instantPairs(4096)
	r := rand.New(rand.NewPCG(11, 12))
	work := make([]int64, len(pairs))
	for i := range work {
		work[i] = r.Int64N(200 * hour) // up to five weeks of office time
	}
	i := 0
	for b.Loop() {
		j := i % len(pairs)
		sink += c.DeadlineUnix(pairs[j][0], work[j])
		i++
	}
}

// BenchmarkNew builds the benchmark calendar over the default span, as the daemon does at start.
func BenchmarkNew(b *testing.B) {
	spec := italianOffice(b)
	for b.Loop() {
		if _, err := New(spec); err != nil {
			b.Fatal(err)
		}
	}
}
