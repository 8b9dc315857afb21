package slo

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// TicketCache keeps, for one ticket objective, what an evaluation learnt about the cycles that can
// no longer change, so that the next evaluation recomputes only the tickets that changed (added,
// replaced or deleted from the store) and those whose cycles are still open.
//
// What is kept, and why it is safe: a ticket is settled when every one of its cycles has stopped
// (met, breached or cancelled; Cycle.Stop set) and nothing in the ticket lies after the evaluation
// instant (its creation, first response and status changes). Clock.Cycles reads nothing but the
// ticket, the clock and now, and now matters only to a cycle still running or paused and to
// events after now; so until the ticket is replaced, each of its cycles stays as it is at every
// later instant. For each such cycle the cache keeps what the evaluation reads of it: the instant
// its outcome counts at (outcomeTime), whether it was good, and its bin in the completed-cycle
// distribution the forecast reads (riskBin). The instant is kept rather than a count because the
// period so far, the burn windows and the forecast window all end at now: whether an outcome falls
// in them is decided again at each evaluation, from the kept instant. A ticket the objective's
// selector does not match, or whose priority the clock does not cover, is kept as contributing
// nothing: both depend on the ticket alone.
//
// What is not kept: open cycles (their elapsed time, at-risk state, deadline and breach
// probability move with now), tickets with anything after now, and native verdicts (a tool's
// records are judged against now: an objective with verdict native is always counted in full).
//
// Nothing kept depends on the period or the windows: the kept instants are judged again at each
// evaluation against the period and windows of that evaluation, so a period's rollover, a rolling
// period and a reload changing only the target or the windows cost nothing. The cache is dropped
// when what it was computed under changes: another store (a source's resync replaced its records;
// a store made by ticket.Store.Without from the cached one is followed instead), another clock (the
// objective's clock settings or calendar were reloaded: the clock is compared by identity, and a
// configuration builds new clocks), another selector, or an instant before the last one (an
// event after it may be before the new one). The figures equal a full
// evaluation's to the bit (TestIncrementalEqualsFull): the cached cycles add whole numbers to the
// counts, and the open cycles, whose ratios are summed in floating point, are visited in the order
// of the store as in the full pass.
//
// The zero value is ready to use. A cache serves one objective; it is safe for concurrent use.
type TicketCache struct {
	mu sync.Mutex

	store uint64 // ticket.Store identity; 0 before the first scan
	gen   uint32 // the store's generation at the last scan
	clock *ticket.Clock
	sel   string
	now   int64

	// entries holds one packed word per ticket index (see the entry constants).
	entries []uint64
	// many holds the cycles of settled tickets with more than one (reopened under NewCycle).
	many map[int32][]uint64
	buf  []ticket.Cycle

	last CacheStats
}

// CacheStats describes a cache's last scan.
type CacheStats struct {
	// Tickets is the number of tickets in the store scanned.
	Tickets int
	// Recomputed counts the tickets whose cycles were computed again: changed, open, or all of
	// them when the cache started over.
	Recomputed int
	// Rebuilt says the cache started over (first scan, or something it depended on changed).
	Rebuilt bool
}

// The packed entry of a ticket, or of one cycle in TicketCache.many:
//
//	bits  0-47  outcome instant + entryBias (Unix seconds)
//	bit   48    good outcome
//	bit   49    has an outcome (met or breached)
//	bits 50-60  riskBin + 1 of a completed cycle; 0 for none (cancelled)
//	bits 61-63  kind of the ticket's entry
const (
	entryBias     = 1 << 47
	entryTimeMask = 1<<48 - 1
	entryGood     = 1 << 48
	entryOutcome  = 1 << 49
	entryBinShift = 50
	entryBinMask  = 1<<11 - 1
	entryKindBits = 61

	kindCompute = 0 // unknown or open: computed at each scan
	kindNone    = 1 // contributes nothing
	kindOne     = 2 // one settled cycle, packed in the entry
	kindMany    = 3 // settled cycles in many
)

// EntryBytes is the memory a cache holds per ticket of its store, beyond the few tickets with
// several settled cycles (TicketCache.Bytes counts those too).
const EntryBytes = 8

// NewTicketCache returns an empty cache.
func NewTicketCache() *TicketCache { return &TicketCache{} }

// EvaluateIncremental is Evaluate keeping what does not change in c between calls (see
// TicketCache). c serves one objective. Kinds other than ticket SLAs, and a nil c, are evaluated
// in full.
func EvaluateIncremental(o *Objective, d Data, now time.Time, c *TicketCache) (Result, error) {
	if err := o.Validate(); err != nil {
		return Result{}, err
	}
	start, end := o.Period.Bounds(now)
	return evaluateWindow(o, d, now, start, end, c)
}

// Stats describes the last scan.
func (c *TicketCache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// Bytes is the memory the cache holds: its entries, and the cycles of tickets with several.
func (c *TicketCache) Bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := cap(c.entries) * EntryBytes
	for _, m := range c.many {
		// A map slot holds the key and the slice header; the slice its cycles.
		n += 4 + 24 + cap(m)*8
	}
	return n
}

// drop forgets everything.
func (c *TicketCache) drop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reset()
}

func (c *TicketCache) reset() {
	c.store, c.gen, c.clock, c.sel, c.now = 0, 0, nil, "", 0
	c.entries, c.many = c.entries[:0], nil
}

