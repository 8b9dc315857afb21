package kpi

import (
	"math"
	"testing"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
)

func TestSpec_Validate(t *testing.T) {
	ok := func(k Kind) Spec {
		s := Spec{Name: "k", Kind: k, Target: 0.5, Direction: HigherIsBetter}
		if k.duration() {
			s.Stat = P90
		}
		if k == ChangeSuccess {
			s.Field, s.SuccessValues = "close_code", []string{"successful"}
		}
		return s
	}
	with := func(s Spec, f func(*Spec)) Spec { f(&s); return s }
	tests := []struct {
		name string
		spec Spec
		want string // "" for valid
	}{
		{"mttr", with(ok(MTTR), func(s *Spec) { s.Calendar, s.ExcludePaused = calendar.AlwaysOn, true }), ""},
		{"mtta in business time", with(ok(MTTA), func(s *Spec) { s.Calendar = calendar.AlwaysOn }), ""},
		{"backlog_age", ok(BacklogAge), ""},
		{"change_success", ok(ChangeSuccess), ""},
		{"csat with red", with(ok(CSAT), func(s *Spec) { s.Red = ptr(0.4) }), ""},
		{"red on the target", with(ok(FCR), func(s *Spec) { s.Red = ptr(0.5) }), ""},
		{"ratio target 0", with(ok(ReopenRate), func(s *Spec) { s.Target, s.Direction = 0, LowerIsBetter }), ""},
		{"ratio target 1", with(ok(CSAT), func(s *Spec) { s.Target = 1 }), ""},

		{"no kind", Spec{Name: "k"}, `kpi "k": kind is not set`},
		{"bad kind", Spec{Name: "k", Kind: 42}, `kpi "k": kind 42 is not a kind`},
		{"no stat", with(ok(MTTR), func(s *Spec) { s.Stat = 0 }), `kpi "k": stat is not set for mttr (want mean, p50, p90 or max)`},
		{"bad stat", with(ok(MTTA), func(s *Spec) { s.Stat = 9 }), `kpi "k": stat is not set for mtta (want mean, p50, p90 or max)`},
		{"stat on a ratio", with(ok(CSAT), func(s *Spec) { s.Stat = Mean }), `kpi "k": stat applies to mtta, mttr and backlog_age, not csat`},
		{"calendar on a count", with(ok(Backlog), func(s *Spec) { s.Calendar = calendar.AlwaysOn }), `kpi "k": calendar applies to mtta, mttr and backlog_age, not backlog`},
		{"exclude_paused on mtta", with(ok(MTTA), func(s *Spec) { s.ExcludePaused = true }), `kpi "k": exclude_paused applies to mttr, not mtta`},
		{"no field", with(ok(ChangeSuccess), func(s *Spec) { s.Field = "" }), `kpi "k": field is not set: change_success needs the field holding the outcome`},
		{"no success values", with(ok(ChangeSuccess), func(s *Spec) { s.SuccessValues = nil }), `kpi "k": success_values is empty: no value of field "close_code" would count as a success`},
		{"field on fcr", with(ok(FCR), func(s *Spec) { s.Field = "close_code" }), `kpi "k": field and success_values apply to change_success, not fcr`},
		{"percentage for a ratio", with(ok(CSAT), func(s *Spec) { s.Target = 95 }), `kpi "k": target 95 is not a ratio in [0, 1] (csat is a ratio: write 0.95, not 95)`},
		{"negative ratio", with(ok(FCR), func(s *Spec) { s.Target = -0.1 }), `kpi "k": target -0.1 is not a ratio in [0, 1] (fcr is a ratio: write 0.95, not 95)`},
		{"negative duration", with(ok(MTTR), func(s *Spec) { s.Target = -1 }), `kpi "k": target -1 is negative`},
		{"NaN target", with(ok(Created), func(s *Spec) { s.Target = math.NaN() }), `kpi "k": target NaN is not a finite number`},
		{"infinite red", with(ok(Created), func(s *Spec) { s.Red = ptr(math.Inf(-1)) }), `kpi "k": red -Inf is not a finite number`},
		{"no direction", with(ok(Created), func(s *Spec) { s.Direction = 0 }), `kpi "k": direction is not set (want higher_is_better or lower_is_better)`},
		{"red better than target, higher", with(ok(FCR), func(s *Spec) { s.Red = ptr(0.6) }), `kpi "k": red 0.6 is above target 0.5, but higher is better`},
		{"red better than target, lower", with(ok(MTTR), func(s *Spec) { s.Direction, s.Target, s.Red = LowerIsBetter, 3600, ptr(1800) }), `kpi "k": red 1800 is below target 3600, but lower is better`},
		{"red percentage", with(ok(FCR), func(s *Spec) { s.Direction, s.Red = LowerIsBetter, ptr(80) }), `kpi "k": red 80 is not a ratio in [0, 1] (fcr is a ratio: write 0.95, not 95)`},
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
