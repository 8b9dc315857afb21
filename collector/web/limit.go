package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	c "github.com/sla-exporter/sla_exporter/slo/conventions"
)

// DefaultMaxRequests is the default of --web.max-requests: node_exporter's.
const DefaultMaxRequests = 40

// unlimitedPaths are served whatever the number of requests in flight: a kubelet or load
// balancer probe must not fail, and restart or drain a healthy exporter, only because scrapers
// are busy. Both answer from memory without encoding anything, so they cannot be what exhausts
// the server. Everything else (/metrics, the API, /report, the pages, reload and webhooks)
// counts against the limit.
var unlimitedPaths = map[string]bool{"/-/healthy": true, "/-/ready": true}

// limitRequests serves at most limit requests at once; beyond it a request is answered 503 at
// once, never queued, so that a crowd of scrapers cannot pile up goroutines and memory and starve
// the evaluation, as they did without a limit (issue 12: 200 scrapers, 6 GB, evaluation 67 s
// late). Retry-After tells a client to come back soon rather than give up. A limit of 0 or less
// is no limit. rejected, when not nil, counts the requests refused.
func limitRequests(next http.Handler, limit int, rejected prometheus.Counter) http.Handler {
	if limit <= 0 {
		return next
	}
	// A buffered channel is the semaphore: a send takes a slot, a receive frees it.
	slots := make(chan struct{}, limit)
	msg := fmt.Sprintf("too many concurrent requests: the limit is %d (--web.max-requests)", limit)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if unlimitedPaths[r.URL.Path] {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			next.ServeHTTP(w, r)
		default:
			if rejected != nil {
				rejected.Inc()
			}
			w.Header().Set("Retry-After", "1")
			http.Error(w, msg, http.StatusServiceUnavailable)
		}
	})
}

// rejectedCounter is sla_http_requests_rejected_total, registered in reg, or the counter already
// registered there when a handler is built twice over one registry.
func rejectedCounter(reg prometheus.Registerer) prometheus.Counter {
	counter := prometheus.NewCounter(prometheus.CounterOpts{
		Name: c.HTTPRequestsRejected,
		Help: "HTTP requests answered 503 because --web.max-requests were already being served.",
	})
	if reg == nil {
		return counter
	}
	if err := reg.Register(counter); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(prometheus.Counter); ok {
				return existing
			}
		}
		panic(fmt.Sprintf("registering %s: %v", c.HTTPRequestsRejected, err))
	}
	return counter
}
