package slo

import (
	"math"
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
// ticket, the clock and now, and now matters only to a cycle still running or paused and to events
// after now (for a response clock, to those before its first response); so until the ticket is
// replaced, each of its cycles stays as it is at every later instant. For each such cycle the cache
// keeps what the evaluation reads of it: the instant its outcome counts at (outcomeTime), whether
// it was good, and its bin in the completed-cycle distribution the forecast reads (riskBin). The
// instant is kept rather than a count because the period so far, the burn windows and the forecast
// window all end at now: an outcome older than the longest window is summed into a count by
// whether it is in the period, younger ones are judged again at each evaluation. A ticket the
// objective's selector does not match, or whose priority the clock does not cover, is kept as
// contributing nothing: both depend on the ticket alone.
//
// What is not kept: open cycles (their elapsed time, at-risk state, deadline and breach
// probability move with now), tickets with anything after now, and native verdicts (a tool's
// records are judged against now: an objective with verdict native is always counted in full).
//
// Nothing kept depends on the target, the period or the windows: a period's rollover, a rolling
// period's start or a longer window only sums the kept instants again. The cache starts over when
// what it was computed under changes: another store (a source's resync replaced its records; a
// store made by ticket.Store.Without from the cached one is followed instead), another clock (the
// objective's clock settings or calendar were reloaded: the clock is compared by identity, and a
// configuration builds new clocks), another selector, or an instant before the last one (an event
// after it may be before the new one). The figures equal a full evaluation's to the bit
// (TestIncrementalEqualsFull): the cached cycles add whole numbers to the counts, and the open
// cycles, whose ratios are summed in floating point, are visited in the order of the store as in
// the full pass.
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
	// spill holds the cycles of settled tickets with more than one (reopened under NewCycle),
	// garbage the words of it no entry points to any more.
	spill   []uint64
	garbage int
	// live lists, ascending, the tickets computed at every scan (entries of kind kindCompute).
	live []int32
	// old sums the settled cycles: their completed-cycle bins, and the outcomes at or before
	// old.oldest, which no burn or forecast window reaches any more; recent holds the settled
	// outcomes after old.oldest, judged at each scan.
	old    aggregate
	recent []recentOutcome

	// Scratch reused between scans.
	buf   []ticket.Cycle
	todo  []int32
	marks []uint64 // bit i: ticket i is computed in this scan
	sink  uint64   // keeps scan's loads ahead from being optimized away

	last CacheStats
}

// aggregate is the sum of the settled cycles the cache holds, but for the outcomes in recent.
type aggregate struct {
	dist elapsedDistribution
	// good and bad count the outcomes at or before oldest that are at or after start.
	good, bad     int64
	start, oldest int64
}

// recentOutcome is a settled cycle's packed outcome after aggregate.oldest, and its ticket.
type recentOutcome struct {
	ticket int32
	e      uint64
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

// Bytes is the memory the cache holds: 8 bytes per ticket of the store (its entry) and a bit (the
// marks of a scan), 8 per cycle of tickets with several settled cycles, 16 per settled outcome
// still within the longest window, 4 per ticket computed at each scan.
func (c *TicketCache) Bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return (cap(c.entries)+cap(c.spill)+cap(c.marks))*8 + cap(c.recent)*16 + (cap(c.live)+cap(c.todo))*4
}

// drop forgets everything.
func (c *TicketCache) drop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reset()
}

func (c *TicketCache) reset() {
	c.store, c.gen, c.clock, c.sel, c.now = 0, 0, nil, "", 0
	c.entries, c.spill, c.garbage = c.entries[:0], c.spill[:0], 0
	c.live, c.recent, c.old = c.live[:0], c.recent[:0], aggregate{}
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
	r := 0
	for i, e := range c.entries {
		if r < len(removed) && removed[r] == i {
			r++
			c.free(e)
			continue
		}
		kept = append(kept, e)
	}
	c.entries = kept
	c.store = id
	// The lists of ticket indices are rebuilt from the entries.
	c.live = c.live[:0]
	for i, e := range c.entries {
		if e>>entryKindBits == kindCompute {
			c.live = append(c.live, int32(i))
		}
	}
	c.recent = c.recent[:0]
	c.old.oldest = math.MaxInt64 // forces a resplit
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
