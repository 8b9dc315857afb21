// Package uptimekumasim is a simulator of Uptime Kuma's status-page endpoints, for tests,
// written from Uptime Kuma's code (github.com/louislam/uptime-kuma at 6398a95, 2.5.3) and kept
// apart from the client (collector/uptimekuma):
//
//   - server/routers/status-page-router.js: GET /api/status-page/:slug (the page's config,
//     incidents, publicGroupList, maintenanceList; cached 5 minutes; an unknown slug answers
//     sendHttpError "Status Page Not Found", a 404 {"status":"fail","msg":...}, per
//     server/util-server.js) and GET /api/status-page/heartbeat/:slug (heartbeatList: per
//     public monitor id the last 100 heartbeats, "ORDER BY time DESC LIMIT 100" reversed to
//     oldest first; uptimeList "<id>_24"; cached 1 minute; an unknown slug lists nothing);
//   - server/model/group.js and server/model/monitor.js toPublicJSON: a group {id, name,
//     weight, monitorList}, a monitor {id, name, sendUrl, type};
//   - server/model/heartbeat.js toPublicJSON: {status, time, msg: "" (hidden), ping}; status
//     0 down, 1 up, 2 pending, 3 maintenance (src/util.ts); time in UTC as
//     R.isoDateTimeMillis writes it, "YYYY-MM-DD HH:MM:SS.SSS" (server/model/monitor.js).
//
// The caches are simulated on the test's clock.
package uptimekumasim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
)

// Heartbeat statuses.
const (
	Down        = 0
	Up          = 1
	Pending     = 2
	Maintenance = 3
)

// Beat is one heartbeat.
type Beat struct {
	At     time.Time
	Status int
	Ping   float64
}

// Monitor is a monitor on the page.
type Monitor struct {
	ID    int
	Name  string
	Group string
	beats []Beat
}

// Fault is a failure the simulator answers with.
type Fault struct {
	// Endpoint is "page", "heartbeat", or "" for any.
	Endpoint string
	// After lets this many matching requests through first; Times is how many it then hits
	// (0: every one until Clear).
	After, Times int
	// Status answers with this status (and Retry-After, when set).
	Status     int
	RetryAfter string
	// Truncate cuts the right answer in half; BadJSON sends a body that is not JSON.
	Truncate, BadJSON bool
	// BadTime writes heartbeat times in a layout Uptime Kuma never uses.
	BadTime bool
}

// Scope is for apitest.Plumbing.
func (f Fault) Scope() (string, int, int) { return f.Endpoint, f.After, f.Times }

type cached struct {
	at   time.Time
	body []byte
}

// Server is a simulated Uptime Kuma with one status page. Requests counts "page" and
// "heartbeat" requests.
type Server struct {
	*httptest.Server
	apitest.Plumbing[Fault]

	mu       sync.Mutex
	now      func() time.Time
	slug     string
	monitors []*Monitor
	cache    map[string]cached
}

