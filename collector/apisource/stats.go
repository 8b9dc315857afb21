package apisource

import "time"

// Stats are an API source's counters since it was built. Requests by status code are counted
// apart, in collector.Requests (sla_source_requests_total); these are the rest, for the
// exposition to publish (it reads them through StatsSource).
type Stats struct {
	// Syncs counts the syncs that returned a batch; EarlyStops those of them that stopped
	// before the end of the listing (the cap on requests, the sync's time, the server's limit).
	Syncs, EarlyStops int64
	// Pages counts the listing pages read whole, Records the tickets returned.
	Pages, Records int64
	// Retries counts requests sent again after a 5xx or a network error.
	Retries int64
	// RateLimitWaits counts the waits for a rate limit (the server's, and the client-side
	// limiter's when it had to wait), RateLimitWaitSeconds their total.
	RateLimitWaits       int64
	RateLimitWaitSeconds float64
	// Watermark is the update time the source has read up to.
	Watermark time.Time
	// LastReconcile is when the ids in scope were last listed, ReconciledIDs how many there were.
	LastReconcile time.Time
	ReconciledIDs int
}

// StatsSource is implemented by the sources built on this package.
type StatsSource interface {
	APIStats() Stats
}

// Stats returns a copy of the client's counters.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// updateStats edits the counters under the lock.
func (c *Client) updateStats(edit func(*Stats)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	edit(&c.stats)
}
