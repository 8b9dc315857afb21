package period

import (
	"testing"
	"time"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{"week", "month", "quarter", "year", "rolling:30d", "7d", "0d", "rolling:", "3661d", "Week "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s, time.UTC)
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("Parse(%q) = %+v, which fails Validate: %v", s, p, err)
		}
		back, err := Parse(p.String(), time.UTC)
		if err != nil || back != p {
			t.Fatalf("Parse(%q).String() = %q does not parse back: %+v, %v", s, p.String(), back, err)
		}
	})
}

// zones holds transitions at midnight, across midnight, half-hour offsets and no DST at all.
var zones = []string{"UTC", "Europe/Rome", "America/New_York", "America/Asuncion", "America/St_Johns",
	"America/Santiago", "America/Sao_Paulo", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Apia"}

// FuzzBounds checks that periods tile time: now is inside its period, the period is not empty,
// the next one starts where it ends and Previous undoes that step.
func FuzzBounds(f *testing.F) {
	f.Add(int64(1792000000), uint8(1), uint8(1), uint16(0))
	f.Add(int64(1696132800), uint8(2), uint8(3), uint16(0))
	f.Add(int64(1257044400), uint8(2), uint8(4), uint16(0))
	f.Add(int64(1792000000), uint8(5), uint8(0), uint16(30))
	f.Fuzz(func(t *testing.T, unix int64, kind, zone uint8, days uint16) {
		// Stay within years 1900 to 2100, where tzdata means something.
		const lo, hi = -2208988800, 4102444800
		unix = lo + ((unix%(hi-lo))+(hi-lo))%(hi-lo)
		loc := mustLoad(t, zones[int(zone)%len(zones)])
		p := Period{Kind: Kind(kind%5) + Week, Location: loc}
		if p.Kind == Rolling {
			p.Days = int(days)%MaxRollingDays + 1
		}
		now := time.Unix(unix, 0)
		s, e := p.Bounds(now)
		if !p.Calendar() {
			// A rolling period ends at now, excluded.
			if !e.Equal(now) || e.Sub(s) != time.Duration(p.Days)*24*time.Hour {
				t.Fatalf("%v: Bounds(%v) = [%v, %v), want the %d days before now", p, now, s, e, p.Days)
			}
			return
		}
		if now.Before(s) || !now.Before(e) {
			t.Fatalf("%v in %v: Bounds(%v) = [%v, %v) does not hold now", p, loc, now, s, e)
		}
		if e.Sub(s) < 6*24*time.Hour && p.Kind == Week || e.Sub(s) < 27*24*time.Hour && p.Kind != Week {
			t.Fatalf("%v in %v: [%v, %v) is too short", p, loc, s, e)
		}
		ns, _ := p.Bounds(e)
		if !ns.Equal(e) {
			t.Fatalf("%v in %v: next period starts at %v, want %v", p, loc, ns, e)
		}
		ps, pe := p.Previous(e)
		if !ps.Equal(s) || !pe.Equal(e) {
			t.Fatalf("%v in %v: Previous(%v) = [%v, %v), want [%v, %v)", p, loc, e, ps, pe, s, e)
		}
		if p.Label(s) == p.Label(e) {
			t.Fatalf("%v in %v: consecutive periods share label %q", p, loc, p.Label(s))
		}
	})
}
