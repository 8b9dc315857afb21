// Package statuspagesim is a simulator of an Atlassian Statuspage page's public API v2, for
// tests, written from the vendor's documentation and kept apart from the client
// (collector/statuspage) so that the client is tested against what Statuspage documents, not
// against itself.
//
// Documents followed:
//   - the public API v2 every page serves, documented on each page at /api (Statuspage's own
//     https://metastatuspage.com/api, GitHub's https://www.githubstatus.com/api): components
//     (status one of operational, degraded_performance, partial_outage, major_outage;
//     under_maintenance during maintenance), incidents ("a list of the 50 most recent
//     incidents. This includes all unresolved incidents ... as well as those in the Resolved and
//     Postmortem state"; status investigating, identified, monitoring, resolved, postmortem;
//     impact none, minor, major, critical), scheduled maintenances ("the 50 most recent";
//     status scheduled, in_progress, verifying, completed);
//   - the response shapes (page, components with group_id, group and a group's components;
//     incidents with incident_updates whose affected_components give code, name, old_status,
//     new_status; started_at, resolved_at; scheduled_for and scheduled_until) as the pages
//     serve them: the example of a Statuspage summary.json in Huobi's API documentation
//     (status-linear-swap.huobigroup.com/api/v2/summary.json, in docs.huobigroup.com/docs/
//     usdt_swap/v1/cn), with times in RFC 3339 with milliseconds and the page's offset;
//   - the rate limit of Statuspage's API, 1 request a second per client (developer.statuspage.io,
//     "Rate Limiting"; 429 beyond): the simulator refuses a request less than a second after
//     the one before with 429 and Retry-After, stricter than the documented 60-second window, so
//     that a client it accepts keeps to the limit.
package statuspagesim

import (
	"cmp"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
)

// Component is a component of the page, or a group of them.
type Component struct {
	ID, Name string
	// Status is operational, degraded_performance, partial_outage, major_outage or
	// under_maintenance.
	Status           string
	Created, Updated time.Time
	// GroupID is the group the component belongs to; Group makes it a group of Members.
	GroupID string
	Group   bool
	Members []string
}

// Affected is a component status an update set.
type Affected struct {
	Code, Name, Old, New string
}

// Update is one update of an incident or maintenance.
type Update struct {
	ID     string
	Status string
	Body   string
	// Created is when it was posted, Display when it shows (zero: Created).
	Created, Display time.Time
	Affected         []Affected
}

// Incident is an incident, or a scheduled maintenance when ScheduledFor is set.
type Incident struct {
	ID, Name, Status, Impact string
	Created, Updated         time.Time
	// Started is started_at (zero: null, as on pages created before it existed); Resolved
	// resolved_at (zero: null).
	Started, Resolved            time.Time
	ScheduledFor, ScheduledUntil time.Time
	Updates                      []Update
	// Components are the ids of the components it affects.
	Components []string
}

// Fault is a failure the simulator answers with.
type Fault struct {
	// Endpoint is "components", "incidents", "maintenances", or "" for any.
	Endpoint string
	// After lets this many matching requests through first; Times is how many it then hits
	// (0: every one until Clear).
	After, Times int
	// Status answers with this status (and Retry-After, when set).
	Status     int
	RetryAfter string
	// Truncate cuts the right answer in half; BadJSON sends a body that is not JSON; HTML sends
	// an HTML error page with status 200, as a proxy in front of a page may.
	Truncate, BadJSON, HTML bool
	// Delay holds the answer this long (or until the client gives up).
	Delay time.Duration
}

// Scope is for apitest.Plumbing.
func (f Fault) Scope() (string, int, int) { return f.Endpoint, f.After, f.Times }

// Options configure the simulator.
type Options struct {
	// Now is the clock the rate limit is measured on (the test's fake clock).
	Now func() time.Time
	// Zone is the page's time zone, in which times are written (default UTC).
	Zone *time.Location
	// NoRateLimit turns the rate limit off, for tests of something else that call faster.
	NoRateLimit bool
}

// Server is a simulated page. Its Requests count the requests per endpoint ("components",
// "incidents", "maintenances", "other"), refused ones included.
type Server struct {
	*httptest.Server
	apitest.Plumbing[Fault]

	mu           sync.Mutex
	o            Options
	components   []Component
	incidents    []Incident
	maintenances []Incident
	last         time.Time // the last request's time, for the rate limit
	limited      int
}

// New starts a simulated page with no component.
func New(o Options) *Server {
	if o.Zone == nil {
		o.Zone = time.UTC
	}
	s := &Server{o: o}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// SetComponents replaces the page's components.
func (s *Server) SetComponents(cs ...Component) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.components = slices.Clone(cs)
}

// PutIncident adds an incident, or replaces the one with its id.
func (s *Server) PutIncident(in Incident) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.incidents = put(s.incidents, in)
}

// PutMaintenance adds a scheduled maintenance, or replaces the one with its id.
func (s *Server) PutMaintenance(m Incident) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maintenances = put(s.maintenances, m)
}

func put(list []Incident, in Incident) []Incident {
	if i := slices.IndexFunc(list, func(x Incident) bool { return x.ID == in.ID }); i >= 0 {
		list[i] = in
		return list
	}
	return append(list, in)
}

// RateLimited counts the requests refused for coming less than a second after the one before.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limited
}

// recent returns the 50 most recently created of list, newest first, as the API lists them.
func recent(list []Incident) []Incident {
	out := slices.Clone(list)
	slices.SortStableFunc(out, func(a, b Incident) int { return cmp.Or(b.Created.Compare(a.Created), cmp.Compare(a.ID, b.ID)) })
	if len(out) > 50 {
		out = out[:50]
	}
	return out
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	endpoint := "other"
	switch r.URL.Path {
	case "/api/v2/components.json":
		endpoint = "components"
	case "/api/v2/incidents.json":
		endpoint = "incidents"
	case "/api/v2/scheduled-maintenances.json":
		endpoint = "maintenances"
	}
	f := s.Hit(endpoint)
	if f != nil && !apitest.Hold(r, f.Delay) {
		return
	}
	s.mu.Lock()
	now := time.Now()
	if s.o.Now != nil {
		now = s.o.Now()
	}
	tooSoon := !s.o.NoRateLimit && !s.last.IsZero() && now.Sub(s.last) < time.Second
	s.last = now
	if tooSoon {
		s.limited++
	}
	var body any
	switch endpoint {
	case "components":
		body = s.renderComponents()
	case "incidents":
		body = map[string]any{"page": s.page(), "incidents": s.renderIncidents(recent(s.incidents), false)}
	case "maintenances":
		body = map[string]any{"page": s.page(), "scheduled_maintenances": s.renderIncidents(recent(s.maintenances), true)}
	}
	s.mu.Unlock()
	switch {
	case tooSoon:
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusTooManyRequests, "Rate limit exceeded")
	case f != nil && f.Status != 0:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		writeError(w, f.Status, http.StatusText(f.Status))
	case endpoint == "other":
		writeError(w, http.StatusNotFound, "The page you were looking for doesn't exist")
	default:
		writeJSON(w, body, f)
	}
}
