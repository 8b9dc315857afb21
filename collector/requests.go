package collector

import (
	"maps"
	"net/http"
	"strconv"
	"sync"
)

// Requests counts the HTTP requests of each source by status code, for
// sla_source_requests_total. HTTP sources wrap their transport with InstrumentRoundTripper or
// call Record themselves; both are safe for concurrent use, and a nil *Requests counts nothing,
// so a source built without one (in a test, in `check`) needs no special case.
type Requests struct {
	mu     sync.Mutex
	counts map[string]map[string]float64 // source -> code -> count
}

// NewRequests returns empty counters.
func NewRequests() *Requests {
	return &Requests{counts: map[string]map[string]float64{}}
}

// CodeError is the code recorded for a request that got no response (DNS, TLS, timeout ...).
const CodeError = "error"

// Record counts one request of source that ended with code: an HTTP status code or CodeError.
func (r *Requests) Record(source, code string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.counts[source]
	if m == nil {
		m = map[string]float64{}
		r.counts[source] = m
	}
	m[code]++
}

// Counts returns a copy of source's counts by code; nil when it made no request.
func (r *Requests) Counts(source string) map[string]float64 {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.counts[source])
}

// Forget drops a source's counts, when it is removed from the configuration.
func (r *Requests) Forget(source string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.counts, source)
}

// InstrumentRoundTripper wraps rt (http.DefaultTransport when nil) to count source's requests
// by status code, and transport failures as CodeError. It records nothing else: no URL, no
// header, so nothing secret can leak into the counts.
func (r *Requests) InstrumentRoundTripper(source string, rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	if r == nil {
		return rt
	}
	return roundTripperFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := rt.RoundTrip(req)
		if err != nil {
			r.Record(source, CodeError)
			return resp, err
		}
		r.Record(source, strconv.Itoa(resp.StatusCode))
		return resp, nil
	})
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }
