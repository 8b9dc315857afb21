package ticket

import (
	"math"
	"slices"
	"sync/atomic"
)

// storeIDs numbers stores, so that a cache can tell the store it was built over from another one
// without holding a pointer that would keep a replaced store alive.
var storeIDs atomic.Uint64

// changes tracks which tickets an Add touched, for evaluations that keep what did not change (see
// slo.TicketCache). It costs 4 bytes per ticket.
type changes struct {
	// id identifies the store; a new id means "nothing known about this store still holds".
	id uint64
	// gen counts the Adds; at[i] is gen after the last Add of ticket i.
	gen uint32
	at  []uint32
	// log lists the tickets touched by the Adds after generation logBase, in order, so that
	// Changed costs the changes rather than the store; it keeps the latest ones only.
	log     []int32
	logBase uint32
	// lineage, for a store made by Without, says which store it was copied from and which of
	// that store's tickets it left out.
	lineage *Lineage
}

// Lineage relates a store made by Without to the store it was copied from: the tickets kept keep
// their order and their change generations, so a cache built over the parent stays valid for the
// copy once the removed indices are dropped.
type Lineage struct {
	// Parent is the identity (Store.Generation) of the store copied from.
	Parent uint64
	// Removed are the parent's indices left out, ascending.
	Removed []int
}

// minLog is the least number of changes the log keeps; beyond it, an eighth of the store.
const minLog = 4096

func (c *changes) init() { c.id = storeIDs.Add(1) }

// touch records an Add of ticket slot (a new ticket when slot == len(at)).
func (c *changes) touch(slot int) {
	if c.gen == math.MaxUint32 {
		// Renumbering would need every cache to know; a new identity tells them to start over.
		c.id, c.gen = storeIDs.Add(1), 0
		clear(c.at)
		c.lineage = nil
		c.log, c.logBase = c.log[:0], 0
	}
	if len(c.log) >= max(minLog, len(c.at)/8) {
		// Keep the newer half: a reader further behind scans the store instead.
		half := len(c.log) / 2
		c.logBase += uint32(half)
		c.log = append(c.log[:0], c.log[half:]...)
	}
	c.log = append(c.log, int32(slot))
	c.gen++
	if slot == len(c.at) {
		c.at = append(c.at, c.gen)
		return
	}
	c.at[slot] = c.gen
}

// Generation returns the store's identity and its change generation: a ticket i with
// ChangedSince(i, gen) false is as it was when Generation returned gen, as long as the identity
// is the same. Two stores never share an identity.
func (s *Store) Generation() (id uint64, gen uint32) { return s.changes.id, s.changes.gen }

// ChangedSince reports whether ticket i was added or replaced after generation gen.
func (s *Store) ChangedSince(i int, gen uint32) bool { return s.changes.at[i] > gen }

// Lineage is how the store was made from another, when Without made it; nil otherwise.
func (s *Store) Lineage() *Lineage { return s.changes.lineage }

// Without copies the store but the tickets with the given ids (ascending) into a new store with
// the given options, as a sync that deletes tickets does. The copy keeps the order of the tickets
// and their change generations, and records its Lineage, so that what was computed over this
// store still applies to the copy.
func (s *Store) Without(ids []string, opts StoreOptions) *Store {
	out := NewStore(opts)
	var removed []int
	var at []uint32
	for i := range s.Len() {
		v := s.View(i)
		if _, drop := slices.BinarySearch(ids, v.ID()); drop {
			removed = append(removed, i)
			continue
		}
		t := v.Ticket()
		// The ticket passed these checks when it was added; only a change of the store's options
		// could refuse it now, and that restarts its source from scratch instead.
		if out.Add(&t) != nil {
			removed = append(removed, i)
			continue
		}
		at = append(at, s.changes.at[i])
	}
	out.changes.at, out.changes.gen = at, s.changes.gen
	out.changes.log, out.changes.logBase = nil, s.changes.gen
	out.changes.lineage = &Lineage{Parent: s.changes.id, Removed: removed}
	return out
}

// Changed appends to dst the indices of the tickets added or replaced after generation gen, in
// ascending order, each once. It reads the log of recent changes when it reaches back to gen, and
// the whole store otherwise.
func (s *Store) Changed(gen uint32, dst []int32) []int32 {
	c := &s.changes
	if gen >= c.logBase && gen <= c.gen {
		start := len(dst)
		dst = append(dst, c.log[gen-c.logBase:]...)
		slices.Sort(dst[start:])
		return dst[:start+len(slices.Compact(dst[start:]))]
	}
	for i, g := range c.at {
		if g > gen {
			dst = append(dst, int32(i))
		}
	}
	return dst
}
