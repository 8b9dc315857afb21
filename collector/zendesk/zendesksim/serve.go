package zendesksim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
)

// The request handling: routing, authentication, the rate limits, faults, the log.

// route names the endpoint of a path, and the ticket id of an audits path.
func route(path string) (string, int64) {
	p := strings.TrimSuffix(path, ".json")
	switch {
	case p == "/api/v2/incremental/tickets/cursor":
		return "export", 0
	case p == "/api/v2/slas/policies":
		return "policies", 0
	}
	if rest, ok := strings.CutPrefix(p, "/api/v2/tickets/"); ok {
		if num, tail, _ := strings.Cut(rest, "/"); tail == "audits" {
			if id, err := strconv.ParseInt(num, 10, 64); err == nil {
				return "audits", id
			}
		}
	}
	return "other", 0
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	endpoint, id := route(r.URL.Path)
	s.mu.Lock()
	fault := s.Hit(endpoint)
	s.mu.Unlock()
	if fault != nil && !apitest.Hold(r, fault.Delay) {
		return
	}
	status := s.answer(w, r, endpoint, id, fault)
	s.mu.Lock()
	s.log = append(s.log, Entry{At: s.now(), Endpoint: endpoint, Status: status})
	n := 0
	for _, e := range s.log {
		if e.Endpoint == endpoint {
			n++
		}
	}
	served := s.served
	s.mu.Unlock()
	if served != nil {
		served(endpoint, n)
	}
}

// answer writes the answer to one request and returns its status.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, endpoint string, id int64, fault *Fault) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if fault != nil && fault.Revoke {
		for k := range s.creds {
			s.creds[k] = false
		}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Date", now.UTC().Format(http.TimeFormat))
	if !s.creds[r.Header.Get("Authorization")] {
		return writeError(w, http.StatusUnauthorized, map[string]any{"error": "Couldn't authenticate you"})
	}
	if wait, ok := s.incrementalLimited(endpoint, now); ok {
		h.Set("Retry-After", strconv.Itoa(wait))
		return writeError(w, http.StatusTooManyRequests, map[string]any{"error": "APIRateLimitExceeded",
			"description": "Number of allowed incremental export API requests per minute exceeded"})
	}
	if wait, ok := s.accountLimited(h, now); ok {
		h.Set("Retry-After", strconv.Itoa(wait))
		return writeError(w, http.StatusTooManyRequests, map[string]any{"error": "APIRateLimitExceeded",
			"description": "Number of allowed API requests per minute exceeded"})
	}
	if fault != nil && fault.Status != 0 {
		if fault.RetryAfter != "" {
			h.Set("Retry-After", fault.RetryAfter)
		}
		return writeError(w, fault.Status, map[string]any{"error": http.StatusText(fault.Status)})
	}
	var (
		body any
		code = http.StatusOK
	)
	switch endpoint {
	case "export":
		body, code = s.export(r, now)
	case "audits":
		body, code = s.auditsPage(r, id)
	case "policies":
		body = s.policiesJSON()
	default:
		body, code = map[string]any{"error": "InvalidEndpoint", "description": "Not found"}, http.StatusNotFound
	}
	out, err := json.Marshal(body)
	if err != nil {
		return writeError(w, http.StatusInternalServerError, map[string]any{"error": err.Error()})
	}
	switch {
	case code != http.StatusOK:
	case fault != nil && fault.Truncate:
		out = out[:len(out)/2]
	case fault != nil && fault.BadJSON:
		out = []byte(`{"tickets": [{"id": 1,, "status": "open"}]}`)
	}
	w.WriteHeader(code)
	_, _ = w.Write(out)
	return code
}

// incrementalLimited says whether an incremental export request is over the limit of the
// last 60 seconds, and how many seconds to wait. Callers hold mu.
func (s *Server) incrementalLimited(endpoint string, now time.Time) (int, bool) {
	if endpoint != "export" {
		return 0, false
	}
	var recent []time.Time
	for _, e := range s.log {
		if e.Endpoint == "export" && now.Sub(e.At) < time.Minute {
			recent = append(recent, e.At)
		}
	}
	if len(recent) < s.incr {
		return 0, false
	}
	wait := recent[len(recent)-s.incr].Add(time.Minute).Sub(now)
	return max(int((wait+time.Second-1)/time.Second), 1), true
}

// accountLimited counts a request against the account's minute, sets the rate-limit headers
// and says whether it is over. Callers hold mu.
func (s *Server) accountLimited(h http.Header, now time.Time) (int, bool) {
	if !now.Before(s.window.Add(time.Minute)) {
		s.window, s.used = now.Truncate(time.Minute), 0
	}
	reset := int(s.window.Add(time.Minute).Sub(now).Seconds())
	over := s.used >= s.limit
	if !over {
		s.used++
	}
	left := strconv.Itoa(s.limit - s.used)
	for k, v := range map[string]string{"X-Rate-Limit": strconv.Itoa(s.limit), "X-Rate-Limit-Remaining": left,
		"Ratelimit-Limit": strconv.Itoa(s.limit), "Ratelimit-Remaining": left, "Ratelimit-Reset": strconv.Itoa(reset)} {
		h.Set(k, v)
	}
	return max(reset, 1), over
}

func writeError(w http.ResponseWriter, code int, body map[string]any) int {
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
	return code
}
