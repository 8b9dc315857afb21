package apisource

import "github.com/sla-exporter/sla_exporter/collector"

// Stats are an API source's counters since it was built: collector.APIStats, which the runner
// reads from every source implementing StatsSource and the exposition publishes. Requests by
// status code are counted apart, in collector.Requests (sla_source_requests_total).
type Stats = collector.APIStats

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
