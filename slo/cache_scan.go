package slo

import (
	"slices"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// The packed entry of a ticket, or of one cycle in TicketCache.spill:
//
//	bits  0-47  outcome instant + entryBias (Unix seconds)
//	bit   48    good outcome
//	bit   49    has an outcome (met or breached)
//	bits 50-60  riskBin + 1 of a completed cycle; 0 for none (cancelled)
//	bits 61-63  kind of the ticket's entry
//
// An entry of kind kindMany holds instead the offset of its cycles in TicketCache.spill in bits
// 0-39 and their number in bits 40-55.
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
	kindMany    = 3 // settled cycles in spill

	spillCountShift = 40
	spillMask       = 1<<spillCountShift - 1
	spillCountMask  = 1<<16 - 1
)

// scan is ticketScan.scanAll for a recompute-verdict objective: it computes the cycles of the
// tickets changed since the last scan and of those still open, in the order of the store, and adds
// the settled ones from the cache.
func (c *TicketCache) scan(s *ticketScan, o *Objective, st *ticket.Store, now, start int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, gen := st.Generation()
	sel := selectorKey(o.Select)
	// An outcome at or before oldest is outside every burn window and the forecast window.
	oldest := now - int64(o.maxWindow()/time.Second)
	rebuilt := !c.follow(st, id) || c.clock != o.Clock || c.sel != sel || now < c.now
	if rebuilt {
		c.reset()
		c.store, c.clock, c.sel = id, o.Clock, sel
		c.old.start, c.old.oldest = start, oldest
	}
	c.compact()
	n := st.Len()
	if len(c.entries) < n {
		c.entries = append(c.entries, make([]uint64, n-len(c.entries))...)
	}
	c.entries = c.entries[:n]
	if words := (n + 63) / 64; len(c.marks) < words {
		c.marks = make([]uint64, words)
	}

	// The tickets to compute: changed since the last scan, or open at it; both lists ascend.
	changed := st.Changed(c.gen, c.todo[:0])
	todo := mergeSorted(changed, c.live, make([]int32, 0, len(changed)+len(c.live)))
	for _, i := range todo {
		c.marks[i/64] |= 1 << (i % 64)
	}
	// Their settled outcomes leave recent (and the aggregate, in unsettle).
	kept := c.recent[:0]
	for _, r := range c.recent {
		if c.marks[r.ticket/64]&(1<<(r.ticket%64)) == 0 {
			kept = append(kept, r)
		}
	}
	c.recent = kept

	m := o.Select.Compile(st)
	buf := c.buf[:0]
	live := c.live[:0]
	var ahead uint64
	for k, i := range todo {
		// The tickets to compute are scattered over the store: loading the entry and the record
		// of one a few places ahead lets their cache misses overlap with this one's work.
		if k+prefetch < len(todo) {
			j := int(todo[k+prefetch])
			ahead += c.entries[j] + uint64(st.View(j).Created())
		}
		c.unsettle(c.entries[i])
		v := st.View(int(i))
		if !m.Match(v) {
			c.entries[i] = kindNone << entryKindBits
			continue
		}
		buf = o.Clock.Cycles(st, int(i), now, buf[:0])
		e := c.settle(v, o.Clock.Kind(), buf, now, s)
		c.entries[i] = e
		switch e >> entryKindBits {
		case kindCompute:
			// Open (or with events after now): counted as the full pass counts it.
			for j := range buf {
				s.add(&buf[j], now, start)
			}
			live = append(live, i)
		case kindOne:
			c.settleOutcome(i, e)
		case kindMany:
			for _, x := range c.cycles(e) {
				c.settleOutcome(i, x)
			}
		}
	}
	for _, i := range todo {
		c.marks[i/64] &^= 1 << (i % 64)
	}
	c.sink = ahead
	if cap(changed) > max(4096, n/16) {
		changed = nil // the first scan's list of every ticket is not kept for the next ones
	}
	c.buf, c.live, c.todo = buf, live, changed[:0]

	if start != c.old.start || oldest < c.old.oldest {
		c.resplit(start, oldest)
	}
	kept = c.recent[:0]
	for _, r := range c.recent {
		t, good := unpackOutcome(r.e)
		if t <= oldest {
			c.old.addOutcome(t, good, 1)
			continue
		}
		s.count(t, good, true, now, start)
		kept = append(kept, r)
	}
	c.recent = kept
	c.old.oldest = oldest
	s.good += float64(c.old.good)
	s.bad += float64(c.old.bad)
	s.completed.merge(&c.old.dist)

	c.gen, c.now = gen, now
	c.last = CacheStats{Tickets: n, Recomputed: len(todo), Rebuilt: rebuilt}
}

// prefetch is how many tickets ahead scan loads what the next ones read.
const prefetch = 4