// follow reports whether the cache's entries describe st, remapping them when st was copied by
// Without from the store they describe.
func (c *TicketCache) follow(st *ticket.Store, id uint64) bool {
	if c.store == 0 {
		return false
	}
	if c.store == id {
		return true
	}
	lin := st.Lineage()
	if lin == nil || lin.Parent != c.store {
		return false
	}
	// The copy kept the order and the change generations of the tickets it kept.
	removed := lin.Removed
	kept := c.entries[:0]
	var many map[int32][]uint64
	r := 0
	for i, e := range c.entries {
		if r < len(removed) && removed[r] == i {
			r++
			continue
		}
		if e>>entryKindBits == kindMany {
			if many == nil {
				many = make(map[int32][]uint64, len(c.many))
			}
			many[int32(len(kept))] = c.many[int32(i)]
		}
		kept = append(kept, e)
	}
	c.entries, c.many = kept, many
	c.store = id
	return true
}

// selectorKey is a canonical form of a selector, to tell when it changed.
func selectorKey(s ticket.Selector) string {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		vs := slices.Clone(s[k])
		slices.Sort(vs)
		b.WriteString(k)
		for _, v := range vs {
			b.WriteByte(0)
			b.WriteString(v)
		}
		b.WriteByte(1)
	}
	return b.String()
}

// scan is ticketScan.scanAll for a recompute-verdict objective, reusing the settled tickets.
func (c *TicketCache) scan(s *ticketScan, o *Objective, st *ticket.Store, now, start int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, gen := st.Generation()
	sel := selectorKey(o.Select)
	rebuilt := !c.follow(st, id) || c.clock != o.Clock || c.sel != sel || now < c.now
	if rebuilt {
		c.reset()
		c.store, c.clock, c.sel = id, o.Clock, sel
	}
	n := st.Len()
	if len(c.entries) < n {
		c.entries = append(c.entries, make([]uint64, n-len(c.entries))...)
	}
	c.entries = c.entries[:n]
	// An outcome at or before oldest is outside every burn window and the forecast window.
	oldest := now - int64(o.maxWindow()/time.Second)
	m := o.Select.Compile(st)
	buf := c.buf[:0]
	recomputed := 0
	for i := range n {
		e := c.entries[i]
		kind := e >> entryKindBits
		if kind != kindCompute && !st.ChangedSince(i, c.gen) {
			switch kind {
			case kindOne:
				s.addSettled(e, now, start, oldest)
			case kindMany:
				for _, x := range c.many[int32(i)] {
					s.addSettled(x, now, start, oldest)
				}
			}
			continue
		}
		if kind == kindMany {
			delete(c.many, int32(i))
		}
		recomputed++
		v := st.View(i)
		if !m.Match(v) {
			c.entries[i] = kindNone << entryKindBits
			continue
		}
		buf = o.Clock.Cycles(st, i, now, buf[:0])
		for j := range buf {
			s.add(&buf[j], now, start)
		}
		c.entries[i] = c.settle(v, buf, now, s)
	}
	c.buf = buf
	c.gen, c.now = gen, now
	c.last = CacheStats{Tickets: n, Recomputed: recomputed, Rebuilt: rebuilt}
}

// settle is the entry of a ticket whose cycles at now are cycles: kindCompute unless they can no
// longer change (see TicketCache).
func (c *TicketCache) settle(v ticket.View, cycles []ticket.Cycle, now int64, s *ticketScan) uint64 {
	const compute = kindCompute << entryKindBits
	if v.Created() > now {
		return compute
	}
	if r, ok := v.FirstResponse(); ok && r > now {
		return compute
	}
	// A ticket's history is in time order (Ticket.Validate).
	if k := v.HistoryLen(); k > 0 {
		if at, _ := v.History(k - 1); at > now {
			return compute
		}
	}
	if len(cycles) == 0 {
		return kindNone << entryKindBits
	}
	var packed [2]uint64
	ps := packed[:0]
	if len(cycles) > len(packed) {
		ps = make([]uint64, 0, len(cycles))
	}
	for j := range cycles {
		p, ok := packCycle(&cycles[j], s)
		if !ok {
			return compute
		}
		ps = append(ps, p)
	}
	if len(ps) == 1 {
		return ps[0] | kindOne<<entryKindBits
	}
	if c.many == nil {
		c.many = map[int32][]uint64{}
	}
	c.many[int32(v.Index())] = slices.Clone(ps)
	return kindMany << entryKindBits
}

// packCycle packs what the evaluation reads of a stopped cycle, or reports that it is not stopped
// (or its outcome instant is beyond what an entry holds, which no real ticket reaches).
func packCycle(c *ticket.Cycle, s *ticketScan) (uint64, bool) {
	if c.Stop == 0 {
		return 0, false
	}
	var p uint64
	if c.State == ticket.Met || c.State == ticket.Breached {
		p |= uint64(riskBin(c.Elapsed, c.Target)+1) << entryBinShift
	}
	if t, good, ok := outcomeTime(c, s.cal); ok {
		if t < -entryBias || t >= entryBias {
			return 0, false
		}
		p |= uint64(t+entryBias) | entryOutcome
		if good {
			p |= entryGood
		}
	}
	return p, true
}

// addSettled counts a packed settled cycle as add counts the cycle: it is in no open state, so
// only the completed distribution and its outcome's counts take it.
func (s *ticketScan) addSettled(e uint64, now, start, oldest int64) {
	if b := e >> entryBinShift & entryBinMask; b != 0 {
		s.completed.addBin(int(b - 1))
	}
	if e&entryOutcome == 0 {
		return
	}
	t := int64(e&entryTimeMask) - entryBias
	good := e&entryGood != 0
	if t <= oldest {
		// In no window; in the period when at or after its start (and t <= oldest <= now).
		if t >= start {
			if good {
				s.good++
			} else {
				s.bad++
			}
		}
		return
	}
	s.count(t, good, true, now, start)
}
