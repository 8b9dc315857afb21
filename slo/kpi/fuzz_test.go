package kpi

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// fuzzBytes reads fuzz input a byte at a time, as zeros once it runs out.
type fuzzBytes []byte

func (b *fuzzBytes) next() byte {
	if len(*b) == 0 {
		return 0
	}
	c := (*b)[0]
	*b = (*b)[1:]
	return c
}

// fuzzStore builds tickets from fuzz input: instants are mostly small steps, so that windows catch
// them, and now and then extreme, so that no arithmetic overflows into a panic or a negative time.
// Tickets the store rejects are skipped: the store's validation is not under test.
func fuzzStore(b *fuzzBytes) *ticket.Store {
	st := ticket.NewStore(ticket.StoreOptions{})
	instant := func(base int64) int64 {
		switch c := b.next(); {
		case c == 255:
			return math.MaxInt64 / 4
		case c == 254:
			return math.MinInt64 / 4
		default:
			return base + int64(c)*97
		}
	}
	for i := 0; len(*b) > 0 && i < 64; i++ {
		t := &ticket.Ticket{ID: fmt.Sprint(i), Type: []string{"incident", "change"}[b.next()%2]}
		created := instant(t0)
		t.Created = time.Unix(created, 0)
		last := created
		for range int(b.next() % 7) {
			last = max(last, instant(last))
			t.History = append(t.History, ticket.StatusChange{At: time.Unix(last, 0), Category: ticket.Category(1 + b.next()%5)})
		}
		if c := b.next(); c%3 != 0 {
			t.FirstResponse = time.Unix(max(created, instant(created)), 0)
		}
		t.Rating = ticket.Rating(b.next() % 4) // 3 is no rating a source should produce
		t.Reassignments = int(b.next() % 3)
		if c := b.next(); c%3 != 0 {
			t.Fields = map[string]string{"close_code": []string{"ok", "failed"}[c%2]}
		}
		_ = st.Add(t)
	}
	return st
}

// office is a calendar over 2024 only, so that fuzzed instants fall both inside and outside it.
var office = func() *calendar.Calendar {
	var s calendar.Spec
	s.FirstYear, s.LastYear = 2024, 2024
	for d := 1; d <= 5; d++ {
		s.Week[d] = []calendar.Interval{{Start: 9 * 3600, End: 17 * 3600}}
	}
	c, err := calendar.New(s)
	if err != nil {
		panic(err)
	}
	return c
}()

func FuzzCompute(f *testing.F) {
	f.Add([]byte{0, 10, 50, 3, 1, 10, 1, 20, 3, 1, 5, 1, 0, 0, 0}, uint8(1), uint8(2), uint16(100), uint16(500))
	f.Add([]byte{1, 255, 6, 254, 1, 255, 2, 0, 3, 1, 4, 2, 255, 2, 1, 1, 1, 0, 2, 4, 1, 3}, uint8(2), uint8(1), uint16(0), uint16(9999))
	f.Add([]byte{0, 0, 4, 0, 1, 5, 3, 2, 4, 9, 1, 1, 200, 1, 0, 1, 1, 0, 0, 0, 3, 0, 1, 1, 3, 7, 4}, uint8(9), uint8(4), uint16(1), uint16(300))
	f.Fuzz(func(t *testing.T, data []byte, mode, stat uint8, from, length uint16) {
		b := fuzzBytes(data)
		st := fuzzStore(&b)
		winFrom := t0 + int64(from)*97
		winTo := winFrom + 1 + int64(length)*97
		now := winTo + int64(mode)*97 - 128*97 // before, in or after the window
		var cal *calendar.Calendar
		if mode%3 == 0 {
			cal = office
		}
		results := map[Kind][]Result{} // per kind, by stat for the duration kinds
		for k := Kind(1); k.valid(); k++ {
			for s := Stat(1); s.valid(); s++ {
				spec := Spec{Kind: k, Target: 0.5, Direction: Direction(1 + mode%2)}
				if k.duration() {
					spec.Stat, spec.Calendar, spec.ExcludePaused = s, cal, k == MTTR && stat%2 == 0
				} else if s > 1 {
					break
				}
				if k == ChangeSuccess {
					spec.Field, spec.SuccessValues = "close_code", []string{"ok"}
				}
				var filter func(ticket.View) bool
				if stat%3 == 0 {
					filter = ofType("incident")
				}
				r, err := Compute(spec, st, filter, winFrom, winTo, now)
				if err != nil {
					if cal != nil && errors.Is(err, calendar.ErrOutOfSpan) {
						break
					}
					t.Fatalf("%s %s: %v", k, s, err)
				}
				checkResult(t, spec, r)
				again, _ := Compute(spec, st, filter, winFrom, winTo, now)
				if again != r && !(math.IsNaN(again.Value) && math.IsNaN(r.Value)) {
					t.Fatalf("%s: same input, different results %+v and %+v", k, r, again)
				}
				results[k] = append(results[k], r)
			}
		}
		for _, k := range []Kind{MTTA, MTTR, BacklogAge} {
			if rs := results[k]; len(rs) == 4 && rs[0].OK {
				mean, p50, p90, mx := rs[0].Value, rs[1].Value, rs[2].Value, rs[3].Value
				if !(p50 <= p90 && p90 <= mx && mean <= mx) {
					t.Fatalf("%s: mean %v, p50 %v, p90 %v, max %v out of order", k, mean, p50, p90, mx)
				}
			}
		}
		// The kinds that share a definition measure the same tickets.
		resolved := results[Resolved][0].Samples
		if rs := results[MTTR]; len(rs) > 0 && rs[0].Samples != resolved {
			t.Fatalf("mttr measured %d tickets, resolved counts %d", rs[0].Samples, resolved)
		}
		if fcr := results[FCR][0].Samples; fcr != resolved {
			t.Fatalf("fcr measured %d tickets, resolved counts %d", fcr, resolved)
		}
		if csat := results[CSAT][0].Samples; csat > resolved {
			t.Fatalf("csat measured %d tickets, more than the %d resolved", csat, resolved)
		}
		if rs := results[BacklogAge]; len(rs) > 0 && rs[0].Samples != results[Backlog][0].Samples {
			t.Fatalf("backlog_age measured %d tickets, backlog counts %d", rs[0].Samples, results[Backlog][0].Samples)
		}
	})
}

// checkResult holds for every result: a value is what its kind can be, and a missing one is marked.
func checkResult(t *testing.T, spec Spec, r Result) {
	t.Helper()
	if !r.OK {
		if !math.IsNaN(r.Value) || r.Samples != 0 || r.Status != Unknown {
			t.Fatalf("%s: not OK but %+v", spec.Kind, r)
		}
		return
	}
	switch {
	case math.IsNaN(r.Value) || math.IsInf(r.Value, 0) || r.Value < 0 || r.Samples <= 0 && spec.Kind.duration():
		t.Fatalf("%s: OK with %+v", spec.Kind, r)
	case spec.Kind.ratio() && r.Value > 1:
		t.Fatalf("%s: ratio %v above 1", spec.Kind, r.Value)
	case !spec.Kind.ratio() && !spec.Kind.duration() && r.Value != float64(r.Samples):
		t.Fatalf("%s: count %v is not its %d samples", spec.Kind, r.Value, r.Samples)
	case r.Status == Unknown:
		t.Fatalf("%s: OK but unrated", spec.Kind)
	}
}
