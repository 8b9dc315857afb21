package kpi

import "testing"

func TestNearestRank(t *testing.T) {
	ten := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	tests := []struct {
		name   string
		values []float64
		p      int
		want   float64
	}{
		{"one value", []float64{7}, 50, 7},                       // rank ceil(0.5) = 1
		{"p90 of one", []float64{7}, 90, 7},                      // rank ceil(0.9) = 1
		{"p50 of even count", []float64{10, 20, 30, 40}, 50, 20}, // rank ceil(2) = 2, no interpolation
		{"p50 of odd count", []float64{10, 20, 30}, 50, 20},      // rank ceil(1.5) = 2
		{"p90 of ten", ten, 90, 9},                               // rank ceil(9) = 9
		{"p90 of eleven", append(ten, 11), 90, 10},               // rank ceil(9.9) = 10
		{"p50 of ten", ten, 50, 5},                               // rank 5
		{"p100", ten, 100, 10},
		{"p0 takes the first", ten, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nearestRank(tt.values, tt.p); got != tt.want {
				t.Errorf("nearestRank(p%d) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestTally_Stat(t *testing.T) {
	// 30, 10, 20, 40 in arrival order: the percentile must sort, the mean and max must not care.
	tests := []struct {
		stat Stat
		want float64
	}{
		{Mean, 25}, // 100/4
		{Max, 40},
		{P50, 20}, // sorted 10, 20, 30, 40: rank 2
		{P90, 40}, // rank ceil(3.6) = 4
	}
	for _, tt := range tests {
		tl := tally{keep: tt.stat.percentile() > 0}
		for _, d := range []float64{30, 10, 20, 40} {
			tl.add(d)
		}
		if got := tl.stat(tt.stat); got != tt.want {
			t.Errorf("%s = %v, want %v", tt.stat, got, tt.want)
		}
	}
}
