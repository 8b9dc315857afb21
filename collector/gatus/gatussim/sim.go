// Package gatussim is a simulator of Gatus' status API, for tests, written from Gatus'
// documentation and code (github.com/TwiN/gatus at 08c4635, v5) and kept apart from the client
// (collector/gatus):
//
//   - README.md, "API": GET /api/v1/endpoints/statuses lists every endpoint with its results,
//     as JSON; storage.maximum-number-of-results (default 100) is how many results an
//     endpoint keeps;
//   - the shapes: config/endpoint/status.go (name, group, key, results, events) and
//     config/endpoint/result.go (status, hostname, duration in nanoseconds, errors,
//     conditionResults {condition, success}, success, timestamp in RFC 3339);
//   - the key: config/key/key.go, group and name lower-cased, " /_,.#+&" turned to "-", joined
//     by "_";
//   - paging: api/util.go (page default 1, pageSize default 50; on page 1 a pageSize above the
//     maximum is cut to it) and storage/store/memory/util.go (page N is the N-th newest
//     pageSize results, in time order; endpoints sorted by key);
//   - the answer is cached 10 seconds per page and pageSize (api/cache.go, cacheTTL);
//   - the route is protected by Gatus' security when configured (api/api.go,
//     protectedAPIRouter): basic authentication answers 401 without the right credentials.
package gatussim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
)

// Result is one check of an endpoint.
type Result struct {
	At       time.Time
	Success  bool
	Status   int
	Duration time.Duration
}

// Fault is a failure the simulator answers with.
type Fault struct {
	// After lets this many requests through first; Times is how many it then hits (0: every
	// one until Clear).
	After, Times int
	// Status answers with this status (and Retry-After, when set).
	Status     int
	RetryAfter string
	// Truncate cuts the right answer in half; BadJSON sends a body that is not JSON.
	Truncate, BadJSON bool
	// Delay holds the answer this long (or until the client gives up).
	Delay time.Duration
}

// Scope is for apitest.Plumbing: one endpoint, "statuses".
func (f Fault) Scope() (string, int, int) { return "", f.After, f.Times }

// Options configure the simulator.
type Options struct {
	// Now is the clock of the cache (the test's fake clock).
	Now func() time.Time
	// MaxResults is storage.maximum-number-of-results (default 100).
	MaxResults int
	// User and Password turn security.basic on.
	User, Password string
}

type endpoint struct {
	group, name string
	results     []Result
}

type cached struct {
	at   time.Time
	body []byte
}

// Server is a simulated Gatus. Requests("statuses") counts the listing's requests.
type Server struct {
	*httptest.Server
	apitest.Plumbing[Fault]

	mu        sync.Mutex
	o         Options
	endpoints map[string]*endpoint
	cache     map[string]cached
}

// New starts a simulated Gatus with no endpoint.
func New(o Options) *Server {
	if o.MaxResults == 0 {
		o.MaxResults = 100
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{o: o, endpoints: map[string]*endpoint{}, cache: map[string]cached{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Key is Gatus' key of an endpoint.
func Key(group, name string) string {
	clean := func(s string) string {
		s = strings.TrimSpace(strings.ToLower(s))
		return strings.NewReplacer("/", "-", "_", "-", ".", "-", ",", "-", " ", "-", "#", "-", "+", "-", "&", "-").Replace(s)
	}
	return clean(group) + "_" + clean(name)
}

// Add records results of an endpoint, in time order, keeping the newest MaxResults.
func (s *Server) Add(group, name string, rs ...Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := Key(group, name)
	ep := s.endpoints[k]
	if ep == nil {
		ep = &endpoint{group: group, name: name}
		s.endpoints[k] = ep
	}
	ep.results = append(ep.results, rs...)
	if n := len(ep.results) - s.o.MaxResults; n > 0 {
		ep.results = slices.Delete(ep.results, 0, n)
	}
}

// Remove drops an endpoint (taken out of Gatus' configuration).
func (s *Server) Remove(group, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.endpoints, Key(group, name))
}

// pageParams reads page and pageSize as api/util.go does.
func (s *Server) pageParams(r *http.Request) (int, int) {
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	size, err := strconv.Atoi(r.URL.Query().Get("pageSize"))
	if err != nil {
		size = 50
	}
	if page == 1 && size > s.o.MaxResults {
		size = s.o.MaxResults
	} else if size < 1 {
		size = 50
	}
	return page, size
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/api/v1/endpoints/statuses" {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	if s.o.User != "" {
		if u, p, ok := r.BasicAuth(); !ok || u != s.o.User || p != s.o.Password {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
	}
	f := s.Hit("statuses")
	if f != nil && !apitest.Hold(r, f.Delay) {
		return
	}
	if f != nil && f.Status != 0 {
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		http.Error(w, http.StatusText(f.Status), f.Status)
		return
	}
	page, size := s.pageParams(r)
	body := s.listing(page, size)
	switch {
	case f != nil && f.BadJSON:
		body = []byte(`[{"name":"x","key":"core_x","results":[{"success":tru}]}]`)
	case f != nil && f.Truncate:
		body = body[:len(body)/2]
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// listing renders a page, or the cached one from the last 10 seconds.
func (s *Server) listing(page, size int) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.o.Now()
	key := strconv.Itoa(page) + "-" + strconv.Itoa(size)
	if c, ok := s.cache[key]; ok && now.Sub(c.at) < 10*time.Second {
		return c.body
	}
	keys := make([]string, 0, len(s.endpoints))
	for k := range s.endpoints {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]map[string]any, 0, len(keys))
	for _, k := range keys {
		ep := s.endpoints[k]
		n := len(ep.results)
		start, end := max(n-page*size, 0), min(n-(page-1)*size, n)
		results := make([]map[string]any, 0)
		if start < end {
			for _, r := range ep.results[start:end] {
				results = append(results, map[string]any{
					"status": r.Status, "hostname": "app.example.com", "duration": int64(r.Duration),
					"conditionResults": []map[string]any{{"condition": "[STATUS] == 200", "success": r.Success}},
					"success":          r.Success, "timestamp": r.At.Format(time.RFC3339Nano),
				})
			}
		}
		m := map[string]any{"name": ep.name, "key": k, "results": results}
		if ep.group != "" {
			m["group"] = ep.group
		}
		out = append(out, m)
	}
	body, err := json.Marshal(out)
	if err != nil {
		panic(err)
	}
	s.cache[key] = cached{at: now, body: body}
	return body
}
