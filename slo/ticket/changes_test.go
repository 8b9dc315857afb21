package ticket

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestChanged adds and replaces tickets at random, and checks at every generation that Changed
// lists exactly the tickets whose last Add came after it, from the log of recent changes or, once
// the log no longer reaches back, from the whole store.
func TestChanged(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	st := NewStore(StoreOptions{})
	created := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	var lastAdd []uint32 // the generation after each ticket's last Add
	for range 20000 {
		i := rng.IntN(len(lastAdd) + 1)
		if rng.IntN(4) > 0 && len(lastAdd) > 0 {
			i = rng.IntN(len(lastAdd)) // a replacement
		}
		tk := Ticket{ID: fmt.Sprintf("T%d", i), Created: created, Priority: "P1"}
		if i == len(lastAdd) {
			tk.ID = fmt.Sprintf("T%d", len(lastAdd))
		}
		if err := st.Add(&tk); err != nil {
			t.Fatal(err)
		}
		_, gen := st.Generation()
		j, _ := st.Find(tk.ID)
		if j.Index() == len(lastAdd) {
			lastAdd = append(lastAdd, gen)
		} else {
			lastAdd[j.Index()] = gen
		}
	}
	_, gen := st.Generation()
	if st.changes.logBase == 0 {
		t.Fatal("the log was never trimmed: the test does not reach the whole-store path")
	}
	for _, g := range []uint32{0, 1, st.changes.logBase - 1, st.changes.logBase, st.changes.logBase + 1, gen - 100, gen - 1, gen} {
		var want []int32
		for i, a := range lastAdd {
			if a > g {
				want = append(want, int32(i))
			}
		}
		got := st.Changed(g, []int32{-1})
		if got[0] != -1 || !slices.IsSorted(got[1:]) {
			t.Fatalf("Changed(%d) = %v...: want dst kept and ascending indices", g, got[:min(5, len(got))])
		}
		if d := cmp.Diff(want, got[1:], cmpopts.EquateEmpty()); d != "" {
			t.Errorf("Changed(%d) (log from %d, generation %d) differs (-want +got):\n%s", g, st.changes.logBase, gen, d)
		}
	}
}

// TestWithoutKeepsChanges: a copy without some tickets keeps the others' order and change
// generations, and says what it left out.
func TestWithoutKeepsChanges(t *testing.T) {
	st := NewStore(StoreOptions{})
	created := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for _, id := range []string{"A", "B", "C", "D", "B"} {
		if err := st.Add(&Ticket{ID: id, Created: created, Priority: "P1"}); err != nil {
			t.Fatal(err)
		}
	}
	// Generations: A 1, B 5 (replaced), C 3, D 4.
	parent, gen := st.Generation()
	out := st.Without([]string{"A", "C"}, StoreOptions{})
	id, outGen := out.Generation()
	if id == parent || outGen != gen {
		t.Errorf("copy: identity %d (parent %d), generation %d: want a new identity and generation %d", id, parent, outGen, gen)
	}
	if d := cmp.Diff(&Lineage{Parent: parent, Removed: []int{0, 2}}, out.Lineage()); d != "" {
		t.Errorf("lineage (-want +got):\n%s", d)
	}
	// B (now 0) changed after generation 4, D (now 1) did not.
	if got := out.Changed(4, nil); !slices.Equal(got, []int32{0}) {
		t.Errorf("Changed(4) = %v, want [0] (B)", got)
	}
	if got := out.Changed(0, nil); !slices.Equal(got, []int32{0, 1}) {
		t.Errorf("Changed(0) = %v, want [0 1]", got)
	}
}
