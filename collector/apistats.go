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

// ProbeResult is the last result of one target of a probing source (the built-in probes, a
// blackbox_exporter queried directly), published per target as sla_probe_* metrics, as
// blackbox_exporter publishes probe_*.
type ProbeResult struct {
	// Series is the source's series the target feeds, Target what is probed (a URL, host:port,
	// a name), Prober how (http, tcp, dns, icmp, or the blackbox module).
	Series, Target, Prober string
	// At is when the probe ran; a target not probed yet has no result.
	At       time.Time
	Success  bool
	Duration time.Duration
	// StatusCode is the HTTP status of the answer; zero when not HTTP or none came.
	StatusCode int
	// CertExpiry is the earliest expiry of the certificates the server sent; zero without TLS.
	CertExpiry time.Time
}

// probeReporter is a source that probes targets itself.
type probeReporter interface{ ProbeResults() []ProbeResult }
