package kpi

import (
	"slices"
	"testing"
)

func TestKind_Names(t *testing.T) {
	want := map[Kind]string{
		MTTA: "mtta", MTTR: "mttr", Backlog: "backlog", BacklogAge: "backlog_age", ReopenRate: "reopen_rate",
		FCR: "fcr", CSAT: "csat", ChangeSuccess: "change_success", Created: "created", Resolved: "resolved",
	}
	for k, name := range want {
		if got := k.String(); got != name {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, name)
		}
		if got, err := ParseKind(name); err != nil || got != k {
			t.Errorf("ParseKind(%q) = %v, %v; want %v", name, got, err, k)
		}
	}
	if len(want) != len(kindNames)-1 {
		t.Errorf("%d kinds named here, %d defined", len(want), len(kindNames)-1)
	}
	if got, err := ParseKind("MTTR"); err != nil || got != MTTR {
		t.Errorf("ParseKind(MTTR) = %v, %v; case should not matter", got, err)
	}
	if _, err := ParseKind("mtbf"); err == nil || err.Error() != `unknown kpi kind "mtbf" (want mtta, mttr, backlog, backlog_age, reopen_rate, fcr, csat, change_success, created, resolved)` {
		t.Errorf("ParseKind(mtbf) error = %v", err)
	}
	if got := Kind(0).String(); got != "kind(0)" {
		t.Errorf("Kind(0).String() = %q", got)
	}
}

func TestStat_Names(t *testing.T) {
	for s, name := range map[Stat]string{Mean: "mean", P50: "p50", P90: "p90", Max: "max"} {
		if got, err := ParseStat(name); err != nil || got != s || s.String() != name {
			t.Errorf("ParseStat(%q) = %v, %v; String %q", name, got, err, s)
		}
	}
	if _, err := ParseStat("p99"); err == nil || err.Error() != `unknown stat "p99" (want mean, p50, p90 or max)` {
		t.Errorf("ParseStat(p99) error = %v", err)
	}
}

func TestDirection_Names(t *testing.T) {
	for d, name := range map[Direction]string{HigherIsBetter: "higher_is_better", LowerIsBetter: "lower_is_better"} {
		if got, err := ParseDirection(name); err != nil || got != d || d.String() != name {
			t.Errorf("ParseDirection(%q) = %v, %v; String %q", name, got, err, d)
		}
	}
	if _, err := ParseDirection("up"); err == nil || err.Error() != `unknown direction "up" (want higher_is_better or lower_is_better)` {
		t.Errorf("ParseDirection(up) error = %v", err)
	}
}

// A kind added without a measure would panic in Compute.
func TestKind_Measured(t *testing.T) {
	for k := Kind(1); k.valid(); k++ {
		if int(k) >= len(measures) || measures[k] == nil {
			t.Errorf("kind %s has no measure", k)
		}
	}
}

func TestKinds(t *testing.T) {
	got := Kinds()
	want := []Kind{MTTA, MTTR, Backlog, BacklogAge, ReopenRate, FCR, CSAT, ChangeSuccess, Created, Resolved}
	if !slices.Equal(got, want) {
		t.Fatalf("Kinds() = %v, want %v", got, want)
	}
	for _, k := range got {
		if p, err := ParseKind(k.String()); err != nil || p != k {
			t.Errorf("ParseKind(%q) = %v, %v", k, p, err)
		}
	}
}
