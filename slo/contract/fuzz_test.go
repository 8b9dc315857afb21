package contract

import (
	"math"
	"testing"
)

// FuzzCredit checks what any valid schedule promises: credits within [0, 1] per objective and
// [0, cap] in all, the amount is the ratio of the fee, skips are counted and make the credit
// unknown, and a lower attainment never earns less.
func FuzzCredit(f *testing.F) {
	f.Add(0.9999, 0.1, 0.99, 0.3, 0.95, 1.0, 1000.0, uint8(0), 0.0, 0.985, 0.9999, math.NaN())
	f.Add(0.999, 0.125, 0.99, 0.25, 0.95, 0.5, 0.0, uint8(1), 0.5, 0.9, 99.5, 0.98)
	f.Fuzz(func(t *testing.T, b1, c1, b2, c2, b3, c3, fee float64, agg uint8, limit, a1, a2, a3 float64) {
		s := Spec{Name: "f", Tiers: []Tier{{b1, c1}, {b2, c2}, {b3, c3}}, Fee: fee, Currency: "EUR", Aggregate: Aggregate(agg % 3), Cap: limit}
		att := []float64{a1, a2, a3}
		r := s.Credit(att) // must not panic, valid spec or not
		if s.Validate() != nil {
			return
		}
		capRatio := limit
		if capRatio == 0 {
			capRatio = 1
		}
		if r.Known != (r.Skipped == 0) {
			t.Fatalf("known %v with %d skipped", r.Known, r.Skipped)
		}
		if !r.Known && !(math.IsNaN(r.Ratio) && math.IsNaN(r.Amount)) {
			t.Fatalf("unknown credit has ratio %v and amount %v, want NaN", r.Ratio, r.Amount)
		}
		if r.Known && !(r.Ratio >= 0 && r.Ratio <= capRatio) {
			t.Fatalf("ratio %v outside [0, %v]", r.Ratio, capRatio)
		}
		if r.Known && r.Amount != r.Ratio*fee {
			t.Fatalf("amount %v is not %v × %v", r.Amount, r.Ratio, fee)
		}
		skipped := 0
		for i, c := range r.PerObjective {
			if math.IsNaN(c) {
				skipped++
				if att[i] >= 0 && att[i] <= 1 {
					t.Fatalf("attainment %v skipped", att[i])
				}
				continue
			}
			if !(c >= 0 && c <= 1) {
				t.Fatalf("credit %v for %v outside [0, 1]", c, att[i])
			}
			for j, d := range r.PerObjective {
				if !math.IsNaN(d) && att[j] < att[i] && d < c {
					t.Fatalf("attainment %v earns %v, less than %v for %v", att[j], d, c, att[i])
				}
			}
		}
		if skipped != r.Skipped || len(r.PerObjective) != len(att) {
			t.Fatalf("skipped %d, reported %d", skipped, r.Skipped)
		}
	})
}
