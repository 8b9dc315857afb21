package apitest

import (
	"net/http"
	"sync"
	"time"
)

// Scoped is what a simulator's fault type says about the requests it hits: those to endpoint
// ("" for any), after letting `after` of them through, then `times` of them (0: every one
// until cleared).
type Scoped interface {
	Scope() (endpoint string, after, times int)
}

// Plumbing is the bookkeeping the API simulators (githubsim, gitlabsim) share: the faults a
// test injects, F being the simulator's own fault type, and the requests counted per
// endpoint. A simulator embeds it; its zero value is ready. It has its own lock, so that a
// handler may call Hit while holding the simulator's.
type Plumbing[F Scoped] struct {
	mu     sync.Mutex
	faults []*hits[F]
	counts map[string]int
}

type hits[F Scoped] struct {
	f    F
	seen int
}

// Inject adds a fault.
func (p *Plumbing[F]) Inject(f F) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = append(p.faults, &hits[F]{f: f})
}

// Clear removes the faults.
func (p *Plumbing[F]) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = nil
}

// Requests counts the requests served to endpoint, faults included.
func (p *Plumbing[F]) Requests(endpoint string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[endpoint]
}

// ResetCounts zeroes the request counts.
func (p *Plumbing[F]) ResetCounts() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts = nil
}

// Hit is for the simulator's handler: it counts a request to endpoint and returns the fault
// that hits it, or nil. The faults are tried in the order injected, and the first that hits
// ends the search: the ones after it do not see the request.
func (p *Plumbing[F]) Hit(endpoint string) *F {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.counts == nil {
		p.counts = map[string]int{}
	}
	p.counts[endpoint]++
	for _, h := range p.faults {
		ep, after, times := h.f.Scope()
		if ep != "" && ep != endpoint {
			continue
		}
		h.seen++
		if h.seen <= after || (times > 0 && h.seen > after+times) {
			continue
		}
		f := h.f
		return &f
	}
	return nil
}

// Hold holds an answer d, or until the client gives up on r; it reports whether to answer.
func Hold(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	select {
	case <-time.After(d):
		return true
	case <-r.Context().Done():
		return false
	}
}
