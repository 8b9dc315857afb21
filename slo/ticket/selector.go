package ticket

import (
	"slices"
	"sort"
)

// Selector chooses tickets by attribute: each key is "priority", "type", "group" or the name of a
// free field (Ticket.Fields), with the values it accepts. A ticket matches when, for every key,
// its value is one of the listed values; a key with no values matches nothing, and an empty
// selector matches every ticket. A ticket without a free field has the empty value for it, so
// {"customer": {""}} selects the tickets with no customer (as a missing Prometheus label is an
// empty one). The three reserved keys always mean the ticket's own attributes, never a free field
// of the same name.
type Selector map[string][]string

// Selector keys naming a ticket's own attributes.
const (
	SelectPriority = "priority"
	SelectType     = "type"
	SelectGroup    = "group"
)

// Matcher is a Selector compiled against one store: its values are resolved to the store's
// interned string ids once, so matching a ticket compares integers and allocates nothing. Values
// unknown to the store simply never match. The zero Matcher matches every ticket.
//
// The store may intern new strings after Compile (tickets added or replaced): ids never change
// once given, so the matcher remembers how many strings the store held when compiled and
// compares a ticket's later strings (ids at or past that count) by value, against the values that
// were unknown at compile time. It therefore stays right as the store grows, and recompiling only
// makes those new values fast again. Use a matcher only while its store is not being written, and
// with views of that store (a view of another store is matched by string, slowly).
type Matcher struct {
	st    *Store
	gen   uint32 // strings with an id below gen were interned at Compile
	terms []term
}

// Attributes a term reads.
const (
	attrPriority = iota
	attrType
	attrGroup
	attrField
)

type term struct {
	attr     int
	name     string // field name (attrField)
	key      uint32 // interned id of the field name, when keyKnown
	keyKnown bool
	ids      []uint32 // interned ids of the accepted values known at Compile, sorted
	late     []string // accepted values unknown at Compile, sorted
	values   []string // all accepted values, for views of another store
}

// Compile resolves the selector against st. The terms are checked cheapest first (priority, type,
// group, then fields by name), so the order of map iteration does not matter.
func (s Selector) Compile(st *Store) Matcher {
	m := Matcher{st: st, gen: uint32(len(st.strs))}
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		ra, rb := attrOf(keys[a]), attrOf(keys[b])
		if ra != rb {
			return ra < rb
		}
		return keys[a] < keys[b]
	})
	for _, k := range keys {
		t := term{attr: attrOf(k), name: k}
		if t.attr == attrField {
			t.key, t.keyKnown = st.lookup(k)
		}
		for _, v := range s[k] {
			t.values = append(t.values, v)
			if id, ok := st.lookup(v); ok {
				t.ids = append(t.ids, id)
			} else {
				t.late = append(t.late, v)
			}
		}
		slices.Sort(t.ids)
		t.ids = slices.Compact(t.ids)
		slices.Sort(t.late)
		t.late = slices.Compact(t.late)
		m.terms = append(m.terms, t)
	}
	return m
}

func attrOf(key string) int {
	switch key {
	case SelectPriority:
		return attrPriority
	case SelectType:
		return attrType
	case SelectGroup:
		return attrGroup
	}
	return attrField
}

// Match reports whether the ticket matches. It allocates nothing.
func (m Matcher) Match(v View) bool {
	if v.s != m.st && len(m.terms) > 0 {
		return m.matchByValue(v)
	}
	for i := range m.terms {
		t := &m.terms[i]
		var id uint32
		switch t.attr {
		case attrPriority:
			id = v.r.prio
		case attrType:
			id = v.r.typ
		case attrGroup:
			id = v.r.group
		default:
			id = m.fieldValue(v, t)
		}
		if !m.accepts(t, id) {
			return false
		}
	}
	return true
}

// fieldValue is the interned id of the ticket's value for the term's field; 0 (the empty string)
// when it has none.
func (m Matcher) fieldValue(v View, t *term) uint32 {
	kv := v.s.fieldKV[v.r.fields : v.r.fields+2*uint32(v.r.nfields)]
	for j := 0; j < len(kv); j += 2 {
		k := kv[j]
		if t.keyKnown {
			if k == t.key {
				return kv[j+1]
			}
		} else if k >= m.gen && v.s.strs[k] == t.name {
			return kv[j+1]
		}
	}
	return 0
}

func (m Matcher) accepts(t *term, id uint32) bool {
	if id >= m.gen {
		// Interned after Compile: only a value unknown then can be it.
		if len(t.late) == 0 {
			return false
		}
		_, found := slices.BinarySearch(t.late, m.st.strs[id])
		return found
	}
	if len(t.ids) <= 8 {
		for _, x := range t.ids {
			if x == id {
				return true
			}
		}
		return false
	}
	_, found := slices.BinarySearch(t.ids, id)
	return found
}

// matchByValue matches a view of a store other than the one compiled against, by string.
func (m Matcher) matchByValue(v View) bool {
	for i := range m.terms {
		t := &m.terms[i]
		var val string
		switch t.attr {
		case attrPriority:
			val = v.Priority()
		case attrType:
			val = v.Type()
		case attrGroup:
			val = v.Group()
		default:
			val, _ = v.Field(t.name)
		}
		if !slices.Contains(t.values, val) {
			return false
		}
	}
	return true
}
