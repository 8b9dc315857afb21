package contract

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var nan = math.NaN()

// One objective at a time against a schedule: the tier with the lowest Below the attainment is
// strictly under.
func TestSpec_Credit_Tiers(t *testing.T) {
	// The design's example: below 99.9% → 10%, below 99% → 25%, below 95% → 100%.
	design := []Tier{{Below: 0.999, Credit: 0.10}, {Below: 0.99, Credit: 0.25}, {Below: 0.95, Credit: 1}}
	tests := []struct {
		name       string
		tiers      []Tier
		attainment float64
		ratio      float64
		amount     float64 // of a fee of 1000
	}{
		{"design: 98.5% is under 99.9% and 99%, not 95%", design, 0.985, 0.25, 250},
		{"design: exactly 99.9% is not below 99.9%", design, 0.999, 0, 0},
		{"design: just under 99.9%", design, 0.99899, 0.10, 100},
		{"design: exactly 99% is only below 99.9%", design, 0.99, 0.10, 100},
		{"design: exactly 95% is below 99%", design, 0.95, 0.25, 250},
		{"design: 94.9%", design, 0.949, 1, 1000},
		{"design: nothing up", design, 0, 1, 1000},
		{"design: all up", design, 1, 0, 0},
		{"aws: exactly 99.99% is not below it", aws, 0.9999, 0, 0},
		{"aws: 99.985%", aws, 0.99985, 0.10, 100}, // 0.1 × 1000
		{"aws: exactly 99%", aws, 0.99, 0.10, 100},
		{"aws: 98.9%", aws, 0.989, 0.30, 300}, // 0.3 × 1000
		{"aws: exactly 95%", aws, 0.95, 0.30, 300},
		{"aws: 94.99%", aws, 0.9499, 1, 1000},
		{"aws listed backwards", []Tier{aws[2], aws[1], aws[0]}, 0.989, 0.30, 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Spec{Tiers: tt.tiers, Fee: 1000, Currency: "USD"}
			got := s.Credit([]float64{tt.attainment})
			want := Result{Ratio: tt.ratio, Amount: tt.amount, PerObjective: []float64{tt.ratio}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Credit(%v) mismatch (-want +got):\n%s", tt.attainment, diff)
			}
		})
	}
}

// Several objectives: aggregation, the cap, and attainments without data.
func TestSpec_Credit_Aggregate(t *testing.T) {
	// Credits in powers of two, so that sums are exact: below 99.9% → 1/8, below 99% → 1/4,
	// below 95% → 1/2.
	tiers := []Tier{{Below: 0.999, Credit: 0.125}, {Below: 0.99, Credit: 0.25}, {Below: 0.95, Credit: 0.5}}
	tests := []struct {
		name        string
		agg         Aggregate
		cap         float64
		attainments []float64
		want        Result
	}{
		{"max takes the worst", Max, 0, []float64{0.985, 0.9985, 0.9999},
			Result{Ratio: 0.25, Amount: 500, PerObjective: []float64{0.25, 0.125, 0}}}, // 0.25 × 2000
		{"sum adds", Sum, 0, []float64{0.985, 0.9985, 0.9999},
			Result{Ratio: 0.375, Amount: 750, PerObjective: []float64{0.25, 0.125, 0}}}, // (0.25+0.125) × 2000
		{"sum stops at the default cap of 1", Sum, 0, []float64{0.9, 0.9, 0.9},
			Result{Ratio: 1, Amount: 2000, PerObjective: []float64{0.5, 0.5, 0.5}}}, // 1.5 capped at 1
		{"sum stops at the cap", Sum, 0.5, []float64{0.9, 0.98},
			Result{Ratio: 0.5, Amount: 1000, PerObjective: []float64{0.5, 0.25}}}, // 0.75 capped at 0.5
		{"max stops at the cap", Max, 0.25, []float64{0.9},
			Result{Ratio: 0.25, Amount: 500, PerObjective: []float64{0.5}}}, // 0.5 capped at 0.25
		{"no data is skipped, not credited", Max, 0, []float64{nan, 0.9985},
			Result{Ratio: 0.125, Amount: 250, PerObjective: []float64{nan, 0.125}, Skipped: 1}},
		{"a percentage is not an attainment", Sum, 0, []float64{99.5, -0.01, math.Inf(-1), 0.98},
			Result{Ratio: 0.25, Amount: 500, PerObjective: []float64{nan, nan, nan, 0.25}, Skipped: 3}},
		{"all skipped credits nothing", Max, 0, []float64{nan, nan},
			Result{Ratio: 0, Amount: 0, PerObjective: []float64{nan, nan}, Skipped: 2}},
		{"no objectives", Sum, 0, nil, Result{PerObjective: []float64{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Spec{Tiers: tiers, Fee: 2000, Currency: "EUR", Aggregate: tt.agg, Cap: tt.cap}
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			got := s.Credit(tt.attainments)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateNaNs()); diff != "" {
				t.Errorf("Credit(%v) mismatch (-want +got):\n%s", tt.attainments, diff)
			}
		})
	}
}

// With no fee, the ratio is the answer and the amount is zero.
func TestSpec_Credit_NoFee(t *testing.T) {
	got := Spec{Tiers: aws}.Credit([]float64{0.98})
	if got.Ratio != 0.30 || got.Amount != 0 {
		t.Errorf("Credit() = %+v, want ratio 0.3 and amount 0", got)
	}
}