// New starts a simulated Uptime Kuma serving the status page slug; now is the caches' clock.
func New(slug string, now func() time.Time) *Server {
	s := &Server{slug: slug, now: now, cache: map[string]cached{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// SetMonitors replaces the page's monitors, keeping the heartbeats of those already there.
func (s *Server) SetMonitors(ms ...Monitor) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Monitor
	for _, m := range ms {
		m := m
		if i := slices.IndexFunc(s.monitors, func(x *Monitor) bool { return x.ID == m.ID }); i >= 0 {
			m.beats = s.monitors[i].beats
		}
		out = append(out, &m)
	}
	s.monitors = out
}

// Beat records heartbeats of a monitor, in time order.
func (s *Server) Beat(id int, beats ...Beat) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.monitors {
		if m.ID == id {
			m.beats = append(m.beats, beats...)
			return
		}
	}
	panic(fmt.Sprintf("no monitor %d", id))
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	var endpoint, slug string
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/status-page/heartbeat/"):
		endpoint, slug = "heartbeat", strings.TrimPrefix(r.URL.Path, "/api/status-page/heartbeat/")
	case strings.HasPrefix(r.URL.Path, "/api/status-page/"):
		endpoint, slug = "page", strings.TrimPrefix(r.URL.Path, "/api/status-page/")
	default:
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	slug = strings.ToLower(slug)
	f := s.Hit(endpoint)
	if f != nil && f.Status != 0 {
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		writeJSON(w, f.Status, map[string]string{"status": "fail", "msg": http.StatusText(f.Status)})
		return
	}
	if endpoint == "page" && slug != s.slug {
		writeJSON(w, http.StatusNotFound, map[string]string{"status": "fail", "msg": "Status Page Not Found"})
		return
	}
	body := s.answer(endpoint, slug, f != nil && f.BadTime)
	switch {
	case f != nil && f.BadJSON:
		body = []byte(`{"heartbeatList": {"1": [{"status": 1, "time": }]}}`)
	case f != nil && f.Truncate:
		body = body[:len(body)/2]
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(body)
}

// answer renders an endpoint's answer, or the cached one (5 minutes for the page, 1 minute
// for the heartbeats).
func (s *Server) answer(endpoint, slug string, badTime bool) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	ttl := 5 * time.Minute
	if endpoint == "heartbeat" {
		ttl = time.Minute
	}
	now := s.now()
	key := endpoint + "/" + slug
	if c, ok := s.cache[key]; ok && now.Sub(c.at) < ttl && !badTime {
		return c.body
	}
	var doc any
	if endpoint == "page" {
		doc = s.page()
	} else {
		doc = s.heartbeats(slug, badTime)
	}
	body, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	if !badTime {
		s.cache[key] = cached{at: now, body: body}
	}
	return body
}

func (s *Server) page() map[string]any {
	var groups []map[string]any
	for _, m := range s.monitors {
		i := slices.IndexFunc(groups, func(g map[string]any) bool { return g["name"] == m.Group })
		if i < 0 {
			groups = append(groups, map[string]any{"id": len(groups) + 1, "name": m.Group, "weight": len(groups) + 1, "monitorList": []map[string]any{}})
			i = len(groups) - 1
		}
		groups[i]["monitorList"] = append(groups[i]["monitorList"].([]map[string]any),
			map[string]any{"id": m.ID, "name": m.Name, "sendUrl": 0, "type": "http"})
	}
	return map[string]any{
		"config": map[string]any{"slug": s.slug, "title": "Acme status", "description": nil, "icon": "/icon.svg",
			"autoRefreshInterval": 300, "theme": "auto", "published": true, "showTags": false},
		"incidents":       []any{},
		"publicGroupList": groups,
		"maintenanceList": []any{},
	}
}

func (s *Server) heartbeats(slug string, badTime bool) map[string]any {
	list, uptime := map[string]any{}, map[string]any{}
	if slug != s.slug {
		return map[string]any{"heartbeatList": list, "uptimeList": uptime}
	}
	for _, m := range s.monitors {
		beats := m.beats
		if len(beats) > 100 {
			beats = beats[len(beats)-100:]
		}
		out := make([]map[string]any, 0, len(beats))
		up := 0
		for _, b := range beats {
			at := b.At.UTC().Format("2006-01-02 15:04:05.000")
			if badTime {
				at = b.At.Format(time.RFC1123)
			}
			var ping any
			if b.Status == Up {
				ping, up = b.Ping, up+1
			}
			out = append(out, map[string]any{"status": b.Status, "time": at, "msg": "", "ping": ping})
		}
		list[fmt.Sprint(m.ID)] = out
		if len(beats) > 0 {
			uptime[fmt.Sprintf("%d_24", m.ID)] = float64(up) / float64(len(beats))
		}
	}
	return map[string]any{"heartbeatList": list, "uptimeList": uptime}
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
