package ticket

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func selTicket(id, prio, typ, group string, fields map[string]string) Ticket {
	t := sample(id)
	t.Priority, t.Type, t.Group, t.Fields = prio, typ, group, fields
	return t
}

// matching lists the ids of the tickets m matches.
func matching(st *Store, m Matcher) []string {
	var ids []string
	for i := range st.Len() {
		if m.Match(st.View(i)) {
			ids = append(ids, st.View(i).ID())
		}
	}
	return ids
}

func TestSelector(t *testing.T) {
	st := NewStore(StoreOptions{})
	mustAdd(t, st, selTicket("A", "P1", "incident", "network", map[string]string{"customer": "acme", "service": "vpn"}))
	mustAdd(t, st, selTicket("B", "P2", "incident", "database", map[string]string{"customer": "globex"}))
	mustAdd(t, st, selTicket("C", "P1", "request", "network", nil))
	mustAdd(t, st, selTicket("D", "P3", "change", "apps", map[string]string{"customer": "", "priority": "P3"}))

	tests := []struct {
		name string
		sel  Selector
		want []string
	}{
		{"empty selector matches all", Selector{}, []string{"A", "B", "C", "D"}},
		{"nil selector matches all", nil, []string{"A", "B", "C", "D"}},
		{"priority", Selector{"priority": {"P1"}}, []string{"A", "C"}},
		{"priority list", Selector{"priority": {"P2", "P3"}}, []string{"B", "D"}},
		{"type and group", Selector{"type": {"incident"}, "group": {"network"}}, []string{"A"}},
		{"free field", Selector{"customer": {"acme", "globex"}}, []string{"A", "B"}},
		{"free field and priority", Selector{"customer": {"acme", "globex"}, "priority": {"P2"}}, []string{"B"}},
		{"missing field is empty", Selector{"customer": {""}}, []string{"C", "D"}},
		{"unknown value never matches", Selector{"priority": {"P9"}}, nil},
		{"unknown value among known ones", Selector{"priority": {"P9", "P2"}}, []string{"B"}},
		{"unknown field name", Selector{"region": {"eu"}}, nil},
		{"unknown field name, empty value", Selector{"region": {""}}, []string{"A", "B", "C", "D"}},
		{"key with no values matches nothing", Selector{"priority": {}}, nil},
		{"reserved key means the attribute, not the field", Selector{"priority": {"P3"}}, []string{"D"}},
		{"value interned for another attribute", Selector{"group": {"incident"}}, nil},
		{"duplicated values", Selector{"priority": {"P1", "P1"}}, []string{"A", "C"}},
		{"case-sensitive", Selector{"priority": {"p1"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := matching(st, tc.sel.Compile(st)); !slices.Equal(got, tc.want) {
				t.Errorf("matches %v, want %v", got, tc.want)
			}
		})
	}
	if got := matching(st, Matcher{}); len(got) != 4 {
		t.Errorf("the zero Matcher matches %v, want all", got)
	}
}

// TestSelectorAfterCompile: strings the store interns after Compile (new values, new field
// names) are matched right without recompiling.
func TestSelectorAfterCompile(t *testing.T) {
	st := NewStore(StoreOptions{})
	mustAdd(t, st, selTicket("A", "P1", "incident", "network", map[string]string{"customer": "acme"}))
	sel := Selector{"priority": {"P1", "P5"}, "customer": {"acme", "newco"}}
	m := sel.Compile(st)
	byRegion := Selector{"region": {"eu", "apac"}}.Compile(st)
	noRegion := Selector{"region": {""}}.Compile(st)

	mustAdd(t, st, selTicket("B", "P5", "incident", "network", map[string]string{"customer": "newco", "region": "eu"}))
	mustAdd(t, st, selTicket("C", "P5", "incident", "network", map[string]string{"customer": "otherco", "region": "us"}))
	mustAdd(t, st, selTicket("D", "P6", "incident", "network", map[string]string{"customer": "newco", "region": "apac"}))
	// A replaced ticket is matched on its new values.
	mustAdd(t, st, selTicket("A", "P1", "incident", "network", map[string]string{"customer": "otherco"}))

	if got, want := matching(st, m), []string{"B"}; !slices.Equal(got, want) {
		t.Errorf("late values: matches %v, want %v", got, want)
	}
	if got, want := matching(st, byRegion), []string{"B", "D"}; !slices.Equal(got, want) {
		t.Errorf("late field name: matches %v, want %v", got, want)
	}
	if got, want := matching(st, noRegion), []string{"A"}; !slices.Equal(got, want) {
		t.Errorf("late field name, empty value: matches %v, want %v", got, want)
	}
	// Recompiling gives the same answers.
	if got, want := matching(st, sel.Compile(st)), []string{"B"}; !slices.Equal(got, want) {
		t.Errorf("recompiled: matches %v, want %v", got, want)
	}
}

// TestSelectorOtherStore: a matcher used on a view of another store matches by value.
func TestSelectorOtherStore(t *testing.T) {
	a, b := NewStore(StoreOptions{}), NewStore(StoreOptions{})
	mustAdd(t, a, selTicket("A", "P1", "incident", "network", map[string]string{"customer": "acme"}))
	mustAdd(t, b, selTicket("X", "P9", "incident", "network", nil)) // interns strings in another order
	mustAdd(t, b, selTicket("B", "P1", "incident", "network", map[string]string{"customer": "acme"}))
	m := Selector{"priority": {"P1"}, "customer": {"acme"}}.Compile(a)
	if got, want := matching(b, m), []string{"B"}; !slices.Equal(got, want) {
		t.Errorf("matches %v, want %v", got, want)
	}
}

// TestSelectorProperty compares compiled matchers with a direct reading of the selector, on
// random tickets added both before and after Compile.
func TestSelectorProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	vals := func(pool []string) []string {
		var out []string
		for range rng.IntN(3) {
			out = append(out, pool[rng.IntN(len(pool))])
		}
		return out
	}
	fieldVals := []string{"", "v1", "v2", "v3", "late1", "late2"}
	for round := range 200 {
		st := NewStore(StoreOptions{})
		add := func(n int, late bool) {
			for i := range n {
				tk := randomTicket(rng, fmt.Sprintf("T%d-%v-%d", round, late, i))
				tk.Fields = map[string]string{}
				for _, k := range []string{"f1", "f2", "late"} {
					if (late || k != "late") && rng.IntN(3) > 0 {
						v := fieldVals[rng.IntN(len(fieldVals))]
						if !late && (v == "late1" || v == "late2") {
							v = "v1"
						}
						tk.Fields[k] = v
					}
				}
				mustAdd(t, st, tk)
			}
		}
		add(20, false)
		sel := Selector{}
		for _, k := range []string{"priority", "type", "group", "f1", "f2", "late"} {
			if rng.IntN(3) == 0 {
				continue
			}
			switch k {
			case "priority":
				sel[k] = vals(append(slices.Clone(priorities), "P9"))
			case "type":
				sel[k] = vals(types)
			case "group":
				sel[k] = vals(groups)
			default:
				sel[k] = vals(fieldVals)
			}
		}
		m := sel.Compile(st)
		add(20, true)
		for i := range st.Len() {
			v := st.View(i)
			want := true
			for k, accepted := range sel {
				var val string
				switch k {
				case "priority":
					val = v.Priority()
				case "type":
					val = v.Type()
				case "group":
					val = v.Group()
				default:
					val, _ = v.Field(k)
				}
				want = want && slices.Contains(accepted, val)
			}
			if got := m.Match(v); got != want {
				t.Fatalf("round %d: %v on %+v = %v, want %v", round, sel, v.Ticket(), got, want)
			}
		}
	}
}

func TestMatchAllocs(t *testing.T) {
	st := NewStore(StoreOptions{})
	mustAdd(t, st, selTicket("A", "P1", "incident", "network", map[string]string{"customer": "acme"}))
	m := Selector{"priority": {"P1", "P2"}, "customer": {"acme", "newco"}, "region": {""}}.Compile(st)
	mustAdd(t, st, selTicket("B", "P1", "incident", "network", map[string]string{"customer": "newco", "region": "eu"}))
	allocs := testing.AllocsPerRun(100, func() {
		m.Match(st.View(0))
		m.Match(st.View(1))
	})
	if allocs != 0 {
		t.Errorf("Match allocates %v times", allocs)
	}
}
