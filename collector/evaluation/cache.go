package evaluation

import (
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo"
)

// cacheEstimate is what a new cache is expected to hold per ticket of its store, to decide before
// building it whether it fits the budget: its entry, its mark bit, and room for the settled
// outcomes within the longest window and the open tickets (9.1 bytes measured on the desk of
// BenchmarkEvaluateTicketsChanged, docs/performance.md).
const cacheEstimate = 10

// ticketCache returns the cache of a ticket objective over a store of n tickets, or nil when the
// objective is evaluated in full: caches are off (Options.CacheBytes 0), or the caches of the
// objectives before it in the configuration leave no room for its own. Called in the order of the
// configuration's objectives, from used, the bytes the caches of the objectives before it hold.
func (e *Evaluator) ticketCache(o *config.Objective, n int, used *int64) *slo.TicketCache {
	if e.cacheBytes <= 0 || o.Kind != slo.TicketSLA || o.Verdict != slo.Recompute {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.caches[o.Name]
	size := max(cacheSize(c, n), e.cacheSeen[o.Name])
	if c != nil {
		e.cacheSeen[o.Name] = size
	}
	if *used+size > e.cacheBytes {
		// Over the budget: this objective is evaluated in full, and its cache, if any, freed.
		// The size it had is remembered, so it is not built again at the next evaluation only
		// to be freed at the one after.
		delete(e.caches, o.Name)
		return nil
	}
	*used += size
	if c == nil {
		c = slo.NewTicketCache()
		e.caches[o.Name] = c
	}
	return c
}

// cacheSize is what a cache (nil: a new one) over a store of n tickets is counted for: what it
// holds, or the estimate when more (a store that grew since the last scan grows its cache).
func cacheSize(c *slo.TicketCache, n int) int64 {
	size := int64(cacheEstimate) * int64(n)
	if c != nil {
		size = max(size, int64(c.Bytes()))
	}
	return size
}

// dropCache forgets an objective's cache, after an engine panic may have left it half updated.
func (e *Evaluator) dropCache(objective string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.caches, objective)
}
