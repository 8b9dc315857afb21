package period

import (
	"testing"
	"time"
)

// TestPeriodsTile walks every calendar period from 1970 to 2040 in zones with awkward transitions
// and checks each starts where the previous ended, on local midnight of the right day (or at the
// jump that skipped it), and carries a label of its own.
func TestPeriodsTile(t *testing.T) {
	for _, zone := range zones {
		loc := mustLoad(t, zone)
		for k := Week; k <= Year; k++ {
			p := Period{Kind: k, Location: loc}
			t.Run(zone+"/"+k.String(), func(t *testing.T) {
				s, e := p.Bounds(time.Date(1970, 1, 1, 12, 0, 0, 0, loc))
				seen := map[string]bool{}
				for s.Year() < 2040 {
					checkStart(t, p, s)
					if label := p.Label(s); seen[label] {
						t.Fatalf("label %q used twice", label)
					} else {
						seen[label] = true
					}
					ns, ne := p.Bounds(e)
					if !ns.Equal(e) {
						t.Fatalf("period after [%v, %v) starts at %v", s, e, ns)
					}
					s, e = ns, ne
				}
			})
		}
	}
}

// checkStart fails unless s reads 00:00 on a first day of p, or clocks jumped over that midnight
// at s.
func checkStart(t *testing.T, p Period, s time.Time) {
	t.Helper()
	local := s.In(p.location())
	wantFirst := p.first(dateOf(local))
	if local.Hour() != 0 || local.Minute() != 0 || local.Second() != 0 || local.Nanosecond() != 0 {
		zoneStart, _ := local.ZoneBounds()
		before := s.Add(-time.Nanosecond).In(p.location())
		if !zoneStart.Equal(s) || dateOf(before) == dateOf(local) {
			t.Fatalf("%v: period starts at %v, neither midnight nor a jump over it", p, local)
		}
	}
	if got := dateOf(local); got != wantFirst && got != wantFirst.add(0, 0, 1) {
		t.Fatalf("%v: period starts on %v, want the first day %v", p, got, wantFirst)
	}
}
