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
			want := Result{Known: true, Ratio: tt.ratio, Amount: tt.amount, PerObjective: []float64{tt.ratio}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Credit(%v) mismatch (-want +got):\n%s", tt.attainment, diff)
			}
		})
	}
}

// Several objectives: aggregation, the cap, and attainments without data, which make the credit
// unknown.
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
			Result{Known: true, Ratio: 0.25, Amount: 500, PerObjective: []float64{0.25, 0.125, 0}}}, // 0.25 × 2000
		{"sum adds", Sum, 0, []float64{0.985, 0.9985, 0.9999},
			Result{Known: true, Ratio: 0.375, Amount: 750, PerObjective: []float64{0.25, 0.125, 0}}}, // (0.25+0.125) × 2000
		{"sum stops at the default cap of 1", Sum, 0, []float64{0.9, 0.9, 0.9},
			Result{Known: true, Ratio: 1, Amount: 2000, PerObjective: []float64{0.5, 0.5, 0.5}}}, // 1.5 capped at 1
		{"sum stops at the cap", Sum, 0.5, []float64{0.9, 0.98},
			Result{Known: true, Ratio: 0.5, Amount: 1000, PerObjective: []float64{0.5, 0.25}}}, // 0.75 capped at 0.5
		{"max stops at the cap", Max, 0.25, []float64{0.9},
			Result{Known: true, Ratio: 0.25, Amount: 500, PerObjective: []float64{0.5}}}, // 0.5 capped at 0.25
		{"all kept earns nothing, known", Max, 0, []float64{0.9999, 1},
			Result{Known: true, Ratio: 0, Amount: 0, PerObjective: []float64{0, 0}}},
		// The objective without data may have missed worse than 99.85%: the credit is unknown,
		// not the 1/8 of the other one.
		{"no data makes the credit unknown", Max, 0, []float64{nan, 0.9985},
			Result{Ratio: nan, Amount: nan, PerObjective: []float64{nan, 0.125}, Skipped: 1}},
		{"no data beside kept promises is unknown, not zero", Sum, 0, []float64{1, nan},
			Result{Ratio: nan, Amount: nan, PerObjective: []float64{0, nan}, Skipped: 1}},
		{"a percentage is not an attainment", Sum, 0, []float64{99.5, -0.01, math.Inf(-1), 0.98},
			Result{Ratio: nan, Amount: nan, PerObjective: []float64{nan, nan, nan, 0.25}, Skipped: 3}},
		{"all skipped is unknown", Max, 0, []float64{nan, nan},
			Result{Ratio: nan, Amount: nan, PerObjective: []float64{nan, nan}, Skipped: 2}},
		{"no objectives is unknown", Sum, 0, nil, Result{Ratio: nan, Amount: nan, PerObjective: []float64{}}},
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
	if !got.Known || got.Ratio != 0.30 || got.Amount != 0 {
		t.Errorf("Credit() = %+v, want known, ratio 0.3 and amount 0", got)
	}
}

// TestSpec_Credit_Invoice is issue 7's hosting contract, hand-checked: below 99.95% → 10%, below
// 99.9% → 25%, on a fee of 12,000 EUR.
func TestSpec_Credit_Invoice(t *testing.T) {
	s := Spec{Name: "hosting", Tiers: []Tier{{Below: 0.9995, Credit: 0.10}, {Below: 0.999, Credit: 0.25}}, Fee: 12000, Currency: "EUR"}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		attainment float64
		want       Result
		status     Status
	}{
		// November ended at 99.93%: under 99.95%, not under 99.9%: 10% × 12,000 = 1,200 EUR.
		{"finished month at 99.93%", 0.9993, Result{Known: true, Ratio: 0.10, Amount: 1200, PerObjective: []float64{0.10}}, CreditDue},
		// Mid-December so far 99.88%: under 99.9%: 25% × 12,000 = 3,000 EUR.
		{"running 99.88%", 0.9988, Result{Known: true, Ratio: 0.25, Amount: 3000, PerObjective: []float64{0.25}}, CreditDue},
		// The forecast of 99.89% is still under 99.9% (by 0.01 point): 25% too, 3,000 EUR.
		{"forecast 99.89%", 0.9989, Result{Known: true, Ratio: 0.25, Amount: 3000, PerObjective: []float64{0.25}}, CreditDue},
		// Exactly 99.95% is not below it: nothing owed, and that is known.
		{"99.95% exactly", 0.9995, Result{Known: true, Ratio: 0, Amount: 0, PerObjective: []float64{0}}, OK},
		// No data: unknown, never "nothing owed".
		{"no data", nan, Result{Ratio: nan, Amount: nan, PerObjective: []float64{nan}, Skipped: 1}, Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.Credit([]float64{tt.attainment})
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateNaNs(), cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("Credit(%v) mismatch (-want +got):\n%s", tt.attainment, diff)
			}
			if got.Status() != tt.status {
				t.Errorf("Status() = %s, want %s", got.Status(), tt.status)
			}
		})
	}
}

func TestSpec_TierFor(t *testing.T) {
	s := Spec{Tiers: aws}
	tests := []struct {
		attainment float64
		tier       Tier
		ok         bool
	}{
		{0.99995, Tier{}, false}, // above every tier
		{0.9999, Tier{}, false},  // at the top tier's threshold: not below it
		{0.9995, aws[0], true},   // below 99.99% only
		{0.985, aws[1], true},    // below 99.99% and 99%: the lower threshold wins
		{0.5, aws[2], true},      // below all three
		{nan, Tier{}, false},     // no data
		{99.5, Tier{}, false},    // a percentage
		{-0.001, Tier{}, false},  // not an attainment
	}
	for _, tt := range tests {
		tier, ok := s.TierFor(tt.attainment)
		if tier != tt.tier || ok != tt.ok {
			t.Errorf("TierFor(%v) = %+v, %v; want %+v, %v", tt.attainment, tier, ok, tt.tier, tt.ok)
		}
	}
}
