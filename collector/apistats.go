package collector

import "time"

// APIStats are an API source's counters since it was built (collector/apisource fills them),
// read by the runner from every source with an APIStats method and published per source.
type APIStats struct {
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

// apiStatser is a source that keeps APIStats.
type apiStatser interface{ APIStats() APIStats }
