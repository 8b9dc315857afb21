package evaluation

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// TestEvaluate_CachedEqualsFull evaluates the same changing data with the ticket caches and in
// full (as the evaluate command does): tickets added, resolved, reopened and deleted, the source
// resynced, the configuration reloaded, time crossing a month. Every objective's figures agree to
// the bit, and the caches are used.
func TestEvaluate_CachedEqualsFull(t *testing.T) {
	cfg := loadConfig(t, testConfig)
	d := newData()
	full := New(cfg, Options{Data: &fakeReader{data: d}})
	cached := New(cfg, Options{Data: &fakeReader{data: d}, CacheBytes: 1 << 30})
	opts := cmp.Options{
		cmp.Comparer(func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }),
		cmp.Comparer(func(a, b *time.Location) bool { return a.String() == b.String() }),
	}
	st := ticket.NewStore(ticket.StoreOptions{})
	d.Tickets["desk"] = st
	add := func(tks ...ticket.Ticket) {
		for i := range tks {
			if err := st.Add(&tks[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	now := utc("2026-10-30T09:00:00Z")
	reused := 0
	for step := range 40 {
		day := now.Format("2006-01-02")
		id := func(k int) string { return fmt.Sprintf("INC-%02d-%d", step, k) }
		switch step % 8 {
		case 0, 1, 2: // new tickets, one resolved at once
			prio := []string{"P1", "P2"}[step%2]
			add(tk(id(1), "incident", prio, day+"T08:00:00Z"),
				tk(id(2), "incident", prio, day+"T07:00:00Z", resolved(day+"T08:30:00Z")),
				tk(id(3), "request", prio, day+"T07:30:00Z", resolved(day+"T08:45:00Z")))
		case 3: // an open ticket resolved, a resolved one reopened
			v := st.View(step % st.Len())
			tkt := v.Ticket()
			last := tkt.History[len(tkt.History)-1]
			cat := ticket.Resolved
			if last.Category == ticket.Resolved {
				cat = ticket.Open
			}
			tkt.History = append(tkt.History, ticket.StatusChange{At: now.Add(-time.Minute), Status: cat.String(), Category: cat})
			add(tkt)
		case 4: // deletions, as a sync that deletes does
			ids := []string{st.View(0).ID(), st.View(st.Len() / 2).ID()}
			slices.Sort(ids)
			st = st.Without(ids, ticket.StoreOptions{})
			d.Tickets["desk"] = st
		case 5: // a resync replacing the records
			fresh := ticket.NewStore(ticket.StoreOptions{})
			for i := range st.Len() {
				tkt := st.View(i).Ticket()
				if err := fresh.Add(&tkt); err != nil {
					t.Fatal(err)
				}
			}
			st = fresh
			d.Tickets["desk"] = st
		case 6: // a reload
			reloaded := loadConfig(t, testConfig)
			full.SetConfig(reloaded)
			cached.SetConfig(reloaded)
		}
		d.LastSuccess["desk"] = now
		want, got := full.Evaluate(now), cached.Evaluate(now)
		if diff := cmp.Diff(want.Objectives, got.Objectives, opts); diff != "" {
			t.Fatalf("step %d at %s: cached figures differ from full ones (-full +cached):\n%s", step, now, diff)
		}
		if len(full.caches) != 0 {
			t.Fatal("the evaluator without CacheBytes kept caches")
		}
		for _, name := range []string{"resolution", "office-resolution"} {
			c := cached.caches[name]
			if c == nil {
				t.Fatalf("step %d: objective %s has no cache", step, name)
			}
			if !c.Stats().Rebuilt {
				reused++
			}
		}
		now = now.Add(7 * time.Hour)
	}
	if reused < 40 {
		t.Errorf("the caches were reused at %d of 80 evaluations, want most", reused)
	}
}

// TestEvaluate_CacheBudget gives the caches room for one ticket objective's cache: the first in
// the configuration gets it, the other is evaluated in full, at every evaluation.
func TestEvaluate_CacheBudget(t *testing.T) {
	cfg := loadConfig(t, testConfig)
	d := newData()
	d.Tickets["desk"] = storeOf(t,
		tk("INC-1", "incident", "P1", "2026-11-12T09:00:00Z", resolved("2026-11-12T10:00:00Z")),
		tk("INC-2", "incident", "P2", "2026-11-12T09:00:00Z", resolved("2026-11-12T18:00:00Z")),
		tk("INC-3", "incident", "P1", "2026-11-13T09:00:00Z"))
	now := utc("2026-11-13T12:00:00Z")
	d.LastSuccess["desk"] = now
	// The sizes of both caches, from an evaluator with room for them.
	roomy := New(cfg, Options{Data: &fakeReader{data: d}, CacheBytes: 1 << 30})
	roomy.Evaluate(now)
	first, second := cacheSize(roomy.caches["resolution"], 3), cacheSize(roomy.caches["office-resolution"], 3)
	e := New(cfg, Options{Data: &fakeReader{data: d}, CacheBytes: first + second - 1})
	// The first evaluation builds both (a new cache is counted at its estimate, which is less
	// than these caches' fixed overhead); the second finds they do not fit together, and the
	// second objective's cache is not built again.
	e.Evaluate(now)
	for i := range 3 {
		e.Evaluate(now)
		if e.caches["resolution"] == nil || e.caches["office-resolution"] != nil {
			t.Fatalf("evaluation %d: caches held for %v, want resolution only", i+2, slices.Sorted(mapKeys(e.caches)))
		}
	}
	if o := objectiveNamed(t, e.Evaluate(now), "office-resolution"); !o.HasData || o.Bad != 1 {
		// INC-2: P2 4h on the office calendar (08-18), from 09:00 to 18:00 is 9h: breached.
		t.Errorf("office-resolution evaluated in full: has data %v, bad %v, want true, 1", o.HasData, o.Bad)
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
