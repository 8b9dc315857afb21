package contract

import (
	"math"
	"testing"
)

// aws is the AWS-style schedule: below 99.99% → 10%, below 99.0% → 30%, below 95.0% → 100%.
var aws = []Tier{{Below: 0.9999, Credit: 0.10}, {Below: 0.99, Credit: 0.30}, {Below: 0.95, Credit: 1}}

func TestSpec_Validate(t *testing.T) {
	with := func(f func(*Spec)) Spec {
		s := Spec{Name: "hosting", Tiers: aws, Fee: 1000, Currency: "EUR"}
		f(&s)
		return s
	}
	tests := []struct {
		name string
		spec Spec
		want string // "" for valid
	}{
		{"aws tiers", with(func(*Spec) {}), ""},
		{"tiers in any order", with(func(s *Spec) { s.Tiers = []Tier{aws[2], aws[0], aws[1]} }), ""},
		{"no fee, no currency", with(func(s *Spec) { s.Fee, s.Currency = 0, "" }), ""},
		{"sum with a cap", with(func(s *Spec) { s.Aggregate, s.Cap = Sum, 0.5 }), ""},
		{"below 1 and credit 0", with(func(s *Spec) { s.Tiers = []Tier{{Below: 1, Credit: 0}} }), ""},
		{"equal credits", with(func(s *Spec) { s.Tiers = []Tier{{Below: 0.99, Credit: 0.1}, {Below: 0.999, Credit: 0.1}} }), ""},

		{"no tiers", with(func(s *Spec) { s.Tiers = nil }), `contract "hosting": no credit tiers`},
		{"percentage below", with(func(s *Spec) { s.Tiers = []Tier{aws[0], {Below: 99, Credit: 0.3}} }),
			`contract "hosting": tiers[1]: below 99 is not an attainment in (0, 1] (write 0.999, not 99.9)`},
		{"zero below", with(func(s *Spec) { s.Tiers = []Tier{{Below: 0, Credit: 1}} }),
			`contract "hosting": tiers[0]: below 0 is not an attainment in (0, 1] (write 0.999, not 99.9)`},
		{"NaN below", with(func(s *Spec) { s.Tiers = []Tier{{Below: math.NaN(), Credit: 1}} }),
			`contract "hosting": tiers[0]: below NaN is not an attainment in (0, 1] (write 0.999, not 99.9)`},
		{"percentage credit", with(func(s *Spec) { s.Tiers = []Tier{aws[0], aws[1], {Below: 0.95, Credit: 100}} }),
			`contract "hosting": tiers[2]: credit 100 is not a ratio of the fee in [0, 1] (write 0.1, not 10)`},
		{"negative credit", with(func(s *Spec) { s.Tiers = []Tier{{Below: 0.9, Credit: -0.1}} }),
			`contract "hosting": tiers[0]: credit -0.1 is not a ratio of the fee in [0, 1] (write 0.1, not 10)`},
		{"repeated below", with(func(s *Spec) { s.Tiers = []Tier{aws[0], aws[1], {Below: 0.9999, Credit: 0.2}} }),
			`contract "hosting": tiers[2]: below 0.9999 repeats tiers[0]`},
		{"deeper tier credits less", with(func(s *Spec) { s.Tiers = []Tier{{Below: 0.99, Credit: 0.25}, {Below: 0.95, Credit: 0.1}} }),
			`contract "hosting": tiers[0] (below 0.99: credit 0.25) and tiers[1] (below 0.95: credit 0.1): a lower attainment must not earn a smaller credit`},
		{"shallower tier credits more", with(func(s *Spec) { s.Tiers = []Tier{{Below: 0.95, Credit: 0.1}, {Below: 0.99, Credit: 0.25}} }),
			`contract "hosting": tiers[0] (below 0.95: credit 0.1) and tiers[1] (below 0.99: credit 0.25): a lower attainment must not earn a smaller credit`},
		{"negative fee", with(func(s *Spec) { s.Fee = -1 }), `contract "hosting": fee -1 is not a finite amount >= 0`},
		{"infinite fee", with(func(s *Spec) { s.Fee = math.Inf(1) }), `contract "hosting": fee +Inf is not a finite amount >= 0`},
		{"fee without currency", with(func(s *Spec) { s.Currency = "" }), `contract "hosting": currency is not set for fee 1000`},
		{"unknown aggregate", with(func(s *Spec) { s.Aggregate = 7 }), `contract "hosting": aggregate 7 is not max or sum`},
		{"cap above 1", with(func(s *Spec) { s.Cap = 1.5 }), `contract "hosting": cap 1.5 is not a ratio of the fee in [0, 1] (0 means 1)`},
		{"negative cap", with(func(s *Spec) { s.Cap = -0.5 }), `contract "hosting": cap -0.5 is not a ratio of the fee in [0, 1] (0 means 1)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.spec.Validate()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Validate() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAggregate_Names(t *testing.T) {
	for a, name := range map[Aggregate]string{Max: "max", Sum: "sum"} {
		if got, err := ParseAggregate(name); err != nil || got != a || a.String() != name {
			t.Errorf("ParseAggregate(%q) = %v, %v; String %q", name, got, err, a)
		}
	}
	if _, err := ParseAggregate("mean"); err == nil || err.Error() != `unknown aggregate "mean" (want max or sum)` {
		t.Errorf("ParseAggregate(mean) error = %v", err)
	}
	if got := Aggregate(5).String(); got != "aggregate(5)" {
		t.Errorf("Aggregate(5).String() = %q", got)
	}
}