// mergeSorted appends the union of two ascending lists to dst, ascending, each index once.
func mergeSorted(a, b, dst []int32) []int32 {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			dst = append(dst, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			dst = append(dst, b[j])
			j++
		default:
			dst = append(dst, a[i])
			i, j = i+1, j+1
		}
	}
	return dst
}

// settleOutcome adds a settled cycle of ticket i to the aggregate, or its outcome to recent when
// after the aggregate's oldest instant.
func (c *TicketCache) settleOutcome(i int32, e uint64) {
	if b := e >> entryBinShift & entryBinMask; b != 0 {
		c.old.dist.addBin(int(b - 1))
	}
	if e&entryOutcome == 0 {
		return
	}
	if t, good := unpackOutcome(e); t <= c.old.oldest {
		c.old.addOutcome(t, good, 1)
		return
	}
	c.recent = append(c.recent, recentOutcome{ticket: i, e: e})
}

// unsettle takes a ticket's settled cycles, about to be computed again, out of the aggregate;
// scan has taken its recent outcomes out of recent.
func (c *TicketCache) unsettle(e uint64) {
	one := func(x uint64) {
		if b := x >> entryBinShift & entryBinMask; b != 0 {
			c.old.dist.removeBin(int(b - 1))
		}
		if x&entryOutcome == 0 {
			return
		}
		if t, good := unpackOutcome(x); t <= c.old.oldest {
			c.old.addOutcome(t, good, -1)
		}
	}
	switch e >> entryKindBits {
	case kindOne:
		one(e)
	case kindMany:
		for _, x := range c.cycles(e) {
			one(x)
		}
		c.garbage += int(e >> spillCountShift & spillCountMask)
	}
}

// addOutcome counts (delta 1) or uncounts (-1) an outcome at or before a.oldest.
func (a *aggregate) addOutcome(t int64, good bool, delta int64) {
	if t < a.start {
		return
	}
	if good {
		a.good += delta
	} else {
		a.bad += delta
	}
}

// resplit sums the settled cycles again for a new period start or an earlier oldest instant (a
// longer window): the aggregate takes the outcomes at or before oldest, recent the others.
func (c *TicketCache) resplit(start, oldest int64) {
	c.old = aggregate{start: start, oldest: oldest}
	c.recent = c.recent[:0]
	for i, e := range c.entries {
		switch e >> entryKindBits {
		case kindOne:
			c.settleOutcome(int32(i), e)
		case kindMany:
			for _, x := range c.cycles(e) {
				c.settleOutcome(int32(i), x)
			}
		}
	}
}

func unpackOutcome(e uint64) (int64, bool) {
	return int64(e&entryTimeMask) - entryBias, e&entryGood != 0
}

// settle is the entry of a ticket whose cycles at now are cycles: kindCompute unless they can no
// longer change (see TicketCache).
func (c *TicketCache) settle(v ticket.View, kind ticket.Kind, cycles []ticket.Cycle, now int64, s *ticketScan) uint64 {
	const compute = kindCompute << entryKindBits
	if v.Created() > now {
		return compute
	}
	r, responded := v.FirstResponse()
	if responded && r > now {
		return compute
	}
	// A response clock reads no status change after the first response (Clock.Cycles); a
	// ticket's history is in time order (Ticket.Validate).
	if k := v.HistoryLen(); k > 0 && !(kind == ticket.Response && responded) {
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
	if len(ps) > spillCountMask || len(c.spill)+len(ps) > spillMask {
		return compute
	}
	off := len(c.spill)
	c.spill = append(c.spill, ps...)
	return uint64(off) | uint64(len(ps))<<spillCountShift | kindMany<<entryKindBits
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

// cycles are the spilled cycles of an entry of kind kindMany.
func (c *TicketCache) cycles(e uint64) []uint64 {
	off := int(e & spillMask)
	return c.spill[off : off+int(e>>spillCountShift&spillCountMask)]
}

// free counts the spilled cycles of an entry dropped with its ticket as garbage; its part of the
// aggregate goes with the resplit that follows.
func (c *TicketCache) free(e uint64) {
	if e>>entryKindBits == kindMany {
		c.garbage += int(e >> spillCountShift & spillCountMask)
	}
}

// spill is rewritten once its garbage is at least spillCompactMin words and 1/spillCompactShare
// of it (variables for the tests).
var spillCompactMin, spillCompactShare = 4096, 2

// compact rewrites spill once dropped entries hold half of it.
func (c *TicketCache) compact() {
	if c.garbage == 0 || c.garbage < spillCompactMin || spillCompactShare*c.garbage < len(c.spill) {
		return
	}
	spill := make([]uint64, 0, len(c.spill)-c.garbage)
	for i, e := range c.entries {
		if e>>entryKindBits != kindMany {
			continue
		}
		cs := c.cycles(e)
		c.entries[i] = uint64(len(spill)) | uint64(len(cs))<<spillCountShift | kindMany<<entryKindBits
		spill = append(spill, cs...)
	}
	c.spill, c.garbage = slices.Clip(spill), 0
}
